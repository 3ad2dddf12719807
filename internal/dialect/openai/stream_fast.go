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
	dst = e.head(dst)
	dst = append(dst, `{"index":0,"delta":{"`...)
	dst = append(dst, key...)
	dst = append(dst, '"', ':')
	dst = jsonx.AppendString(dst, text)
	dst = append(dst, `},"finish_reason":null}]`...)
	return e.tail(dst)
}

// roleChunk appends the first chunk of every stream, the assistant role
// with empty content; finishChunk the one with the finish reason and an
// empty delta; usageChunk the last one when the client asked for usage
// (no choices, the usage object as raw JSON). They are chunkJSON's output
// without reflection, for every stream, and the role chunk is on the way
// to the client's first byte (the same test holds them to encoding/json).
func (e *streamEncoder) roleChunk(dst []byte) []byte {
	dst = e.head(dst)
	dst = append(dst, `{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]`...)
	return e.tail(dst)
}

func (e *streamEncoder) finishChunk(dst []byte, reason string) []byte {
	dst = e.head(dst)
	dst = append(dst, `{"index":0,"delta":{},"finish_reason":`...)
	dst = jsonx.AppendString(dst, reason)
	dst = append(dst, "}]"...)
	return e.tail(dst)
}

func (e *streamEncoder) usageChunk(dst []byte, usage []byte) []byte {
	dst = e.head(dst)
	dst = append(dst, `],"usage":`...)
	dst = append(dst, usage...)
	return append(dst, "}\n\n"...)
}

// head appends what every chunk event starts with, up to its choices:
//
//	data: {"id":…,"object":"chat.completion.chunk","created":…,"model":…,"choices":[
//
// rendered once for the id, model and created it was made with, into a
// buffer sized for it (appending to nil grew it three times, and an open
// stream kept the last, 256-byte buffer for a ~150-byte prefix).
func (e *streamEncoder) head(dst []byte) []byte {
	if e.prefix == nil || e.prefixID != e.id || e.prefixModel != e.model || e.prefixCreated != e.created {
		const fixed = len(`data: {"id":""` + `,"object":"chat.completion.chunk","created":` + `,"model":""` + `,"choices":[`)
		p := make([]byte, 0, fixed+len(e.id)+len(e.model)+20) // 20: created's digits; escapes grow it
		p = append(p, `data: {"id":`...)
		p = jsonx.AppendString(p, e.id)
		p = append(p, `,"object":"chat.completion.chunk","created":`...)
		p = strconv.AppendInt(p, e.created, 10)
		p = append(p, `,"model":`...)
		p = jsonx.AppendString(p, e.model)
		p = append(p, `,"choices":[`...)
		e.prefix, e.prefixID, e.prefixModel, e.prefixCreated = p, e.id, e.model, e.created
	}
	return append(dst, e.prefix...)
}

// tail ends a chunk that has choices: "usage":null when the client asked
// for usage (OpenAI writes it on every chunk then), and the event's end.
func (e *streamEncoder) tail(dst []byte) []byte {
	if e.usage {
		dst = append(dst, `,"usage":null`...)
	}
	return append(dst, "}\n\n"...)
}
