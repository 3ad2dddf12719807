// Package telemetry is what operators see of the gateway: Prometheus
// metrics, OpenTelemetry traces, and the observer that feeds both from the
// pipeline (gateway.Observer). It holds no global state: the registry and
// the tracer provider are built by the caller and passed in, so tests and
// several gateways in one process never share counters.
package telemetry

import (
	"net/http"
	"strconv"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/railyard-ai/railyard/internal/route"
)

// Namespace prefixes every railyard metric.
const Namespace = "railyard"

// Label values used when the real value is missing or would make the
// label unbounded.
const (
	labelOther = "other" // a model name that is not configured
	labelNone  = "none"  // no provider was tried
)

// Token kinds, the values of the kind label of railyard_tokens_total.
const (
	TokensInput      = "input"
	TokensOutput     = "output"
	TokensCacheRead  = "cache_read"
	TokensCacheWrite = "cache_write"
	TokensReasoning  = "reasoning"
)

// latencyBuckets span a cached reply (tens of ms) to a long generation
// (minutes), in seconds.
var latencyBuckets = []float64{.025, .05, .1, .25, .5, 1, 2.5, 5, 10, 20, 40, 80, 160, 320}

// overheadBuckets are for the gateway's own time: microseconds to a second.
var overheadBuckets = []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1}

// NewRegistry returns a registry with the Go runtime and process
// collectors. Other packages (routing health, budgets) register their own
// collectors on the same registry, so one /metrics shows everything.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// Handler serves g in the Prometheus text (or OpenMetrics) format.
func Handler(g prometheus.Gatherer) http.Handler {
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{})
}

// Metrics are the gateway's request metrics. Every label is bounded:
// dialect and status come from code, provider from config, model from the
// configured model names (anything else counts as "other"), and no label
// ever holds a key, a request id or a prompt.
type Metrics struct {
	requests         *prometheus.CounterVec
	tokens           *prometheus.CounterVec
	cost             *prometheus.CounterVec
	duration         *prometheus.HistogramVec
	ttft             *prometheus.HistogramVec
	overhead         *prometheus.HistogramVec
	upstreamDuration *prometheus.HistogramVec
	upstreamErrors   *prometheus.CounterVec
	inFlight         prometheus.Gauge
	streams          prometheus.Gauge

	models atomic.Pointer[modelSet]
	table  func() *route.Table // nil: the names given to SetModels

	h seriesHandles // the vectors' handles, cached (handles.go)
}

// modelSet is the names a model label may hold, and the routing table
// they were read from (nil when set by hand).
type modelSet struct {
	table *route.Table
	names map[string]struct{}
}

// NewMetrics registers the request metrics on reg. models are the names a
// model label may hold (SetModels replaces them on a config reload).
func NewMetrics(reg prometheus.Registerer, models []string) (*Metrics, error) {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: "requests_total",
			Help: "Client requests by dialect, requested model, the provider that answered (or failed last) and HTTP status (499: the client left)."},
			[]string{"dialect", "model", "provider", "status"}),
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: "tokens_total",
			Help: "Tokens reported by providers, by requested model, provider and kind (input, output, cache_read, cache_write, reasoning)."},
			[]string{"model", "provider", "kind"}),
		cost: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: "cost_usd_total",
			Help: "Cost of answered requests in US dollars, priced from the model catalog, by requested model and provider."},
			[]string{"model", "provider"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: Namespace, Name: "request_duration_seconds",
			Help: "Total time of client requests, from arrival to the last byte, by requested model, provider and whether streamed.", Buckets: latencyBuckets},
			[]string{"model", "provider", "stream"}),
		ttft: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: Namespace, Name: "time_to_first_token_seconds",
			Help: "Time from a streamed request's arrival to the first byte of its reply, by requested model and provider.", Buckets: latencyBuckets},
			[]string{"model", "provider"}),
		overhead: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: Namespace, Name: "gateway_overhead_seconds",
			Help: "The gateway's own time per request that reached a provider: total time minus time spent in upstream attempts, by path (passthrough or translated).", Buckets: overheadBuckets},
			[]string{"path"}),
		upstreamDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: Namespace, Name: "upstream_duration_seconds",
			Help: "Time of each upstream attempt, from sending to the last byte, by provider and result (ok or error).", Buckets: latencyBuckets},
			[]string{"provider", "result"}),
		upstreamErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: "upstream_errors_total",
			Help: "Failed upstream attempts by provider and kind (timeout, connect, rate_limited, overloaded, server_error, client_error, auth, bad_reply, broken_reply, encode, other)."},
			[]string{"provider", "kind"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: Namespace, Name: "requests_in_flight",
			Help: "Client requests being served now."}),
		streams: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: Namespace, Name: "streams_in_flight",
			Help: "Streamed upstream attempts open now."}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.tokens, m.cost, m.duration, m.ttft, m.overhead,
		m.upstreamDuration, m.upstreamErrors, m.inFlight, m.streams} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	m.initHandles()
	m.SetModels(models)
	return m, nil
}

// SetModels replaces the model names a model label may hold.
func (m *Metrics) SetModels(names []string) {
	m.models.Store(newModelSet(nil, names))
}

// FollowTable makes the model label follow the routing table current
// returns (the gateway's, which a config reload swaps): the names are
// re-read whenever the table changes. Call it before serving.
func (m *Metrics) FollowTable(current func() *route.Table) { m.table = current }

func newModelSet(t *route.Table, names []string) *modelSet {
	set := &modelSet{table: t, names: make(map[string]struct{}, len(names))}
	for _, n := range names {
		set.names[n] = struct{}{}
	}
	return set
}

// modelLabel bounds a client-supplied model name to the configured ones.
func (m *Metrics) modelLabel(name string) string {
	set := m.models.Load()
	if m.table != nil {
		if t := m.table(); t != nil && t != set.table {
			set = newModelSet(t, t.ModelNames())
			m.models.Store(set)
		}
	}
	if _, ok := set.names[name]; ok {
		return name
	}
	return labelOther
}

func providerLabel(name string) string {
	if name == "" {
		return labelNone
	}
	return name
}

// statusKey is the status statusLabel renders, collapsed the same way,
// as a series key's integer label.
func statusKey(s int) int {
	if s < 100 || s > 599 {
		return 0
	}
	return s
}

// statusLabel renders an HTTP status; anything outside 100-599 (never
// expected) collapses so the label stays bounded.
func statusLabel(s int) string {
	if s < 100 || s > 599 {
		return "0"
	}
	return strconv.Itoa(s)
}
