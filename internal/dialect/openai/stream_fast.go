package openai

import (
	"strconv"

	"github.com/railyard-ai/railyard/internal/jsonx"
)

// textOnly reports a delta that carries one text field and nothing else,
// with that field's JSON name.
func (d *chunkDelta) textOnly() (key, text string, ok bool) {
	if d.Role != "" || d.Reasoning != nil || len(d.ToolCalls) > 0 {
		return "", "", false
	}
	n := 0
	if d.Content != nil {
		key, text, n = "content", *d.Content, n+1
	}
	if d.Refusal != nil {
		key, text, n = "refusal", *d.Refusal, n+1
	}
	if d.ReasoningContent != nil {
		key, text, n = "reasoning_content", *d.ReasoningContent, n+1
	}
	return key, text, n == 1
}

// textChunk appends the event for a chunk whose delta is one text field,
// byte for byte what chunkJSON writes for it (a test holds it to that),
// without reflection: most events of a stream are these, and encoding/json
// cost more than everything else the gateway does per event.
func (e *streamEncoder) textChunk(dst []byte, key, text string) []byte {
	if e.prefix == nil || e.prefixID != e.id || e.prefixModel != e.model || e.prefixCreated != e.created {
		p := append([]byte(nil), `data: {"id":`...)
		p = jsonx.AppendString(p, e.id)
		p = append(p, `,"object":"chat.completion.chunk","created":`...)
		p = strconv.AppendInt(p, e.created, 10)
		p = append(p, `,"model":`...)
		p = jsonx.AppendString(p, e.model)
		p = append(p, `,"choices":[{"index":0,"delta":{"`...)
		e.prefix, e.prefixID, e.prefixModel, e.prefixCreated = p, e.id, e.model, e.created
	}
	dst = append(dst, e.prefix...)
	dst = append(dst, key...)
	dst = append(dst, '"', ':')
	dst = jsonx.AppendString(dst, text)
	dst = append(dst, `},"finish_reason":null}]`...)
	if e.usage {
		dst = append(dst, `,"usage":null`...)
	}
	return append(dst, "}\n\n"...)
}
