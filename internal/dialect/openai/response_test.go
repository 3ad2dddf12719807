package openai

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/railyard-ai/railyard/internal/llm"
)

// TestDecodeRecordedResponses decodes every recorded 200 non-stream reply
// into a golden canonical response.
func TestDecodeRecordedResponses(t *testing.T) {
	for _, name := range chatCassettes(t) {
		c := cassette(t, name)
		if c.Response.Code != 200 || strings.HasPrefix(c.Response.Body, "data:") {
			continue
		}
		t.Run(name, func(t *testing.T) {
			resp, err := Dialect{}.DecodeResponse([]byte(c.Response.Body))
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "response-"+name, resp)
		})
	}
}

// TestDecodeRecordedUsage checks usage exactly as OpenAI billed it.
func TestDecodeRecordedUsage(t *testing.T) {
	tests := []struct {
		name string
		stop llm.StopReason
		want llm.Usage
	}{
		{"chat-detailed-usage", llm.StopMaxTokens, llm.Usage{InputTokens: 12, OutputTokens: 100, ReasoningTokens: 100}},
		{"chat-reasoning", llm.StopEndTurn, llm.Usage{InputTokens: 27, OutputTokens: 267, ReasoningTokens: 192}},
		{"chat-parallel-tools", llm.StopToolUse, llm.Usage{InputTokens: 162, OutputTokens: 219, ReasoningTokens: 192}},
		{"chat-tools", llm.StopToolUse, llm.Usage{}}, // filled from the body below
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := cassette(t, tt.name).Response.Body
			resp, err := Dialect{}.DecodeResponse([]byte(body))
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			if want.IsZero() {
				var w struct{ Usage wireUsage }
				if err := json.Unmarshal([]byte(body), &w); err != nil {
					t.Fatal(err)
				}
				want = llm.Usage{InputTokens: w.Usage.PromptTokens, OutputTokens: w.Usage.CompletionTokens,
					ReasoningTokens: w.Usage.CompletionTokensDetails.ReasoningTokens}
			}
			if resp.Usage != want || resp.StopReason != tt.stop {
				t.Errorf("got %+v %s, want %+v %s", resp.Usage, resp.StopReason, want, tt.stop)
			}
		})
	}
	resp, _ := Dialect{}.DecodeResponse([]byte(cassette(t, "chat-tools").Response.Body))
	tc := resp.Content[0].ToolCall
	if len(resp.Content) != 1 || tc.ID != "call_8fxy20OEu9ulvvaa5b5CzVA4" || tc.Name != "get_current_weather" ||
		tc.Arguments != `{"location":"Boston, MA","unit":"fahrenheit"}` {
		t.Errorf("chat-tools: %s", toJSON(resp.Content))
	}
}

// TestDecodeCompatResponses covers what compatible servers add: DeepSeek's
// reasoning_content and prompt_cache_hit_tokens, vLLM's "reasoning", array
// content, and a 200 that carries an error.
func TestDecodeCompatResponses(t *testing.T) {
	tests := []struct {
		name, body string
		want       *llm.Response
		errStatus  int
	}{
		{"deepseek reasoner", `{"id":"930c60df","object":"chat.completion","created":1705651092,"model":"deepseek-reasoner",
			"choices":[{"index":0,"message":{"role":"assistant","content":"9.8 is greater","reasoning_content":"Compare 9.11 and 9.8"},"logprobs":null,"finish_reason":"stop"}],
			"usage":{"prompt_tokens":17,"completion_tokens":80,"total_tokens":97,"prompt_tokens_details":{"cached_tokens":0},
			"prompt_cache_hit_tokens":16,"prompt_cache_miss_tokens":1,"completion_tokens_details":{"reasoning_tokens":60}}}`,
			&llm.Response{ID: "930c60df", Model: "deepseek-reasoner", Created: 1705651092, StopReason: llm.StopEndTurn,
				Content: []llm.Part{{Type: llm.PartReasoning, Text: "Compare 9.11 and 9.8"}, {Type: llm.PartText, Text: "9.8 is greater"}},
				Usage:   llm.Usage{InputTokens: 17, OutputTokens: 80, CacheReadTokens: 16, ReasoningTokens: 60}}, 0},
		{"vllm reasoning field", `{"id":"x","model":"qwen3","choices":[{"index":0,"message":{"role":"assistant","content":"hi","reasoning":"hmm","tool_calls":[]},"finish_reason":"length"}]}`,
			&llm.Response{ID: "x", Model: "qwen3", StopReason: llm.StopMaxTokens,
				Content: []llm.Part{{Type: llm.PartReasoning, Text: "hmm"}, {Type: llm.PartText, Text: "hi"}}}, 0},
		{"array content and refusal", `{"id":"x","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}],"refusal":"no"},"finish_reason":"content_filter"}]}`,
			&llm.Response{ID: "x", Model: "m", StopReason: llm.StopContentFilter,
				Content: []llm.Part{{Type: llm.PartText, Text: "ab"}, {Type: llm.PartRefusal, Text: "no"}}}, 0},
		{"legacy function_call reason", `{"choices":[{"message":{"content":"x"},"finish_reason":"function_call"}]}`,
			&llm.Response{StopReason: llm.StopToolUse, Content: []llm.Part{{Type: llm.PartText, Text: "x"}}}, 0},
		{"error in 200", `{"error":{"message":"boom","type":"server_error","code":null}}`, nil, 502},
		{"vllm error in 200", `{"object":"error","error":{"message":"too long","type":"BadRequestError","code":400}}`, nil, 400},
		{"no choices", `{"id":"x","choices":[]}`, nil, 502},
		{"malformed", `{"choices":[`, nil, 502},
		{"wrong types", `{"choices":[{"message":{"content":5}}]}`, nil, 502},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := Dialect{}.DecodeResponse([]byte(tt.body))
			if tt.errStatus != 0 {
				var e *llm.Error
				if !errors.As(err, &e) || e.Status != tt.errStatus {
					t.Fatalf("got %v, want *llm.Error %d", err, tt.errStatus)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(resp, tt.want) {
				t.Errorf("got  %s\nwant %s", toJSON(resp), toJSON(tt.want))
			}
		})
	}
}

// TestEncodeResponse checks the chat.completion railyard writes, field by
// field, against what OpenAI writes.
func TestEncodeResponse(t *testing.T) {
	req := &llm.Request{Model: "smart"}
	resp := &llm.Response{ID: "msg_01", Model: "claude-sonnet-4-5", Created: 1755133856, StopReason: llm.StopToolUse,
		Content: []llm.Part{
			{Type: llm.PartReasoning, Text: "let me", Signature: "sig"},
			{Type: llm.PartText, Text: "Checking "},
			{Type: llm.PartText, Text: "now."},
			{Type: llm.PartToolCall, ToolCall: &llm.ToolCall{ID: "toolu_1", Name: "get", Arguments: `{"a":1}`}},
		},
		Usage: llm.Usage{InputTokens: 100, OutputTokens: 20, CacheReadTokens: 60, CacheWriteTokens: 30, ReasoningTokens: 5}}
	b, err := Dialect{}.EncodeResponse(req, resp)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"chatcmpl-msg_01","object":"chat.completion","created":1755133856,"model":"claude-sonnet-4-5",` +
		`"choices":[{"index":0,"message":{"role":"assistant","content":"Checking now.","refusal":null,` +
		`"tool_calls":[{"id":"toolu_1","type":"function","function":{"name":"get","arguments":"{\"a\":1}"}}],` +
		`"reasoning_content":"let me"},"logprobs":null,"finish_reason":"tool_calls"}],` +
		`"usage":{"prompt_tokens":100,"completion_tokens":20,"total_tokens":120,"prompt_tokens_details":{"cached_tokens":60},` +
		`"completion_tokens_details":{"reasoning_tokens":5},"cache_creation_input_tokens":30}}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}

	// No text: content is null; no cache writes: no extension field; an
	// empty id gets a fresh chatcmpl- id and created is now.
	b, _ = Dialect{}.EncodeResponse(req, &llm.Response{StopReason: llm.StopRefusal,
		Content: []llm.Part{{Type: llm.PartRefusal, Text: "I can't"}}})
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	msg := got["choices"].([]any)[0].(map[string]any)
	if m := msg["message"].(map[string]any); m["content"] != nil || m["refusal"] != "I can't" || msg["finish_reason"] != "content_filter" {
		t.Errorf("refusal reply: %s", b)
	}
	if id := got["id"].(string); !strings.HasPrefix(id, "chatcmpl-") || len(id) != 29 || got["model"] != "smart" || got["created"].(float64) == 0 {
		t.Errorf("generated fields: %s", b)
	}
	if strings.Contains(string(b), "cache_creation_input_tokens") {
		t.Errorf("cache_creation_input_tokens must only appear when non-zero: %s", b)
	}
}

func TestFinishReason(t *testing.T) {
	for r, want := range map[llm.StopReason]string{
		llm.StopEndTurn: "stop", llm.StopSequence: "stop", llm.StopPauseTurn: "stop", "": "stop",
		llm.StopMaxTokens: "length", llm.StopToolUse: "tool_calls",
		llm.StopContentFilter: "content_filter", llm.StopRefusal: "content_filter",
	} {
		if got := finishReason(r); got != want {
			t.Errorf("%q: got %q, want %q", r, got, want)
		}
	}
}

// TestResponseRoundTrip encodes canonical replies and decodes them again.
func TestResponseRoundTrip(t *testing.T) {
	tests := []*llm.Response{
		{ID: "chatcmpl-1", Model: "m", Created: 1, StopReason: llm.StopEndTurn,
			Content: []llm.Part{{Type: llm.PartText, Text: "hello"}}, Usage: llm.Usage{InputTokens: 3, OutputTokens: 1}},
		{ID: "chatcmpl-2", Model: "m", Created: 2, StopReason: llm.StopToolUse,
			Content: []llm.Part{
				{Type: llm.PartReasoning, Text: "r"},
				{Type: llm.PartText, Text: "t"},
				{Type: llm.PartToolCall, ToolCall: &llm.ToolCall{ID: "a", Name: "f", Arguments: "{}"}},
				{Type: llm.PartToolCall, ToolCall: &llm.ToolCall{ID: "b", Name: "g", Arguments: `{"x":[1]}`}},
			},
			Usage: llm.Usage{InputTokens: 10, OutputTokens: 9, CacheReadTokens: 4, CacheWriteTokens: 2, ReasoningTokens: 3}},
		{ID: "chatcmpl-3", Model: "m", Created: 3, StopReason: llm.StopMaxTokens},
	}
	for _, want := range tests {
		b, err := Dialect{}.EncodeResponse(&llm.Request{}, want)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Dialect{}.DecodeResponse(b)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("round trip:\n got %s\nwant %s\nwire %s", toJSON(got), toJSON(want), b)
		}
	}
}
