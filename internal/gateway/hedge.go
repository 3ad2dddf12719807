package gateway

import (
	"context"
	"net/http"
	"slices"
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
func (g *Gateway) hedged(x *exchange, t route.Target, lease *route.Lease, alt route.Target, delay time.Duration) (ae *attemptError, altTried bool) {
	results := make(chan *sent, 2)
	ctx := x.r.Context()
	var launched []*sent
	start := func(t route.Target, l *route.Lease) {
		c, cancel := context.WithTimeout(ctx, t.Provider.Timeout)
		s := &sent{t: t, lease: l, cancel: cancel, start: time.Now()}
		g.observeSend(x, s, len(launched) > 0)
		launched = append(launched, s)
		go func() { g.send(c, x, s); results <- s }()
	}
	start(t, lease)
	timer := time.NewTimer(delay)
	defer timer.Stop()
	pending := 1
	var failed []*sent
	var win *sent
wait:
	for pending > 0 {
		select {
		case <-timer.C:
			if altTried {
				continue
			}
			if !g.planner.Health.TakeHedge(t) {
				continue // over t's hedge budget: keep waiting on t alone
			}
			l2, why := g.planner.Health.Acquire(alt, 0)
			if l2 == nil {
				x.trace.add(alt.Provider.Name, "skipped: "+why)
				altTried = true
				continue
			}
			altTried = true
			pending++
			start(alt, l2)
		case s := <-results:
			pending--
			if s.ae == nil {
				win = s
				break wait
			}
			failed = append(failed, s)
			if !altTried {
				// The first target failed before the hedge: the loop fails
				// over (or not) as for any attempt.
				break wait
			}
		case <-ctx.Done():
			break wait
		}
	}
	// Losers: cancel, release, and record as neither success nor failure.
	// The chosen target, when it lost to the hedge, was in its tail: the
	// time it was given is a lower bound of its time to first byte and is
	// recorded as a sample, or the spikes that hedging hides would never
	// reach its latency estimates (a quantile estimate needs only to know
	// that the sample was above it). A hedge cancelled because the chosen
	// target answered first says nothing about the hedge's latency.
	waited := map[*sent]time.Duration{}
	for _, s := range launched {
		if s != win {
			s.cancel()
			if !slices.Contains(failed, s) { // still waiting: failed ones end below
				x.endSend(s, nil, loserOutcome(s, win, t))
			}
			if win != nil && s.t == t {
				waited[s] = time.Since(s.start)
			}
		}
	}
	if pending > 0 {
		go func(n int) {
			for range n {
				s := <-results
				if s.resp != nil {
					s.resp.Body.Close()
				}
				d, slow := waited[s]
				s.lease.Done(route.Outcome{FirstByte: d, Total: d, Slow: slow})
			}
		}(pending)
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
	if pending > 0 {
		if win.t.Provider == t.Provider && win.t.Model == t.Model {
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
