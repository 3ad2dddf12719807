package dialect

import "github.com/railyard-ai/railyard/internal/llm"

// EmbedIngress is the server side of POST /v1/embeddings, implemented by
// the dialect whose embeddings shape clients send (OpenAI's).
type EmbedIngress interface {
	// DecodeEmbedRequest parses and validates a client's request; any
	// problem is an *llm.Error with status 400.
	DecodeEmbedRequest(body []byte) (*llm.EmbedRequest, error)
	// EncodeEmbedResponse renders the reply for the client that sent req.
	EncodeEmbedResponse(req *llm.EmbedRequest, resp *llm.EmbedResponse) ([]byte, error)
}

// EmbedEgress is implemented by a provider's dialect that can compute
// embeddings. Errors are decoded by the dialect's DecodeError.
type EmbedEgress interface {
	// EmbedPath is the request path, relative to the base URL, for model.
	EmbedPath(model string) string
	// EncodeEmbedRequest renders req (Model already the upstream model).
	EncodeEmbedRequest(req *llm.EmbedRequest) ([]byte, error)
	// DecodeEmbedResponse parses a complete reply; Usage may be zero when
	// the provider reports none.
	DecodeEmbedResponse(body []byte) (*llm.EmbedResponse, error)
}
