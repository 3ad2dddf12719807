package gateway

import (
	"net/http"
	"time"

	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/route"
)

// Governor admits requests under keys, limits and budgets, and accounts
// for them when they end (package govern). A nil Governor admits all.
type Governor interface {
	// Admit decides on a decoded request before any upstream call; its
	// error (403, 429, ...) goes to the client in its dialect. targets
	// are the route's candidates, which bound the request's cost.
	Admit(r *http.Request, req *llm.Request, body []byte, targets []route.Target) (Admission, error)
}

// Admission is an admitted request; Finish is called exactly once, when
// the reply has ended, whatever the outcome.
type Admission interface {
	// Header is added to the client's reply (x-ratelimit-*).
	Header() http.Header
	Finish(Outcome)
}

// Outcome is how a request ended: what the ledger records.
type Outcome struct {
	Start         time.Time
	RequestID     string
	Model         string // asked for
	Provider      string
	UpstreamModel string
	Usage         llm.Usage
	Status        int
	Attempts      int
	Latency       time.Duration
	TTFT          time.Duration
}

// admit runs the governor for x; false means the client got its error.
// An unknown model is left for routing to refuse (404), uncharged.
func (g *Gateway) admit(x *exchange) bool {
	if g.gov == nil {
		return true
	}
	var targets []route.Target
	if rt, err := g.table.Load().Resolve(x.req.Model); err == nil {
		targets = rt.Targets
	} else {
		return true
	}
	adm, err := g.gov.Admit(x.r, x.req, x.body, targets)
	if err != nil {
		g.fail(x, err)
		return false
	}
	for k, v := range adm.Header() {
		x.w.Header()[k] = v
	}
	x.adm = adm
	return true
}

// finish ends x's admission, if it is still open: a request that failed
// or whose client went away.
func (g *Gateway) finish(x *exchange) {
	if x.adm == nil {
		return
	}
	adm := x.adm
	x.adm = nil
	adm.Finish(Outcome{
		Start: x.start, RequestID: x.id, Model: x.req.Model, Provider: x.provider, UpstreamModel: x.model,
		Usage: x.usage, Status: x.status, Attempts: len(x.trace.steps), Latency: time.Since(x.start), TTFT: x.firstByte,
	})
}

// finishBeforeReply ends the admission of a successful reply just before
// its last bytes are written (the whole body, or a stream's final events),
// so that the ledger row is in the spool, safe from a crash, before the
// client has its complete answer.
func (g *Gateway) finishBeforeReply(x *exchange, provider, model string, usage llm.Usage) {
	if x.adm == nil {
		return
	}
	adm := x.adm
	x.adm = nil
	attempts := len(x.trace.steps)
	if x.provider == "" { // a stream whose headers are still pending
		attempts++
	}
	ttft := x.firstByte
	if ttft == 0 {
		ttft = time.Since(x.start)
	}
	adm.Finish(Outcome{
		Start: x.start, RequestID: x.id, Model: x.req.Model, Provider: provider, UpstreamModel: model,
		Usage: usage, Status: http.StatusOK, Attempts: attempts, Latency: time.Since(x.start), TTFT: ttft,
	})
}

// SetGovernor installs the governor before the gateway serves (serve wires
// it after building the gateway); nil admits every request.
func (g *Gateway) SetGovernor(gov Governor) { g.gov = gov }
