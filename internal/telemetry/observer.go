package telemetry

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/railyard-ai/railyard/internal/gateway"
	"github.com/railyard-ai/railyard/internal/llm"
)

// Attribute keys railyard adds beside the GenAI semantic conventions.
// gen_ai.system is the older name of gen_ai.provider.name, still read by
// many tracing backends.
const (
	keyGenAISystem  = attribute.Key("gen_ai.system")
	keyProvider     = attribute.Key("railyard.provider")
	keyDialect      = attribute.Key("railyard.dialect")
	keyRoute        = attribute.Key("railyard.route")
	keyAttempts     = attribute.Key("railyard.attempts")
	keyCost         = attribute.Key("railyard.cost_usd")
	keyOutcome      = attribute.Key("railyard.outcome")
	keyPassthrough  = attribute.Key("railyard.passthrough")
	keyStream       = attribute.Key("gen_ai.request.stream")
	keyReasoningTok = attribute.Key("gen_ai.usage.reasoning.output_tokens")
)

// Observer feeds metrics and traces from the gateway's pipeline. Either
// part may be nil.
type Observer struct {
	metrics *Metrics
	tracing *Tracing
}

var _ gateway.Observer = (*Observer)(nil)

// NewObserver observes into m and t; nil m records no metrics, nil t is
// Disabled tracing.
func NewObserver(m *Metrics, t *Tracing) *Observer {
	if t == nil {
		t = Disabled()
	}
	return &Observer{metrics: m, tracing: t}
}

// request is one client request under observation.
type request struct {
	o    *Observer
	ctx  context.Context // carries the request span, or the client's remote span when not tracing
	span trace.Span      // nil when not tracing
	op   string          // gen_ai.operation.name

	// first is the first attempt, inline: most requests make one, which
	// then costs no allocation of its own. StartAttempt is never called
	// concurrently (gateway.RequestObserver).
	first     attempt
	firstUsed bool
}

// StartRequest implements gateway.Observer.
func (o *Observer) StartRequest(r *http.Request, s gateway.RequestStart) gateway.RequestObserver {
	if o.metrics != nil {
		o.metrics.inFlight.Inc()
	}
	q := &request{o: o, ctx: r.Context(), op: operation(s.Operation)}
	t := o.tracing
	if t.enabled || hasTraceparent(r.Header) {
		q.ctx = t.prop.Extract(q.ctx, propagation.HeaderCarrier(r.Header))
	}
	if t.enabled {
		q.ctx, q.span = t.tracer.Start(q.ctx, q.op, trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(
				semconv.GenAIOperationNameKey.String(q.op),
				keyDialect.String(s.Dialect),
				semconv.HTTPRequestMethodKey.String(r.Method),
				semconv.URLPath(r.URL.Path),
			))
	}
	return q
}

// hasTraceparent is h.Get("traceparent") != "" without Get's
// canonicalization of the key, a copy per request.
func hasTraceparent(h http.Header) bool {
	v := h["Traceparent"]
	return len(v) > 0 && v[0] != ""
}

// TraceID names the request's trace for the access log: railyard's span's,
// or when not tracing the client's own trace; "" when there is neither.
func (q *request) TraceID() string {
	if sc := trace.SpanContextFromContext(q.ctx); sc.HasTraceID() {
		return sc.TraceID().String()
	}
	return ""
}

// StartAttempt implements gateway.RequestObserver.
func (q *request) StartAttempt(a gateway.Attempt) gateway.AttemptObserver {
	at := &q.first
	if q.firstUsed {
		at = new(attempt)
	}
	q.firstUsed = true
	*at = attempt{q: q, a: a, ctx: q.ctx}
	if a.Stream && q.o.metrics != nil {
		q.o.metrics.streams.Inc()
	}
	if q.span == nil {
		return at
	}
	attrs := []attribute.KeyValue{
		semconv.GenAIOperationNameKey.String(q.op),
		semconv.GenAIProviderNameKey.String(genAIProvider(a.Kind)),
		keyGenAISystem.String(genAIProvider(a.Kind)),
		semconv.GenAIRequestModel(a.Model),
		keyProvider.String(a.Provider),
		keyPassthrough.Bool(a.Passthrough),
	}
	if u, err := url.Parse(a.BaseURL); err == nil && u.Hostname() != "" {
		attrs = append(attrs, semconv.ServerAddress(u.Hostname()))
		if p, err := strconv.Atoi(u.Port()); err == nil {
			attrs = append(attrs, semconv.ServerPort(p))
		}
	}
	at.ctx, at.span = q.o.tracing.tracer.Start(q.ctx, q.op+" "+a.Model,
		trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	return at
}

// End implements gateway.RequestObserver.
func (q *request) End(s gateway.Summary) {
	model := ""
	if s.Request != nil {
		model = s.Request.Model
	}
	if m := q.o.metrics; m != nil {
		m.inFlight.Dec()
		m.record(s, m.modelLabel(model))
	}
	if q.span == nil {
		return
	}
	sp := q.span
	if model != "" {
		sp.SetName(q.op + " " + model)
	}
	attrs := []attribute.KeyValue{semconv.HTTPResponseStatusCode(s.Status)}
	if r := s.Request; r != nil {
		attrs = append(attrs, semconv.GenAIRequestModel(r.Model), keyStream.Bool(r.Stream))
		attrs = appendRequestParams(attrs, r)
	}
	if s.Provider != "" {
		attrs = append(attrs, keyProvider.String(s.Provider))
	}
	if s.UpstreamModel != "" {
		attrs = append(attrs, semconv.GenAIResponseModel(s.UpstreamModel))
	}
	if s.Route != "" {
		attrs = append(attrs, keyRoute.String(s.Route), keyAttempts.Int(s.Attempts))
	}
	attrs = appendUsage(attrs, s.Usage, s.StopReason)
	if s.Priced {
		attrs = append(attrs, keyCost.Float64(s.CostUSD))
	}
	sp.SetAttributes(attrs...)
	// A server span is an error only for the gateway's own failures (5xx);
	// 4xx are the client's, and 499 is the client leaving.
	if s.Status >= 500 {
		sp.SetAttributes(semconv.ErrorTypeKey.String(strconv.Itoa(s.Status)))
		sp.SetStatus(codes.Error, http.StatusText(s.Status))
	}
	sp.End()
}

// attempt is one upstream attempt under observation.
type attempt struct {
	q    *request
	a    gateway.Attempt
	ctx  context.Context
	span trace.Span // nil when not tracing
}

// Inject implements gateway.AttemptObserver: the upstream request carries
// the attempt's span as its parent, or the client's trace context as it
// came when railyard is not tracing.
func (at *attempt) Inject(h http.Header) {
	if at.span == nil && !trace.SpanContextFromContext(at.ctx).IsValid() {
		return
	}
	at.q.o.tracing.prop.Inject(at.ctx, propagation.HeaderCarrier(h))
}

// End implements gateway.AttemptObserver.
func (at *attempt) End(r gateway.AttemptResult) {
	kind := ""
	if r.Err != nil && !r.ClientGone {
		kind = errorKind(r)
	}
	if m := at.q.o.metrics; m != nil {
		if at.a.Stream {
			m.streams.Dec()
		}
		result := "ok"
		if kind != "" {
			result = "error"
			m.h.upstreamErrors.get(seriesKey{a: at.a.Provider, b: kind}).Inc()
		}
		if !r.ClientGone {
			m.h.upstreamDuration.get(seriesKey{a: at.a.Provider, b: result}).Observe(r.Duration.Seconds())
		}
	}
	if at.span == nil {
		return
	}
	sp := at.span
	attrs := []attribute.KeyValue{keyOutcome.String(r.Outcome)}
	if r.UpstreamStatus != 0 {
		attrs = append(attrs, semconv.HTTPResponseStatusCode(r.UpstreamStatus))
	} else if r.Err == nil {
		attrs = append(attrs, semconv.HTTPResponseStatusCode(http.StatusOK))
	}
	if r.Answered {
		if r.Model != "" {
			attrs = append(attrs, semconv.GenAIResponseModel(r.Model))
		}
		attrs = appendUsage(attrs, r.Usage, r.StopReason)
	}
	sp.SetAttributes(attrs...)
	if kind != "" {
		sp.SetAttributes(semconv.ErrorTypeKey.String(kind))
		msg := r.Outcome
		if r.Err != nil && r.Err.Message != "" {
			msg = r.Err.Message
		}
		sp.SetStatus(codes.Error, msg)
	}
	sp.End()
}

// appendRequestParams adds the GenAI request attributes the client set.
func appendRequestParams(attrs []attribute.KeyValue, r *llm.Request) []attribute.KeyValue {
	if r.MaxTokens > 0 {
		attrs = append(attrs, semconv.GenAIRequestMaxTokens(r.MaxTokens))
	}
	if r.Temperature != nil {
		attrs = append(attrs, semconv.GenAIRequestTemperature(*r.Temperature))
	}
	if r.TopP != nil {
		attrs = append(attrs, semconv.GenAIRequestTopP(*r.TopP))
	}
	return attrs
}

// appendUsage adds token counts and the finish reason.
func appendUsage(attrs []attribute.KeyValue, u llm.Usage, stop llm.StopReason) []attribute.KeyValue {
	if !u.IsZero() {
		attrs = append(attrs,
			semconv.GenAIUsageInputTokens(u.InputTokens),
			semconv.GenAIUsageOutputTokens(u.OutputTokens))
		if u.CacheReadTokens > 0 {
			attrs = append(attrs, semconv.GenAIUsageCacheReadInputTokens(u.CacheReadTokens))
		}
		if u.CacheWriteTokens > 0 {
			attrs = append(attrs, semconv.GenAIUsageCacheCreationInputTokens(u.CacheWriteTokens))
		}
		if u.ReasoningTokens > 0 {
			attrs = append(attrs, keyReasoningTok.Int(u.ReasoningTokens))
		}
	}
	if stop != "" {
		attrs = append(attrs, semconv.GenAIResponseFinishReasons(string(stop)))
	}
	return attrs
}

// operation defaults an unnamed operation to chat.
func operation(op string) string {
	if op == "" {
		return gateway.OperationChat
	}
	return op
}

// genAIProvider maps a provider type to gen_ai.provider.name's well-known
// values; self-hosted OpenAI-compatible servers keep their type.
func genAIProvider(kind string) string {
	switch kind {
	case "openai", "anthropic":
		return kind
	case "bedrock":
		return "aws.bedrock"
	case "gemini":
		return "gcp.gemini"
	case "azure-openai":
		return "azure.ai.openai"
	case "mistral":
		return "mistral_ai"
	case "xai":
		return "x_ai"
	}
	return kind
}

// record adds a finished request to the metrics.
func (m *Metrics) record(s gateway.Summary, model string) {
	provider := providerLabel(s.Provider)
	m.h.requests.get(seriesKey{a: s.Dialect, b: model, c: provider, n: statusKey(s.Status)}).Inc()
	stream := s.Request != nil && s.Request.Stream
	m.h.duration.get(seriesKey{a: model, b: provider, n: boolN(stream)}).Observe(s.Duration.Seconds())
	if stream && s.FirstByte > 0 {
		m.h.ttft.get(seriesKey{a: model, b: provider}).Observe(s.FirstByte.Seconds())
	}
	if s.Attempts > 0 {
		path := "translated"
		if s.Passthrough {
			path = "passthrough"
		}
		m.h.overhead.get(seriesKey{a: path}).Observe(max(s.Duration-s.Upstream, 0).Seconds())
	}
	u := s.Usage
	for _, t := range [...]struct {
		kind string
		n    int
	}{
		{TokensInput, u.InputTokens}, {TokensOutput, u.OutputTokens}, {TokensCacheRead, u.CacheReadTokens},
		{TokensCacheWrite, u.CacheWriteTokens}, {TokensReasoning, u.ReasoningTokens},
	} {
		if t.n > 0 {
			m.h.tokens.get(seriesKey{a: model, b: provider, c: t.kind}).Add(float64(t.n))
		}
	}
	if s.Priced && s.CostUSD > 0 {
		m.h.cost.get(seriesKey{a: model, b: provider}).Add(s.CostUSD)
	}
}

// errorKind sorts a failed attempt into the bounded kind label.
func errorKind(r gateway.AttemptResult) string {
	switch s := r.UpstreamStatus; {
	case s == http.StatusUnauthorized || s == http.StatusForbidden:
		return "auth"
	case s == http.StatusTooManyRequests:
		return "rate_limited"
	case s == http.StatusServiceUnavailable || s == 529:
		return "overloaded"
	case s == http.StatusGatewayTimeout || s == http.StatusRequestTimeout:
		return "timeout"
	case s >= 500:
		return "server_error"
	case s >= 400:
		return "client_error"
	}
	switch r.Outcome {
	case "timeout":
		return "timeout"
	case "connect error":
		return "connect"
	case "bad reply", "bad stream", "stream 0":
		return "bad_reply"
	case "broken reply":
		return "broken_reply"
	case "encode error":
		return "encode"
	}
	return "other"
}
