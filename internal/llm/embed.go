package llm

// EmbedRequest asks for one embedding vector per input text. It is the
// canonical form of POST /v1/embeddings, whichever provider answers.
type EmbedRequest struct {
	// Model is the client's model name, then the target's upstream name.
	Model string
	// Input holds the texts, in order; a single string is one input.
	Input []string
	// Dimensions asks for shorter vectors where the model supports it; 0
	// means the model's default.
	Dimensions int
	// Base64 asks for the client's vectors as base64 little-endian float32
	// (OpenAI's encoding_format "base64"); upstreams are always asked for
	// floats.
	Base64 bool
	// User is the end-user id some providers take for abuse tracking.
	User string
}

// EmbedResponse is one vector per input, in input order.
type EmbedResponse struct {
	// Model is the upstream model that answered.
	Model   string
	Vectors [][]float32
	// Usage counts the input tokens (InputTokens); embeddings have no
	// output tokens.
	Usage Usage
}
