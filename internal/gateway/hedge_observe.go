package gateway

import (
	"net/http"
	"time"

	"github.com/railyard-ai/railyard/internal/route"
)

// The observer's view of a hedged request: each send, the chosen target's
// and the hedge's, is an attempt of its own, so the request log, metrics
// and traces see both. Attempt observers are ended on the request's
// goroutine, as for any attempt, and started there too, except the
// hedge's, started by its timer while the request's goroutine waits
// (ordered by hedgeLaunch.mu); the headers they add are handed to the
// send as its own copy.

// observeSend starts observing s, hedge when it is the second send, and
// collects the observer's upstream headers for it.
func (g *Gateway) observeSend(x *exchange, s *sent, hedge bool) {
	if x.obs.req == nil {
		return
	}
	p := s.t.Provider
	s.att = x.obs.req.StartAttempt(Attempt{Operation: x.obs.op, Provider: p.Name, Kind: p.Kind, BaseURL: p.BaseURL,
		Model: s.t.Model, Passthrough: p.Dialect.Name() == x.in.Name(), Hedged: hedge})
	s.hdr = http.Header{}
	s.att.Inject(s.hdr)
}

// endSend ends s's observation with ae (nil: it answered the client), or,
// for a send still waiting when the request moved on, with outcome.
func (x *exchange) endSend(s *sent, ae *attemptError, outcome string) {
	d := time.Since(s.start)
	x.obs.attempts++
	x.obs.upstream += d
	if s.att == nil {
		return
	}
	r := attemptResult(x, ae, d)
	if outcome != "" {
		r = AttemptResult{Outcome: outcome, Duration: d}
	}
	s.att.End(r)
	s.att = nil
}

// loserOutcome is how a send still waiting when the request moved on
// ended: beaten by the hedge, a hedge the chosen target beat, or left by
// the client.
func loserOutcome(s, win *sent, chosen route.Target) string {
	switch {
	case win == nil:
		return "client gone"
	case s.t == chosen:
		return "slow, hedged"
	}
	return "hedge cancelled"
}
