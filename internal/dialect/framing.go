package dialect

import "github.com/railyard-ai/railyard/internal/sse"

// Framer is implemented by an Ingress whose streams are not SSE (Bedrock's
// binary eventstream): servers label its streams with ContentType, and the
// same-dialect fast path writes each upstream event, as its EventReader
// yielded it, with AppendRaw.
type Framer interface {
	ContentType() string
	AppendRaw(dst []byte, ev sse.Event) []byte
}

// StreamContentType is the Content-Type of in's streams.
func StreamContentType(in Ingress) string {
	if f, ok := in.(Framer); ok {
		return f.ContentType()
	}
	return "text/event-stream"
}

// AppendRaw appends an upstream event for a client of in, unchanged, in
// in's stream framing.
func AppendRaw(in Ingress, dst []byte, ev sse.Event) []byte {
	if f, ok := in.(Framer); ok {
		return f.AppendRaw(dst, ev)
	}
	return sse.AppendEvent(dst, ev.Event, ev.Data)
}
