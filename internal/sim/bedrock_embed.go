package sim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/railyard-ai/railyard/internal/llm"
)

// serveBedrockInvoke answers Bedrock's InvokeModel (POST
// /model/{id}/invoke) for the embedding models railyard calls that way:
// Titan ({"inputText"} in, {"embedding", "inputTextTokenCount"} out) and
// Cohere ({"texts"} in, {"embeddings": {"float": [...]}} out), with the
// same deterministic unit vectors as /v1/embeddings. Errors are Bedrock's.
func (s *Server) serveBedrockInvoke(w http.ResponseWriter, r *http.Request) {
	in := s.dialects["bedrock"]
	if in == nil {
		s.plainError(w, r, http.StatusNotFound, "the simulator has no bedrock dialect")
		return
	}
	model, err := url.PathUnescape(strings.TrimSuffix(strings.TrimPrefix(r.URL.EscapedPath(), "/model/"), "/invoke"))
	if err != nil || model == "" {
		s.writeError(w, in, llm.BadRequest("invalid model id"))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		s.writeError(w, in, llm.BadRequest("could not read the request body"))
		return
	}
	var req struct {
		InputText       *string  `json:"inputText"`
		Dimensions      int      `json:"dimensions"`
		Texts           []string `json:"texts"`
		OutputDimension int      `json:"output_dimension"`
	}
	if json.Unmarshal(body, &req) != nil || (req.InputText == nil) == (req.Texts == nil) || req.Dimensions < 0 || req.OutputDimension < 0 {
		s.writeError(w, in, llm.BadRequest("want a Titan body with inputText or a Cohere body with texts"))
		return
	}
	s.requests.Add(1)
	var out any
	if req.InputText != nil {
		dims := req.Dimensions
		if dims == 0 {
			dims = DefaultEmbedDimensions
		}
		out = map[string]any{"embedding": s.embed(model, *req.InputText, dims), "inputTextTokenCount": CountTokens(*req.InputText)}
	} else {
		dims := req.OutputDimension
		if dims == 0 {
			dims = DefaultEmbedDimensions
		}
		vecs := make([][]float32, len(req.Texts))
		tokens := 0
		for i, t := range req.Texts {
			vecs[i] = s.embed(model, t, dims)
			tokens += CountTokens(t)
		}
		// Bedrock reports Cohere's token count in a header, not the body.
		w.Header().Set("X-Amzn-Bedrock-Input-Token-Count", strconv.Itoa(tokens))
		out = map[string]any{"embeddings": map[string]any{"float": vecs}, "id": s.requestID(),
			"response_type": "embeddings_by_type", "texts": req.Texts}
	}
	b, _ := json.Marshal(out)
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}
