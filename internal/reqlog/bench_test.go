package reqlog

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/railyard-ai/railyard/internal/gateway"
	"github.com/railyard-ai/railyard/internal/llm"
)

// BenchmarkRecord is the request log's cost on one request's path: the
// observer calls of a request with one attempt. Compare allocs/op.
func BenchmarkRecord(b *testing.B) {
	for _, prompts := range []bool{false, true} {
		name := "prompts=off"
		if prompts {
			name = "prompts=on"
		}
		b.Run(name, func(b *testing.B) {
			l := New(Options{Prompts: prompts})
			r := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", nil)
			req := &llm.Request{Model: "gpt-4o"}
			body := []byte(`{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					q := l.StartRequest(r, gateway.RequestStart{Dialect: "openai", Operation: gateway.OperationChat})
					a := q.StartAttempt(gateway.Attempt{Provider: "openai", Model: "gpt-4o"})
					a.End(gateway.AttemptResult{Outcome: "ok", Answered: true, Duration: time.Millisecond})
					q.End(gateway.Summary{ID: "req", Request: req, Status: 200, Provider: "openai", Route: "failover: openai ok",
						Usage: llm.Usage{InputTokens: 10, OutputTokens: 20}, Duration: 2 * time.Millisecond,
						RequestBody: body, ResponseBody: body})
				}
			})
		})
	}
}
