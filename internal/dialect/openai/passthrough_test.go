package openai

import (
	"testing"

	"github.com/tidwall/gjson"

	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/sse"
)

func TestRewriteRequest(t *testing.T) {
	tests := []struct {
		name, body   string
		req          *llm.Request
		wantUsageSet bool
	}{
		{"not streaming", `{"model":"smart","messages":[],"x":{"kept":1}}`, &llm.Request{}, false},
		{"stream without options", `{"model":"smart","stream":true,"x":{"kept":1}}`, &llm.Request{Stream: true}, true},
		{"stream options null", `{"model":"smart","stream":true,"stream_options":null,"x":{"kept":1}}`, &llm.Request{Stream: true}, true},
		{"stream usage false", `{"model":"smart","stream":true,"stream_options":{"include_usage":false},"x":{"kept":1}}`, &llm.Request{Stream: true}, true},
		{"stream usage true", `{"model":"smart","stream":true,"stream_options":{"include_usage":true},"x":{"kept":1}}`, &llm.Request{Stream: true, StreamUsage: true}, true},
		{"nil req reads body", `{"model":"smart","stream":true,"x":{"kept":1}}`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Dialect{}.RewriteRequest([]byte(tt.body), "gpt-5-nano", tt.req)
			if err != nil {
				t.Fatal(err)
			}
			r := gjson.ParseBytes(out)
			if r.Get("model").String() != "gpt-5-nano" || r.Get("x.kept").Int() != 1 ||
				r.Get("stream_options.include_usage").Bool() != tt.wantUsageSet {
				t.Errorf("got %s", out)
			}
		})
	}
}

func TestResponseUsage(t *testing.T) {
	u, model := Dialect{}.ResponseUsage([]byte(cassette(t, "chat-reasoning").Response.Body))
	if model != "gpt-5-nano-2025-08-07" || u != (llm.Usage{InputTokens: 27, OutputTokens: 267, ReasoningTokens: 192}) {
		t.Errorf("got %+v %q", u, model)
	}
	u, _ = Dialect{}.ResponseUsage([]byte(`{"usage":{"prompt_tokens":10,"completion_tokens":2,"prompt_cache_hit_tokens":8,"cache_creation_input_tokens":1}}`))
	if u != (llm.Usage{InputTokens: 10, OutputTokens: 2, CacheReadTokens: 8, CacheWriteTokens: 1}) {
		t.Errorf("deepseek: %+v", u)
	}
	// The same counts as the full decoder, for every recorded reply.
	for _, name := range chatCassettes(t) {
		c := cassette(t, name)
		resp, err := Dialect{}.DecodeResponse([]byte(c.Response.Body))
		if err != nil {
			continue
		}
		if u, m := (Dialect{}).ResponseUsage([]byte(c.Response.Body)); u != resp.Usage || m != resp.Model {
			t.Errorf("%s: fast path %+v %q, decoder %+v %q", name, u, m, resp.Usage, resp.Model)
		}
	}
}

func TestForwardEvent(t *testing.T) {
	usageChunk := sse.Event{Data: []byte(`{"id":"x","choices":[],"usage":{"prompt_tokens":1}}`)}
	tests := []struct {
		name string
		req  *llm.Request
		ev   sse.Event
		want bool
	}{
		{"usage chunk hidden", &llm.Request{Stream: true}, usageChunk, false},
		{"usage chunk wanted", &llm.Request{Stream: true, StreamUsage: true}, usageChunk, true},
		{"content chunk", &llm.Request{Stream: true}, sse.Event{Data: []byte(`{"choices":[{"index":0,"delta":{"content":"a"}}],"usage":null}`)}, true},
		{"empty choices null usage", &llm.Request{Stream: true}, sse.Event{Data: []byte(`{"choices":[],"usage":null}`)}, true},
		{"finish chunk with usage", &llm.Request{Stream: true}, sse.Event{Data: []byte(`{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":1}}`)}, true},
		{"done", &llm.Request{Stream: true}, sse.Event{Data: []byte(`[DONE]`)}, true},
		{"error", &llm.Request{Stream: true}, sse.Event{Data: []byte(`{"error":{"message":"x"}}`)}, true},
	}
	for _, tt := range tests {
		if got := (Dialect{}).ForwardEvent(tt.req, tt.ev); got != tt.want {
			t.Errorf("%s: got %v", tt.name, got)
		}
	}
}
