package provider

import (
	"encoding/json"

	"github.com/railyard-ai/railyard/internal/dialect"
	"github.com/railyard-ai/railyard/internal/llm"
)

// mistral is the OpenAI-compatible dialect under Mistral's strict request
// validation: its API answers 422 "Extra inputs are not permitted" to any
// field it does not define (stream_options, top_k, user, seed, ...). Every
// request is therefore translated (its Name differs from "openai", so the
// same-dialect fast path, which would forward unknown fields, is never
// taken) and cut down to Mistral's fields; seed becomes random_seed.
// Mistral reports usage on the last stream chunk without being asked.
type mistral struct {
	dialect.Dialect
}

// Name keeps OpenAI clients off the fast path.
func (mistral) Name() string { return "mistral" }

// mistralChatFields are the request fields of Mistral's chat completions.
var mistralChatFields = map[string]bool{
	"model": true, "messages": true, "temperature": true, "top_p": true, "max_tokens": true,
	"stream": true, "stop": true, "random_seed": true, "response_format": true, "tools": true,
	"tool_choice": true, "presence_penalty": true, "frequency_penalty": true, "n": true,
	"parallel_tool_calls": true, "prediction": true, "safe_prompt": true, "prompt_mode": true,
}

// EncodeRequest is the OpenAI-compatible body with only Mistral's fields.
func (m mistral) EncodeRequest(req *llm.Request) ([]byte, error) {
	b, err := m.Dialect.EncodeRequest(req)
	if err != nil {
		return nil, err
	}
	return keepFields(b, mistralChatFields, map[string]string{"seed": "random_seed", "max_completion_tokens": "max_tokens"})
}

// keepFields drops every top-level key of body not in keep, after renaming
// keys per rename.
func keepFields(body []byte, keep map[string]bool, rename map[string]string) ([]byte, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, err
	}
	for from, to := range rename {
		if v, ok := m[from]; ok {
			delete(m, from)
			m[to] = v
		}
	}
	for k := range m {
		if !keep[k] {
			delete(m, k)
		}
	}
	return json.Marshal(m)
}

// EmbedPath is OpenAI's.
func (m mistral) EmbedPath(model string) string {
	if e, ok := m.Dialect.(dialect.EmbedEgress); ok {
		return e.EmbedPath(model)
	}
	return "/embeddings"
}

// EncodeEmbedRequest sends Mistral's embeddings fields; dimensions is
// output_dimension there.
func (m mistral) EncodeEmbedRequest(req *llm.EmbedRequest) ([]byte, error) {
	e, ok := m.Dialect.(dialect.EmbedEgress)
	if !ok {
		return nil, llm.BadRequest("provider dialect has no embeddings")
	}
	b, err := e.EncodeEmbedRequest(req)
	if err != nil {
		return nil, err
	}
	return keepFields(b, map[string]bool{"model": true, "input": true, "output_dimension": true, "encoding_format": true},
		map[string]string{"dimensions": "output_dimension"})
}

// DecodeEmbedResponse is OpenAI's.
func (m mistral) DecodeEmbedResponse(body []byte) (*llm.EmbedResponse, error) {
	e, ok := m.Dialect.(dialect.EmbedEgress)
	if !ok {
		return nil, llm.BadRequest("provider dialect has no embeddings")
	}
	return e.DecodeEmbedResponse(body)
}
