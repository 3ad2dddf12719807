package anthropic

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"github.com/railyard-ai/railyard/internal/llm"
)

// DecodeRequest parses and validates a client's Messages request. It checks
// what the real API checks before any tokens are spent (required fields,
// roles, block shapes, ranges), so that a request Anthropic would reject
// never reaches another provider either. Every problem is a 400 whose Param
// names the field. Unknown top-level fields are ignored.
func (Dialect) DecodeRequest(body []byte) (*llm.Request, error) {
	t := bytes.TrimSpace(body)
	if len(t) == 0 || t[0] != '{' {
		return nil, badField("", "request body must be a JSON object")
	}
	var w inRequest
	if err := json.Unmarshal(t, &w); err != nil {
		return nil, jsonError(err)
	}
	return decodeRequest(&w)
}

func decodeRequest(w *inRequest) (*llm.Request, error) {
	if w.Model == nil || *w.Model == "" {
		return nil, badField("model", "model: field required")
	}
	if w.MaxTokens == nil {
		return nil, badField("max_tokens", "max_tokens: field required")
	}
	if *w.MaxTokens < 1 {
		return nil, badField("max_tokens", "max_tokens: must be at least 1")
	}
	if len(w.Messages) == 0 {
		return nil, badField("messages", "messages: at least one message is required")
	}
	r := &llm.Request{
		Model:       *w.Model,
		MaxTokens:   *w.MaxTokens,
		Stop:        w.StopSequences,
		Temperature: w.Temperature,
		TopP:        w.TopP,
		TopK:        w.TopK,
		// Anthropic streams always carry usage.
		StreamUsage: true,
	}
	if w.Stream != nil {
		r.Stream = *w.Stream
	}
	if err := checkRange("temperature", w.Temperature, 0, 1); err != nil {
		return nil, err
	}
	if err := checkRange("top_p", w.TopP, 0, 1); err != nil {
		return nil, err
	}
	if w.TopK != nil && *w.TopK < 0 {
		return nil, badField("top_k", "top_k: must be at least 0")
	}
	if w.Metadata != nil && w.Metadata.UserID != nil {
		r.User = *w.Metadata.UserID
	}
	sys, err := decodeSystem(w.System)
	if err != nil {
		return nil, err
	}
	r.System = sys
	for i := range w.Messages {
		m, err := decodeMessage(i, &w.Messages[i], &r.NativeOnly)
		if err != nil {
			return nil, err
		}
		r.Messages = append(r.Messages, m)
	}
	for i, t := range w.Tools {
		tool, err := decodeTool(i, t)
		if no, ok := err.(*nativeOnly); ok {
			r.NativeOnly = cmp.Or(r.NativeOnly, no.reason)
			continue
		}
		if err != nil {
			return nil, err
		}
		r.Tools = append(r.Tools, tool)
	}
	if !isNull(w.MCPServers) {
		r.NativeOnly = cmp.Or(r.NativeOnly, "mcp_servers")
	}
	if !isNull(w.Container) {
		r.NativeOnly = cmp.Or(r.NativeOnly, "container")
	}
	if err := decodeToolChoice(r, w.ToolChoice); err != nil {
		return nil, err
	}
	if err := decodeThinking(r, w.Thinking); err != nil {
		return nil, err
	}
	return r, nil
}

func checkRange(name string, v *float64, lo, hi float64) error {
	if v != nil && (math.IsNaN(*v) || *v < lo || *v > hi) {
		return badField(name, fmt.Sprintf("%s: must be between %g and %g", name, lo, hi))
	}
	return nil
}

// decodeSystem accepts a string or an array of text blocks.
func decodeSystem(raw json.RawMessage) ([]llm.Part, error) {
	if isNull(raw) {
		return nil, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if s == "" {
			return nil, nil
		}
		return []llm.Part{{Type: llm.PartText, Text: s}}, nil
	}
	var blocks []inBlock
	if err := json.Unmarshal(raw, &blocks); err != nil {
		return nil, badField("system", "system: must be a string or an array of text blocks")
	}
	parts := make([]llm.Part, 0, len(blocks))
	for i, b := range blocks {
		field := fmt.Sprintf("system.%d", i)
		if b.Type != "text" || b.Text == nil {
			return nil, badField(field, field+": system blocks must be text blocks with text")
		}
		c, err := decodeCache(field, b.CacheControl)
		if err != nil {
			return nil, err
		}
		parts = append(parts, llm.Part{Type: llm.PartText, Text: *b.Text, Cache: c})
	}
	return parts, nil
}

// decodeMessage converts one message; content only an Anthropic provider can
// take is left out of the IR and named in *native.
func decodeMessage(i int, m *inMessage, native *string) (llm.Message, error) {
	field := fmt.Sprintf("messages.%d", i)
	var role llm.Role
	switch m.Role {
	case "user":
		role = llm.RoleUser
	case "assistant":
		role = llm.RoleAssistant
	case "":
		return llm.Message{}, badField(field+".role", field+".role: field required")
	default:
		return llm.Message{}, badField(field+".role", fmt.Sprintf("%s.role: must be user or assistant, got %q", field, m.Role))
	}
	if isNull(m.Content) {
		return llm.Message{}, badField(field+".content", field+".content: field required")
	}
	var s string
	if json.Unmarshal(m.Content, &s) == nil {
		return llm.Message{Role: role, Content: []llm.Part{{Type: llm.PartText, Text: s}}}, nil
	}
	var blocks []inBlock
	if err := json.Unmarshal(m.Content, &blocks); err != nil {
		return llm.Message{}, badField(field+".content", field+".content: must be a string or an array of content blocks")
	}
	msg := llm.Message{Role: role, Content: make([]llm.Part, 0, len(blocks))}
	for j := range blocks {
		p, err := decodeBlock(fmt.Sprintf("%s.content.%d", field, j), role, &blocks[j])
		if no, ok := err.(*nativeOnly); ok {
			*native = cmp.Or(*native, no.reason)
			continue
		}
		if err != nil {
			return llm.Message{}, err
		}
		msg.Content = append(msg.Content, p)
	}
	return msg, nil
}

// decodeBlock converts one request content block.
func decodeBlock(field string, role llm.Role, b *inBlock) (llm.Part, error) {
	cache, err := decodeCache(field, b.CacheControl)
	if err != nil {
		return llm.Part{}, err
	}
	onlyIn := func(want llm.Role) error {
		if role != want {
			return badField(field+".type", fmt.Sprintf("%s.type: %s blocks are only allowed in %s messages", field, b.Type, want))
		}
		return nil
	}
	switch b.Type {
	case "text":
		if b.Text == nil {
			return llm.Part{}, badField(field+".text", field+".text: field required")
		}
		return llm.Part{Type: llm.PartText, Text: *b.Text, Cache: cache}, nil
	case "image":
		media, err := decodeImageSource(field+".source", b.Source)
		if err != nil {
			return llm.Part{}, err
		}
		return llm.Part{Type: llm.PartImage, Media: media, Cache: cache}, nil
	case "document":
		media, err := decodeDocumentSource(field+".source", b.Source)
		if err != nil {
			return llm.Part{}, err
		}
		if b.Title != nil {
			media.Title = *b.Title
		}
		return llm.Part{Type: llm.PartDocument, Media: media, Cache: cache}, nil
	case "tool_use":
		if err := onlyIn(llm.RoleAssistant); err != nil {
			return llm.Part{}, err
		}
		if b.ID == "" || b.Name == "" {
			return llm.Part{}, badField(field, field+": tool_use blocks need id and name")
		}
		in := bytes.TrimSpace(b.Input)
		if len(in) == 0 || in[0] != '{' {
			return llm.Part{}, badField(field+".input", field+".input: must be a JSON object")
		}
		return llm.Part{Type: llm.PartToolCall, Cache: cache,
			ToolCall: &llm.ToolCall{ID: b.ID, Name: b.Name, Arguments: string(in)}}, nil
	case "tool_result":
		if err := onlyIn(llm.RoleUser); err != nil {
			return llm.Part{}, err
		}
		if b.ToolUseID == "" {
			return llm.Part{}, badField(field+".tool_use_id", field+".tool_use_id: field required")
		}
		content, err := decodeToolResultContent(field+".content", b.Content)
		if err != nil {
			return llm.Part{}, err
		}
		res := &llm.ToolResult{CallID: b.ToolUseID, Content: content}
		if b.IsError != nil {
			res.IsError = *b.IsError
		}
		return llm.Part{Type: llm.PartToolResult, ToolResult: res, Cache: cache}, nil
	case "thinking":
		if err := onlyIn(llm.RoleAssistant); err != nil {
			return llm.Part{}, err
		}
		if b.Thinking == nil || b.Signature == nil {
			return llm.Part{}, badField(field, field+": thinking blocks need thinking and signature")
		}
		return llm.Part{Type: llm.PartReasoning, Text: *b.Thinking, Signature: *b.Signature}, nil
	case "redacted_thinking":
		if err := onlyIn(llm.RoleAssistant); err != nil {
			return llm.Part{}, err
		}
		if b.Data == nil || *b.Data == "" {
			return llm.Part{}, badField(field+".data", field+".data: field required")
		}
		return llm.Part{Type: llm.PartReasoning, Redacted: *b.Data}, nil
	case "":
		return llm.Part{}, badField(field+".type", field+".type: field required")
	}
	// Server tool calls and results, search results, container uploads, MCP
	// blocks: only Anthropic itself can take them.
	return llm.Part{}, &nativeOnly{reason: fmt.Sprintf("%s.type %q", field, b.Type)}
}

// isImageType reports whether Anthropic accepts t as an inline image type.
func isImageType(t string) bool {
	switch t {
	case "image/jpeg", "image/png", "image/gif", "image/webp":
		return true
	}
	return false
}

func decodeImageSource(field string, s *inSource) (*llm.Media, error) {
	if s == nil {
		return nil, badField(field, field+": field required")
	}
	switch s.Type {
	case "base64":
		if !isImageType(s.MediaType) {
			return nil, badField(field+".media_type", fmt.Sprintf("%s.media_type: must be image/jpeg, image/png, image/gif or image/webp, got %q", field, s.MediaType))
		}
		if s.Data == nil || *s.Data == "" {
			return nil, badField(field+".data", field+".data: field required")
		}
		return &llm.Media{MediaType: s.MediaType, Data: *s.Data}, nil
	case "url":
		if s.URL == "" {
			return nil, badField(field+".url", field+".url: field required")
		}
		return &llm.Media{URL: s.URL}, nil
	}
	return nil, badField(field+".type", fmt.Sprintf("%s.type: image source type %q is not supported (use base64 or url)", field, s.Type))
}

// decodeDocumentSource accepts base64 (PDF), url and plain-text sources. A
// text source's text is stored base64-encoded with media type text/plain,
// because Media.Data is base64 for every dialect; the egress side turns it
// back into a text source.
func decodeDocumentSource(field string, s *inSource) (*llm.Media, error) {
	if s == nil {
		return nil, badField(field, field+": field required")
	}
	switch s.Type {
	case "base64":
		if s.MediaType != "application/pdf" {
			return nil, badField(field+".media_type", fmt.Sprintf("%s.media_type: must be application/pdf, got %q", field, s.MediaType))
		}
		if s.Data == nil || *s.Data == "" {
			return nil, badField(field+".data", field+".data: field required")
		}
		return &llm.Media{MediaType: s.MediaType, Data: *s.Data}, nil
	case "url":
		if s.URL == "" {
			return nil, badField(field+".url", field+".url: field required")
		}
		return &llm.Media{MediaType: "application/pdf", URL: s.URL}, nil
	case "text":
		if s.Data == nil {
			return nil, badField(field+".data", field+".data: field required")
		}
		return &llm.Media{MediaType: "text/plain", Data: base64.StdEncoding.EncodeToString([]byte(*s.Data))}, nil
	}
	return nil, badField(field+".type", fmt.Sprintf("%s.type: document source type %q is not supported (use base64, url or text)", field, s.Type))
}

// decodeToolResultContent accepts a string or text and image blocks.
func decodeToolResultContent(field string, raw json.RawMessage) ([]llm.Part, error) {
	if isNull(raw) {
		return nil, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if s == "" {
			return nil, nil
		}
		return []llm.Part{{Type: llm.PartText, Text: s}}, nil
	}
	var blocks []inBlock
	if err := json.Unmarshal(raw, &blocks); err != nil {
		return nil, badField(field, field+": must be a string or an array of text and image blocks")
	}
	parts := make([]llm.Part, 0, len(blocks))
	for i := range blocks {
		f := fmt.Sprintf("%s.%d", field, i)
		b := &blocks[i]
		switch b.Type {
		case "text", "image":
			p, err := decodeBlock(f, llm.RoleUser, b)
			if err != nil {
				return nil, err
			}
			parts = append(parts, p)
		default:
			return nil, badField(f+".type", fmt.Sprintf("%s.type: tool_result content must be text or image blocks, got %q", f, b.Type))
		}
	}
	return parts, nil
}

func decodeCache(field string, c *wireCache) (*llm.CacheControl, error) {
	if c == nil {
		return nil, nil
	}
	if c.Type != "ephemeral" {
		return nil, badField(field+".cache_control.type", fmt.Sprintf("%s.cache_control.type: must be ephemeral, got %q", field, c.Type))
	}
	if c.TTL != "" && c.TTL != "5m" && c.TTL != "1h" {
		return nil, badField(field+".cache_control.ttl", fmt.Sprintf("%s.cache_control.ttl: must be 5m or 1h, got %q", field, c.TTL))
	}
	return &llm.CacheControl{Type: c.Type, TTL: c.TTL}, nil
}

// decodeTool accepts custom (client) tools only: server tools such as
// web_search_20250305 run inside Anthropic and no other provider has them.
func decodeTool(i int, t inTool) (llm.Tool, error) {
	field := fmt.Sprintf("tools.%d", i)
	if t.Type != nil && *t.Type != "custom" {
		return llm.Tool{}, &nativeOnly{reason: fmt.Sprintf("server tool %s.type %q", field, *t.Type)}
	}
	if t.Name == "" {
		return llm.Tool{}, badField(field+".name", field+".name: field required")
	}
	schema := bytes.TrimSpace(t.InputSchema)
	if len(schema) == 0 || schema[0] != '{' {
		return llm.Tool{}, badField(field+".input_schema", field+".input_schema: must be a JSON Schema object")
	}
	c, err := decodeCache(field, t.CacheControl)
	if err != nil {
		return llm.Tool{}, err
	}
	return llm.Tool{Name: t.Name, Description: t.Description, Parameters: json.RawMessage(schema), Cache: c}, nil
}

func decodeToolChoice(r *llm.Request, c *inToolChoice) error {
	if c == nil {
		return nil
	}
	tc := &llm.ToolChoice{}
	switch c.Type {
	case "auto":
		tc.Mode = llm.ToolChoiceAuto
	case "any":
		tc.Mode = llm.ToolChoiceRequired
	case "none":
		tc.Mode = llm.ToolChoiceNone
	case "tool":
		if c.Name == "" {
			return badField("tool_choice.name", "tool_choice.name: field required for type tool")
		}
		tc.Mode, tc.Name = llm.ToolChoiceTool, c.Name
	default:
		return badField("tool_choice.type", fmt.Sprintf("tool_choice.type: must be auto, any, tool or none, got %q", c.Type))
	}
	if c.DisableParallelToolUse != nil && *c.DisableParallelToolUse {
		tc.DisableParallel = true
		no := false
		r.ParallelToolCalls = &no
	}
	r.ToolChoice = tc
	return nil
}

// decodeThinking maps thinking to Reasoning. "adaptive" (the model picks
// its own budget) has no canonical form and becomes medium effort.
func decodeThinking(r *llm.Request, t *inThinking) error {
	if t == nil {
		return nil
	}
	switch t.Type {
	case "enabled":
		if t.BudgetTokens == nil {
			return badField("thinking.budget_tokens", "thinking.budget_tokens: field required")
		}
		b := *t.BudgetTokens
		if b < 1024 {
			return badField("thinking.budget_tokens", "thinking.budget_tokens: must be at least 1024")
		}
		if b >= r.MaxTokens {
			return badField("thinking.budget_tokens", "thinking.budget_tokens: must be less than max_tokens")
		}
		r.Reasoning = &llm.Reasoning{BudgetTokens: b}
	case "disabled":
		r.Reasoning = &llm.Reasoning{Disabled: true}
	case "adaptive":
		r.Reasoning = &llm.Reasoning{Effort: "medium"}
	default:
		return badField("thinking.type", fmt.Sprintf("thinking.type: must be enabled or disabled, got %q", t.Type))
	}
	return nil
}

func isNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || bytes.Equal(t, []byte("null"))
}

// nativeOnly marks request content that only an Anthropic provider can
// take; the request stays valid for the fast path (see llm.Request.NativeOnly).
type nativeOnly struct{ reason string }

func (n *nativeOnly) Error() string { return n.reason + " needs an Anthropic provider" }

func badField(param, msg string) *llm.Error {
	e := llm.BadRequest("%s", msg)
	e.Param = param
	return e
}

// jsonError explains a decoding failure of the request body.
func jsonError(err error) *llm.Error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		f := te.Field
		if f == "" {
			f = "body"
		}
		return badField(f, fmt.Sprintf("%s: invalid type %s, want %s", f, te.Value, jsonKind(te.Type.Kind().String())))
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return badField("", fmt.Sprintf("invalid JSON at byte %d: %v", se.Offset, se))
	}
	return badField("", "invalid JSON: "+err.Error())
}

func jsonKind(k string) string {
	switch k {
	case "int", "int64":
		return "integer"
	case "float64":
		return "number"
	case "ptr":
		return "value"
	}
	return k
}
