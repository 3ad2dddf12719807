// Command telemetry measures what observing a request costs the gateway:
// the observer calls one request makes (start, one upstream attempt with
// trace-context injection, end), with no observer, metrics only, metrics
// with tracing off (a client traceparent passed through), and metrics with
// tracing on through the batch span processor serve uses, to an exporter
// that drops the spans. It prints one table row per variant: time, bytes
// and allocations per request.
//
//	go run ./bench/telemetry
package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/railyard-ai/railyard/internal/gateway"
	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/telemetry"
)

func main() {
	req := &llm.Request{Model: "smart", MaxTokens: 256}
	summary := gateway.Summary{Dialect: "openai", Request: req, Status: 200, Provider: "anthropic",
		UpstreamModel: "claude-sonnet-4-5", Route: "failover: anthropic ok", Attempts: 1,
		Usage:   llm.Usage{InputTokens: 1200, OutputTokens: 300, CacheReadTokens: 800},
		CostUSD: 0.0123, Priced: true, StopReason: llm.StopEndTurn, Passthrough: true,
		Duration: 900 * time.Millisecond, FirstByte: 250 * time.Millisecond, Upstream: 899 * time.Millisecond}
	attempt := gateway.Attempt{Provider: "anthropic", Kind: "anthropic", BaseURL: "https://api.anthropic.com",
		Model: "claude-sonnet-4-5", Passthrough: true}
	result := gateway.AttemptResult{Outcome: "ok", Answered: true, Model: "claude-sonnet-4-5",
		Usage: summary.Usage, StopReason: llm.StopEndTurn, Duration: 899 * time.Millisecond}

	metrics := func() *telemetry.Metrics {
		m, err := telemetry.NewMetrics(prometheus.NewRegistry(), []string{"smart"})
		if err != nil {
			panic(err)
		}
		return m
	}
	// Spans go through the batch processor that serve uses, to an
	// exporter that drops them: the cost measured is railyard's and the
	// SDK's, not a network's.
	recording := func() *telemetry.Tracing {
		tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(discard{}))
		return telemetry.NewTracingWith(tp, tp.Shutdown)
	}
	variants := []struct {
		name        string
		obs         gateway.Observer // nil: the gateway skips every call
		traceparent bool
	}{
		{"no observer", nil, false},
		{"metrics, tracing off", telemetry.NewObserver(metrics(), telemetry.Disabled()), false},
		{"metrics, tracing off, client traceparent", telemetry.NewObserver(metrics(), telemetry.Disabled()), true},
		{"metrics, tracing on (batched, exporter drops)", telemetry.NewObserver(metrics(), recording()), true},
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "variant\tns/request\tB/request\tallocs/request\t")
	for _, v := range variants {
		r := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", nil)
		if v.traceparent {
			r.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
		}
		res := testing.Benchmark(func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if v.obs == nil {
					continue
				}
				q := v.obs.StartRequest(r, gateway.RequestStart{Dialect: "openai", Operation: gateway.OperationChat})
				a := q.StartAttempt(attempt)
				a.Inject(http.Header{})
				a.End(result)
				q.End(summary)
			}
		})
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t\n", v.name, res.NsPerOp(), res.AllocedBytesPerOp(), res.AllocsPerOp())
	}
	_ = tw.Flush()
}

// discard is a span exporter that drops every span.
type discard struct{}

func (discard) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discard) Shutdown(context.Context) error                             { return nil }
