package bedrock

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"

	"github.com/railyard-ai/railyard/internal/llm"
)

// DecodeHTTPRequest decodes a Converse or ConverseStream request: the
// model id and whether to stream come from the path
// (/model/{modelId}/converse[-stream]), the rest from the body.
func (d Dialect) DecodeHTTPRequest(r *http.Request, body []byte) (*llm.Request, error) {
	model, stream, err := ParsePath(r.URL.EscapedPath())
	if err != nil {
		return nil, err
	}
	req, err := d.DecodeRequest(body)
	if err != nil {
		return nil, err
	}
	req.Model, req.Stream = model, stream
	return req, nil
}

// ParsePath reads the model id and the operation off a Converse path. The
// id may be escaped (an ARN's slashes and colons).
func ParsePath(escaped string) (model string, stream bool, err error) {
	rest, ok := strings.CutPrefix(escaped, "/model/")
	if !ok {
		return "", false, badField("modelId", "path must be /model/{modelId}/converse or /converse-stream")
	}
	i := strings.LastIndexByte(rest, '/')
	if i <= 0 {
		return "", false, badField("modelId", "path must be /model/{modelId}/converse or /converse-stream")
	}
	switch rest[i+1:] {
	case "converse":
	case "converse-stream":
		stream = true
	default:
		return "", false, badField("modelId", "unknown operation "+fmt.Sprintf("%q", rest[i+1:])+" (want converse or converse-stream)")
	}
	model, err = url.PathUnescape(rest[:i])
	if err != nil || model == "" || strings.Contains(model, "/") && !strings.HasPrefix(model, "arn:") {
		return "", false, badField("modelId", "modelId: not a valid model id")
	}
	return model, stream, nil
}

// DecodeRequest parses and validates a Converse body. The body has no model
// and no stream flag (they are in the path: see DecodeHTTPRequest), so the
// Request it returns has neither. It checks what Bedrock checks before any
// tokens are spent, so a request Bedrock would reject never reaches another
// provider either; every problem is a 400 whose Param names the field.
func (Dialect) DecodeRequest(body []byte) (*llm.Request, error) {
	t := bytes.TrimSpace(body)
	if len(t) == 0 || t[0] != '{' {
		return nil, badField("", "request body must be a JSON object")
	}
	var w wireRequest
	if err := json.Unmarshal(t, &w); err != nil {
		return nil, jsonError(err)
	}
	return decodeRequest(&w)
}

func decodeRequest(w *wireRequest) (*llm.Request, error) {
	if len(w.Messages) == 0 {
		return nil, badField("messages", "messages: at least one message is required")
	}
	// Bedrock streams always end with a metadata event carrying usage.
	r := &llm.Request{StreamUsage: true}
	if c := w.InferenceConfig; c != nil {
		if c.MaxTokens != nil {
			if *c.MaxTokens < 1 {
				return nil, badField("inferenceConfig.maxTokens", "inferenceConfig.maxTokens: must be at least 1")
			}
			r.MaxTokens = *c.MaxTokens
		}
		if err := checkRange("inferenceConfig.temperature", c.Temperature, 0, 1); err != nil {
			return nil, err
		}
		if err := checkRange("inferenceConfig.topP", c.TopP, 0, 1); err != nil {
			return nil, err
		}
		if len(c.StopSequences) > 2500 {
			return nil, badField("inferenceConfig.stopSequences", "inferenceConfig.stopSequences: too many")
		}
		r.Temperature, r.TopP, r.Stop = c.Temperature, c.TopP, c.StopSequences
	}
	sys, err := decodeSystem(w.System)
	if err != nil {
		return nil, err
	}
	r.System = sys
	for i := range w.Messages {
		m, err := decodeMessage(i, &w.Messages[i])
		if err != nil {
			return nil, err
		}
		r.Messages = append(r.Messages, m)
	}
	if err := decodeToolConfig(r, w.ToolConfig); err != nil {
		return nil, err
	}
	if err := decodeAdditional(r, w.AdditionalModelRequestFields); err != nil {
		return nil, err
	}
	if !isNull(w.GuardrailConfig) {
		r.NativeOnly = cmp.Or(r.NativeOnly, "guardrailConfig")
	}
	if !isNull(w.PromptVariables) {
		r.NativeOnly = cmp.Or(r.NativeOnly, "promptVariables")
	}
	return r, nil
}

func checkRange(name string, v *float64, lo, hi float64) error {
	if v != nil && (math.IsNaN(*v) || *v < lo || *v > hi) {
		return badField(name, fmt.Sprintf("%s: must be between %g and %g", name, lo, hi))
	}
	return nil
}

// cacheHint is the canonical hint a cachePoint stands for.
func cacheHint() *llm.CacheControl { return &llm.CacheControl{Type: "ephemeral"} }

func decodeSystem(blocks []wireSystem) ([]llm.Part, error) {
	var out []llm.Part
	for i, b := range blocks {
		field := fmt.Sprintf("system[%d]", i)
		switch {
		case b.Text != nil:
			out = append(out, llm.Part{Type: llm.PartText, Text: *b.Text})
		case b.CachePoint != nil:
			if len(out) == 0 {
				return nil, badField(field+".cachePoint", field+".cachePoint: must follow a text block")
			}
			out[len(out)-1].Cache = cacheHint()
		case !isNull(b.GuardContent):
			// Guard content only means something to a guardrail; dropped.
		default:
			return nil, badField(field, field+": a system block needs text or cachePoint")
		}
	}
	return out, nil
}

func decodeMessage(i int, m *wireMessage) (llm.Message, error) {
	field := fmt.Sprintf("messages[%d]", i)
	var role llm.Role
	switch m.Role {
	case "user":
		role = llm.RoleUser
	case "assistant":
		role = llm.RoleAssistant
	default:
		return llm.Message{}, badField(field+".role", fmt.Sprintf("%s.role: must be user or assistant, got %q", field, m.Role))
	}
	if len(m.Content) == 0 {
		return llm.Message{}, badField(field+".content", field+".content: at least one block is required")
	}
	msg := llm.Message{Role: role}
	for j := range m.Content {
		bf := fmt.Sprintf("%s.content[%d]", field, j)
		b := &m.Content[j]
		if b.CachePoint != nil {
			if len(msg.Content) == 0 {
				return llm.Message{}, badField(bf+".cachePoint", bf+".cachePoint: must follow a content block")
			}
			msg.Content[len(msg.Content)-1].Cache = cacheHint()
			continue
		}
		p, ok, err := decodeBlock(bf, role, b)
		if err != nil {
			return llm.Message{}, err
		}
		if ok {
			msg.Content = append(msg.Content, p)
		}
	}
	return msg, nil
}

// decodeBlock converts one content block; ok is false for blocks railyard
// drops (guard content, video, citations).
func decodeBlock(field string, role llm.Role, b *wireBlock) (llm.Part, bool, error) {
	switch {
	case b.Text != nil:
		return llm.Part{Type: llm.PartText, Text: *b.Text}, true, nil
	case b.Image != nil:
		m, err := decodeImage(field+".image", b.Image)
		return llm.Part{Type: llm.PartImage, Media: m}, err == nil, err
	case b.Document != nil:
		m, err := decodeDocument(field+".document", b.Document)
		return llm.Part{Type: llm.PartDocument, Media: m}, err == nil, err
	case b.ToolUse != nil:
		if role != llm.RoleAssistant {
			return llm.Part{}, false, badField(field+".toolUse", field+".toolUse: only assistant messages may call tools")
		}
		t := b.ToolUse
		if t.ToolUseID == "" || t.Name == "" {
			return llm.Part{}, false, badField(field+".toolUse", field+".toolUse: toolUseId and name are required")
		}
		args := "{}"
		if !isNull(t.Input) {
			args = string(bytes.TrimSpace(t.Input))
		}
		return llm.Part{Type: llm.PartToolCall, ToolCall: &llm.ToolCall{ID: t.ToolUseID, Name: t.Name, Arguments: args}}, true, nil
	case b.ToolResult != nil:
		if role != llm.RoleUser {
			return llm.Part{}, false, badField(field+".toolResult", field+".toolResult: only user messages may carry tool results")
		}
		res, err := decodeToolResult(field+".toolResult", b.ToolResult)
		return llm.Part{Type: llm.PartToolResult, ToolResult: res}, err == nil, err
	case b.ReasoningContent != nil:
		rc := b.ReasoningContent
		p := llm.Part{Type: llm.PartReasoning}
		switch {
		case rc.ReasoningText != nil:
			p.Text, p.Signature = rc.ReasoningText.Text, rc.ReasoningText.Signature
		case rc.RedactedContent != "":
			if _, err := base64.StdEncoding.DecodeString(rc.RedactedContent); err != nil {
				return llm.Part{}, false, badField(field+".reasoningContent.redactedContent", field+".reasoningContent.redactedContent: not base64")
			}
			p.Redacted = rc.RedactedContent
		default:
			return llm.Part{}, false, badField(field+".reasoningContent", field+".reasoningContent: needs reasoningText or redactedContent")
		}
		return p, true, nil
	case !isNull(b.GuardContent), !isNull(b.Video), !isNull(b.CitationsContent):
		return llm.Part{}, false, nil
	}
	return llm.Part{}, false, badField(field, field+": empty or unknown content block")
}

// imageFormats maps Converse image formats to media types.
var imageFormats = map[string]string{
	"png": "image/png", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp",
}

// documentFormats maps Converse document formats to media types.
var documentFormats = map[string]string{
	"pdf": "application/pdf", "csv": "text/csv", "doc": "application/msword",
	"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"xls":  "application/vnd.ms-excel",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"html": "text/html", "txt": "text/plain", "md": "text/markdown",
}

func decodeSource(field string, s *wireSource) (*llm.Media, error) {
	switch {
	case s.Bytes != "":
		if _, err := base64.StdEncoding.DecodeString(s.Bytes); err != nil {
			return nil, badField(field+".bytes", field+".bytes: not base64")
		}
		return &llm.Media{Data: s.Bytes}, nil
	case s.S3Location != nil:
		if !strings.HasPrefix(s.S3Location.URI, "s3://") {
			return nil, badField(field+".s3Location.uri", field+".s3Location.uri: must start with s3://")
		}
		return &llm.Media{URL: s.S3Location.URI}, nil
	case s.Text != nil:
		return &llm.Media{Data: base64.StdEncoding.EncodeToString([]byte(*s.Text))}, nil
	}
	return nil, badField(field, field+": needs bytes or s3Location")
}

func decodeImage(field string, im *wireImage) (*llm.Media, error) {
	mt, ok := imageFormats[im.Format]
	if !ok {
		return nil, badField(field+".format", fmt.Sprintf("%s.format: must be png, jpeg, gif or webp, got %q", field, im.Format))
	}
	m, err := decodeSource(field+".source", &im.Source)
	if err != nil {
		return nil, err
	}
	m.MediaType = mt
	return m, nil
}

func decodeDocument(field string, d *wireDocument) (*llm.Media, error) {
	if d.Name == "" {
		return nil, badField(field+".name", field+".name: field required")
	}
	m, err := decodeSource(field+".source", &d.Source)
	if err != nil {
		return nil, err
	}
	switch {
	case d.Source.Text != nil:
		m.MediaType = "text/plain"
	default:
		mt, ok := documentFormats[d.Format]
		if !ok {
			return nil, badField(field+".format", fmt.Sprintf("%s.format: unknown document format %q", field, d.Format))
		}
		m.MediaType = mt
	}
	m.Title = d.Name
	return m, nil
}

func decodeToolResult(field string, t *wireToolResult) (*llm.ToolResult, error) {
	if t.ToolUseID == "" {
		return nil, badField(field+".toolUseId", field+".toolUseId: field required")
	}
	res := &llm.ToolResult{CallID: t.ToolUseID}
	switch t.Status {
	case "", "success":
	case "error":
		res.IsError = true
	default:
		return nil, badField(field+".status", fmt.Sprintf("%s.status: must be success or error, got %q", field, t.Status))
	}
	for i, c := range t.Content {
		cf := fmt.Sprintf("%s.content[%d]", field, i)
		switch {
		case c.Text != nil:
			res.Content = append(res.Content, llm.Part{Type: llm.PartText, Text: *c.Text})
		case !isNull(c.JSON):
			// JSON results reach other dialects as their text.
			res.Content = append(res.Content, llm.Part{Type: llm.PartText, Text: string(bytes.TrimSpace(c.JSON))})
		case c.Image != nil:
			m, err := decodeImage(cf+".image", c.Image)
			if err != nil {
				return nil, err
			}
			res.Content = append(res.Content, llm.Part{Type: llm.PartImage, Media: m})
		case c.Document != nil:
			m, err := decodeDocument(cf+".document", c.Document)
			if err != nil {
				return nil, err
			}
			res.Content = append(res.Content, llm.Part{Type: llm.PartDocument, Media: m})
		case !isNull(c.Video):
		default:
			return nil, badField(cf, cf+": empty or unknown tool result block")
		}
	}
	return res, nil
}

func decodeToolConfig(r *llm.Request, c *toolConfig) error {
	if c == nil {
		return nil
	}
	for i, t := range c.Tools {
		field := fmt.Sprintf("toolConfig.tools[%d]", i)
		switch {
		case t.ToolSpec != nil:
			s := t.ToolSpec
			if s.Name == "" {
				return badField(field+".toolSpec.name", field+".toolSpec.name: field required")
			}
			schema := bytes.TrimSpace(s.InputSchema.JSON)
			if len(schema) == 0 || schema[0] != '{' {
				return badField(field+".toolSpec.inputSchema", field+".toolSpec.inputSchema.json: must be a JSON Schema object")
			}
			r.Tools = append(r.Tools, llm.Tool{Name: s.Name, Description: s.Description, Parameters: json.RawMessage(schema)})
		case t.CachePoint != nil:
			if len(r.Tools) == 0 {
				return badField(field+".cachePoint", field+".cachePoint: must follow a tool")
			}
			r.Tools[len(r.Tools)-1].Cache = cacheHint()
		default:
			return badField(field, field+": needs toolSpec or cachePoint")
		}
	}
	if len(r.Tools) == 0 {
		return badField("toolConfig.tools", "toolConfig.tools: at least one tool is required")
	}
	if ch := c.ToolChoice; ch != nil {
		switch {
		case ch.Auto != nil:
			r.ToolChoice = &llm.ToolChoice{Mode: llm.ToolChoiceAuto}
		case ch.Any != nil:
			r.ToolChoice = &llm.ToolChoice{Mode: llm.ToolChoiceRequired}
		case ch.Tool != nil && ch.Tool.Name != "":
			r.ToolChoice = &llm.ToolChoice{Mode: llm.ToolChoiceTool, Name: ch.Tool.Name}
		default:
			return badField("toolConfig.toolChoice", "toolConfig.toolChoice: needs auto, any or tool with a name")
		}
	}
	return nil
}

// additional is what railyard reads of additionalModelRequestFields:
// Anthropic's thinking and top_k.
type additional struct {
	Thinking *struct {
		Type         string `json:"type"`
		BudgetTokens int    `json:"budget_tokens"`
	} `json:"thinking"`
	TopK *int `json:"top_k"`
}

func decodeAdditional(r *llm.Request, raw json.RawMessage) error {
	if isNull(raw) {
		return nil
	}
	var a additional
	if err := json.Unmarshal(raw, &a); err != nil {
		return badField("additionalModelRequestFields", "additionalModelRequestFields: must be an object")
	}
	if a.TopK != nil {
		if *a.TopK < 0 {
			return badField("additionalModelRequestFields.top_k", "additionalModelRequestFields.top_k: must be at least 0")
		}
		r.TopK = a.TopK
	}
	if t := a.Thinking; t != nil {
		switch t.Type {
		case "enabled":
			if t.BudgetTokens < 1024 {
				return badField("additionalModelRequestFields.thinking.budget_tokens", "additionalModelRequestFields.thinking.budget_tokens: must be at least 1024")
			}
			r.Reasoning = &llm.Reasoning{BudgetTokens: t.BudgetTokens}
		case "disabled":
			r.Reasoning = &llm.Reasoning{Disabled: true}
		}
	}
	return nil
}

func isNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || bytes.Equal(t, []byte("null"))
}

func badField(param, msg string) *llm.Error {
	e := llm.BadRequest("%s", msg)
	e.Param = param
	return e
}

// jsonError explains a decoding failure of the request body.
func jsonError(err error) *llm.Error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		f := cmp.Or(te.Field, "body")
		return badField(f, fmt.Sprintf("%s: invalid type %s", f, te.Value))
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return badField("", fmt.Sprintf("invalid JSON at byte %d: %v", se.Offset, se))
	}
	return badField("", "invalid JSON: "+err.Error())
}
