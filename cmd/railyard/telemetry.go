package main

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel"

	"github.com/railyard-ai/railyard/internal/route"
	"github.com/railyard-ai/railyard/internal/telemetry"
)

// traceFlushTimeout bounds the final flush of buffered spans at exit.
const traceFlushTimeout = 5 * time.Second

// observability is serve's metrics registry, request metrics and tracing.
// Registry is where other parts (breakers, budgets) register their own
// collectors, so they show on the same /metrics.
type observability struct {
	Registry *prometheus.Registry
	metrics  *telemetry.Metrics
	tracing  *telemetry.Tracing
	log      *slog.Logger
}

// openObservability builds the registry and request metrics, and tracing
// from the standard OTEL_* environment variables.
func openObservability(ctx context.Context, table *route.Table, log *slog.Logger) (*observability, error) {
	reg := telemetry.NewRegistry()
	m, err := telemetry.NewMetrics(reg, table.ModelNames())
	if err != nil {
		return nil, err
	}
	tr, err := telemetry.NewTracing(ctx, os.LookupEnv)
	if err != nil {
		return nil, err
	}
	if tr.Enabled() {
		// The SDK reports export failures through its one process-wide
		// handler (stderr by default); send them to the structured log.
		otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) { log.Warn("tracing: export failed", "err", err) }))
		log.Info("tracing: exporting spans over OTLP/HTTP (OTEL_* environment)")
	}
	return &observability{Registry: reg, metrics: m, tracing: tr, log: log}, nil
}

// Observer is what the gateway reports requests to.
func (o *observability) Observer() *telemetry.Observer {
	return telemetry.NewObserver(o.metrics, o.tracing)
}

// Follow makes model labels follow the gateway's current routing table.
func (o *observability) Follow(current func() *route.Table) { o.metrics.FollowTable(current) }

// Handler serves GET /metrics.
func (o *observability) Handler() http.Handler { return telemetry.Handler(o.Registry) }

// close flushes buffered spans; serve defers it, so it runs after the
// HTTP server drained.
func (o *observability) close() {
	ctx, cancel := context.WithTimeout(context.Background(), traceFlushTimeout)
	defer cancel()
	if err := o.tracing.Shutdown(ctx); err != nil {
		o.log.Warn("tracing: spans lost at exit", "err", err)
	}
}
