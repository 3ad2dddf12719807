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

var _ dialect.EmbedIngress = Dialect{}

// DecodeEmbedRequest parses a batchEmbedContents body (the server side,
// for the simulator): every request must name the same model, each
// content's text parts are one input.
func (Dialect) DecodeEmbedRequest(body []byte) (*llm.EmbedRequest, error) {
	var w wireBatchEmbedRequest
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, llm.BadRequest("invalid JSON body: %v", err)
	}
	if len(w.Requests) == 0 {
		return nil, llm.BadRequest("requests must not be empty")
	}
	req := &llm.EmbedRequest{Model: strings.TrimPrefix(w.Requests[0].Model, "models/"), Dimensions: w.Requests[0].OutputDimensionality}
	for i, r := range w.Requests {
		if strings.TrimPrefix(r.Model, "models/") != req.Model {
			return nil, llm.BadRequest("requests[%d].model %q differs from the batch's model", i, r.Model)
		}
		var sb strings.Builder
		for _, p := range r.Content.Parts {
			if p.Text != nil {
				sb.WriteString(*p.Text)
			}
		}
		if sb.Len() == 0 {
			return nil, llm.BadRequest("requests[%d].content has no text", i)
		}
		req.Input = append(req.Input, sb.String())
	}
	if req.Dimensions < 0 {
		return nil, llm.BadRequest("outputDimensionality must not be negative")
	}
	return req, nil
}

// EncodeEmbedResponse renders {"embeddings": [{"values": [...]}]}.
func (Dialect) EncodeEmbedResponse(_ *llm.EmbedRequest, resp *llm.EmbedResponse) ([]byte, error) {
	type values struct {
		Values []float32 `json:"values"`
	}
	out := struct {
		Embeddings []values `json:"embeddings"`
	}{Embeddings: make([]values, len(resp.Vectors))}
	for i, v := range resp.Vectors {
		out.Embeddings[i] = values{v}
	}
	return json.Marshal(out)
}
