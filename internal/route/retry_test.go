package route

import (
	"testing"

	"github.com/railyard-ai/railyard/internal/llm"
)

func TestRetryable(t *testing.T) {
	tests := []struct {
		status int
		want   bool
	}{
		{200, false}, {400, false}, {401, true}, {403, true}, {404, false},
		{408, true}, {409, true}, {413, false}, {422, false}, {429, true},
		{500, true}, {502, true}, {503, true}, {504, true}, {529, true},
	}
	for _, tt := range tests {
		if got := Retryable(tt.status); got != tt.want {
			t.Errorf("Retryable(%d) = %v, want %v", tt.status, got, tt.want)
		}
	}
}

func TestRetryableError(t *testing.T) {
	tests := []struct {
		status int
		kind   llm.ErrorKind
		want   bool
	}{
		{400, llm.ErrInvalidRequest, false},
		{400, llm.ErrRateLimit, true}, // Bedrock ServiceQuotaExceededException
		{424, llm.ErrAPI, true},       // Bedrock ModelErrorException
		{404, llm.ErrNotFound, false},
		{422, llm.ErrInvalidRequest, false},
		{400, llm.ErrContextLength, false},
		{429, llm.ErrRateLimit, true},
		{500, llm.ErrAPI, true},
		{200, llm.ErrOverloaded, true}, // an overloaded error event inside a 200 stream
		{400, llm.ErrTimeout, true},
	}
	for _, tt := range tests {
		if got := RetryableError(tt.status, tt.kind); got != tt.want {
			t.Errorf("RetryableError(%d, %s) = %v, want %v", tt.status, tt.kind, got, tt.want)
		}
	}
}
