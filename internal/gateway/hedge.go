package gateway

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/requestid"
	"github.com/railyard-ai/railyard/internal/route"
)

// Hedging (latency policy, complete replies only): when the chosen target
// has not answered within its estimated p95 time to first byte (or the
// next target's, if that is sooner; past its p99 when an early hedge
// would not pay, see hedgeDelay), the next target gets the same request
// too, within the chosen target's hedge budget (route.Health.TakeHedge);
// the first good reply is relayed and the other attempt is cancelled.
// A chosen target that lost is recorded as slow, with the time it was
// given as a lower bound of its latency. A spike on one target then costs its usual latency
// plus the other's, instead of the spike. Streams are not hedged: their
// first byte would already be on its way to the client.

// sent is one upstream call up to its response headers; send fills in
// resp or ae, the caller owns cancel.
type sent struct {
	t      route.Target
	lease  *route.Lease
	start  time.Time
	resp   *http.Response
	cancel context.CancelFunc
	ae     *attemptError
	att    AttemptObserver // nil when not observed (hedge_observe.go)
	hdr    http.Header     // the observer's upstream headers
}

// send encodes and sends the request to s.t and waits for its headers; a
// non-200 reply becomes s.ae. The caller set s.start before launching it,
// so that it may read it while send runs.
func (g *Gateway) send(ctx context.Context, x *exchange, s *sent) {
	p := s.t.Provider
	fast := p.Dialect.Name() == x.in.Name()
	req := withModel(x.req, s.t.Model)
	body, err := g.upstreamBody(x, p, req, fast)
	if err != nil {
		s.ae = &attemptError{provider: p.Name, outcome: "encode error", err: llm.AsError(err), retry: true}
		return
	}
	extra := http.Header{requestid.Header: {x.id}}
	for k, v := range s.hdr {
		extra[k] = v
	}
	resp, err := p.Send(ctx, p.Dialect.Path(req), body, extra)
	switch {
	case err != nil:
		s.ae = transportError(x.r.Context(), p.Name, err)
	case resp.StatusCode != http.StatusOK:
		s.ae = upstreamError(p, resp)
		resp.Body.Close()
	default:
		s.resp = resp
	}
}

// hedgeDelay is how long to wait on t before asking alt too, or 0 for
// no hedge: none before t has 10 samples, else t's estimated 95th
// percentile time to first byte, capped by alt's once alt has 10 samples.
//
// The cap: a request still waiting past the time alt almost always
// answers in is in t's tail, whatever t's p95 estimate says: for a target
// that spikes on about 5% of requests the estimate wanders anywhere
// between its usual latency and the spike, and hedging that late costs
// the request the spike plus alt's latency. With the cap the hedged
// request costs at most about twice alt's p95, and still only about 5% of
// requests are hedged when the targets are alike (fewer when t is faster).
//
// That early hedge, a second upstream call on about 5% of requests (the
// alternative's capacity, on a paid API its price, and a connection torn
// down when the loser is cancelled), is only sent when it pays:
//   - it can win: alt answers no sooner than the delay plus its usual
//     (median) time to first byte, so when t's p99 comes before that, t
//     nearly always answers first;
//   - it moves the request to a better tail: when alt's tail (Stats.Tail:
//     p99, errors and lost hedges counted) is no better than t's, t was
//     chosen as the better target and its slow replies are jitter that alt
//     has as much of (a loaded network, a busy gateway host), or worse.
//
// Otherwise t is hedged past its own p99: about 1% of requests, enough
// to cover a sudden stall or outage that no estimate has seen yet. So the
// target with the best tail, the one the latency policy mostly chooses,
// is rarely hedged, and one with a real tail of its own (spikes, a slow
// replica, a stalled queue) is hedged early to the best one; its p99
// estimate keeps it so, since the attempts it loses are recorded with the
// time they had taken when alt answered. (alt is the best-scored target
// after t, so the early hedge is for a t the policy chose over a better
// tail: by the draw among competitive targets, for fewer requests in
// flight, or to learn a new target.) For the latency policy's p99 it is
// the choice of target that counts: a hedge after t's p95 comes back after
// that plus alt's own latency, too late for the p99 when the targets are
// alike, and a target slow on more than 1% of requests has it in its p99
// estimate and loses traffic.
func (g *Gateway) hedgeDelay(t, alt route.Target) time.Duration {
	st := g.planner.Health.Stats(t)
	if st.Samples < 10 || st.FirstByteP95 <= 0 {
		return 0
	}
	delay := st.FirstByteP95
	if as := g.planner.Health.Stats(alt); as.Samples >= 10 && as.FirstByteP95 > 0 {
		delay = min(delay, as.FirstByteP95)
		if st.FirstByteP99 < delay+as.FirstByteP50 || as.Tail() >= st.Tail() {
			delay = max(st.FirstByteP99, st.FirstByteP95)
		}
	}
	return max(delay, time.Millisecond)
}

// hedged runs t (admitted by lease) and, past t's usual latency, alt as
// well, relaying the first good reply. altTried reports whether alt was
// tried, so the loop does not try it again.
//
// t is sent on the request's own goroutine; the hedge is sent from the
// timer's goroutine, started only when the delay passes (for about 5% of
// the requests that may be hedged at a p95, 1% at a p99), so that the
// rest cost no goroutine and no channel. A hedge that answers while t is still waiting
// cancels t, whose send then returns.
func (g *Gateway) hedged(x *exchange, t route.Target, lease *route.Lease, alt route.Target, delay time.Duration) (ae *attemptError, altTried bool) {
	ctx := x.r.Context()
	c, cancel := context.WithTimeout(ctx, t.Provider.Timeout)
	first := &sent{t: t, lease: lease, cancel: cancel, start: time.Now()}
	g.observeSend(x, first, false)
	h := &hedgeLaunch{}
	timer := time.AfterFunc(delay, func() { g.launchHedge(x, h, first, alt) })
	g.send(c, x, first)
	timer.Stop()
	h.mu.Lock()
	h.moved = true
	hedge, won := h.hedge, h.won
	altTried = h.tried
	h.mu.Unlock()
	if h.skipped != "" {
		x.trace.add(alt.Provider.Name, "skipped: "+h.skipped)
	}

	launched := []*sent{first}
	var failed []*sent
	var win *sent
	pending := false // the hedge's send is still on its way
	if hedge != nil {
		launched = append(launched, hedge)
		pending = true
	}
	switch {
	case won: // the hedge answered first and cancelled t
		win, pending = <-h.results, false
	case first.ae == nil:
		win = first
		if hedge != nil {
			select {
			case s := <-h.results:
				pending = false
				if s.ae != nil {
					failed = append(failed, s)
				} else {
					settle(s, route.Outcome{}) // answered after t: a loser
				}
			default:
			}
		}
	case first.ae.clientGone:
		settle(first, route.Outcome{})
	default:
		failed = append(failed, first)
		if hedge == nil {
			// The first target failed before the hedge: the loop fails
			// over (or not) as for any attempt.
			break
		}
		select {
		case s := <-h.results:
			pending = false
			if s.ae == nil {
				win = s
			} else {
				failed = append(failed, s)
			}
		case <-ctx.Done():
		}
	}
	// Losers: cancel, release, and record as neither success nor failure.
	// The chosen target, when it lost to the hedge, was in its tail: the
	// time it was given is a lower bound of its time to first byte and is
	// recorded as a sample, or the spikes that hedging hides would never
	// reach its latency estimates (a quantile estimate needs only to know
	// that the sample was above it). A hedge cancelled because the chosen
	// target answered first says nothing about the hedge's latency.
	lost := false // a loser was still waiting when the winner answered
	for _, s := range launched {
		if s == win {
			continue
		}
		s.cancel()
		if slices.Contains(failed, s) { // failed ones end below
			continue
		}
		lost = true
		x.endSend(s, nil, loserOutcome(s, win, t))
		if s == first && win != nil {
			d := time.Since(s.start)
			settle(s, route.Outcome{FirstByte: d, Total: d, Slow: true})
		}
	}
	if pending {
		go func() { settle(<-h.results, route.Outcome{}) }()
	}
	for _, s := range failed {
		x.endSend(s, s.ae, "")
		x.trace.add(s.t.Provider.Name, s.ae.outcome)
		o := route.Outcome{Failed: s.ae.retry}
		s.lease.Done(o)
	}
	if win == nil {
		if len(failed) == 0 {
			return &attemptError{provider: t.Provider.Name, outcome: "client gone", clientGone: true,
				err: &llm.Error{Status: statusClientClosed, Kind: llm.ErrAPI, Message: "client disconnected"}}, altTried
		}
		return failed[len(failed)-1].ae, altTried
	}
	if lost {
		if win == first {
			x.trace.add(alt.Provider.Name, "hedge cancelled")
		} else {
			x.trace.add(t.Provider.Name, "slow, hedged")
		}
	}
	defer win.cancel()
	if x.idle > 0 {
		win.resp.Body = watchIdle(win.resp.Body, x.idle, win.cancel)
	}
	defer win.resp.Body.Close()
	fast := win.t.Provider.Dialect.Name() == x.in.Name()
	ae = g.relayResponse(x, win.t, fast, win.resp)
	x.endSend(win, ae, "")
	o := route.Outcome{Total: time.Since(win.start)}
	if ae == nil {
		o.FirstByte = o.Total
		o.OutputTokens = x.usage.OutputTokens
		o.Tokens = x.usage.InputTokens + x.usage.OutputTokens
	} else {
		o.Failed = ae.retry && !ae.clientGone
	}
	win.lease.Done(o)
	return ae, altTried
}

// hedgeLaunch is the hedge's side of a hedged request. mu orders the
// timer's goroutine, which sends the hedge, and the request's goroutine,
// which takes mu once t's send returned (moved): so the hedge's attempt
// observer is started while the request goroutine waits, never
// concurrently with its own observer calls, and what the hedge did is
// seen by the request goroutine; a timer firing after that sends nothing.
type hedgeLaunch struct {
	mu      sync.Mutex
	moved   bool       // the request goroutine is past t's send
	tried   bool       // alt was tried: sent, or skipped
	skipped string     // why alt was skipped
	hedge   *sent      // the hedge, once sent
	won     bool       // the hedge answered while t was still waiting
	results chan *sent // the hedge, once its send is over
}

// launchHedge sends alt as a hedge of first, unless the request goroutine
// moved on or first's target is over its hedge budget, and, when alt
// answers before first, cancels first.
func (g *Gateway) launchHedge(x *exchange, h *hedgeLaunch, first *sent, alt route.Target) {
	h.mu.Lock()
	if h.moved || !g.planner.Health.TakeHedge(first.t) {
		h.mu.Unlock() // over t's hedge budget: t alone it is
		return
	}
	h.tried = true
	l, why := g.planner.Health.Acquire(alt, 0)
	if l == nil {
		h.skipped = why
		h.mu.Unlock()
		return
	}
	c, cancel := context.WithTimeout(x.r.Context(), alt.Provider.Timeout)
	s := &sent{t: alt, lease: l, cancel: cancel, start: time.Now()}
	g.observeSend(x, s, true)
	h.hedge = s
	h.results = make(chan *sent, 1)
	h.mu.Unlock()
	g.send(c, x, s)
	h.mu.Lock()
	if s.ae == nil && !h.moved {
		h.won = true
		first.cancel()
	}
	h.mu.Unlock()
	h.results <- s
}

// settle ends a send that lost: its reply, if any, is closed and its
// lease released with o.
func settle(s *sent, o route.Outcome) {
	if s.resp != nil {
		s.resp.Body.Close()
	}
	s.lease.Done(o)
}
