package gemini

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/railyard-ai/railyard/internal/llm"
)

// Thinking budgets for a reasoning effort, when the client gave an effort
// and no budget: Gemini 2.5 takes a token budget.
var effortBudget = map[string]int{"minimal": 512, "low": 1024, "medium": 8192, "high": 24576}

// EncodeRequest renders req as a generateContent body. The model and the
// choice of stream are in the path (Path), not the body.
func (Dialect) EncodeRequest(req *llm.Request) ([]byte, error) {
	w := wireRequest{Contents: []wireContent{}}
	if len(req.System) > 0 {
		sys := &wireContent{}
		for _, p := range req.System {
			if p.Type == llm.PartText && p.Text != "" {
				sys.Parts = append(sys.Parts, textPart(p.Text))
			}
		}
		if len(sys.Parts) > 0 {
			w.SystemInstruction = sys
		}
	}
	for i := range req.Messages {
		c, err := encodeMessage(req.Messages, i)
		if err != nil {
			return nil, err
		}
		if len(c.Parts) > 0 {
			w.Contents = append(w.Contents, c)
		}
	}
	if len(req.Tools) > 0 {
		decls := make([]wireFunctionDeclaration, 0, len(req.Tools))
		for _, t := range req.Tools {
			d := wireFunctionDeclaration{Name: t.Name, Description: t.Description}
			if len(t.Parameters) > 0 && !isNull(t.Parameters) {
				d.ParametersJSONSchema = t.Parameters
			}
			decls = append(decls, d)
		}
		w.Tools = []wireTool{{FunctionDeclarations: decls}}
		w.ToolConfig = encodeToolChoice(req.ToolChoice)
	}
	w.GenerationConfig = encodeGenerationConfig(req)
	return json.Marshal(w)
}

func textPart(s string) wirePart { return wirePart{Text: &s} }

// encodeMessage renders message i; tool results need the earlier messages
// to find the function name their call id stands for.
func encodeMessage(msgs []llm.Message, i int) (wireContent, error) {
	m := msgs[i]
	c := wireContent{Role: "user"}
	if m.Role == llm.RoleAssistant {
		c.Role = "model"
	}
	for _, p := range m.Content {
		switch p.Type {
		case llm.PartText, llm.PartRefusal:
			if p.Text == "" && p.Signature == "" {
				continue
			}
			wp := textPart(p.Text)
			if m.Role == llm.RoleAssistant {
				wp.ThoughtSignature = p.Signature
			}
			c.Parts = append(c.Parts, wp)
		case llm.PartImage, llm.PartDocument:
			if wp, ok := mediaPart(p.Media); ok {
				c.Parts = append(c.Parts, wp)
			}
		case llm.PartToolCall:
			if p.ToolCall == nil {
				continue
			}
			args := json.RawMessage(p.ToolCall.Arguments)
			if len(bytes.TrimSpace(args)) == 0 {
				args = json.RawMessage("{}")
			} else if !json.Valid(args) || bytes.TrimSpace(args)[0] != '{' {
				return c, llm.BadRequest("tool call %q has arguments that are not a JSON object", p.ToolCall.Name)
			}
			sig := p.Signature
			if sig == "" {
				sig = SkipSignature
			}
			c.Parts = append(c.Parts, wirePart{FunctionCall: &wireFunctionCall{Name: p.ToolCall.Name, Args: args}, ThoughtSignature: sig})
		case llm.PartToolResult:
			if p.ToolResult == nil {
				continue
			}
			name := callName(msgs[:i], p.ToolResult.CallID)
			if name == "" {
				return c, llm.BadRequest("tool result for call %q answers no earlier tool call: Gemini needs the function name", p.ToolResult.CallID)
			}
			c.Parts = append(c.Parts, wirePart{FunctionResponse: &wireFunctionResponse{Name: name, Response: resultResponse(p.ToolResult)}})
		case llm.PartReasoning:
			// Gemini keeps its thinking in thought signatures; reasoning
			// text from any model is not sent back.
		}
	}
	return c, nil
}

// callName finds the function name of the call with id in msgs, latest
// first.
func callName(msgs []llm.Message, id string) string {
	for i := len(msgs) - 1; i >= 0; i-- {
		for _, p := range msgs[i].Content {
			if p.Type == llm.PartToolCall && p.ToolCall != nil && p.ToolCall.ID == id {
				return p.ToolCall.Name
			}
		}
	}
	return ""
}

// resultResponse is a functionResponse.response object: a tool result
// whose text is a JSON object goes as that object, any other text as
// {"output": text} (or {"error": text}), as Google's docs shape it.
func resultResponse(r *llm.ToolResult) json.RawMessage {
	var sb strings.Builder
	for _, q := range r.Content {
		if q.Type == llm.PartText {
			sb.WriteString(q.Text)
		}
	}
	text := sb.String()
	if t := bytes.TrimSpace([]byte(text)); len(t) > 0 && t[0] == '{' && json.Valid(t) && !r.IsError {
		return json.RawMessage(t)
	}
	key := "output"
	if r.IsError {
		key = "error"
	}
	out, _ := json.Marshal(map[string]string{key: text})
	return out
}

func mediaPart(m *llm.Media) (wirePart, bool) {
	if m == nil {
		return wirePart{}, false
	}
	switch {
	case m.Data != "":
		mt := m.MediaType
		if mt == "" {
			mt = "application/octet-stream"
		}
		return wirePart{InlineData: &wireBlob{MimeType: mt, Data: m.Data}}, true
	case m.URL != "":
		return wirePart{FileData: &wireFileData{MimeType: m.MediaType, FileURI: m.URL}}, true
	}
	return wirePart{}, false
}

func encodeToolChoice(tc *llm.ToolChoice) *wireToolConfig {
	if tc == nil {
		return nil
	}
	fc := &wireFunctionCallingConfig{}
	switch tc.Mode {
	case llm.ToolChoiceAuto:
		fc.Mode = "AUTO"
	case llm.ToolChoiceNone:
		fc.Mode = "NONE"
	case llm.ToolChoiceRequired:
		fc.Mode = "ANY"
	case llm.ToolChoiceTool:
		fc.Mode, fc.AllowedFunctionNames = "ANY", []string{tc.Name}
	default:
		return nil
	}
	return &wireToolConfig{FunctionCallingConfig: fc}
}

func encodeGenerationConfig(req *llm.Request) *wireGenerationConfig {
	g := &wireGenerationConfig{
		StopSequences:    req.Stop,
		Temperature:      req.Temperature,
		TopP:             req.TopP,
		Seed:             req.Seed,
		PresencePenalty:  req.PresencePenalty,
		FrequencyPenalty: req.FrequencyPenalty,
	}
	if req.MaxTokens > 0 {
		n := req.MaxTokens
		g.MaxOutputTokens = &n
	}
	if req.TopK != nil {
		k := float64(*req.TopK)
		g.TopK = &k
	}
	if rf := req.ResponseFormat; rf != nil {
		switch rf.Type {
		case llm.FormatJSONObject:
			g.ResponseMimeType = "application/json"
		case llm.FormatJSONSchema:
			g.ResponseMimeType = "application/json"
			if len(rf.Schema) > 0 && !isNull(rf.Schema) {
				g.ResponseJSONSchema = rf.Schema
			}
		}
	}
	if r := req.Reasoning; r != nil {
		tc := &wireThinkingConfig{}
		switch {
		case r.Disabled:
			zero := 0
			tc.ThinkingBudget = &zero
		case r.BudgetTokens > 0:
			b := r.BudgetTokens
			tc.ThinkingBudget, tc.IncludeThoughts = &b, true
		case effortBudget[r.Effort] > 0:
			b := effortBudget[r.Effort]
			tc.ThinkingBudget, tc.IncludeThoughts = &b, true
		default:
			tc.IncludeThoughts = true
		}
		g.ThinkingConfig = tc
	}
	if len(g.StopSequences) == 0 && g.Temperature == nil && g.TopP == nil && g.TopK == nil && g.Seed == nil &&
		g.PresencePenalty == nil && g.FrequencyPenalty == nil && g.MaxOutputTokens == nil &&
		g.ResponseMimeType == "" && g.ThinkingConfig == nil {
		return nil
	}
	return g
}

func isNull(b json.RawMessage) bool {
	return string(bytes.TrimSpace(b)) == "null"
}
