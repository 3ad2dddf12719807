package telemetry

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// instrumentation names the tracer, as OpenTelemetry asks.
const instrumentation = "github.com/railyard-ai/railyard/internal/telemetry"

// Tracing holds the tracer railyard's spans come from and the W3C
// propagator that carries trace context from the client to the upstream.
// Disabled, it starts no spans at all, yet a client's traceparent still
// passes through to the upstream untouched.
type Tracing struct {
	tracer   trace.Tracer
	prop     propagation.TextMapPropagator
	enabled  bool
	shutdown func(context.Context) error
}

// NewTracing builds tracing from the standard OpenTelemetry environment
// variables (lookup is os.LookupEnv outside tests). Traces are exported
// over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set, or OTEL_TRACES_EXPORTER=otlp;
// OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none turn them off. The
// exporter itself reads the endpoint, headers, timeout and TLS variables;
// the SDK reads OTEL_TRACES_SAMPLER(_ARG), OTEL_SERVICE_NAME and
// OTEL_RESOURCE_ATTRIBUTES. Only the http/protobuf protocol is built in:
// asking for grpc is an error rather than spans sent to a port that
// cannot read them.
func NewTracing(ctx context.Context, lookup func(string) (string, bool)) (*Tracing, error) {
	if !tracingWanted(lookup) {
		return Disabled(), nil
	}
	for _, v := range []string{"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"} {
		if p, ok := lookup(v); ok && p != "" {
			if p != "http/protobuf" {
				return nil, fmt.Errorf("%s=%s: railyard exports traces over OTLP http/protobuf only", v, p)
			}
			break
		}
	}
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("OTLP trace exporter: %w", err)
	}
	res, err := resource.Merge(resource.Default(), resource.NewSchemaless(semconv.ServiceName("railyard")))
	if err != nil {
		return nil, fmt.Errorf("trace resource: %w", err)
	}
	// Environment (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES) wins over
	// the default service name.
	if env, err := resource.New(ctx, resource.WithFromEnv()); err == nil {
		if merged, err := resource.Merge(res, env); err == nil {
			res = merged
		}
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	return NewTracingWith(tp, tp.Shutdown), nil
}

// tracingWanted reads the switches of the OpenTelemetry environment.
func tracingWanted(lookup func(string) (string, bool)) bool {
	get := func(k string) string { v, _ := lookup(k); return strings.TrimSpace(v) }
	if strings.EqualFold(get("OTEL_SDK_DISABLED"), "true") {
		return false
	}
	switch strings.ToLower(get("OTEL_TRACES_EXPORTER")) {
	case "none":
		return false
	case "otlp":
		return true
	}
	return get("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
}

// NewTracingWith traces into tp (tests pass an SDK provider with an
// in-memory recorder). shutdown, when not nil, flushes and stops tp.
func NewTracingWith(tp trace.TracerProvider, shutdown func(context.Context) error) *Tracing {
	return &Tracing{
		tracer:   tp.Tracer(instrumentation),
		prop:     propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}),
		enabled:  true,
		shutdown: shutdown,
	}
}

// Disabled is tracing that starts no spans and only passes a client's
// trace context through.
func Disabled() *Tracing {
	return &Tracing{
		tracer: noop.NewTracerProvider().Tracer(instrumentation),
		prop:   propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}),
	}
}

// Enabled reports whether spans are recorded and exported.
func (t *Tracing) Enabled() bool { return t.enabled }

// Shutdown flushes spans still buffered and stops the exporter; serve calls
// it after the HTTP server drained.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if t.shutdown == nil {
		return nil
	}
	err := t.shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("flushing traces: %w", err)
	}
	return err
}
