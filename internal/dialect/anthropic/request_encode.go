package anthropic

import (
	"errors"
	"math"
	"strconv"

	"github.com/railyard-ai/railyard/internal/jsonx"
	"github.com/railyard-ai/railyard/internal/llm"
)

// The outbound Messages request is written by hand rather than by
// encoding/json's reflection: on a streamed request the encoder runs on the
// connection's goroutine, and reflection's extra ~3 KB of stack on top of
// the pipeline's depth grew every open stream's stack from 8 to 16 KiB
// before its first wait (issue 7, memory per open stream). It is also the
// bulk of the request translation's CPU.
//
// appendRequest writes exactly the bytes marshal writes for the same
// value; anything it does not know (a block type, a NaN, an invalid raw
// message) is an error, and encodeRequest then uses marshal, so the output
// never depends on which way ran. FuzzEncodeRequestMatchesJSON holds it to
// marshal byte for byte.

// errSlowPath makes encodeRequest fall back to marshal.
var errSlowPath = errors.New("anthropic: request needs encoding/json")

// maxBlockDepth bounds tool_result nesting. Requests nest one level; a
// deeper (or cyclic) value goes to encoding/json, which has its own checks.
const maxBlockDepth = 8

// encodeRequest appends w to dst as marshal(*w) writes it: by
// appendRequest when it can, else by marshal.
func encodeRequest(dst []byte, w *outRequest) ([]byte, error) {
	if b, err := appendRequest(dst, w); err == nil {
		return b, nil
	}
	b, err := marshal(*w)
	if err != nil {
		return nil, err
	}
	return append(dst, b...), nil
}

// AppendRequest is EncodeRequest appending to dst (the gateway's pooled
// upstream body buffer), so that the rendering is not copied out of a
// buffer of its own.
func (Dialect) AppendRequest(dst []byte, req *llm.Request) ([]byte, error) {
	var w outRequest
	buildRequest(&w, req)
	b, err := encodeRequest(dst, &w)
	if err != nil {
		return nil, llm.Errorf(500, llm.ErrAPI, "anthropic: encode request: %v", err)
	}
	return b, nil
}

// appendRequest appends w as JSON, byte for byte what marshal(w) writes:
// the field order and omitempty rules of outRequest's tags, strings
// without HTML escaping. Its sections are functions of their own so that
// the frames under the blocks' recursion (a stream's deepest point) stay
// small.
func appendRequest(dst []byte, w *outRequest) ([]byte, error) {
	dst = appendHead(dst, w)
	dst, err := appendMessages(dst, w.Messages)
	if err != nil {
		return nil, err
	}
	if dst, err = appendTools(dst, w.Tools); err != nil {
		return nil, err
	}
	return appendTail(dst, w)
}

// appendHead writes model, max_tokens and system.
func appendHead(dst []byte, w *outRequest) []byte {
	dst = append(dst, `{"model":`...)
	dst = jsonx.AppendStringNoHTML(dst, w.Model)
	dst = append(dst, `,"max_tokens":`...)
	dst = strconv.AppendInt(dst, int64(w.MaxTokens), 10)
	if len(w.System) > 0 {
		dst = append(dst, `,"system":[`...)
		for i := range w.System {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendText(dst, &w.System[i])
		}
		dst = append(dst, ']')
	}
	return dst
}

func appendMessages(dst []byte, msgs []outMessage) ([]byte, error) {
	dst = append(dst, `,"messages":`...)
	if msgs == nil {
		return append(dst, "null"...), nil
	}
	dst = append(dst, '[')
	for i := range msgs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"role":`...)
		dst = jsonx.AppendStringNoHTML(dst, msgs[i].Role)
		dst = append(dst, `,"content":`...)
		var err error
		if dst, err = appendBlocks(dst, msgs[i].Content, 0); err != nil {
			return nil, err
		}
		dst = append(dst, '}')
	}
	return append(dst, ']'), nil
}

func appendTools(dst []byte, tools []outTool) ([]byte, error) {
	if len(tools) == 0 {
		return dst, nil
	}
	dst = append(dst, `,"tools":[`...)
	for i := range tools {
		if i > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = appendTool(dst, &tools[i]); err != nil {
			return nil, err
		}
	}
	return append(dst, ']'), nil
}

// appendTail writes the fields after tools and closes the object.
func appendTail(dst []byte, w *outRequest) ([]byte, error) {
	var err error
	if tc := w.ToolChoice; tc != nil {
		dst = append(dst, `,"tool_choice":{"type":`...)
		dst = jsonx.AppendStringNoHTML(dst, tc.Type)
		if tc.Name != "" {
			dst = append(dst, `,"name":`...)
			dst = jsonx.AppendStringNoHTML(dst, tc.Name)
		}
		if tc.DisableParallelToolUse {
			dst = append(dst, `,"disable_parallel_tool_use":true`...)
		}
		dst = append(dst, '}')
	}
	if len(w.StopSequences) > 0 {
		dst = append(dst, `,"stop_sequences":[`...)
		for i, s := range w.StopSequences {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = jsonx.AppendStringNoHTML(dst, s)
		}
		dst = append(dst, ']')
	}
	if w.Temperature != nil {
		dst = append(dst, `,"temperature":`...)
		if dst, err = appendFloat(dst, *w.Temperature); err != nil {
			return nil, err
		}
	}
	if w.TopP != nil {
		dst = append(dst, `,"top_p":`...)
		if dst, err = appendFloat(dst, *w.TopP); err != nil {
			return nil, err
		}
	}
	if w.TopK != nil {
		dst = append(dst, `,"top_k":`...)
		dst = strconv.AppendInt(dst, int64(*w.TopK), 10)
	}
	if w.Metadata != nil {
		dst = append(dst, `,"metadata":{"user_id":`...)
		dst = jsonx.AppendStringNoHTML(dst, w.Metadata.UserID)
		dst = append(dst, '}')
	}
	if th := w.Thinking; th != nil {
		dst = append(dst, `,"thinking":{"type":`...)
		dst = jsonx.AppendStringNoHTML(dst, th.Type)
		if th.BudgetTokens != 0 {
			dst = append(dst, `,"budget_tokens":`...)
			dst = strconv.AppendInt(dst, int64(th.BudgetTokens), 10)
		}
		dst = append(dst, '}')
	}
	if w.Stream {
		dst = append(dst, `,"stream":true`...)
	}
	return append(dst, '}'), nil
}

func appendTool(dst []byte, t *outTool) ([]byte, error) {
	dst = append(dst, `{"name":`...)
	dst = jsonx.AppendStringNoHTML(dst, t.Name)
	if t.Description != "" {
		dst = append(dst, `,"description":`...)
		dst = jsonx.AppendStringNoHTML(dst, t.Description)
	}
	dst = append(dst, `,"input_schema":`...)
	dst, err := appendRaw(dst, t.InputSchema)
	if err != nil {
		return nil, err
	}
	dst = appendCache(dst, t.CacheControl)
	return append(dst, '}'), nil
}

// appendBlocks writes a []any of block values ("null" for nil, as
// encoding/json does).
func appendBlocks(dst []byte, blocks []any, depth int) ([]byte, error) {
	if blocks == nil {
		return append(dst, "null"...), nil
	}
	dst = append(dst, '[')
	for i, b := range blocks {
		if i > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = appendBlock(dst, b, depth); err != nil {
			return nil, err
		}
	}
	return append(dst, ']'), nil
}

// appendBlock writes one block value of the types encodeBlock builds.
// Pointers and other types are left to encoding/json. Each type has its
// own function that copies the value out of the interface, so that this
// frame, which recursion through tool results repeats, holds none of them.
func appendBlock(dst []byte, b any, depth int) ([]byte, error) {
	switch b.(type) {
	case nil:
		return append(dst, "null"...), nil
	case textBlock:
		return appendTextAny(dst, b), nil
	case imageBlock:
		return appendImage(dst, b), nil
	case documentBlock:
		return appendDocument(dst, b), nil
	case toolUseBlock:
		return appendToolUse(dst, b)
	case toolResultBlock:
		if depth >= maxBlockDepth {
			return nil, errSlowPath
		}
		return appendToolResult(dst, b, depth)
	case thinkingBlock:
		return appendThinking(dst, b), nil
	case redactedThinkingBlock:
		return appendRedacted(dst, b), nil
	}
	return nil, errSlowPath
}

func appendTextAny(dst []byte, v any) []byte {
	b := v.(textBlock)
	return appendText(dst, &b)
}

func appendImage(dst []byte, v any) []byte {
	b := v.(imageBlock)
	dst = append(dst, `{"type":`...)
	dst = jsonx.AppendStringNoHTML(dst, b.Type)
	dst = append(dst, `,"source":`...)
	dst = appendSource(dst, &b.Source)
	dst = appendCache(dst, b.CacheControl)
	return append(dst, '}')
}

func appendDocument(dst []byte, v any) []byte {
	b := v.(documentBlock)
	dst = append(dst, `{"type":`...)
	dst = jsonx.AppendStringNoHTML(dst, b.Type)
	dst = append(dst, `,"source":`...)
	dst = appendSource(dst, &b.Source)
	if b.Title != "" {
		dst = append(dst, `,"title":`...)
		dst = jsonx.AppendStringNoHTML(dst, b.Title)
	}
	dst = appendCache(dst, b.CacheControl)
	return append(dst, '}')
}

func appendToolUse(dst []byte, v any) ([]byte, error) {
	b := v.(toolUseBlock)
	dst = append(dst, `{"type":`...)
	dst = jsonx.AppendStringNoHTML(dst, b.Type)
	dst = append(dst, `,"id":`...)
	dst = jsonx.AppendStringNoHTML(dst, b.ID)
	dst = append(dst, `,"name":`...)
	dst = jsonx.AppendStringNoHTML(dst, b.Name)
	dst = append(dst, `,"input":`...)
	dst, err := appendRaw(dst, b.Input)
	if err != nil {
		return nil, err
	}
	dst = appendCache(dst, b.CacheControl)
	return append(dst, '}'), nil
}

func appendToolResult(dst []byte, v any, depth int) ([]byte, error) {
	b := v.(toolResultBlock)
	dst = append(dst, `{"type":`...)
	dst = jsonx.AppendStringNoHTML(dst, b.Type)
	dst = append(dst, `,"tool_use_id":`...)
	dst = jsonx.AppendStringNoHTML(dst, b.ToolUseID)
	if len(b.Content) > 0 {
		dst = append(dst, `,"content":`...)
		var err error
		if dst, err = appendBlocks(dst, b.Content, depth+1); err != nil {
			return nil, err
		}
	}
	if b.IsError {
		dst = append(dst, `,"is_error":true`...)
	}
	dst = appendCache(dst, b.CacheControl)
	return append(dst, '}'), nil
}

func appendThinking(dst []byte, v any) []byte {
	b := v.(thinkingBlock)
	dst = append(dst, `{"type":`...)
	dst = jsonx.AppendStringNoHTML(dst, b.Type)
	dst = append(dst, `,"thinking":`...)
	dst = jsonx.AppendStringNoHTML(dst, b.Thinking)
	dst = append(dst, `,"signature":`...)
	dst = jsonx.AppendStringNoHTML(dst, b.Signature)
	return append(dst, '}')
}

func appendRedacted(dst []byte, v any) []byte {
	b := v.(redactedThinkingBlock)
	dst = append(dst, `{"type":`...)
	dst = jsonx.AppendStringNoHTML(dst, b.Type)
	dst = append(dst, `,"data":`...)
	dst = jsonx.AppendStringNoHTML(dst, b.Data)
	return append(dst, '}')
}

func appendText(dst []byte, b *textBlock) []byte {
	dst = append(dst, `{"type":`...)
	dst = jsonx.AppendStringNoHTML(dst, b.Type)
	dst = append(dst, `,"text":`...)
	dst = jsonx.AppendStringNoHTML(dst, b.Text)
	dst = appendCache(dst, b.CacheControl)
	return append(dst, '}')
}

func appendSource(dst []byte, s *outSource) []byte {
	dst = append(dst, `{"type":`...)
	dst = jsonx.AppendStringNoHTML(dst, s.Type)
	if s.MediaType != "" {
		dst = append(dst, `,"media_type":`...)
		dst = jsonx.AppendStringNoHTML(dst, s.MediaType)
	}
	if s.Data != "" {
		dst = append(dst, `,"data":`...)
		dst = jsonx.AppendStringNoHTML(dst, s.Data)
	}
	if s.URL != "" {
		dst = append(dst, `,"url":`...)
		dst = jsonx.AppendStringNoHTML(dst, s.URL)
	}
	return append(dst, '}')
}

// appendCache writes a block's ,"cache_control":{...} member, or nothing
// for nil (omitempty).
func appendCache(dst []byte, c *wireCache) []byte {
	if c == nil {
		return dst
	}
	dst = append(dst, `,"cache_control":{"type":`...)
	dst = jsonx.AppendStringNoHTML(dst, c.Type)
	if c.TTL != "" {
		dst = append(dst, `,"ttl":`...)
		dst = jsonx.AppendStringNoHTML(dst, c.TTL)
	}
	return append(dst, '}')
}

// appendRaw writes a json.RawMessage as encoding/json does: "null" for
// nil, else the value compacted (whitespace between tokens dropped, string
// contents untouched; with HTML escaping off nothing else changes), and an
// error for invalid JSON. jsonx.Valid gives json.Valid's exact answer, and
// for a valid value dropping the whitespace outside strings is all that
// json.Compact does.
func appendRaw(dst, raw []byte) ([]byte, error) {
	if raw == nil {
		return append(dst, "null"...), nil
	}
	if !jsonx.Valid(raw) {
		return nil, errSlowPath
	}
	start, inString := 0, false
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case inString:
			if c == '\\' {
				i++ // the escaped byte cannot end the string
			} else if c == '"' {
				inString = false
			}
		case c == '"':
			inString = true
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			dst = append(dst, raw[start:i]...)
			start = i + 1
		}
	}
	return append(dst, raw[start:]...), nil
}

// appendFloat writes f as encoding/json writes a float64: like strconv's
// shortest 'f' form, switching to 'e' (with a one-digit exponent written
// without its leading zero) below 1e-6 and from 1e21 on. NaN and the
// infinities are errors, as in encoding/json.
func appendFloat(dst []byte, f float64) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, errSlowPath
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' {
		// e-07 -> e-7
		if n := len(dst); n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst, nil
}
