package gateway

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/provider"
	"github.com/railyard-ai/railyard/internal/requestid"
	"github.com/railyard-ai/railyard/internal/route"
)

// attemptError is why one attempt did not answer the client.
type attemptError struct {
	provider string
	// outcome is the short form for x-railyard-route: "529", "timeout", ...
	outcome string
	err     *llm.Error
	// upstreamStatus is the provider's HTTP status, 0 when none came back.
	upstreamStatus int
	// retry: another target may succeed.
	retry bool
	// committed: bytes already reached the client; no failover, no reply.
	committed bool
	// clientGone: the client disconnected; stop quietly.
	clientGone bool
}

// attempt sends the request to one target and, on success, writes the
// reply. It returns nil when the client got its answer.
func (g *Gateway) attempt(x *exchange, t route.Target) (ae *attemptError) {
	defer endAttempt(x, g.startAttempt(x, t), &ae)
	p := t.Provider
	fast := p.Dialect.Name() == x.in.Name()
	req := withModel(x.req, t.Model) // one copy for the body and the path
	// lent: body's pooled buffer, which sendBody hands on (lent.go).
	body, lent, err := g.lentBody(x, p, req, fast)
	if err != nil {
		// The request cannot be expressed for this target; another may do.
		return &attemptError{provider: p.Name, outcome: "encode error", err: llm.AsError(err), retry: true}
	}
	ctx, cancel := context.WithTimeout(x.r.Context(), p.Timeout)
	defer cancel()

	resp, err := sendBody(ctx, p, p.Dialect.Path(req), body, lent, func(h http.Header) { x.upstreamHeaders(h) })
	if err != nil {
		return transportError(x.r.Context(), p.Name, err)
	}
	if x.idle > 0 {
		resp.Body = watchIdle(resp.Body, x.idle, cancel)
	}
	defer resp.Body.Close()

	if resp.StatusCode != http.StatusOK {
		return upstreamError(p, resp)
	}
	if x.req.Stream {
		return g.relayStream(x, t, fast, resp)
	}
	return g.relayResponse(x, t, fast, resp)
}

// upstreamHeaders adds the request id, the stream's Accept and the
// observer's trace context to an upstream request's headers h.
func (x *exchange) upstreamHeaders(h http.Header) {
	h[requestid.Header] = []string{x.id}
	if x.req.Stream {
		h["Accept"] = []string{"text/event-stream"}
	}
	x.obs.inject(h)
}

// upstreamBody renders req, the client's request addressed to a target of
// provider p: the client's bytes with only the model rewritten on the fast
// path, a full translation otherwise.
func (g *Gateway) upstreamBody(x *exchange, p *provider.Provider, req *llm.Request, fast bool) ([]byte, error) {
	if fast {
		return x.in.RewriteRequest(x.body, req.Model, x.req)
	}
	return p.Dialect.EncodeRequest(req)
}

// withModel returns a shallow copy of req addressed to model; the client's
// request stays as it was for the next attempt.
func withModel(req *llm.Request, model string) *llm.Request {
	c := *req
	c.Model = model
	return &c
}

// transportError classifies a failure to get response headers.
func transportError(clientCtx context.Context, provider string, err error) *attemptError {
	if clientCtx.Err() != nil {
		return &attemptError{provider: provider, outcome: "client gone", clientGone: true,
			err: &llm.Error{Status: statusClientClosed, Kind: llm.ErrAPI, Message: "client disconnected"}}
	}
	if isTimeout(err) {
		return &attemptError{provider: provider, outcome: "timeout", retry: true,
			err: &llm.Error{Status: http.StatusGatewayTimeout, Kind: llm.ErrTimeout,
				Message: fmt.Sprintf("provider %s did not answer in time", provider)}}
	}
	return &attemptError{provider: provider, outcome: "connect error", retry: true,
		err: &llm.Error{Status: http.StatusBadGateway, Kind: llm.ErrAPI,
			Message: fmt.Sprintf("could not reach provider %s", provider)}}
}

func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// upstreamError reads and translates a non-200 reply.
func upstreamError(p *provider.Provider, resp *http.Response) *attemptError {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	e := p.Dialect.DecodeError(resp.StatusCode, resp.Header, body)
	return &attemptError{
		provider:       p.Name,
		outcome:        strconv.Itoa(resp.StatusCode),
		err:            e,
		upstreamStatus: resp.StatusCode,
		retry:          route.RetryableError(resp.StatusCode, e.Kind),
	}
}

// finalError is what the client sees when no attempt succeeded: the last
// failure, restated in gateway terms. Upstream credential failures never
// pass the provider's message on, since it may quote railyard's key.
func finalError(last *attemptError) *llm.Error {
	e := *last.err
	switch s := last.upstreamStatus; {
	case s == 0:
		// Transport failure: already a gateway status.
	case s == http.StatusUnauthorized || s == http.StatusForbidden:
		e = llm.Error{Status: http.StatusBadGateway, Kind: llm.ErrAPI,
			Message: fmt.Sprintf("provider %s refused railyard's credentials (%d)", last.provider, s)}
	case s == http.StatusTooManyRequests || e.Kind == llm.ErrRateLimit:
		e.Status, e.Kind = http.StatusTooManyRequests, llm.ErrRateLimit
		e.Message = fmt.Sprintf("provider %s is rate limiting: %s", last.provider, e.Message)
	case s == http.StatusServiceUnavailable || s == 529:
		e.Status, e.Kind = http.StatusServiceUnavailable, llm.ErrOverloaded
		e.Message = fmt.Sprintf("provider %s is overloaded: %s", last.provider, e.Message)
	case s == http.StatusGatewayTimeout || s == http.StatusRequestTimeout:
		e.Status, e.Kind = http.StatusGatewayTimeout, llm.ErrTimeout
		e.Message = fmt.Sprintf("provider %s timed out: %s", last.provider, e.Message)
	case s >= 500 || s == http.StatusConflict || s == http.StatusFailedDependency:
		e.Status, e.Kind = http.StatusBadGateway, llm.ErrAPI
		e.Message = fmt.Sprintf("provider %s failed (%d): %s", last.provider, s, e.Message)
	default:
		// The request's own fault (400, 404, 413, 422): the client should
		// see the provider's status and reason.
	}
	return &e
}

// routeTrace records the attempts for x-railyard-route.
type routeTrace struct {
	policy string
	steps  []traceStep
	// first is steps' room for the usual one or two attempts, so that
	// recording them allocates nothing.
	first [2]traceStep

	// The last rendering, for its policy and number of steps: the reply
	// header, the access log and the observer all ask for it.
	str       string
	strPolicy string
	strSteps  int
}

// traceStep is one step of the route: "anthropic 529".
type traceStep struct{ provider, outcome string }

func (t *routeTrace) add(provider, outcome string) {
	if t.steps == nil {
		t.steps = t.first[:0]
	}
	t.steps = append(t.steps, traceStep{provider, outcome})
}

// String renders "failover: anthropic 529 -> fleet ok".
func (t *routeTrace) String() string {
	if t.policy == "" {
		return ""
	}
	if len(t.steps) == 0 {
		return t.policy
	}
	if t.str == "" || t.strPolicy != t.policy || t.strSteps != len(t.steps) {
		t.str, t.strPolicy, t.strSteps = t.render(), t.policy, len(t.steps)
	}
	return t.str
}

// render is policy + ": " + the steps joined by " -> ", in one allocation.
func (t *routeTrace) render() string {
	n := len(t.policy) + 2
	for _, s := range t.steps {
		n += len(s.provider) + 1 + len(s.outcome) + 4
	}
	var b strings.Builder
	b.Grow(n - 4)
	b.WriteString(t.policy)
	b.WriteString(": ")
	for i, s := range t.steps {
		if i > 0 {
			b.WriteString(" -> ")
		}
		b.WriteString(s.provider)
		b.WriteByte(' ')
		b.WriteString(s.outcome)
	}
	return b.String()
}

// readLimited reads at most maxUpstreamBody bytes of r, whose declared
// length is hint (<= 0: unknown).
func readLimited(r io.Reader, hint int64) ([]byte, error) {
	b, err := readAll(io.LimitReader(r, maxUpstreamBody+1), hint)
	if err == nil && len(b) > maxUpstreamBody {
		return nil, fmt.Errorf("upstream reply exceeds %s", byteSize(maxUpstreamBody))
	}
	return b, err
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// retryAfterSeconds renders a Retry-After value: whole seconds, rounded up,
// at least 1.
func retryAfterSeconds(d time.Duration) string {
	s := int64((d + time.Second - 1) / time.Second)
	if s < 1 {
		s = 1
	}
	return strconv.FormatInt(s, 10)
}
