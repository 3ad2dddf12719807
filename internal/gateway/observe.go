package gateway

import (
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/route"
)

// Observer watches requests go through the pipeline, for metrics and
// traces (internal/telemetry implements it). The gateway calls it at fixed
// points and never depends on what it does; with no Observer in Options
// those points cost a nil check. Implementations must be safe for
// concurrent use: every request calls StartRequest on its own goroutine.
type Observer interface {
	// StartRequest is called when a client request arrives, before its
	// body is read. r's headers carry the client's trace context, if any.
	StartRequest(r *http.Request, s RequestStart) RequestObserver
}

// Operations, in the GenAI semantic conventions' gen_ai.operation.name terms.
const (
	OperationChat       = "chat"
	OperationEmbeddings = "embeddings"
)

// RequestStart describes a client request as it arrives.
type RequestStart struct {
	Dialect   string // the client's dialect
	Operation string // OperationChat or OperationEmbeddings
}

// RequestObserver sees one client request. Its methods, and those of its
// attempt observers, are never called concurrently: from the request's
// goroutine, except a hedge's StartAttempt, called from the hedge's timer
// while the request's goroutine waits on the first send, under a lock
// that goroutine takes before it goes on (hedge.go).
type RequestObserver interface {
	// StartAttempt is called before each upstream attempt.
	StartAttempt(a Attempt) AttemptObserver
	// End is called once, when the request is over: answered, refused,
	// failed, or abandoned by the client.
	End(s Summary)
}

// AttemptObserver sees one upstream attempt.
type AttemptObserver interface {
	// Inject adds headers to the upstream request (W3C traceparent).
	Inject(h http.Header)
	// End is called once, when the attempt is over.
	End(r AttemptResult)
}

// Attempt describes an upstream attempt about to start.
type Attempt struct {
	Operation string // as in RequestStart
	Provider  string // configured provider name
	Kind      string // provider type: openai, anthropic, openai-compatible, sim
	BaseURL   string
	Model     string // the upstream model asked for
	Stream    bool
	// Passthrough: the client's dialect equals the provider's, so the
	// bytes are forwarded rather than translated.
	Passthrough bool
	// Hedged: sent beside a slower attempt still waiting (latency policy).
	Hedged bool
}

// AttemptResult is how an upstream attempt ended.
type AttemptResult struct {
	// Outcome is the short form used in x-railyard-route: "ok", "529",
	// "timeout", "connect error", "stream 500", ...
	Outcome string
	// Err is why the attempt failed; nil when it answered cleanly.
	Err *llm.Error
	// UpstreamStatus is the provider's HTTP status (or the status of an
	// in-stream error); 0 when none came back.
	UpstreamStatus int
	// Answered: this attempt's reply reached the client (maybe ending in
	// an in-stream error), so no other attempt follows.
	Answered bool
	// ClientGone: the client left during the attempt.
	ClientGone bool
	Model      string // the model the provider says answered, when Answered
	Usage      llm.Usage
	StopReason llm.StopReason
	Duration   time.Duration // from sending to the last upstream byte
}

// Summary is one finished client request, as the access log sees it.
type Summary struct {
	Dialect   string
	Operation string // as in RequestStart
	// Request is the decoded client request (read only); nil when the
	// request was refused before it could be decoded.
	Request *llm.Request
	// Status is the client's HTTP status; 499 when the client left.
	Status        int
	Provider      string // the provider that answered, or failed last
	UpstreamModel string
	Route         string // x-railyard-route
	Attempts      int
	Usage         llm.Usage
	Estimated     bool // Usage is railyard's estimate: the stream ended before the upstream's usage
	CostUSD       float64
	Priced        bool
	StopReason    llm.StopReason
	// Passthrough: the last attempt forwarded bytes untranslated.
	Passthrough bool
	Duration    time.Duration // whole request, as the gateway saw it
	FirstByte   time.Duration // until the reply's first byte; 0 when none
	Upstream    time.Duration // summed over attempts
	ID          string        // the request id
	// Error is the message the client got with a failed status ("" when
	// it was answered).
	Error string
	// RequestBody and ResponseBody are the client's request and the reply
	// railyard wrote, each cut at CaptureLimit bytes; nil unless the
	// operator turned on log.prompts. They alias buffers: copy to keep.
	RequestBody, ResponseBody []byte
}

// observation is the exchange's view of its observer, and the attempt
// bookkeeping the access log shows with or without one.
type observation struct {
	req         RequestObserver
	att         AttemptObserver
	attempts    int
	upstream    time.Duration
	passthrough bool
	stop        llm.StopReason
	op          string
}

// startObserving starts observing x, a request of operation op;
// endObserving ends it, and serve and serveEmbeddings defer it so it runs
// however the request ends. Two calls rather than a returned closure,
// which cost an allocation per request.
func (g *Gateway) startObserving(x *exchange, op string) {
	x.obs.op = op
	if g.obs != nil {
		x.obs.req = g.obs.StartRequest(x.r, RequestStart{Dialect: x.in.Name(), Operation: op})
	}
}

func (g *Gateway) endObserving(x *exchange) {
	if x.obs.req != nil {
		x.obs.req.End(x.summary())
	}
}

// startAttempt starts observing one attempt and endAttempt ends it, given
// a pointer to the attempt's named result: attempt defers endAttempt, so
// every return path is seen.
func (g *Gateway) startAttempt(x *exchange, t route.Target) (start time.Time) {
	p := t.Provider
	x.obs.passthrough = p.Dialect.Name() == x.in.Name()
	if x.obs.req != nil {
		x.obs.att = x.obs.req.StartAttempt(Attempt{Operation: x.obs.op, Provider: p.Name, Kind: p.Kind, BaseURL: p.BaseURL,
			Model: t.Model, Stream: x.req.Stream, Passthrough: x.obs.passthrough})
	}
	return time.Now()
}

func endAttempt(x *exchange, start time.Time, result **attemptError) {
	ae, d := *result, time.Since(start)
	x.obs.attempts++
	x.obs.upstream += d
	if x.obs.att != nil {
		x.obs.att.End(attemptResult(x, ae, d))
		x.obs.att = nil
	}
}

func attemptResult(x *exchange, ae *attemptError, d time.Duration) AttemptResult {
	res := AttemptResult{Outcome: "ok", Duration: d}
	if ae != nil {
		res.Outcome, res.Err, res.UpstreamStatus = ae.outcome, ae.err, ae.upstreamStatus
		res.ClientGone = ae.clientGone
	}
	if ae == nil || ae.committed {
		res.Answered = true
		res.Model, res.Usage, res.StopReason = x.model, x.usage, x.obs.stop
	}
	return res
}

// inject lets the current attempt's observer add upstream headers.
func (o *observation) inject(h http.Header) {
	if o.att != nil {
		o.att.Inject(h)
	}
}

// traceIDer is implemented by request observers that trace, so the access
// log line can name the trace.
type traceIDer interface{ TraceID() string }

// logAttrs are the access log's attempt and tracing fields.
func (o *observation) logAttrs(attrs []slog.Attr) []slog.Attr {
	if o.attempts > 0 {
		attrs = append(attrs, slog.Int("attempts", o.attempts), slog.Duration("upstream", o.upstream))
	}
	if t, ok := o.req.(traceIDer); ok {
		if id := t.TraceID(); id != "" {
			attrs = append(attrs, slog.String("trace_id", id))
		}
	}
	return attrs
}

func (x *exchange) summary() Summary {
	s := Summary{
		Dialect:       x.in.Name(),
		Operation:     x.obs.op,
		Request:       x.req,
		Status:        x.status,
		Provider:      x.provider,
		UpstreamModel: x.model,
		Route:         x.trace.String(),
		Attempts:      x.obs.attempts,
		Usage:         x.usage,
		Estimated:     x.estimated,
		StopReason:    x.obs.stop,
		Passthrough:   x.obs.passthrough,
		Duration:      time.Since(x.start),
		FirstByte:     x.firstByte,
		Upstream:      x.obs.upstream,
		ID:            x.id,
		Error:         x.errMsg,
	}
	if x.capture != nil {
		s.RequestBody, s.ResponseBody = x.body[:min(len(x.body), CaptureLimit)], x.capture.buf
	}
	if x.cost != "" {
		if usd, err := strconv.ParseFloat(x.cost, 64); err == nil {
			s.CostUSD, s.Priced = usd, true
		}
	}
	return s
}
