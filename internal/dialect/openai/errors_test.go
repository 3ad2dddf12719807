package openai

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/railyard-ai/railyard/internal/llm"
)

// TestDecodeRecordedErrors decodes the error replies OpenAI really sent.
func TestDecodeRecordedErrors(t *testing.T) {
	tests := []struct {
		name          string
		status        int
		kind          llm.ErrorKind
		param, code   string
		messagePrefix string
	}{
		{"chat-bad-request", 400, llm.ErrInvalidRequest, "max_tokens", "unsupported_parameter", "Unsupported parameter: 'max_tokens'"},
		{"chat-unknown-model", 404, llm.ErrNotFound, "", "model_not_found", "The model `gpt-4.1-nano-wrong` does not exist"},
		{"chat-no-messages", 400, llm.ErrInvalidRequest, "messages", "empty_array", "Invalid 'messages': empty array."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cassette(t, tt.name)
			if c.Response.Code != tt.status {
				t.Fatalf("cassette status %d", c.Response.Code)
			}
			e := Dialect{}.DecodeError(c.Response.Code, http.Header(c.Response.Headers), []byte(c.Response.Body))
			if e.Status != tt.status || e.Kind != tt.kind || e.Param != tt.param || e.Code != tt.code ||
				!strings.HasPrefix(e.Message, tt.messagePrefix) {
				t.Errorf("got %+v", e)
			}
		})
	}
}

// TestDecodeErrorShapes covers compatible servers' error bodies and the
// retry headers.
func TestDecodeErrorShapes(t *testing.T) {
	long := strings.Repeat("x", 2000)
	date := time.Now().Add(30 * time.Second).UTC().Format(http.TimeFormat)
	tests := []struct {
		name   string
		status int
		header http.Header
		body   string
		want   llm.Error
		retry  [2]time.Duration // accepted range
	}{
		{"context length", 400, nil, `{"error":{"message":"This model's maximum context length is 8192 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}`,
			llm.Error{Status: 400, Kind: llm.ErrContextLength, Message: "This model's maximum context length is 8192 tokens.", Param: "messages", Code: "context_length_exceeded"}, [2]time.Duration{}},
		{"rate limit seconds", 429, http.Header{"Retry-After": {"7"}}, `{"error":{"message":"Rate limit reached","type":"requests","param":null,"code":"rate_limit_exceeded"}}`,
			llm.Error{Status: 429, Kind: llm.ErrRateLimit, Message: "Rate limit reached", Code: "rate_limit_exceeded"}, [2]time.Duration{7 * time.Second, 7 * time.Second}},
		{"retry-after-ms wins", 429, http.Header{"Retry-After": {"7"}, "Retry-After-Ms": {"1500"}}, `{"error":{"message":"slow down"}}`,
			llm.Error{Status: 429, Kind: llm.ErrRateLimit, Message: "slow down"}, [2]time.Duration{1500 * time.Millisecond, 1500 * time.Millisecond}},
		{"retry-after date", 503, http.Header{"Retry-After": {date}}, `{"error":{"message":"busy","type":"server_error"}}`,
			llm.Error{Status: 503, Kind: llm.ErrOverloaded, Message: "busy"}, [2]time.Duration{25 * time.Second, 31 * time.Second}},
		{"vllm numeric code", 400, nil, `{"object":"error","message":"bad","type":"BadRequestError","param":null,"code":400}`,
			llm.Error{Status: 400, Kind: llm.ErrInvalidRequest, Message: "bad"}, [2]time.Duration{}},
		{"vllm nested numeric code", 400, nil, `{"error":{"message":"bad","type":"BadRequestError","param":null,"code":400}}`,
			llm.Error{Status: 400, Kind: llm.ErrInvalidRequest, Message: "bad", Code: "400"}, [2]time.Duration{}},
		{"ollama string error", 404, nil, `{"error":"model \"llama9\" not found, try pulling it first"}`,
			llm.Error{Status: 404, Kind: llm.ErrNotFound, Message: `model "llama9" not found, try pulling it first`}, [2]time.Duration{}},
		{"fastapi detail", 422, nil, `{"detail":"Not Found"}`,
			llm.Error{Status: 422, Kind: llm.ErrInvalidRequest, Message: "Not Found"}, [2]time.Duration{}},
		{"plain text", 502, nil, "  Bad Gateway\n", llm.Error{Status: 502, Kind: llm.ErrAPI, Message: "Bad Gateway"}, [2]time.Duration{}},
		{"empty body", 504, nil, "", llm.Error{Status: 504, Kind: llm.ErrTimeout, Message: "Gateway Timeout"}, [2]time.Duration{}},
		{"long html", 500, nil, long, llm.Error{Status: 500, Kind: llm.ErrAPI, Message: long[:512]}, [2]time.Duration{}},
		{"bad retry", 429, http.Header{"Retry-After": {"soon"}}, `{}`, llm.Error{Status: 429, Kind: llm.ErrRateLimit, Message: "Too Many Requests"}, [2]time.Duration{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := Dialect{}.DecodeError(tt.status, tt.header, []byte(tt.body))
			if e.RetryAfter < tt.retry[0] || e.RetryAfter > tt.retry[1] {
				t.Errorf("retry after %v, want within %v", e.RetryAfter, tt.retry)
			}
			e.RetryAfter = 0
			if *e != tt.want {
				t.Errorf("got  %+v\nwant %+v", *e, tt.want)
			}
		})
	}
}

// TestEncodeError checks OpenAI's error type and code for every kind.
func TestEncodeError(t *testing.T) {
	tests := []struct {
		e    llm.Error
		want string
	}{
		{llm.Error{Kind: llm.ErrInvalidRequest, Message: "bad", Param: "messages[2].content"},
			`{"error":{"message":"bad","type":"invalid_request_error","param":"messages[2].content","code":null}}`},
		{llm.Error{Kind: llm.ErrAuthentication, Message: "m"}, `{"error":{"message":"m","type":"authentication_error","param":null,"code":"invalid_api_key"}}`},
		{llm.Error{Kind: llm.ErrPermission, Message: "m"}, `{"error":{"message":"m","type":"permission_error","param":null,"code":null}}`},
		{llm.Error{Kind: llm.ErrNotFound, Message: "m"}, `{"error":{"message":"m","type":"invalid_request_error","param":null,"code":"model_not_found"}}`},
		{llm.Error{Kind: llm.ErrTooLarge, Message: "m"}, `{"error":{"message":"m","type":"invalid_request_error","param":null,"code":"request_too_large"}}`},
		{llm.Error{Kind: llm.ErrRateLimit, Message: "m"}, `{"error":{"message":"m","type":"rate_limit_error","param":null,"code":"rate_limit_exceeded"}}`},
		{llm.Error{Kind: llm.ErrBudgetExhausted, Message: "m"}, `{"error":{"message":"m","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}`},
		{llm.Error{Kind: llm.ErrContextLength, Message: "m"}, `{"error":{"message":"m","type":"invalid_request_error","param":null,"code":"context_length_exceeded"}}`},
		{llm.Error{Kind: llm.ErrOverloaded, Message: "m"}, `{"error":{"message":"m","type":"server_error","param":null,"code":null}}`},
		{llm.Error{Kind: llm.ErrUnavailable, Message: "m"}, `{"error":{"message":"m","type":"server_error","param":null,"code":null}}`},
		{llm.Error{Kind: llm.ErrTimeout, Message: "m"}, `{"error":{"message":"m","type":"timeout_error","param":null,"code":null}}`},
		{llm.Error{Kind: llm.ErrAPI, Message: "m"}, `{"error":{"message":"m","type":"api_error","param":null,"code":null}}`},
		{llm.Error{Kind: llm.ErrInvalidRequest, Message: "m", Code: "unsupported_parameter"},
			`{"error":{"message":"m","type":"invalid_request_error","param":null,"code":"unsupported_parameter"}}`},
	}
	for _, tt := range tests {
		if got := string(Dialect{}.EncodeError(&tt.e)); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.e.Kind, got, tt.want)
		}
	}
}

// TestErrorRoundTrip: what EncodeError writes, DecodeError reads back.
func TestErrorRoundTrip(t *testing.T) {
	in := &llm.Error{Status: 400, Kind: llm.ErrContextLength, Message: "too long", Param: "messages", Code: "context_length_exceeded"}
	out := Dialect{}.DecodeError(400, nil, Dialect{}.EncodeError(in))
	if *out != *in {
		t.Errorf("got %+v", *out)
	}
}
