// Package reqlog keeps the last requests this replica served, in memory,
// for the web console's request log: each request's route decision,
// attempts, tokens, cost and timings, and its bodies only when the
// operator turned on log.prompts. It is filled from the gateway's
// Observer seam and sits on every request's path, so recording takes no
// lock: a request's entry is built on its own goroutine and published
// into a fixed ring with one atomic add and one atomic store, and is never
// changed afterwards, so readers need no lock either.
//
// The ring is per replica and lost on restart; the ledger is the durable
// record.
package reqlog

import (
	"math"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/railyard-ai/railyard/internal/gateway"
	"github.com/railyard-ai/railyard/internal/requestid"
)

// DefaultSize is how many requests the log keeps when Options leave it 0.
const DefaultSize = 1000

// BodyLimit caps each kept body: the gateway captures no more than this.
const BodyLimit = gateway.CaptureLimit

// Options configure a Log.
type Options struct {
	// Size is how many of the newest requests are kept. Default 1000.
	Size int
	// Prompts keeps request and reply bodies (log.prompts). Off, nothing
	// body-like is kept, whatever the gateway hands over.
	Prompts bool
	// Identify names the client's virtual key and team from the request
	// (the authenticated principal in its context); nil leaves them empty.
	Identify func(r *http.Request) (keyID, team string)
}

// Log is the ring of recent requests. It implements gateway.Observer.
// Safe for concurrent use.
type Log struct {
	slots    []atomic.Pointer[Entry]
	next     atomic.Uint64 // sequence number of the next entry
	prompts  bool
	identify func(*http.Request) (string, string)
}

var _ gateway.Observer = (*Log)(nil)

// New returns an empty log.
func New(o Options) *Log {
	if o.Size <= 0 {
		o.Size = DefaultSize
	}
	return &Log{slots: make([]atomic.Pointer[Entry], o.Size), prompts: o.Prompts, identify: o.Identify}
}

// Entry is one finished request, as GET /admin/api/requests shows it.
// Entries are immutable once recorded.
type Entry struct {
	ID               string    `json:"id"`
	Time             time.Time `json:"time"`
	Dialect          string    `json:"dialect"`
	Operation        string    `json:"operation"`
	Model            string    `json:"model"` // asked for
	Provider         string    `json:"provider"`
	UpstreamModel    string    `json:"upstream_model"`
	KeyID            string    `json:"key_id"`
	Team             string    `json:"team"`
	Stream           bool      `json:"stream"`
	Status           int       `json:"status"`
	Route            string    `json:"route"` // x-railyard-route
	Attempts         []Attempt `json:"attempts"`
	InputTokens      int       `json:"input_tokens"`
	OutputTokens     int       `json:"output_tokens"`
	CacheReadTokens  int       `json:"cache_read_tokens"`
	CacheWriteTokens int       `json:"cache_write_tokens"`
	ReasoningTokens  int       `json:"reasoning_tokens"`
	Estimated        bool      `json:"estimated"` // the tokens are railyard's estimate: a stream ended early
	CostUSD          float64   `json:"cost_usd"`
	LatencyMS        float64   `json:"latency_ms"`
	TTFTMS           float64   `json:"ttft_ms"`
	Error            string    `json:"error"`
	// The bodies are set only under Options.Prompts, and then always
	// (empty when there was none), so their presence says capture is on.
	RequestBody  *string `json:"request_body,omitempty"`
	ResponseBody *string `json:"response_body,omitempty"`

	seq uint64 // position in the ring's sequence
	// inline holds the first attempts: one, or a hedge beside it, is
	// almost every request, and an entry lives for its request's whole
	// length (thousands of open streams hold one each).
	inline [2]Attempt
}

// Attempt is one upstream attempt of a request.
type Attempt struct {
	Provider string `json:"provider"`
	Model    string `json:"model"` // the upstream model asked for
	// Outcome is as in x-railyard-route: "ok", "529", "timeout", ...
	Outcome    string  `json:"outcome"`
	Status     int     `json:"status"` // the provider's HTTP status, 0 when none came
	DurationMS float64 `json:"duration_ms"`
	Hedged     bool    `json:"hedged"` // sent as a hedge beside a slow attempt
}

// StartRequest implements gateway.Observer.
func (l *Log) StartRequest(r *http.Request, s gateway.RequestStart) gateway.RequestObserver {
	q := &request{l: l}
	e := &q.e
	e.Time = time.Now().UTC()
	e.Dialect, e.Operation = s.Dialect, s.Operation
	e.ID = requestid.From(r.Context())
	if l.identify != nil {
		e.KeyID, e.Team = l.identify(r)
	}
	e.Attempts = e.inline[:0]
	return q
}

// request is one request being recorded, on its own goroutine.
type request struct {
	l     *Log
	e     Entry
	extra []*Attempt // attempts past the inline ones
}

// StartAttempt implements gateway.RequestObserver. The first attempts are
// kept inside the entry, so a request with a few attempts costs no
// allocation for them.
func (q *request) StartAttempt(a gateway.Attempt) gateway.AttemptObserver {
	e := &q.e
	if len(e.Attempts) < cap(e.Attempts) {
		e.Attempts = append(e.Attempts, Attempt{Provider: a.Provider, Model: a.Model, Hedged: a.Hedged})
		return (*attempt)(&e.Attempts[len(e.Attempts)-1])
	}
	p := &Attempt{Provider: a.Provider, Model: a.Model, Hedged: a.Hedged}
	q.extra = append(q.extra, p)
	return (*attempt)(p)
}

// End implements gateway.RequestObserver: the entry is complete and goes
// into the ring.
func (q *request) End(s gateway.Summary) {
	e := &q.e
	for _, a := range q.extra {
		e.Attempts = append(e.Attempts, *a)
	}
	if s.ID != "" {
		e.ID = s.ID
	}
	if s.Request != nil {
		e.Model, e.Stream = s.Request.Model, s.Request.Stream
	}
	e.Provider, e.UpstreamModel = s.Provider, s.UpstreamModel
	e.Status, e.Route, e.Error = s.Status, s.Route, s.Error
	e.ID, e.Model, e.UpstreamModel, e.Error = own(e.ID, e.Model, e.UpstreamModel, e.Error)
	u := s.Usage
	e.InputTokens, e.OutputTokens, e.CacheReadTokens, e.CacheWriteTokens, e.ReasoningTokens =
		u.InputTokens, u.OutputTokens, u.CacheReadTokens, u.CacheWriteTokens, u.ReasoningTokens
	e.CostUSD, e.Estimated = s.CostUSD, s.Estimated
	e.LatencyMS, e.TTFTMS = ms(s.Duration), ms(s.FirstByte)
	if q.l.prompts {
		e.RequestBody, e.ResponseBody = bodies(s.RequestBody, s.ResponseBody)
	}
	q.l.record(e)
}

// attempt is the AttemptObserver view of an Attempt being recorded: a
// conversion of the pointer, not a new allocation.
type attempt Attempt

// Inject implements gateway.AttemptObserver; the log adds no headers.
func (*attempt) Inject(http.Header) {}

// End implements gateway.AttemptObserver.
func (a *attempt) End(r gateway.AttemptResult) {
	a.Outcome, a.Status, a.DurationMS = r.Outcome, r.UpstreamStatus, ms(r.Duration)
	if a.Status == 0 && r.Err == nil && r.Answered {
		a.Status = http.StatusOK
	}
}

// record publishes e as the newest entry.
func (l *Log) record(e *Entry) {
	seq := l.next.Add(1) - 1
	e.seq = seq
	l.slots[seq%uint64(len(l.slots))].Store(e)
}

// bodies copies at most BodyLimit bytes of each body, in two allocations
// for both: the gateway's buffers are not ours to keep, and a copy holds
// no more than the cap.
func bodies(req, resp []byte) (*string, *string) {
	req, resp = req[:min(len(req), BodyLimit)], resp[:min(len(resp), BodyLimit)]
	var sb strings.Builder
	sb.Grow(len(req) + len(resp))
	sb.Write(req)
	sb.Write(resp)
	all := sb.String()
	p := &[2]string{all[:len(req)], all[len(req):]}
	return &p[0], &p[1]
}

// own copies strings the entry keeps that may be slices of a larger one
// (a decoder's substring of a whole request or reply body, which a kept
// entry would otherwise hold in memory), into one allocation.
func own(a, b, c, d string) (string, string, string, string) {
	var sb strings.Builder // not a+b+c+d: that returns a lone non-empty operand uncopied
	sb.Grow(len(a) + len(b) + len(c) + len(d))
	sb.WriteString(a)
	sb.WriteString(b)
	sb.WriteString(c)
	sb.WriteString(d)
	all := sb.String()
	i, j, k := len(a), len(a)+len(b), len(a)+len(b)+len(c)
	return all[:i], all[i:j], all[j:k], all[k:]
}

// ms renders d in milliseconds, to the microsecond.
func ms(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }
