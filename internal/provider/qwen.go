package provider

import (
	"encoding/json"

	"github.com/railyard-ai/railyard/internal/dialect"
	"github.com/railyard-ai/railyard/internal/llm"
)

// qwen is the OpenAI-compatible dialect for Alibaba Cloud Model Studio
// (DashScope compatible mode), whose Qwen3 hybrid models think by default
// and then refuse non-streaming calls ("parameter.enable_thinking must be
// set to false for non-streaming calls"). Non-streaming requests therefore
// carry enable_thinking: false; a streamed request that asks for reasoning
// carries enable_thinking: true (and thinking_budget), one that disables
// it false. Requests are always translated (Name differs from "openai") so
// that the flag is set on OpenAI clients' requests too.
type qwen struct {
	dialect.Dialect
}

// Name keeps OpenAI clients off the fast path.
func (qwen) Name() string { return "qwen" }

// EncodeRequest adds DashScope's thinking switch.
func (q qwen) EncodeRequest(req *llm.Request) ([]byte, error) {
	b, err := q.Dialect.EncodeRequest(req)
	if err != nil {
		return nil, err
	}
	var think *bool
	budget := 0
	switch r := req.Reasoning; {
	case !req.Stream, r != nil && r.Disabled:
		think = new(bool)
	case r != nil:
		t := true
		think, budget = &t, r.BudgetTokens
	}
	if think == nil {
		return b, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	m["enable_thinking"], _ = json.Marshal(*think)
	if budget > 0 {
		m["thinking_budget"], _ = json.Marshal(budget)
	}
	return json.Marshal(m)
}

// EmbedPath, EncodeEmbedRequest and DecodeEmbedResponse are OpenAI's.
func (q qwen) EmbedPath(model string) string { return "/embeddings" }

// EncodeEmbedRequest is OpenAI's.
func (q qwen) EncodeEmbedRequest(req *llm.EmbedRequest) ([]byte, error) {
	e, ok := q.Dialect.(dialect.EmbedEgress)
	if !ok {
		return nil, llm.BadRequest("provider dialect has no embeddings")
	}
	return e.EncodeEmbedRequest(req)
}

// DecodeEmbedResponse is OpenAI's.
func (q qwen) DecodeEmbedResponse(body []byte) (*llm.EmbedResponse, error) {
	e, ok := q.Dialect.(dialect.EmbedEgress)
	if !ok {
		return nil, llm.BadRequest("provider dialect has no embeddings")
	}
	return e.DecodeEmbedResponse(body)
}
