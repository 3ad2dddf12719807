package anthropic

import (
	"bytes"
	"encoding/base64"
	"strings"

	"github.com/railyard-ai/railyard/internal/llm"
)

// defaultMaxTokens is sent when the client set no output limit: Anthropic
// requires max_tokens, OpenAI clients usually omit it.
const defaultMaxTokens = 4096

// EncodeRequest renders req as a Messages request body. What Messages
// cannot express is dropped as the package doc lists.
func (d Dialect) EncodeRequest(req *llm.Request) ([]byte, error) {
	// Rendered into a pooled buffer, returned as one exact-size copy.
	buf := marshalBufs.Get().(*bytes.Buffer)
	b, err := d.AppendRequest(buf.AvailableBuffer(), req)
	if err != nil {
		marshalBufs.Put(buf)
		return nil, err
	}
	out := bytes.Clone(b)
	if cap(b) <= maxPooledBuf {
		// Keep the grown array for the next request.
		*buf = *bytes.NewBuffer(b[:0])
		marshalBufs.Put(buf)
	}
	return out, nil
}

// buildRequest fills w with the wire form of req. (w is the caller's: a
// returned value would be a second copy in EncodeRequest's frame.)
func buildRequest(w *outRequest, req *llm.Request) {
	*w = outRequest{
		Model:         req.Model,
		MaxTokens:     req.MaxTokens,
		StopSequences: req.Stop,
		Temperature:   req.Temperature,
		TopP:          req.TopP,
		TopK:          req.TopK,
		Stream:        req.Stream,
	}
	if w.MaxTokens <= 0 {
		w.MaxTokens = defaultMaxTokens
	}
	if req.User != "" {
		w.Metadata = &outMetadata{UserID: req.User}
	}
	if budget := req.Reasoning.ThinkingBudget(); budget > 0 && !req.ForcesTool() {
		w.Thinking = &outThinking{Type: "enabled", BudgetTokens: budget}
		if w.MaxTokens <= budget {
			// The budget counts against max_tokens; keep the client's
			// visible-output allowance on top of it.
			w.MaxTokens += budget
		}
		// Anthropic rejects these together with thinking.
		w.Temperature, w.TopK = nil, nil
		if w.TopP != nil && *w.TopP < 0.95 {
			w.TopP = nil
		}
	} else if req.Reasoning != nil && req.Reasoning.Disabled {
		w.Thinking = &outThinking{Type: "disabled"}
	}
	for _, p := range req.System {
		if p.Text == "" {
			continue
		}
		w.System = append(w.System, textBlock{Type: "text", Text: p.Text, CacheControl: outCache(p.Cache)})
	}
	if s := llm.JSONInstruction(req.ResponseFormat); s != "" {
		w.System = append(w.System, textBlock{Type: "text", Text: s})
	}
	w.Messages = encodeMessages(req.Messages)
	for _, t := range req.Tools {
		w.Tools = append(w.Tools, outTool{
			Name:         t.Name,
			Description:  t.Description,
			InputSchema:  objectOr(t.Parameters, `{"type":"object"}`),
			CacheControl: outCache(t.Cache),
		})
	}
	if len(w.Tools) > 0 {
		w.ToolChoice = encodeToolChoice(req)
	}
}

func encodeToolChoice(req *llm.Request) *outToolChoice {
	disable := req.ParallelToolCalls != nil && !*req.ParallelToolCalls
	tc := &outToolChoice{Type: "auto"}
	if c := req.ToolChoice; c != nil {
		disable = disable || c.DisableParallel
		switch c.Mode {
		case llm.ToolChoiceRequired:
			tc.Type = "any"
		case llm.ToolChoiceNone:
			return &outToolChoice{Type: "none"}
		case llm.ToolChoiceTool:
			tc.Type, tc.Name = "tool", c.Name
		}
	} else if !disable {
		return nil // the API's default is auto
	}
	tc.DisableParallelToolUse = disable
	return tc
}

// encodeMessages converts turns, merging consecutive turns of the same role
// (OpenAI sends one tool message per result; Anthropic wants alternation)
// and dropping turns left without content.
func encodeMessages(msgs []llm.Message) []outMessage {
	out := make([]outMessage, 0, len(msgs))
	for _, m := range msgs {
		role := "user"
		if m.Role == llm.RoleAssistant {
			role = "assistant"
		}
		var blocks []any
		for i := range m.Content {
			if b := encodeBlock(&m.Content[i]); b != nil {
				blocks = append(blocks, b)
			}
		}
		if len(blocks) == 0 {
			continue
		}
		if n := len(out); n > 0 && out[n-1].Role == role {
			out[n-1].Content = append(out[n-1].Content, blocks...)
			continue
		}
		out = append(out, outMessage{Role: role, Content: blocks})
	}
	return out
}

// encodeBlock converts one part, or returns nil for parts Anthropic would
// reject (empty text, unsigned reasoning).
func encodeBlock(p *llm.Part) any {
	c := outCache(p.Cache)
	switch p.Type {
	case llm.PartText, llm.PartRefusal:
		if p.Text == "" {
			return nil
		}
		return textBlock{Type: "text", Text: p.Text, CacheControl: c}
	case llm.PartImage:
		if p.Media == nil {
			return nil
		}
		return imageBlock{Type: "image", Source: mediaSource(p.Media), CacheControl: c}
	case llm.PartDocument:
		if p.Media == nil {
			return nil
		}
		return documentBlock{Type: "document", Source: mediaSource(p.Media), Title: p.Media.Title, CacheControl: c}
	case llm.PartToolCall:
		if p.ToolCall == nil {
			return nil
		}
		return toolUseBlock{Type: "tool_use", ID: p.ToolCall.ID, Name: p.ToolCall.Name,
			Input: objectOr([]byte(p.ToolCall.Arguments), "{}"), CacheControl: c}
	case llm.PartToolResult:
		if p.ToolResult == nil {
			return nil
		}
		tr := toolResultBlock{Type: "tool_result", ToolUseID: p.ToolResult.CallID, IsError: p.ToolResult.IsError, CacheControl: c}
		for i := range p.ToolResult.Content {
			q := &p.ToolResult.Content[i]
			if q.Type == llm.PartText || q.Type == llm.PartImage {
				if b := encodeBlock(q); b != nil {
					tr.Content = append(tr.Content, b)
				}
			}
		}
		return tr
	case llm.PartReasoning:
		if p.Redacted != "" {
			return redactedThinkingBlock{Type: "redacted_thinking", Data: p.Redacted}
		}
		if p.Signature == "" {
			return nil
		}
		return thinkingBlock{Type: "thinking", Thinking: p.Text, Signature: p.Signature}
	}
	return nil
}

// mediaSource picks the source form: url, plain text for text/plain
// documents (stored base64 in the IR), or base64.
func mediaSource(m *llm.Media) outSource {
	if m.URL != "" && m.Data == "" {
		return outSource{Type: "url", URL: m.URL}
	}
	if strings.HasPrefix(m.MediaType, "text/") {
		if text, err := base64.StdEncoding.DecodeString(m.Data); err == nil {
			return outSource{Type: "text", MediaType: "text/plain", Data: string(text)}
		}
	}
	return outSource{Type: "base64", MediaType: m.MediaType, Data: m.Data}
}

func outCache(c *llm.CacheControl) *wireCache {
	if c == nil {
		return nil
	}
	t := c.Type
	if t == "" {
		t = "ephemeral"
	}
	return &wireCache{Type: t, TTL: c.TTL}
}
