package gemini

import (
	"encoding/json"
	"net/url"
	"strings"

	"github.com/railyard-ai/railyard/internal/dialect"
	"github.com/railyard-ai/railyard/internal/llm"
)

var _ dialect.EmbedEgress = Dialect{}

// Embeddings go through batchEmbedContents, one request per input, which
// serves a single input as well as many.

type wireBatchEmbedRequest struct {
	Requests []wireEmbedContentRequest `json:"requests"`
}

type wireEmbedContentRequest struct {
	Model                string      `json:"model"`
	Content              wireContent `json:"content"`
	OutputDimensionality int         `json:"outputDimensionality,omitempty"`
}

type wireBatchEmbedResponse struct {
	Embeddings []struct {
		Values []float32 `json:"values"`
	} `json:"embeddings"`
	UsageMetadata *wireUsage `json:"usageMetadata,omitempty"`
}

// EmbedPath is models/{model}:batchEmbedContents under /v1beta.
func (Dialect) EmbedPath(model string) string {
	return "/models/" + url.PathEscape(strings.TrimPrefix(model, "models/")) + ":batchEmbedContents"
}

// EncodeEmbedRequest renders one embedContent request per input.
func (Dialect) EncodeEmbedRequest(req *llm.EmbedRequest) ([]byte, error) {
	name := "models/" + strings.TrimPrefix(req.Model, "models/")
	w := wireBatchEmbedRequest{Requests: make([]wireEmbedContentRequest, len(req.Input))}
	for i, s := range req.Input {
		w.Requests[i] = wireEmbedContentRequest{Model: name, Content: wireContent{Parts: []wirePart{textPart(s)}},
			OutputDimensionality: req.Dimensions}
	}
	return json.Marshal(w)
}

// DecodeEmbedResponse reads the vectors. The Gemini API reports no token
// counts for embeddings; Usage stays zero unless usageMetadata came, and
// the gateway estimates it.
func (Dialect) DecodeEmbedResponse(body []byte) (*llm.EmbedResponse, error) {
	var w wireBatchEmbedResponse
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, badGateway("gemini: malformed embeddings reply: %v", err)
	}
	r := &llm.EmbedResponse{Vectors: make([][]float32, len(w.Embeddings))}
	for i, e := range w.Embeddings {
		r.Vectors[i] = e.Values
	}
	if w.UsageMetadata != nil {
		r.Usage.InputTokens = max(0, w.UsageMetadata.PromptTokenCount)
	}
	return r, nil
}
