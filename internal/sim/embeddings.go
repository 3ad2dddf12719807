package sim

import (
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"net/http"

	"github.com/railyard-ai/railyard/internal/dialect"
	"github.com/railyard-ai/railyard/internal/llm"
)

// DefaultEmbedDimensions is the length of the simulator's vectors when the
// request names no dimensions: short, since they are for tests.
const DefaultEmbedDimensions = 64

// serveEmbeddings answers the named dialect's embeddings call (OpenAI's
// POST /v1/embeddings, Gemini's batchEmbedContents) with deterministic
// unit vectors: each one drawn from a PRNG seeded from (seed, model,
// text), so the same text always embeds the same way. Usage counts the
// inputs' tokens under the simulator's tokenizer (Gemini's reply has no
// place for it). Latency and faults do not apply.
func (s *Server) serveEmbeddings(w http.ResponseWriter, r *http.Request, name string) {
	in := s.dialects[name]
	ei, ok := in.(dialect.EmbedIngress)
	if !ok {
		s.plainError(w, r, http.StatusNotFound, "the simulator has no embeddings dialect")
		return
	}
	if r.Method != http.MethodPost {
		s.writeError(w, in, llm.Errorf(http.StatusMethodNotAllowed, llm.ErrInvalidRequest, "use POST"))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			s.writeError(w, in, llm.Errorf(http.StatusRequestEntityTooLarge, llm.ErrTooLarge, "request body exceeds %d bytes", MaxBodyBytes))
			return
		}
		s.writeError(w, in, llm.BadRequest("could not read the request body"))
		return
	}
	req, err := ei.DecodeEmbedRequest(body)
	if err != nil {
		s.writeError(w, in, llm.AsError(err))
		return
	}
	s.requests.Add(1)
	dims := req.Dimensions
	if dims == 0 {
		dims = DefaultEmbedDimensions
	}
	resp := &llm.EmbedResponse{Model: req.Model, Vectors: make([][]float32, len(req.Input))}
	for i, text := range req.Input {
		resp.Vectors[i] = s.embed(req.Model, text, dims)
		resp.Usage.InputTokens += CountTokens(text)
	}
	out, err := ei.EncodeEmbedResponse(req, resp)
	if err != nil {
		s.writeError(w, in, llm.AsError(err))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(out)
}

// embed is text's vector: Gaussian draws, normalised to unit length.
func (s *Server) embed(model, text string, dims int) []float32 {
	seed := seedFor(s.cfg.Seed, "embed:"+model+"\x00"+text, 0)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	v := make([]float32, dims)
	var sum float64
	for i := range v {
		f := rng.NormFloat64()
		v[i] = float32(f)
		sum += f * f
	}
	n := float32(math.Sqrt(sum))
	if n > 0 {
		for i := range v {
			v[i] /= n
		}
	}
	return v
}
