package openai

import (
	"bytes"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"

	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/sse"
)

// RewriteRequest sets the model and, for a stream whose client did not ask
// for usage, asks for it so that the gateway can meter the call;
// ForwardEvent then hides the usage chunk from that client. Everything else
// in the body passes untouched.
func (Dialect) RewriteRequest(body []byte, model string, req *llm.Request) ([]byte, error) {
	out, err := sjson.SetBytes(body, "model", model)
	if err != nil {
		return nil, llm.BadRequest("cannot rewrite the request body: %v", err)
	}
	return askUsage(out, req)
}

// askUsage is RewriteRequest's second step on out, the body with its model
// set: a stream whose client did not ask for usage asks for it. out is
// returned as it is, or a new slice.
func askUsage(out []byte, req *llm.Request) ([]byte, error) {
	var err error
	var stream bool
	if req != nil {
		stream = req.Stream
	} else {
		stream = gjson.GetBytes(out, "stream").Bool() // a scan of the whole body
	}
	if stream && !gjson.GetBytes(out, "stream_options.include_usage").Bool() {
		if gjson.GetBytes(out, "stream_options").Type != gjson.JSON {
			// sjson cannot set a path through a null or scalar.
			out, err = sjson.SetRawBytes(out, "stream_options", []byte(`{"include_usage":true}`))
		} else {
			out, err = sjson.SetBytes(out, "stream_options.include_usage", true)
		}
		if err != nil {
			return nil, llm.BadRequest("cannot rewrite the request body: %v", err)
		}
	}
	return out, nil
}

// ResponseUsage reads usage and the answering model off a chat.completion:
// in one pass that copies only the model name when the reply is plain
// (fastResponseUsage), else with two gjson lookups (gjsonResponseUsage).
func (Dialect) ResponseUsage(body []byte) (llm.Usage, string) {
	if u, model, ok := fastResponseUsage(body); ok {
		return u, model
	}
	return gjsonResponseUsage(body)
}

// gjsonResponseUsage is the reference reading: two lookups copy only the
// usage object and the model name; ParseBytes copied the whole reply first.
func gjsonResponseUsage(body []byte) (llm.Usage, string) {
	return usageFromGJSON(gjson.GetBytes(body, "usage")), gjson.GetBytes(body, "model").String()
}

func usageFromGJSON(u gjson.Result) llm.Usage {
	out := llm.Usage{
		InputTokens:      int(u.Get("prompt_tokens").Int()),
		OutputTokens:     int(u.Get("completion_tokens").Int()),
		CacheReadTokens:  int(u.Get("prompt_tokens_details.cached_tokens").Int()),
		CacheWriteTokens: int(u.Get("cache_creation_input_tokens").Int()),
		ReasoningTokens:  int(u.Get("completion_tokens_details.reasoning_tokens").Int()),
	}
	if out.CacheReadTokens == 0 {
		out.CacheReadTokens = int(u.Get("prompt_cache_hit_tokens").Int())
	}
	return out
}

// ForwardEvent hides only the usage-only chunk (empty choices, non-null
// usage) from a client that did not ask for usage: the gateway asked for it
// on the client's behalf.
func (Dialect) ForwardEvent(req *llm.Request, ev sse.Event) bool {
	if req != nil && req.StreamUsage {
		return true
	}
	data := bytes.TrimSpace(ev.Data)
	if len(data) == 0 || data[0] != '{' {
		return true
	}
	r := gjson.ParseBytes(data)
	choices, usage := r.Get("choices"), r.Get("usage")
	return !(choices.IsArray() && len(choices.Array()) == 0 && usage.Exists() && usage.Type != gjson.Null)
}
