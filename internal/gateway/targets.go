package gateway

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/railyard-ai/railyard/internal/catalog"
	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/route"
)

// HeaderTags carries the client's routing tags, comma-separated, for the
// model's rules (tags such as pii or eu that keep data on some providers).
const HeaderTags = "X-Railyard-Tags"

// HeaderMetadata carries key=value pairs, comma-separated, that the
// model's rules see as metadata (metadata["team"] == "research").
const HeaderMetadata = "X-Railyard-Metadata"

// route plans the request and tries its targets: each admitted by its
// breaker and capacity, failing over until one answers or bytes reached
// the client, then more rounds after a backoff when the model allows
// retries. Every skip and attempt goes into x-railyard-route.
//
// Its frame is under every attempt, and so under a stream's deepest
// point before its first wait, which must stay under 8 KiB
// (TestStreamStackBeforeFirstWait): the planning before the loop and the
// failure after it are their own functions, kept out of line, which took
// this frame from 1024 to 864 bytes.
func (g *Gateway) route(x *exchange) {
	tbl := g.table.Load()
	plan := g.plan(tbl, x)
	if plan == nil {
		return
	}
	res := tbl.Resilience()
	x.idle = res.StreamIdleTimeout
	var last *attemptError
	var retryAfter time.Duration
	window := 0 // after a context-length error: the window that was too small
	for round := 0; round <= plan.Route.Retries; round++ {
		if round > 0 {
			wait := backoff(res, round, retryAfter)
			if wait < 0 {
				break // the upstream asks for longer than we may wait
			}
			x.trace.add("retry", "after "+wait.Round(time.Millisecond).String())
			if !sleepCtx(x.r.Context(), wait) {
				x.status = statusClientClosed
				return
			}
		}
		retryAfter = 0
		var hedgedAlt map[string]bool // allocated by the first hedge
		for i, t := range plan.Targets {
			if hedgedAlt != nil && hedgedAlt[t.Provider.Name+"/"+t.Model] {
				continue
			}
			if x.r.Context().Err() != nil {
				x.status = statusClientClosed
				return
			}
			if x.req.NativeOnly != "" && t.Provider.Dialect.Name() != x.in.Name() {
				if round == 0 {
					x.trace.add(t.Provider.Name, "skipped: needs "+x.in.Name())
				}
				continue
			}
			if window > 0 {
				if w := g.planner.ContextWindow(t); w != 0 && w <= window {
					x.trace.add(t.Provider.Name, fmt.Sprintf("skipped: context window %d", w))
					continue
				}
			}
			lease, why := g.planner.Health.Acquire(t, plan.InputTokens+plan.MaxOutput)
			if lease == nil {
				x.trace.add(t.Provider.Name, "skipped: "+why)
				continue
			}
			var ae *attemptError
			traced := false
			if alt, delay := g.hedgeFor(x, plan, i); delay > 0 {
				var altTried bool
				ae, altTried = g.hedged(x, t, lease, alt, delay)
				if altTried {
					if hedgedAlt == nil {
						hedgedAlt = map[string]bool{}
					}
					hedgedAlt[alt.Provider.Name+"/"+alt.Model] = true
				}
				traced = ae != nil && !ae.clientGone
			} else {
				ae = g.attemptLeased(x, t, lease)
			}
			if ae == nil {
				return
			}
			if !traced {
				x.trace.add(t.Provider.Name, ae.outcome)
			}
			last = ae
			if ae.err != nil && ae.err.RetryAfter > retryAfter {
				retryAfter = ae.err.RetryAfter
			}
			if ae.committed || ae.clientGone {
				break
			}
			if ae.err != nil && ae.err.Kind == llm.ErrContextLength {
				// Only a larger window can help; try those that remain.
				window = max(window, g.planner.ContextWindow(t), 1)
				continue
			}
			if !ae.retry {
				break
			}
		}
		if last != nil && (last.committed || last.clientGone || !last.retry) {
			break
		}
	}
	g.routeFailed(x, last)
}

// plan plans x's request on tbl and traces the plan; on an error it
// answers the client and returns nil.
//
//go:noinline
func (g *Gateway) plan(tbl *route.Table, x *exchange) *route.Plan {
	plan, err := g.planner.Plan(tbl, route.Request{LLM: x.req, Tags: tagsOf(x.r), Metadata: metadataOf(x.r, x.req)})
	if plan != nil {
		x.promptTokens = plan.InputTokens
		x.trace.policy = plan.Policy.Name()
		for _, r := range plan.Rules {
			x.trace.add("rule", r)
		}
		for _, s := range plan.Skipped {
			x.trace.add(s.Target.Provider.Name, "skipped: "+s.Why)
		}
	}
	if err != nil {
		g.fail(x, err)
		return nil
	}
	return plan
}

// routeFailed ends a request whose every target failed or was skipped,
// last being the final attempt's outcome (nil when none was tried).
//
//go:noinline
func (g *Gateway) routeFailed(x *exchange, last *attemptError) {
	req := x.req
	switch {
	case last == nil && req.NativeOnly != "":
		g.fail(x, llm.BadRequest("%s can only be served by a provider that speaks the %s dialect, and model %q has none",
			req.NativeOnly, x.in.Name(), req.Model))
	case last == nil:
		g.fail(x, &llm.Error{Status: http.StatusServiceUnavailable, Kind: llm.ErrUnavailable, RetryAfter: time.Second,
			Message: "no target of model " + req.Model + " is available now (circuit breakers open or capacity full)"})
	case last.clientGone:
		x.status = statusClientClosed
	case last.committed:
		// The error already went out inside the stream.
	default:
		x.provider = last.provider
		g.fail(x, finalError(last))
	}
}

// hedgeFor returns the target to hedge plan.Targets[i] with and when, or
// a zero delay: only the latency policy hedges, only complete replies, only
// in the first round and once the target's latency is known.
func (g *Gateway) hedgeFor(x *exchange, plan *route.Plan, i int) (route.Target, time.Duration) {
	if plan.Policy.Name() != "latency" || x.req.Stream || x.req.NativeOnly != "" || i+1 >= len(plan.Targets) {
		return route.Target{}, 0
	}
	return plan.Targets[i+1], g.hedgeDelay(plan.Targets[i], plan.Targets[i+1])
}

// attemptLeased runs one attempt under lease and reports its outcome to
// the target's live state: latency from this attempt's send, failure as a
// target's fault (server errors, timeouts, broken replies, rate limits),
// never the client's.
func (g *Gateway) attemptLeased(x *exchange, t route.Target, lease *route.Lease) *attemptError {
	start := time.Now()
	ae := g.attempt(x, t)
	o := route.Outcome{Total: time.Since(start)}
	switch {
	case ae == nil:
		if x.firstByte > 0 {
			o.FirstByte = x.firstByte - start.Sub(x.start)
		}
		if o.FirstByte <= 0 {
			o.FirstByte = o.Total
		}
		o.OutputTokens = x.usage.OutputTokens
		o.Tokens = x.usage.InputTokens + x.usage.CacheReadTokens + x.usage.CacheWriteTokens + x.usage.OutputTokens
	case ae.clientGone:
	default:
		o.Failed = ae.retry
	}
	lease.Done(o)
	return ae
}

// backoff is the wait before retry round n (1-based): the upstream's
// Retry-After when it gave one, else full-jitter exponential backoff from
// RetryBackoff, both capped by RetryBackoffMax. It is negative when the
// upstream asks for more than the cap: then the client gets the error and
// the Retry-After instead of a long wait here.
func backoff(r route.Resilience, n int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		if retryAfter > r.RetryBackoffMax {
			return -1
		}
		return retryAfter
	}
	d := r.RetryBackoff << (n - 1)
	if d <= 0 || d > r.RetryBackoffMax {
		d = r.RetryBackoffMax
	}
	return d/2 + rand.N(d/2+1)
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// tagsOf reads x-railyard-tags: comma-separated, trimmed, empty dropped.
func tagsOf(r *http.Request) []string {
	var tags []string
	for _, v := range r.Header.Values(HeaderTags) {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				tags = append(tags, s)
			}
		}
	}
	return tags
}

// metadataOf reads x-railyard-metadata (key=value, comma-separated, keys
// and values trimmed) and adds the request's end-user id as "user" unless
// the header set one.
func metadataOf(r *http.Request, req *llm.Request) map[string]string {
	var md map[string]string
	for _, v := range r.Header.Values(HeaderMetadata) {
		for _, kv := range strings.Split(v, ",") {
			k, val, ok := strings.Cut(kv, "=")
			if k = strings.TrimSpace(k); !ok || k == "" {
				continue
			}
			if md == nil {
				md = map[string]string{}
			}
			md[k] = strings.TrimSpace(val)
		}
	}
	if req.User != "" {
		if md == nil {
			md = map[string]string{}
		}
		if _, set := md["user"]; !set {
			md["user"] = req.User
		}
	}
	return md
}

// errIdle is a stream that went quiet for longer than the idle timeout.
var errIdle = fmt.Errorf("upstream sent nothing for too long: %w", context.DeadlineExceeded)

// idleBody cancels its attempt when no bytes arrive for the idle timeout,
// between stream events or before the first one.
type idleBody struct {
	io.ReadCloser
	timer *time.Timer
	idle  time.Duration
	fired atomic.Bool
}

func watchIdle(body io.ReadCloser, idle time.Duration, cancel context.CancelFunc) *idleBody {
	b := &idleBody{ReadCloser: body, idle: idle}
	b.timer = time.AfterFunc(idle, func() {
		b.fired.Store(true)
		cancel()
	})
	return b
}

func (b *idleBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 && !b.fired.Load() {
		b.timer.Reset(b.idle)
	}
	if err != nil && !errors.Is(err, io.EOF) && b.fired.Load() {
		return n, errIdle
	}
	return n, err
}

func (b *idleBody) Close() error {
	b.timer.Stop()
	return b.ReadCloser.Close()
}

// newPlanner builds the routing planner from the gateway's options.
func newPlanner(opts Options) *route.Planner {
	h := opts.Health
	if h == nil {
		h = route.NewHealth(route.HealthOptions{})
	}
	p := &route.Planner{Health: h, Catalog: opts.Catalog, AssumedOutput: opts.AssumedOutputTokens}
	go p.Estimator.Warm()
	return p
}

// SetRouting gives the routing filters and the cost policy a catalog, and
// the size to assume for requests without an output limit. Call it before
// the gateway serves.
func (g *Gateway) SetRouting(cat *catalog.Catalog, assumedOutput int) {
	g.planner.Catalog = cat
	if assumedOutput > 0 {
		g.planner.AssumedOutput = assumedOutput
	}
}
