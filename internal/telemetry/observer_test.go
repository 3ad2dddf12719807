package telemetry

import (
	"testing"

	"github.com/railyard-ai/railyard/internal/gateway"
)

func TestErrorKind(t *testing.T) {
	for _, c := range []struct {
		outcome string
		status  int
		want    string
	}{
		{"401", 401, "auth"},
		{"403", 403, "auth"},
		{"429", 429, "rate_limited"},
		{"529", 529, "overloaded"},
		{"503", 503, "overloaded"},
		{"stream 529", 529, "overloaded"},
		{"504", 504, "timeout"},
		{"500", 500, "server_error"},
		{"400", 400, "client_error"},
		{"timeout", 0, "timeout"},
		{"connect error", 0, "connect"},
		{"bad reply", 0, "bad_reply"},
		{"bad stream", 0, "bad_reply"},
		{"stream 0", 0, "bad_reply"},
		{"broken reply", 0, "broken_reply"},
		{"encode error", 0, "encode"},
		{"something new", 0, "other"},
	} {
		if got := errorKind(gateway.AttemptResult{Outcome: c.outcome, UpstreamStatus: c.status}); got != c.want {
			t.Errorf("errorKind(%q, %d) = %q, want %q", c.outcome, c.status, got, c.want)
		}
	}
}

func TestGenAIProvider(t *testing.T) {
	for in, want := range map[string]string{"openai": "openai", "anthropic": "anthropic", "bedrock": "aws.bedrock",
		"gemini": "gcp.gemini", "openai-compatible": "openai-compatible", "sim": "sim"} {
		if got := genAIProvider(in); got != want {
			t.Errorf("genAIProvider(%q) = %q, want %q", in, got, want)
		}
	}
}
