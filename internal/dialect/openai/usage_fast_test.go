package openai

import (
	"testing"

	"github.com/railyard-ai/railyard/internal/llm"
)

// TestResponseUsageFast: the one-pass reader answers plain replies itself
// and leaves everything unusual to gjson, with gjson's answer either way.
func TestResponseUsageFast(t *testing.T) {
	tests := []struct {
		name  string
		body  string
		fast  bool // answered by fastResponseUsage
		usage llm.Usage
		model string
	}{
		{"plain", `{"id":"x","model":"gpt-4.1-mini","choices":[{"index":0,"message":{"role":"assistant","content":"hi \"there\"","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29,"prompt_tokens_details":{"cached_tokens":3,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":4,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},"service_tier":"default","system_fingerprint":null}`,
			true, llm.Usage{InputTokens: 19, OutputTokens: 10, CacheReadTokens: 3, ReasoningTokens: 4}, "gpt-4.1-mini"},
		{"deepseek", " {\"model\":\"deepseek-chat\",\n\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":2,\"prompt_cache_hit_tokens\":8,\"prompt_cache_miss_tokens\":2,\"cache_creation_input_tokens\":1}}\n",
			true, llm.Usage{InputTokens: 10, OutputTokens: 2, CacheReadTokens: 8, CacheWriteTokens: 1}, "deepseek-chat"},
		{"cached wins over hit", `{"usage":{"prompt_tokens":10,"prompt_tokens_details":{"cached_tokens":5},"prompt_cache_hit_tokens":8}}`,
			true, llm.Usage{InputTokens: 10, CacheReadTokens: 5}, ""},
		{"nulls", `{"model":null,"usage":{"prompt_tokens":null,"prompt_tokens_details":null,"completion_tokens_details":null}}`, true, llm.Usage{}, ""},
		{"null usage", `{"model":"m","usage":null}`, true, llm.Usage{}, "m"},
		{"no usage", `{"model":"m","choices":[]}`, true, llm.Usage{}, "m"},
		{"empty", `{}`, true, llm.Usage{}, ""},
		{"usage nested elsewhere", `{"x":{"usage":{"prompt_tokens":5}},"model":"m"}`, true, llm.Usage{}, "m"},
		{"escaped model", `{"model":"gpt\u002d4","usage":{"prompt_tokens":1}}`, false, llm.Usage{InputTokens: 1}, "gpt-4"},
		{"escaped key", `{"us\u0061ge":{"prompt_tokens":1}}`, false, llm.Usage{InputTokens: 1}, ""},
		{"float count", `{"usage":{"prompt_tokens":1.5}}`, false, llm.Usage{InputTokens: 1}, ""},
		{"string count", `{"usage":{"prompt_tokens":"7"}}`, false, llm.Usage{InputTokens: 7}, ""},
		{"negative count", `{"usage":{"prompt_tokens":-2}}`, false, llm.Usage{InputTokens: -2}, ""},
		{"duplicate usage", `{"usage":{"prompt_tokens":1},"usage":{"prompt_tokens":2}}`, false, llm.Usage{InputTokens: 1}, ""},
		{"numeric model", `{"model":5}`, false, llm.Usage{}, "5"},
		{"trailing garbage", `{"model":"m"} x`, false, llm.Usage{}, "m"},
		{"not an object", `[1]`, false, llm.Usage{}, ""},
		{"truncated", `{"model":"m","usage":{"prompt_tokens":1`, false, llm.Usage{InputTokens: 1}, "m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, fast := fastResponseUsage([]byte(tt.body))
			if fast != tt.fast {
				t.Errorf("answered by the fast reader: %v, want %v", fast, tt.fast)
			}
			u, m := Dialect{}.ResponseUsage([]byte(tt.body))
			if u != tt.usage || m != tt.model {
				t.Errorf("got %+v %q, want %+v %q", u, m, tt.usage, tt.model)
			}
			if ru, rm := gjsonResponseUsage([]byte(tt.body)); u != ru || m != rm {
				t.Errorf("gjson reads %+v %q", ru, rm)
			}
		})
	}
}

// TestResponseUsageFastOnRecordedReplies: every recorded chat reply is
// plain enough for the fast reader.
func TestResponseUsageFastOnRecordedReplies(t *testing.T) {
	for _, name := range chatCassettes(t) {
		body := []byte(cassette(t, name).Response.Body)
		if len(body) == 0 || body[0] != '{' {
			continue
		}
		u, m, ok := fastResponseUsage(body)
		ru, rm := gjsonResponseUsage(body)
		if !ok || u != ru || m != rm {
			t.Errorf("%s: fast %+v %q %v, gjson %+v %q", name, u, m, ok, ru, rm)
		}
	}
}

// FuzzResponseUsageFast holds the fast reader to gjson's answers: whenever
// it answers, it answers what the gjson reading does.
func FuzzResponseUsageFast(f *testing.F) {
	seedCassettes(f, true)
	for _, s := range []string{
		`{"model":"m","usage":{"prompt_tokens":10,"completion_tokens":2,"prompt_tokens_details":{"cached_tokens":3},"completion_tokens_details":{"reasoning_tokens":1},"prompt_cache_hit_tokens":4,"cache_creation_input_tokens":5}}`,
		`{"model":null,"usage":null,"x":[1,-2.5e3,true,false,null,{"a":"\"\\"}]}`,
		`{"usage":{"prompt_tokens":01}}`,
		`{"usage":{"prompt_tokens":1e2}}`,
		`{"usage":{"prompt_tokens":123456789012345678901}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		u, m, ok := fastResponseUsage(body)
		if !ok {
			return
		}
		if ru, rm := gjsonResponseUsage(body); u != ru || m != rm {
			t.Fatalf("fast %+v %q, gjson %+v %q", u, m, ru, rm)
		}
	})
}

func BenchmarkResponseUsageGJSON(b *testing.B) {
	body := benchReply(b)
	b.ReportAllocs()
	for b.Loop() {
		gjsonResponseUsage(body)
	}
}
