package anthropic

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/railyard-ai/railyard/internal/llm"
)

func TestDecodeResponseFixtures(t *testing.T) {
	r, err := Dialect{}.DecodeResponse(fixture(t, "response_tool_use.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := &llm.Response{
		ID: "msg_01VLZuPg94y7NULJySZhEDJY", Model: "claude-3-7-sonnet-20250219", StopReason: llm.StopToolUse,
		Content: []llm.Part{
			{Type: llm.PartText, Text: "I'll get the current weather in San Francisco for you in Fahrenheit."},
			{Type: llm.PartToolCall, ToolCall: &llm.ToolCall{ID: "toolu_01TZR6ZrLHdpAWdmhVPuDfjQ", Name: "get_weather", Arguments: `{"city":"San Francisco","units":"fahrenheit"}`}},
		},
		Usage: llm.Usage{InputTokens: 402, OutputTokens: 89},
	}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("got %+v\nwant %+v", r, want)
	}
	r, err = Dialect{}.DecodeResponse(fixture(t, "response_text.json"))
	if err != nil {
		t.Fatal(err)
	}
	if r.StopReason != llm.StopEndTurn || r.Content[0].Text != "The current temperature in San Francisco is 68 degrees Fahrenheit." || r.Usage.InputTokens != 514 {
		t.Errorf("got %+v", r)
	}
}

func TestDecodeResponseUsageAndBlocks(t *testing.T) {
	body := `{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[` +
		`{"type":"thinking","thinking":"hmm","signature":"sig"},{"type":"redacted_thinking","data":"opaque"},` +
		`{"type":"server_tool_use","id":"s","name":"web_search","input":{}},{"type":"text","text":"ok","citations":null}],` +
		`"stop_reason":"stop_sequence","stop_sequence":"END","usage":{"input_tokens":10,"cache_creation_input_tokens":20,"cache_read_input_tokens":30,"output_tokens":5}}`
	r, err := Dialect{}.DecodeResponse([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	wantUsage := llm.Usage{InputTokens: 60, CacheWriteTokens: 20, CacheReadTokens: 30, OutputTokens: 5}
	if r.Usage != wantUsage || r.StopReason != llm.StopSequence || r.StopSequence != "END" {
		t.Errorf("got %+v", r)
	}
	if len(r.Content) != 3 || r.Content[0].Signature != "sig" || r.Content[1].Redacted != "opaque" || r.Content[2].Text != "ok" {
		t.Errorf("content %+v", r.Content)
	}
	if r.Usage.UncachedInputTokens() != 10 {
		t.Errorf("uncached = %d", r.Usage.UncachedInputTokens())
	}
}

func TestDecodeResponseMalformed(t *testing.T) {
	for _, body := range []string{``, `nope`, `[]`, `{"type":"error","error":{"type":"api_error","message":"x"}}`, `{"type":"message","content":"x"}`, `{"type":"message","usage":{"input_tokens":"a"}}`} {
		_, err := Dialect{}.DecodeResponse([]byte(body))
		var e *llm.Error
		if !errors.As(err, &e) || e.Status != http.StatusBadGateway {
			t.Errorf("%q: err = %v, want 502", body, err)
		}
	}
}

func TestEncodeResponse(t *testing.T) {
	resp := &llm.Response{
		ID: "chatcmpl-9", Model: "gpt-4.1", StopReason: llm.StopContentFilter,
		Content: []llm.Part{
			{Type: llm.PartReasoning, Text: "t", Signature: "s"},
			{Type: llm.PartReasoning, Redacted: "r"},
			{Type: llm.PartText, Text: "a <b> & c"},
			{Type: llm.PartRefusal, Text: "I can't."},
			{Type: llm.PartToolCall, ToolCall: &llm.ToolCall{ID: "call_1", Name: "f", Arguments: `{"x": [1, 2]}`}},
			{Type: llm.PartToolCall, ToolCall: &llm.ToolCall{ID: "call_2", Name: "g", Arguments: `{"x": [1,`}},
			{Type: llm.PartToolCall, ToolCall: &llm.ToolCall{Name: "h"}},
			{Type: llm.PartImage, Media: &llm.Media{URL: "u"}},
		},
		Usage: llm.Usage{InputTokens: 100, CacheReadTokens: 60, CacheWriteTokens: 10, OutputTokens: 7},
	}
	b, err := Dialect{}.EncodeResponse(&llm.Request{Model: "smart"}, resp)
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	for _, want := range []string{
		`{"id":"msg_chatcmpl-9","type":"message","role":"assistant","model":"gpt-4.1","content":[`,
		`{"type":"thinking","thinking":"t","signature":"s"},{"type":"redacted_thinking","data":"r"},{"type":"text","text":"a <b> & c"},{"type":"text","text":"I can't."},`,
		`{"type":"tool_use","id":"call_1","name":"f","input":{"x":[1,2]}},{"type":"tool_use","id":"call_2","name":"g","input":{}},{"type":"tool_use","id":"toolu_`,
		`"stop_reason":"refusal","stop_sequence":null,"usage":{"input_tokens":30,"cache_creation_input_tokens":10,"cache_read_input_tokens":60,"output_tokens":7}}`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %s\nin %s", want, got)
		}
	}
	if !json.Valid(b) || strings.Contains(got, `"image"`) {
		t.Errorf("body %s", got)
	}
}

// TestResponseRoundTrip: real replies decoded and encoded again are the
// same JSON, apart from the fields railyard does not carry.
func TestResponseRoundTrip(t *testing.T) {
	for _, f := range []string{"response_tool_use.json", "response_text.json"} {
		orig := fixture(t, f)
		r, err := Dialect{}.DecodeResponse(orig)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Dialect{}.EncodeResponse(nil, r)
		if err != nil {
			t.Fatal(err)
		}
		var a, w map[string]any
		_ = json.Unmarshal(b, &a)
		_ = json.Unmarshal(orig, &w)
		u := w["usage"].(map[string]any)
		delete(u, "cache_creation") // per-TTL split and tier are not carried
		delete(u, "service_tier")
		if !reflect.DeepEqual(a, w) {
			t.Errorf("%s: got %s\nwant %s", f, b, orig)
		}
		again, err := Dialect{}.DecodeResponse(b)
		if err != nil || !reflect.DeepEqual(again, r) {
			t.Errorf("%s: decode(encode) = %+v, %v", f, again, err)
		}
	}
}

func TestEncodeError(t *testing.T) {
	tests := []struct {
		err  llm.Error
		want string
	}{
		{llm.Error{Status: 400, Kind: llm.ErrInvalidRequest, Message: "max_tokens: field required"}, `{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: field required"}}`},
		{llm.Error{Status: 401, Kind: llm.ErrAuthentication, Message: "invalid x-api-key"}, `{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}`},
		{llm.Error{Status: 403, Kind: llm.ErrPermission, Message: "m"}, `{"type":"error","error":{"type":"permission_error","message":"m"}}`},
		{llm.Error{Status: 404, Kind: llm.ErrNotFound, Message: "m"}, `{"type":"error","error":{"type":"not_found_error","message":"m"}}`},
		{llm.Error{Status: 413, Kind: llm.ErrTooLarge, Message: "m"}, `{"type":"error","error":{"type":"request_too_large","message":"m"}}`},
		{llm.Error{Status: 429, Kind: llm.ErrRateLimit, Message: "m"}, `{"type":"error","error":{"type":"rate_limit_error","message":"m"}}`},
		{llm.Error{Status: 429, Kind: llm.ErrBudgetExhausted, Message: "key over its monthly limit"}, `{"type":"error","error":{"type":"rate_limit_error","message":"budget exceeded: key over its monthly limit"}}`},
		{llm.Error{Status: 429, Kind: llm.ErrBudgetExhausted, Message: "budget of $5 spent"}, `{"type":"error","error":{"type":"rate_limit_error","message":"budget of $5 spent"}}`},
		{llm.Error{Status: 500, Kind: llm.ErrAPI, Message: "m"}, `{"type":"error","error":{"type":"api_error","message":"m"}}`},
		{llm.Error{Status: 529, Kind: llm.ErrOverloaded, Message: "Overloaded"}, `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`},
		{llm.Error{Status: 503, Kind: llm.ErrUnavailable, Message: "no healthy target"}, `{"type":"error","error":{"type":"overloaded_error","message":"no healthy target"}}`},
		{llm.Error{Status: 504, Kind: llm.ErrTimeout, Message: "m"}, `{"type":"error","error":{"type":"timeout_error","message":"m"}}`},
		{llm.Error{Status: 400, Kind: llm.ErrContextLength, Message: "prompt is too long"}, `{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long"}}`},
		{llm.Error{Status: 404, Kind: "weird"}, `{"type":"error","error":{"type":"not_found_error","message":"Not Found"}}`},
	}
	for _, tt := range tests {
		if got := string(Dialect{}.EncodeError(&tt.err)); got != tt.want {
			t.Errorf("%s: got %s\nwant %s", tt.err.Kind, got, tt.want)
		}
	}
}

func TestDecodeError(t *testing.T) {
	long := strings.Repeat("é", 600)
	tests := []struct {
		name   string
		status int
		header http.Header
		body   string
		want   llm.Error
	}{
		{"overloaded", 529, nil, string(fixture(t, "error_overloaded.json")),
			llm.Error{Status: 529, Kind: llm.ErrOverloaded, Code: "overloaded_error", Message: "Overloaded"}},
		{"invalid", 400, nil, string(fixture(t, "error_invalid_request.json")),
			llm.Error{Status: 400, Kind: llm.ErrInvalidRequest, Code: "invalid_request_error", Message: "max_tokens: Field required"}},
		{"rate limit with retry-after", 429, http.Header{"Retry-After": []string{"17"}}, string(fixture(t, "error_rate_limit.json")),
			llm.Error{Status: 429, Kind: llm.ErrRateLimit, Code: "rate_limit_error", Message: "Number of request tokens has exceeded your per-minute rate limit", RetryAfter: 17 * time.Second}},
		{"html", 502, nil, "<html>Bad Gateway</html>", llm.Error{Status: 502, Kind: llm.ErrAPI, Message: "<html>Bad Gateway</html>"}},
		{"empty", 503, nil, "", llm.Error{Status: 503, Kind: llm.ErrOverloaded, Message: "upstream returned 503"}},
		{"long text", 500, nil, long, llm.Error{Status: 500, Kind: llm.ErrAPI, Message: strings.Repeat("é", 256)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Dialect{}.DecodeError(tt.status, tt.header, []byte(tt.body))
			if *got != tt.want {
				t.Errorf("got %+v\nwant %+v", *got, tt.want)
			}
		})
	}
}

func TestPassthrough(t *testing.T) {
	d := Dialect{}
	body := []byte(`{"model":"smart","max_tokens":5,"messages":[{"role":"user","content":"hi"}],"future_field":{"a":1}}`)
	out, err := d.RewriteRequest(body, "claude-sonnet-4-5", nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != `{"model":"claude-sonnet-4-5","max_tokens":5,"messages":[{"role":"user","content":"hi"}],"future_field":{"a":1}}` {
		t.Errorf("rewrite = %s", out)
	}
	u, model := d.ResponseUsage([]byte(`{"model":"claude-x","usage":{"input_tokens":10,"cache_creation_input_tokens":20,"cache_read_input_tokens":30,"output_tokens":5}}`))
	if model != "claude-x" || u != (llm.Usage{InputTokens: 60, CacheWriteTokens: 20, CacheReadTokens: 30, OutputTokens: 5}) {
		t.Errorf("usage %+v model %q", u, model)
	}
	u, _ = d.ResponseUsage(fixture(t, "response_tool_use.json"))
	if u.InputTokens != 402 || u.OutputTokens != 89 {
		t.Errorf("fixture usage %+v", u)
	}
	if !d.ForwardEvent(nil, sseEvent("ping")) {
		t.Error("ForwardEvent = false")
	}
}
