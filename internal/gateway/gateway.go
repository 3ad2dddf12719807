// Package gateway is the request pipeline, and the only package that knows
// the order of its steps: read and validate the client's request in its
// dialect, resolve the route, try targets in the policy's order (failing
// over until the first byte reaches the client), translate or pass the
// reply through, and account for it.
package gateway

import (
	"errors"
	"log/slog"
	"net/http"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/railyard-ai/railyard/internal/catalog"
	"github.com/railyard-ai/railyard/internal/dialect"
	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/requestid"
	"github.com/railyard-ai/railyard/internal/route"
)

// Reply headers railyard sets on every client reply.
const (
	HeaderProvider = "X-Railyard-Provider"
	HeaderModel    = "X-Railyard-Model"
	HeaderRoute    = "X-Railyard-Route"
	HeaderCost     = "X-Railyard-Cost-Usd"
)

// DefaultMaxBodyBytes caps a client request body when Options leaves it 0.
const DefaultMaxBodyBytes = 32 << 20

// maxUpstreamBody caps a complete (non-streamed) upstream reply or error
// body that railyard reads into memory.
const maxUpstreamBody = 64 << 20

// Options configures a Gateway. Zero values mean the defaults.
type Options struct {
	// Logger receives one access line per request; nil discards.
	Logger *slog.Logger
	// MaxBodyBytes caps a client request body (413 beyond). Default 32 MiB.
	MaxBodyBytes int64
	// LogPrompts adds request bodies to debug logs. Default off.
	LogPrompts bool
	// Pricer prices each reply for x-railyard-cost-usd and the logs; nil
	// leaves replies unpriced.
	Pricer Pricer
	// Health is the targets' live state (latency, errors, breakers,
	// capacity use); nil starts an empty one. It outlives every table.
	Health *route.Health
	// Catalog gives the routing filters context windows and capabilities
	// and the cost policy prices; nil turns both off.
	Catalog *catalog.Catalog
	// AssumedOutputTokens sizes requests that set no output limit for the
	// cost policy. Default 1024.
	AssumedOutputTokens int
	// Observer sees each request and upstream attempt (metrics, traces);
	// nil observes nothing.
	Observer Observer
	// Governor enforces keys, limits and budgets and writes the ledger;
	// nil admits every request.
	Governor Governor
	// SpareStacksFrom is how many streams must be open before a stream
	// writes its first bytes on a goroutine of its own (writeFirst), to
	// keep its stack at 8 KiB; fewer write them directly. 0 means 64; a
	// negative value always uses the goroutine.
	SpareStacksFrom int
}

// defaultSpareStacksFrom: below it, the stacks at stake total at most
// 512 KiB, and the direct write saves a light-loaded gateway the handoff.
const defaultSpareStacksFrom = 64

// Pricer prices usage of an upstream model; ok is false when the model has
// no known price.
type Pricer interface {
	Cost(model string, u llm.Usage) (usd float64, ok bool)
}

// Gateway serves client dialects over a routing table that can be swapped
// atomically (config reload) while requests are in flight.
type Gateway struct {
	table   atomic.Pointer[route.Table]
	log     *slog.Logger
	maxBody int64
	prompts bool
	pricer  Pricer
	planner *route.Planner
	obs     Observer
	gov     Governor
	logPC   atomic.Uintptr // logAccess's call site, for its records

	streams         atomic.Int64 // streams being relayed now
	spareStacksFrom int64
}

// New returns a gateway over table.
func New(table *route.Table, opts Options) *Gateway {
	g := &Gateway{log: opts.Logger, maxBody: opts.MaxBodyBytes, prompts: opts.LogPrompts, pricer: opts.Pricer}
	g.obs = opts.Observer
	g.gov = opts.Governor
	if g.log == nil {
		g.log = slog.New(slog.DiscardHandler)
	}
	if g.maxBody <= 0 {
		g.maxBody = DefaultMaxBodyBytes
	}
	g.spareStacksFrom = int64(max(opts.SpareStacksFrom, 0)) // negative: always
	if opts.SpareStacksFrom == 0 {
		g.spareStacksFrom = defaultSpareStacksFrom
	}
	g.planner = newPlanner(opts)
	g.SetTable(table)
	return g
}

// SetTable replaces the routing table for requests that start afterwards;
// the targets' live state carries over.
func (g *Gateway) SetTable(t *route.Table) {
	g.planner.Health.SetBreaker(t.Resilience().Breaker)
	g.table.Store(t)
}

// Table returns the current routing table.
func (g *Gateway) Table() *route.Table { return g.table.Load() }

// Handler serves one client dialect's endpoint.
func (g *Gateway) Handler(in dialect.Dialect) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.serve(w, r, in)
	})
}

// exchange is one client request on its way through the pipeline.
type exchange struct {
	// idle is the upstream silence that fails an attempt.
	idle time.Duration

	w     http.ResponseWriter
	r     *http.Request
	in    dialect.Dialect
	id    string
	start time.Time
	body  []byte
	req   *llm.Request
	trace routeTrace

	// Filled by the attempt that answered.
	provider  string
	model     string // upstream model that answered
	usage     llm.Usage
	status    int
	firstByte time.Duration
	cost      string // formatted USD; "" when unpriced
	obs       observation
	errMsg    string         // what a failed request told the client
	capture   *captureWriter // the reply's first bytes, when prompts are logged
	adm       Admission      // set once the governor admitted the request

	// promptTokens is the routing estimate of the prompt; estimated marks
	// usage railyard estimated for a stream that ended without the
	// upstream's final usage (relay_estimate.go).
	promptTokens int
	estimated    bool
}

func (g *Gateway) serve(w http.ResponseWriter, r *http.Request, in dialect.Dialect) {
	x := &exchange{w: w, r: r, in: in, id: requestid.From(r.Context()), start: time.Now()}
	if x.id == "" {
		x.id = requestid.New()
		w.Header().Set(requestid.Header, x.id)
	}
	g.captureReply(x)
	defer g.logAccess(x)
	g.startObserving(x, OperationChat)
	defer g.endObserving(x)

	body, err := readBody(w, r, g.maxBody)
	if err != nil {
		g.fail(x, err)
		return
	}
	x.body = body
	req, err := dialect.DecodeClientRequest(in, r, body)
	if err != nil {
		g.fail(x, err)
		return
	}
	x.req = req
	if g.prompts {
		g.log.Debug("request body", "request_id", x.id, "body", string(body))
	}
	if !g.admit(x) {
		return
	}
	defer g.finish(x)
	g.route(x)
}

// statusClientClosed marks, in logs only, a request whose client went away.
const statusClientClosed = 499

// readBody reads the client's body under the size cap.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	body, err := readAll(http.MaxBytesReader(w, r.Body, limit), min(r.ContentLength, limit))
	if err == nil {
		return body, nil
	}
	var tooLarge *http.MaxBytesError // its address escapes: only for a failed read
	if errors.As(err, &tooLarge) {
		return nil, &llm.Error{Status: http.StatusRequestEntityTooLarge, Kind: llm.ErrTooLarge,
			Message: "request body exceeds the gateway's limit of " + byteSize(limit)}
	}
	return nil, llm.BadRequest("could not read the request body: %v", err)
}

// fail writes err to the client in its dialect.
func (g *Gateway) fail(x *exchange, err error) {
	e := llm.AsError(err)
	x.status, x.errMsg = e.Status, e.Message
	h := x.w.Header()
	g.setRouteHeaders(x, "", "")
	h.Set("Content-Type", "application/json")
	if e.RetryAfter > 0 {
		h.Set("Retry-After", retryAfterSeconds(e.RetryAfter))
	}
	x.w.WriteHeader(e.Status)
	_, _ = x.w.Write(x.in.EncodeError(e))
}

// price records the cost of the reply's usage, priced by the model that
// answered, or by the target's model name when the upstream's own name for
// it is unknown to the catalog.
func (g *Gateway) price(x *exchange, target string) {
	if g.pricer == nil || x.usage.IsZero() {
		return
	}
	usd, ok := g.pricer.Cost(x.model, x.usage)
	if !ok && target != x.model {
		usd, ok = g.pricer.Cost(target, x.usage)
	}
	if ok {
		x.cost = catalog.FormatUSD(usd)
	}
}

// setRouteHeaders sets the provider, model and route headers; empty
// provider or model leave those headers out (provider falls back to the
// one that failed last).
func (g *Gateway) setRouteHeaders(x *exchange, provider, model string) {
	kv := routeHeaders(x, provider, model)
	setHeaders(x.w.Header(), kv[:])
}

// setReplyHeaders sets a complete reply's headers: the route headers,
// x-railyard-cost-usd when priced, and the JSON body's type and length.
func setReplyHeaders(x *exchange, provider, model string, length int) {
	r := routeHeaders(x, provider, model)
	kv := [...]headerKV{r[0], r[1], r[2], {HeaderCost, x.cost},
		{"Content-Type", "application/json"}, {"Content-Length", strconv.Itoa(length)}}
	setHeaders(x.w.Header(), kv[:])
}

// headerKV is one reply header; an empty value leaves it out.
type headerKV struct{ k, v string }

func routeHeaders(x *exchange, provider, model string) [3]headerKV {
	if provider == "" {
		provider = x.provider
	}
	return [3]headerKV{{HeaderProvider, provider}, {HeaderModel, model}, {HeaderRoute, x.trace.String()}}
}

// setHeaders sets kv's non-empty values under their keys, which are
// already canonical, all backed by one array: Header.Set allocated one
// per header.
func setHeaders(h http.Header, kv []headerKV) {
	n := 0
	for _, e := range kv {
		if e.v != "" {
			n++
		}
	}
	vals := make([]string, n)
	i := 0
	for _, e := range kv {
		if e.v != "" {
			vals[i] = e.v
			h[e.k] = vals[i : i+1 : i+1]
			i++
		}
	}
}

// accessLogAttrs is the most fields an access line has.
const accessLogAttrs = 24

func (g *Gateway) logAccess(x *exchange) {
	// Room for every field on the stack: growing the slice cost three
	// allocations and ~3 KB per request.
	var buf [accessLogAttrs]slog.Attr
	attrs := append(buf[:0],
		slog.String("request_id", x.id),
		slog.String("dialect", x.in.Name()),
		slog.Int("status", x.status),
		slog.Duration("duration", time.Since(x.start)),
	)
	if x.req != nil {
		attrs = append(attrs, slog.String("model", x.req.Model), slog.Bool("stream", x.req.Stream))
	}
	if x.provider != "" {
		attrs = append(attrs, slog.String("provider", x.provider), slog.String("upstream_model", x.model))
	}
	if s := x.trace.String(); s != "" {
		attrs = append(attrs, slog.String("route", s))
	}
	if !x.usage.IsZero() {
		attrs = append(attrs,
			slog.Int("input_tokens", x.usage.InputTokens),
			slog.Int("output_tokens", x.usage.OutputTokens),
			slog.Int("cache_read_tokens", x.usage.CacheReadTokens),
			slog.Int("cache_write_tokens", x.usage.CacheWriteTokens),
			slog.Int("reasoning_tokens", x.usage.ReasoningTokens))
	}
	if x.cost != "" {
		attrs = append(attrs, slog.String("cost_usd", x.cost))
	}
	if x.estimated {
		attrs = append(attrs, slog.Bool("estimated", true))
	}
	if x.firstByte > 0 {
		attrs = append(attrs, slog.Duration("first_byte", x.firstByte))
	}
	attrs = x.obs.logAttrs(attrs)
	// Logger.LogAttrs, but with the call site's pc found once instead of
	// by runtime.Callers on every line (~4,000 instructions a request).
	ctx, h := x.r.Context(), g.log.Handler()
	if !h.Enabled(ctx, slog.LevelInfo) {
		return
	}
	r := slog.NewRecord(time.Now(), slog.LevelInfo, "request", g.accessLogPC())
	r.AddAttrs(attrs...)
	_ = h.Handle(ctx, r)
}

// accessLogPC is the pc LogAttrs would give logAccess's records (a
// handler with AddSource shows it as the line's source): logAccess's, at
// its call of accessLogPC.
func (g *Gateway) accessLogPC() uintptr {
	if pc := g.logPC.Load(); pc != 0 {
		return pc
	}
	var pcs [1]uintptr
	runtime.Callers(2, pcs[:])
	g.logPC.Store(pcs[0])
	return pcs[0]
}
