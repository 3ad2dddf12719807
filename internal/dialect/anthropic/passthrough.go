package anthropic

import (
	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"

	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/sse"
)

// RewriteRequest sets the upstream model name and leaves every other byte
// of the client's body alone (unknown fields included). Anthropic streams
// always report usage, so nothing else needs asking for.
func (Dialect) RewriteRequest(body []byte, model string, _ *llm.Request) ([]byte, error) {
	out, err := sjson.SetBytes(body, "model", model)
	if err != nil {
		return nil, llm.BadRequest("request body: %v", err)
	}
	return out, nil
}

// ResponseUsage reads usage and the answering model off a complete reply
// without decoding the rest.
func (Dialect) ResponseUsage(body []byte) (llm.Usage, string) {
	r := gjson.ParseBytes(body)
	u := r.Get("usage")
	read := max(u.Get("cache_read_input_tokens").Int(), 0)
	write := max(u.Get("cache_creation_input_tokens").Int(), 0)
	usage := llm.Usage{
		InputTokens:      int(max(u.Get("input_tokens").Int(), 0) + read + write),
		OutputTokens:     int(max(u.Get("output_tokens").Int(), 0)),
		CacheReadTokens:  int(read),
		CacheWriteTokens: int(write),
		ReasoningTokens:  int(max(u.Get("output_tokens_details.thinking_tokens").Int(), 0)),
	}
	return usage, r.Get("model").String()
}

// ForwardEvent is always true: railyard never asks an Anthropic upstream
// for anything the client did not, so every event is the client's.
func (Dialect) ForwardEvent(*llm.Request, sse.Event) bool { return true }
