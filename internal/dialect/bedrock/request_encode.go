package bedrock

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/railyard-ai/railyard/internal/llm"
)

// EncodeRequest renders req as a Converse body (the model goes in Path).
// What Converse cannot express is dropped as the package doc lists; content
// it cannot carry at all (an image by http URL) is an error, so the
// gateway tries another target.
func (Dialect) EncodeRequest(req *llm.Request) ([]byte, error) {
	w := wireRequest{}
	if req.MaxTokens > 0 || req.Temperature != nil || req.TopP != nil || len(req.Stop) > 0 {
		c := &inferenceConfig{Temperature: req.Temperature, TopP: req.TopP, StopSequences: req.Stop}
		if req.MaxTokens > 0 {
			n := req.MaxTokens
			c.MaxTokens = &n
		}
		w.InferenceConfig = c
	}
	if isAnthropicModel(req.Model) {
		add := map[string]any{}
		if budget := req.Reasoning.ThinkingBudget(); budget > 0 && !req.ForcesTool() {
			add["thinking"] = map[string]any{"type": "enabled", "budget_tokens": budget}
			if c := w.InferenceConfig; c != nil {
				// Anthropic rejects these together with thinking, and
				// counts the budget against maxTokens.
				c.Temperature = nil
				if c.TopP != nil && *c.TopP < 0.95 {
					c.TopP = nil
				}
				if c.MaxTokens != nil && *c.MaxTokens <= budget {
					n := *c.MaxTokens + budget
					c.MaxTokens = &n
				}
			}
		} else if req.TopK != nil {
			add["top_k"] = *req.TopK
		}
		if len(add) > 0 {
			b, err := json.Marshal(add)
			if err != nil {
				return nil, encodeErr(err)
			}
			w.AdditionalModelRequestFields = b
		}
	}
	for _, p := range req.System {
		if p.Text == "" {
			continue
		}
		t := p.Text
		w.System = append(w.System, wireSystem{Text: &t})
		if p.Cache != nil {
			w.System = append(w.System, wireSystem{CachePoint: &wireCachePoint{Type: "default"}})
		}
	}
	if s := llm.JSONInstruction(req.ResponseFormat); s != "" {
		w.System = append(w.System, wireSystem{Text: &s})
	}
	msgs, err := encodeMessages(req.Messages)
	if err != nil {
		return nil, err
	}
	if len(msgs) == 0 {
		return nil, llm.BadRequest("bedrock: no message with content to send (Converse rejects blank text)")
	}
	w.Messages = msgs
	if len(req.Tools) > 0 {
		tc := &toolConfig{}
		for _, t := range req.Tools {
			tc.Tools = append(tc.Tools, wireTool{ToolSpec: &toolSpec{
				Name:        t.Name,
				Description: t.Description,
				InputSchema: inputSchema{JSON: objectOr(t.Parameters, `{"type":"object"}`)},
			}})
			if t.Cache != nil {
				tc.Tools = append(tc.Tools, wireTool{CachePoint: &wireCachePoint{Type: "default"}})
			}
		}
		tc.ToolChoice = encodeToolChoice(req.ToolChoice)
		w.ToolConfig = tc
	}
	b, err := json.Marshal(w)
	if err != nil {
		return nil, encodeErr(err)
	}
	return b, nil
}

func encodeErr(err error) error {
	return llm.Errorf(http.StatusInternalServerError, llm.ErrAPI, "bedrock: encode request: %v", err)
}

// isAnthropicModel reports a Claude model id, with or without a
// cross-region inference profile prefix (us.anthropic..., global.anthropic...)
// or as an ARN that names one.
func isAnthropicModel(id string) bool {
	return strings.Contains(id, "anthropic.") || strings.Contains(id, "claude")
}

func encodeToolChoice(c *llm.ToolChoice) *wireToolChoice {
	if c == nil {
		return nil
	}
	switch c.Mode {
	case llm.ToolChoiceRequired:
		return &wireToolChoice{Any: &struct{}{}}
	case llm.ToolChoiceTool:
		return &wireToolChoice{Tool: &toolChoiceOne{Name: c.Name}}
	case llm.ToolChoiceAuto:
		return &wireToolChoice{Auto: &struct{}{}}
	}
	return nil // none: Converse has no such choice (see the package doc)
}

// objectOr returns raw when it is a JSON object, else def.
func objectOr(raw json.RawMessage, def string) json.RawMessage {
	for _, c := range raw {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '{':
			if json.Valid(raw) {
				return raw
			}
		}
		break
	}
	return json.RawMessage(def)
}

func encodeMessages(msgs []llm.Message) ([]wireMessage, error) {
	out := make([]wireMessage, 0, len(msgs))
	for i, m := range msgs {
		wm := wireMessage{Role: string(m.Role)}
		for j := range m.Content {
			p := &m.Content[j]
			b, ok, err := encodeBlock(p, j)
			if err != nil {
				return nil, fmt.Errorf("messages[%d]: %w", i, err)
			}
			if !ok {
				continue
			}
			wm.Content = append(wm.Content, b)
			if p.Cache != nil {
				wm.Content = append(wm.Content, wireBlock{CachePoint: &wireCachePoint{Type: "default"}})
			}
		}
		if len(wm.Content) == 0 {
			// Converse rejects empty messages and blank text; the turn
			// goes, and the fold below keeps the roles alternating.
			continue
		}
		// Converse needs alternating roles: fold a turn into the previous
		// one of the same role.
		if n := len(out); n > 0 && out[n-1].Role == wm.Role {
			out[n-1].Content = append(out[n-1].Content, wm.Content...)
			continue
		}
		out = append(out, wm)
	}
	return out, nil
}

// encodeBlock converts one part; ok is false for parts dropped on purpose.
func encodeBlock(p *llm.Part, j int) (wireBlock, bool, error) {
	switch p.Type {
	case llm.PartText, llm.PartRefusal:
		if strings.TrimSpace(p.Text) == "" {
			return wireBlock{}, false, nil // Converse rejects blank text
		}
		t := p.Text
		return wireBlock{Text: &t}, true, nil
	case llm.PartImage:
		im, err := encodeImage(p.Media)
		return wireBlock{Image: im}, err == nil, err
	case llm.PartDocument:
		d, err := encodeDocument(p.Media, j)
		return wireBlock{Document: d}, err == nil, err
	case llm.PartToolCall:
		if p.ToolCall == nil {
			return wireBlock{}, false, nil
		}
		return wireBlock{ToolUse: &wireToolUse{
			ToolUseID: p.ToolCall.ID,
			Name:      p.ToolCall.Name,
			Input:     objectOr(json.RawMessage(p.ToolCall.Arguments), "{}"),
		}}, true, nil
	case llm.PartToolResult:
		if p.ToolResult == nil {
			return wireBlock{}, false, nil
		}
		tr, err := encodeToolResult(p.ToolResult)
		return wireBlock{ToolResult: tr}, err == nil, err
	case llm.PartReasoning:
		switch {
		case p.Redacted != "":
			return wireBlock{ReasoningContent: &wireReasoning{RedactedContent: p.Redacted}}, true, nil
		case p.Signature != "":
			return wireBlock{ReasoningContent: &wireReasoning{ReasoningText: &wireReasoningText{Text: p.Text, Signature: p.Signature}}}, true, nil
		}
	}
	return wireBlock{}, false, nil
}

func encodeToolResult(r *llm.ToolResult) (*wireToolResult, error) {
	out := &wireToolResult{ToolUseID: r.CallID, Status: "success", Content: []wireResultBlock{}}
	if r.IsError {
		out.Status = "error"
	}
	for j := range r.Content {
		q := &r.Content[j]
		switch q.Type {
		case llm.PartText:
			if strings.TrimSpace(q.Text) == "" {
				continue
			}
			t := q.Text
			out.Content = append(out.Content, wireResultBlock{Text: &t})
		case llm.PartImage:
			im, err := encodeImage(q.Media)
			if err != nil {
				return nil, err
			}
			out.Content = append(out.Content, wireResultBlock{Image: im})
		case llm.PartDocument:
			d, err := encodeDocument(q.Media, j)
			if err != nil {
				return nil, err
			}
			out.Content = append(out.Content, wireResultBlock{Document: d})
		}
	}
	if len(out.Content) == 0 {
		// Converse wants content and rejects blank text: an empty result
		// is an empty JSON object.
		out.Content = append(out.Content, wireResultBlock{JSON: json.RawMessage("{}")})
	}
	return out, nil
}

func encodeSource(m *llm.Media) (wireSource, error) {
	switch {
	case m.Data != "":
		return wireSource{Bytes: m.Data}, nil
	case strings.HasPrefix(m.URL, "s3://"):
		return wireSource{S3Location: &wireS3Location{URI: m.URL}}, nil
	}
	return wireSource{}, llm.BadRequest("bedrock takes images and documents only inline or from s3://, not by URL")
}

func encodeImage(m *llm.Media) (*wireImage, error) {
	if m == nil {
		return nil, llm.BadRequest("image without data")
	}
	format := ""
	for f, mt := range imageFormats {
		if strings.EqualFold(mt, m.MediaType) {
			format = f
		}
	}
	if m.MediaType == "image/jpg" {
		format = "jpeg"
	}
	if format == "" {
		return nil, llm.BadRequest("bedrock does not take images of type %q", m.MediaType)
	}
	src, err := encodeSource(m)
	if err != nil {
		return nil, err
	}
	return &wireImage{Format: format, Source: src}, nil
}

func encodeDocument(m *llm.Media, j int) (*wireDocument, error) {
	if m == nil {
		return nil, llm.BadRequest("document without data")
	}
	format := ""
	mt, _, _ := strings.Cut(m.MediaType, ";")
	for f, t := range documentFormats {
		if strings.EqualFold(t, strings.TrimSpace(mt)) {
			format = f
		}
	}
	if format == "" {
		return nil, llm.BadRequest("bedrock does not take documents of type %q", m.MediaType)
	}
	src, err := encodeSource(m)
	if err != nil {
		return nil, err
	}
	return &wireDocument{Format: format, Name: documentName(m.Title, j), Source: src}, nil
}

// documentName makes a name Converse accepts: alphanumerics, single spaces,
// hyphens, parentheses and square brackets.
func documentName(title string, j int) string {
	var b strings.Builder
	space := false
	for _, r := range title {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			r == '-' || r == '(' || r == ')' || r == '[' || r == ']'
		switch {
		case ok:
			b.WriteRune(r)
			space = false
		case !space && b.Len() > 0:
			b.WriteByte(' ')
			space = true
		}
	}
	name := strings.TrimSpace(b.String())
	if name == "" {
		name = fmt.Sprintf("document-%d", j+1)
	}
	if len(name) > 200 {
		name = name[:200]
	}
	return name
}
