// Package dialect defines the seams between railyard's pipeline and the wire
// formats it speaks. A dialect package (openai, anthropic, ...) owns its wire
// types and implements both directions: Ingress, as the server a client
// talks to, and Egress, as the client of a provider.
package dialect

import (
	"io"
	"net/http"

	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/sse"
)

// Ingress is the server side of a dialect: what a client sends and receives.
type Ingress interface {
	// DecodeRequest parses and validates a client's request body. Any
	// problem is an *llm.Error with status 400; nothing invalid gets past it.
	DecodeRequest(body []byte) (*llm.Request, error)
	// EncodeResponse renders a complete reply for the client that sent req.
	EncodeResponse(req *llm.Request, resp *llm.Response) ([]byte, error)
	// NewStreamEncoder returns an encoder for one streamed reply to req.
	NewStreamEncoder(req *llm.Request) StreamEncoder
	// EncodeError renders an error body in the dialect's shape.
	EncodeError(e *llm.Error) []byte
}

// StreamEncoder turns canonical events into the client's SSE bytes. It is
// stateful and used by one stream only.
type StreamEncoder interface {
	// Encode appends the wire bytes for ev (possibly none) to dst.
	Encode(dst []byte, ev llm.Event) []byte
	// EncodeError appends a mid-stream error event to dst, for failures after
	// the first byte has reached the client.
	EncodeError(dst []byte, e *llm.Error) []byte
}

// URLDecoder is implemented by an Ingress whose requests carry part of
// themselves in the URL (Bedrock and Gemini name the model, and whether to
// stream, in the path). The gateway calls it instead of DecodeRequest.
type URLDecoder interface {
	DecodeHTTPRequest(r *http.Request, body []byte) (*llm.Request, error)
}

// DecodeClientRequest decodes a client's request with in, through its
// URLDecoder when it has one.
func DecodeClientRequest(in Ingress, r *http.Request, body []byte) (*llm.Request, error) {
	if u, ok := in.(URLDecoder); ok {
		return u.DecodeHTTPRequest(r, body)
	}
	return in.DecodeRequest(body)
}

// Egress is the client side of a dialect: how railyard calls a provider.
type Egress interface {
	// EncodeRequest renders req (its Model already the upstream model) as the
	// provider's request body. Streaming requests always ask the provider to
	// report usage, whatever the client asked, so that they can be metered.
	EncodeRequest(req *llm.Request) ([]byte, error)
	// Path is the request path relative to the provider's base URL.
	Path(req *llm.Request) string
	// SetHeaders adds the dialect's fixed headers (such as anthropic-version);
	// authentication is the provider's job.
	SetHeaders(h http.Header)
	// DecodeResponse parses a provider's complete reply.
	DecodeResponse(body []byte) (*llm.Response, error)
	// NewStreamDecoder returns a decoder for one streamed reply.
	NewStreamDecoder() StreamDecoder
	// DecodeError turns a provider's error reply into an *llm.Error that
	// keeps the provider's status, kind and message.
	DecodeError(status int, header http.Header, body []byte) *llm.Error
}

// StreamDecoder turns a provider's SSE events into canonical events. It is
// stateful and used by one stream only.
type StreamDecoder interface {
	// Decode appends the canonical events that ev produces to dst. A stream
	// error the provider reports in-band is returned as an *llm.Error.
	Decode(dst []llm.Event, ev sse.Event) ([]llm.Event, error)
	// Close is called at the end of the upstream body. It appends any events
	// still owed (a dialect whose end marker is optional) or returns an error
	// when the stream ended before its end.
	Close(dst []llm.Event) ([]llm.Event, error)
}

// EventReader yields a provider's stream as events. SSE streams are read by
// *sse.Decoder; a dialect with another framing (Bedrock's binary
// eventstream) maps each frame to an sse.Event (its event type in Event,
// its payload in Data) so the pipeline handles every stream alike.
type EventReader interface {
	// Next returns the next event, or io.EOF at a clean end.
	Next() (sse.Event, error)
}

// StreamFramer is implemented by an Egress whose streams are not SSE.
type StreamFramer interface {
	NewEventReader(body io.Reader) EventReader
}

// NewEventReader returns the reader for e's streams: its own framing when
// it has one, else SSE.
func NewEventReader(e Egress, body io.Reader) EventReader {
	if f, ok := e.(StreamFramer); ok {
		return f.NewEventReader(body)
	}
	return sse.NewDecoder(body)
}

// Passthrough is the same-dialect fast path: the client's body goes to the
// provider with only the model rewritten, and the reply's bytes come back
// untouched, with usage read off them.
type Passthrough interface {
	// RewriteRequest returns body with its model set to model and, for a
	// stream, the provider asked to report usage.
	RewriteRequest(body []byte, model string, req *llm.Request) ([]byte, error)
	// ResponseUsage reads usage and the answering model off a complete reply.
	ResponseUsage(body []byte) (llm.Usage, string)
	// ForwardEvent reports whether a raw upstream stream event goes on to the
	// client; events the gateway injected for metering (usage a client did
	// not ask for) do not.
	ForwardEvent(req *llm.Request, ev sse.Event) bool
}

// Dialect is everything a wire format provides.
type Dialect interface {
	Name() string
	Ingress
	Egress
	Passthrough
}
