package bedrock

import (
	"encoding/json"
	"net/url"
	"strings"

	"github.com/railyard-ai/railyard/internal/dialect"
	"github.com/railyard-ai/railyard/internal/llm"
)

var _ dialect.EmbedEgress = Dialect{}

// Embeddings on Bedrock go through InvokeModel (POST /model/{id}/invoke)
// with each model family's own body; Converse has no embeddings. Two
// families are supported:
//   - Amazon Titan Text Embeddings (amazon.titan-embed-text-v1, -v2:0): one
//     text per call ({"inputText"}), dimensions 256, 512 or 1024 on v2,
//     usage from inputTextTokenCount. A request with several inputs cannot
//     go to Titan (another target may serve it).
//   - Cohere Embed (cohere.embed-english-v3, -multilingual-v3,
//     cohere.embed-v4:0): up to 96 texts per call as search documents;
//     output_dimension on v4. Bedrock reports no token count in the body,
//     so usage is left to the gateway's estimate.

// EmbedPath is InvokeModel's path for model.
func (Dialect) EmbedPath(model string) string {
	return "/model/" + strings.ReplaceAll(url.PathEscape(model), ":", "%3A") + "/invoke"
}

// EncodeEmbedRequest renders req in its model family's InvokeModel body.
func (Dialect) EncodeEmbedRequest(req *llm.EmbedRequest) ([]byte, error) {
	m := req.Model
	switch {
	case strings.Contains(m, "cohere.embed"):
		if len(req.Input) > 96 {
			return nil, llm.BadRequest("Cohere embed models on Bedrock take at most 96 inputs per request, got %d", len(req.Input))
		}
		body := map[string]any{"texts": req.Input, "input_type": "search_document", "embedding_types": []string{"float"}}
		if req.Dimensions > 0 && strings.Contains(m, "embed-v4") {
			body["output_dimension"] = req.Dimensions
		}
		return json.Marshal(body)
	case strings.Contains(m, "amazon.titan-embed"):
		if len(req.Input) != 1 {
			return nil, llm.BadRequest("Titan embedding models take one input per request, got %d", len(req.Input))
		}
		body := map[string]any{"inputText": req.Input[0]}
		if strings.Contains(m, "-v2") {
			body["normalize"] = true
			if req.Dimensions > 0 {
				body["dimensions"] = req.Dimensions
			}
		}
		return json.Marshal(body)
	}
	return nil, llm.BadRequest("bedrock: %q is not a Titan or Cohere embedding model", m)
}

// embedReply is the union of Titan's and Cohere's reply shapes; Cohere's
// embeddings are a list of vectors, or an object by type when
// embedding_types was sent.
type embedReply struct {
	Embedding           []float32       `json:"embedding"`
	InputTextTokenCount int             `json:"inputTextTokenCount"`
	Embeddings          json.RawMessage `json:"embeddings"`
}

// DecodeEmbedResponse parses a Titan or Cohere InvokeModel reply, told
// apart by shape.
func (Dialect) DecodeEmbedResponse(body []byte) (*llm.EmbedResponse, error) {
	var w embedReply
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, badGateway("bedrock: malformed embeddings reply: %v", err)
	}
	switch {
	case w.Embedding != nil:
		return &llm.EmbedResponse{Vectors: [][]float32{w.Embedding}, Usage: llm.Usage{InputTokens: max(w.InputTextTokenCount, 0)}}, nil
	case !isNull(w.Embeddings):
		var vecs [][]float32
		if json.Unmarshal(w.Embeddings, &vecs) != nil {
			var byType struct {
				Float [][]float32 `json:"float"`
			}
			if err := json.Unmarshal(w.Embeddings, &byType); err != nil || byType.Float == nil {
				return nil, badGateway("bedrock: embeddings reply without float vectors")
			}
			vecs = byType.Float
		}
		return &llm.EmbedResponse{Vectors: vecs}, nil
	}
	return nil, badGateway("bedrock: embeddings reply without embedding or embeddings")
}
