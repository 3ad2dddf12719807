package openai

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"net/http"
	"sort"

	"github.com/railyard-ai/railyard/internal/dialect"
	"github.com/railyard-ai/railyard/internal/llm"
)

var (
	_ dialect.EmbedIngress = Dialect{}
	_ dialect.EmbedEgress  = Dialect{}
)

// maxEmbedInputs is OpenAI's limit on inputs per embeddings request.
const maxEmbedInputs = 2048

type wireEmbedRequest struct {
	Model          string          `json:"model"`
	Input          json.RawMessage `json:"input"`
	Dimensions     *int            `json:"dimensions,omitempty"`
	EncodingFormat string          `json:"encoding_format,omitempty"`
	User           string          `json:"user,omitempty"`
}

type wireEmbedResponse struct {
	Object string          `json:"object"`
	Data   []wireEmbedding `json:"data"`
	Model  string          `json:"model"`
	Usage  *wireEmbedUsage `json:"usage,omitempty"`
}

type wireEmbedding struct {
	Object    string          `json:"object"`
	Index     int             `json:"index"`
	Embedding json.RawMessage `json:"embedding"`
}

type wireEmbedUsage struct {
	PromptTokens int `json:"prompt_tokens"`
	TotalTokens  int `json:"total_tokens"`
}

// DecodeEmbedRequest parses POST /v1/embeddings. Token-array inputs are
// refused: they are OpenAI-tokenizer ids that no other provider reads.
func (Dialect) DecodeEmbedRequest(body []byte) (*llm.EmbedRequest, error) {
	var w wireEmbedRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&w); err != nil {
		return nil, llm.BadRequest("invalid JSON body: %v", err)
	}
	if dec.More() {
		return nil, llm.BadRequest("invalid JSON body: more than one value")
	}
	if w.Model == "" {
		return nil, &llm.Error{Status: http.StatusBadRequest, Kind: llm.ErrInvalidRequest, Param: "model", Message: "you must provide a model parameter"}
	}
	req := &llm.EmbedRequest{Model: w.Model, User: w.User}
	var one string
	var many []string
	switch {
	case json.Unmarshal(w.Input, &one) == nil:
		req.Input = []string{one}
	case json.Unmarshal(w.Input, &many) == nil:
		req.Input = many
	default:
		return nil, &llm.Error{Status: http.StatusBadRequest, Kind: llm.ErrInvalidRequest, Param: "input",
			Message: "input must be a string or an array of strings (token arrays are not supported)"}
	}
	if len(req.Input) == 0 || len(req.Input) > maxEmbedInputs {
		return nil, &llm.Error{Status: http.StatusBadRequest, Kind: llm.ErrInvalidRequest, Param: "input",
			Message: "input must hold between 1 and 2048 texts"}
	}
	for _, s := range req.Input {
		if s == "" {
			return nil, &llm.Error{Status: http.StatusBadRequest, Kind: llm.ErrInvalidRequest, Param: "input", Message: "input cannot contain an empty string"}
		}
	}
	if w.Dimensions != nil {
		if *w.Dimensions < 1 || *w.Dimensions > 65536 {
			return nil, &llm.Error{Status: http.StatusBadRequest, Kind: llm.ErrInvalidRequest, Param: "dimensions", Message: "dimensions must be a positive integer"}
		}
		req.Dimensions = *w.Dimensions
	}
	switch w.EncodingFormat {
	case "", "float":
	case "base64":
		req.Base64 = true
	default:
		return nil, &llm.Error{Status: http.StatusBadRequest, Kind: llm.ErrInvalidRequest, Param: "encoding_format", Message: "encoding_format must be float or base64"}
	}
	return req, nil
}

// EncodeEmbedResponse renders OpenAI's embeddings list.
func (Dialect) EncodeEmbedResponse(req *llm.EmbedRequest, resp *llm.EmbedResponse) ([]byte, error) {
	w := wireEmbedResponse{Object: "list", Data: make([]wireEmbedding, len(resp.Vectors)), Model: resp.Model,
		Usage: &wireEmbedUsage{PromptTokens: resp.Usage.InputTokens, TotalTokens: resp.Usage.InputTokens}}
	for i, v := range resp.Vectors {
		var raw []byte
		if req != nil && req.Base64 {
			raw, _ = json.Marshal(vectorBase64(v))
		} else {
			raw, _ = json.Marshal(v)
		}
		w.Data[i] = wireEmbedding{Object: "embedding", Index: i, Embedding: raw}
	}
	return json.Marshal(w)
}

// EmbedPath is relative to a base URL ending in /v1.
func (Dialect) EmbedPath(string) string { return "/embeddings" }

// EncodeEmbedRequest always asks for floats and sends input as an array.
func (Dialect) EncodeEmbedRequest(req *llm.EmbedRequest) ([]byte, error) {
	in, _ := json.Marshal(req.Input)
	w := wireEmbedRequest{Model: req.Model, Input: in, EncodingFormat: "float", User: req.User}
	if req.Dimensions > 0 {
		d := req.Dimensions
		w.Dimensions = &d
	}
	return json.Marshal(w)
}

// DecodeEmbedResponse parses the list, in index order, reading float or
// base64 vectors alike.
func (Dialect) DecodeEmbedResponse(body []byte) (*llm.EmbedResponse, error) {
	var w wireEmbedResponse
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, upstreamError("malformed embeddings reply: %v", err)
	}
	sort.SliceStable(w.Data, func(i, j int) bool { return w.Data[i].Index < w.Data[j].Index })
	r := &llm.EmbedResponse{Model: w.Model, Vectors: make([][]float32, len(w.Data))}
	for i, d := range w.Data {
		v, err := decodeVector(d.Embedding)
		if err != nil {
			return nil, upstreamError("malformed embedding %d: %v", i, err)
		}
		r.Vectors[i] = v
	}
	if w.Usage != nil {
		r.Usage.InputTokens = max(0, w.Usage.PromptTokens)
	}
	return r, nil
}

func decodeVector(raw json.RawMessage) ([]float32, error) {
	var v []float32
	if err := json.Unmarshal(raw, &v); err == nil {
		return v, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, err
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b)%4 != 0 {
		return nil, errBadVector
	}
	v = make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v, nil
}

var errBadVector = &llm.Error{Status: http.StatusBadGateway, Kind: llm.ErrAPI, Message: "embedding is neither floats nor base64 float32"}

// vectorBase64 is OpenAI's base64 encoding: little-endian float32s.
func vectorBase64(v []float32) string {
	b := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	return base64.StdEncoding.EncodeToString(b)
}
