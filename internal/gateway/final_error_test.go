package gateway

import (
	"net/http"
	"testing"

	"github.com/railyard-ai/railyard/internal/dialect/bedrock"
	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/route"
)

// TestBedrockQuotaAndModelErrorsFailOver: Bedrock's two errors whose
// status says "the request's fault" but whose name says otherwise try the
// next target, and when they are the last failure the client gets the
// gateway's status for them (429, 502), not the upstream's 400 or 424.
func TestBedrockQuotaAndModelErrorsFailOver(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		errType    string
		retry      bool
		wantStatus int
	}{
		{"service quota", 400, "ServiceQuotaExceededException", true, http.StatusTooManyRequests},
		{"model error", 424, "ModelErrorException", true, http.StatusBadGateway},
		{"validation", 400, "ValidationException", false, http.StatusBadRequest},
		{"throttling", 429, "ThrottlingException", true, http.StatusTooManyRequests},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{"X-Amzn-Errortype": {tt.errType}}
			e := bedrock.Dialect{}.DecodeError(tt.status, h, []byte(`{"message":"no"}`))
			if got := route.RetryableError(tt.status, e.Kind); got != tt.retry {
				t.Errorf("retry = %v, want %v (kind %s)", got, tt.retry, e.Kind)
			}
			final := finalError(&attemptError{provider: "bedrock", err: e, upstreamStatus: tt.status})
			if final.Status != tt.wantStatus {
				t.Errorf("the client's status %d, want %d (%+v)", final.Status, tt.wantStatus, final)
			}
			if tt.wantStatus == http.StatusTooManyRequests && final.Kind != llm.ErrRateLimit {
				t.Errorf("kind %s, want a rate limit", final.Kind)
			}
		})
	}
}
