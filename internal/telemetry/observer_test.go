package telemetry

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/railyard-ai/railyard/internal/gateway"
	"github.com/railyard-ai/railyard/internal/llm"
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

func TestEmbeddingsSpansNamedByOperation(t *testing.T) {
	tr, rec := recordingTracing()
	o := NewObserver(nil, tr)
	r := httptest.NewRequest(http.MethodPost, "/v1/embeddings", nil)
	q := o.StartRequest(r, gateway.RequestStart{Dialect: "openai", Operation: gateway.OperationEmbeddings})
	a := q.StartAttempt(gateway.Attempt{Operation: gateway.OperationEmbeddings, Provider: "p", Kind: "openai", Model: "text-embedding-3-small"})
	a.End(gateway.AttemptResult{Outcome: "ok", Answered: true, Usage: llm.Usage{InputTokens: 4}})
	q.End(gateway.Summary{Dialect: "openai", Operation: gateway.OperationEmbeddings, Request: &llm.Request{Model: "emb"}, Status: 200})
	spans := rec.Ended()
	if len(spans) != 2 || spans[0].Name() != "embeddings text-embedding-3-small" || spans[1].Name() != "embeddings emb" {
		t.Fatalf("spans %v", spans)
	}
	checkAttrs(t, spans[1], map[string]string{"gen_ai.operation.name": "embeddings"})
	checkAttrs(t, spans[0], map[string]string{"gen_ai.operation.name": "embeddings", "gen_ai.usage.input_tokens": "4"})
}
