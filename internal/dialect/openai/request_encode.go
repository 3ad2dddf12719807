package openai

import (
	"encoding/json"
	"strings"

	"github.com/railyard-ai/railyard/internal/llm"
)

// EncodeRequest renders req as a Chat Completions request for an OpenAI or
// OpenAI-compatible provider. See the package doc for what is dropped.
func (d Dialect) EncodeRequest(req *llm.Request) ([]byte, error) {
	out := chatRequest{
		Model:            req.Model,
		Temperature:      req.Temperature,
		TopP:             req.TopP,
		Stop:             req.Stop,
		Seed:             req.Seed,
		PresencePenalty:  req.PresencePenalty,
		FrequencyPenalty: req.FrequencyPenalty,
		User:             req.User,
	}
	out.Messages = d.systemMessages(req.System)
	for i := range req.Messages {
		msgs, err := d.encodeMessage(&req.Messages[i])
		if err != nil {
			return nil, err
		}
		out.Messages = append(out.Messages, msgs...)
	}
	if d.Compat {
		out.MaxTokens = req.MaxTokens
		out.TopK = req.TopK
	} else {
		out.MaxCompletionTokens = req.MaxTokens
	}
	encodeTools(req, &out)
	if rf := req.ResponseFormat; rf != nil {
		out.ResponseFormat = &responseFormat{Type: string(rf.Type)}
		if rf.Type == llm.FormatJSONSchema {
			name := rf.Name
			if name == "" {
				name = "response" // OpenAI requires a name; Anthropic has none
			}
			out.ResponseFormat.JSONSchema = &jsonSchema{Name: name, Schema: rf.Schema, Strict: rf.Strict}
		}
	}
	if r := req.Reasoning; r != nil {
		out.ReasoningEffort = reasoningEffort(r)
	}
	if req.Stream {
		out.Stream = true
		out.StreamOptions = &streamOptions{IncludeUsage: true} // always: metering needs it
	}
	return json.Marshal(out)
}

// reasoningEffort maps a thinking budget onto OpenAI's effort levels when
// no effort was given.
func reasoningEffort(r *llm.Reasoning) string {
	switch {
	case r.Effort != "":
		return r.Effort
	case r.BudgetTokens <= 0:
		return ""
	case r.BudgetTokens <= 2048:
		return "low"
	case r.BudgetTokens <= 16384:
		return "medium"
	default:
		return "high"
	}
}

// encodeTools writes tools and, only when there are tools, tool_choice and
// parallel_tool_calls (OpenAI rejects them without tools).
func encodeTools(req *llm.Request, out *chatRequest) {
	if len(req.Tools) == 0 {
		return
	}
	for _, t := range req.Tools {
		out.Tools = append(out.Tools, chatTool{Type: "function", Function: toolFunction{
			Name: t.Name, Description: t.Description, Parameters: t.Parameters, Strict: t.Strict,
		}})
	}
	out.ParallelToolCalls = req.ParallelToolCalls
	if tc := req.ToolChoice; tc != nil {
		switch tc.Mode {
		case llm.ToolChoiceTool:
			var nc namedToolChoice
			nc.Type, nc.Function.Name = "function", tc.Name
			out.ToolChoice = nc
		case "":
		default:
			out.ToolChoice = string(tc.Mode)
		}
		if tc.DisableParallel {
			out.ParallelToolCalls = ptr(false)
		}
	}
}

// systemMessages turns System parts into leading messages, one per run of
// the same role. OpenAI gets "developer" for developer parts; compatible
// servers get "system" throughout, since their chat templates rarely know
// "developer".
func (d Dialect) systemMessages(parts []llm.Part) []chatMessage {
	var out []chatMessage
	for i := 0; i < len(parts); {
		role := d.systemRole(parts[i])
		j := i + 1
		for j < len(parts) && d.systemRole(parts[j]) == role {
			j++
		}
		out = append(out, chatMessage{Role: role, Content: d.textContent(textsOf(parts[i:j]))})
		i = j
	}
	return out
}

func (d Dialect) systemRole(p llm.Part) string {
	if p.Developer && !d.Compat {
		return "developer"
	}
	return "system"
}

func textsOf(parts []llm.Part) []string {
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		out = append(out, p.Text)
	}
	return out
}

// textContent renders text as a plain string when there is one piece; more
// pieces become an array of text parts for OpenAI, but are joined with a
// blank line for compatible servers, whose chat templates often take only
// strings.
func (d Dialect) textContent(texts []string) json.RawMessage {
	if len(texts) == 1 || (d.Compat && len(texts) > 0) {
		b, _ := json.Marshal(strings.Join(texts, "\n\n"))
		return b
	}
	parts := make([]contentPart, 0, len(texts))
	for _, t := range texts {
		parts = append(parts, contentPart{Type: "text", Text: t})
	}
	b, _ := json.Marshal(parts)
	return b
}

// encodeMessage turns one canonical message into one or more wire
// messages: a user message's tool results become "tool" messages ahead of
// the rest of its content.
func (d Dialect) encodeMessage(m *llm.Message) ([]chatMessage, error) {
	if m.Role == llm.RoleAssistant {
		return []chatMessage{d.assistantMessage(m)}, nil
	}
	var out []chatMessage
	var rest []contentPart
	onlyText := true
	for _, p := range m.Content {
		switch p.Type {
		case llm.PartToolResult:
			if p.ToolResult != nil {
				out = append(out, toolMessage(p.ToolResult))
			}
		case llm.PartText:
			rest = append(rest, contentPart{Type: "text", Text: p.Text})
		case llm.PartImage:
			if p.Media == nil {
				continue
			}
			onlyText = false
			rest = append(rest, contentPart{Type: "image_url", ImageURL: &imageURL{URL: mediaURL(p.Media), Detail: p.Media.Detail}})
		case llm.PartDocument:
			if p.Media == nil {
				continue
			}
			if p.Media.Data == "" {
				return nil, llm.BadRequest("documents by URL cannot be sent to an OpenAI chat model; send the document's data")
			}
			onlyText = false
			rest = append(rest, contentPart{Type: "file", File: &filePart{FileData: mediaURL(p.Media), Filename: p.Media.Title}})
		}
	}
	if len(rest) == 0 {
		return out, nil
	}
	msg := chatMessage{Role: "user", Name: m.Name}
	if onlyText {
		texts := make([]string, 0, len(rest))
		for _, p := range rest {
			texts = append(texts, p.Text)
		}
		msg.Content = d.textContent(texts)
	} else {
		msg.Content, _ = json.Marshal(rest)
	}
	return append(out, msg), nil
}

// mediaURL is the media's URL, or its inline data as a data URL.
func mediaURL(m *llm.Media) string {
	if m.Data == "" {
		return m.URL
	}
	return "data:" + m.MediaType + ";base64," + m.Data
}

// toolMessage renders a tool result as a "tool" message. OpenAI has no
// error flag, so an error result says so in its text; images are dropped
// because a tool message holds text only.
func toolMessage(r *llm.ToolResult) chatMessage {
	var texts []string
	for _, p := range r.Content {
		if p.Type == llm.PartText {
			texts = append(texts, p.Text)
		}
	}
	text := strings.Join(texts, "\n")
	if r.IsError {
		text = "Error: " + text
	}
	b, _ := json.Marshal(text)
	return chatMessage{Role: "tool", ToolCallID: r.CallID, Content: b}
}

// assistantMessage renders an assistant turn. Reasoning parts are dropped:
// OpenAI rejects them as input.
func (d Dialect) assistantMessage(m *llm.Message) chatMessage {
	msg := chatMessage{Role: "assistant", Name: m.Name}
	var texts, refusals []string
	for _, p := range m.Content {
		switch p.Type {
		case llm.PartText:
			texts = append(texts, p.Text)
		case llm.PartRefusal:
			refusals = append(refusals, p.Text)
		case llm.PartToolCall:
			if p.ToolCall == nil {
				continue
			}
			args := p.ToolCall.Arguments
			if args == "" {
				args = "{}" // servers that parse arguments reject ""
			}
			msg.ToolCalls = append(msg.ToolCalls, wireToolCall{ID: p.ToolCall.ID, Type: "function",
				Function: wireFunction{Name: p.ToolCall.Name, Arguments: args}})
		}
	}
	msg.Refusal = strings.Join(refusals, "\n")
	switch {
	case len(texts) > 0:
		msg.Content = d.textContent(texts)
	case len(msg.ToolCalls) > 0 || msg.Refusal != "":
		msg.Content = json.RawMessage("null")
	default:
		msg.Content = json.RawMessage(`""`)
	}
	return msg
}
