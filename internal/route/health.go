package route

import (
	"fmt"
	"math"
	"sync"
	"time"
)

// Key names one target's live state: the provider and its model. It is
// what survives a config reload, so a target that keeps its provider and
// model keeps its latency history, breaker and capacity use.
type Key struct {
	Provider string
	Model    string
}

func (t Target) key() Key { return Key{Provider: t.Provider.Name, Model: t.Model} }

// Capacity bounds what a target takes; a zero field is no bound. A target
// at its capacity is skipped until it has room, so committed capacity
// (an own fleet, provisioned throughput) fills before the next target.
type Capacity struct {
	Concurrency int
	RPM         int
	TPM         int
}

// IsZero reports whether c bounds nothing.
func (c Capacity) IsZero() bool { return c == Capacity{} }

// HealthOptions tune Health. Zero values take the defaults.
type HealthOptions struct {
	Breaker BreakerSettings
	// Decay is the time constant of the latency and error averages.
	// Default 10s: a sample 10s old weighs 1/e of a fresh one.
	Decay time.Duration
	// Now is the clock; nil means time.Now. Tests inject a fake one.
	Now func() time.Time
}

// Health is the live state of every target: latency averages, error rate,
// circuit breaker, requests in flight and capacity use. It is kept apart
// from the routing table, which a reload replaces; one Health serves every
// table the gateway ever loads. Safe for concurrent use.
type Health struct {
	opts    HealthOptions
	mu      sync.Mutex
	targets map[Key]*targetState
}

// NewHealth returns an empty Health.
func NewHealth(opts HealthOptions) *Health {
	opts.Breaker = opts.Breaker.withDefaults()
	if opts.Decay <= 0 {
		opts.Decay = 10 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Health{opts: opts, targets: make(map[Key]*targetState)}
}

// SetBreaker changes the breaker settings (a reloaded config); breaker
// states are kept.
func (h *Health) SetBreaker(s BreakerSettings) {
	h.mu.Lock()
	h.opts.Breaker = s.withDefaults()
	h.mu.Unlock()
}

func (h *Health) state(k Key) (*targetState, BreakerSettings) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s, ok := h.targets[k]
	if !ok {
		if len(h.targets) >= maxTracked {
			h.evict()
		}
		s = &targetState{}
		h.targets[k] = s
	}
	return s, h.opts.Breaker
}

// maxTracked bounds how many targets Health remembers. Clients can name
// provider/model pairs freely (a provider without a models list passes any
// name through), so the map must not grow with whatever they send.
const maxTracked = 4096

// evict forgets idle targets, up to a quarter of the map, in map order
// (random): a forgotten target starts over like a new one.
func (h *Health) evict() {
	n := 0
	for k, s := range h.targets {
		s.mu.Lock()
		idle := s.inflight == 0 && s.br.state == BreakerClosed
		s.mu.Unlock()
		if idle {
			delete(h.targets, k)
			if n++; n >= maxTracked/4 {
				return
			}
		}
	}
}

// Stats is a snapshot of one target's live state.
type Stats struct {
	// FirstByte is the peak-EWMA of the time to the first byte (headers on
	// a stream, the whole reply otherwise); 0 before any sample.
	FirstByte time.Duration
	// PerToken is the EWMA of the time per output token after the first byte.
	PerToken time.Duration
	// FirstByteP50 estimates the median time to first byte the same way
	// as FirstByteP95 (up or down 0.5×step); 0 before any sample.
	FirstByteP50 time.Duration
	// FirstByteP95 estimates the 95th percentile of the time to first byte
	// (stochastic approximation: up 0.95×step on a slower sample, down
	// 0.05×step on a faster one, step 5% of the estimate); 0 before any.
	FirstByteP95 time.Duration
	// FirstByteP99 estimates the 99th percentile of the time to first
	// byte the same way (up 0.99×step, down 0.01×step), faded like the
	// averages while the target is idle, so a target avoided for its tail
	// is tried again once that is old news; 0 before any sample.
	FirstByteP99 time.Duration
	// ErrorRate is the decaying share of failed attempts, 0..1.
	ErrorRate float64
	// SlowRate is the decaying share of attempts that lost to a hedge
	// (still waiting when another target answered), 0..1.
	SlowRate float64
	// Load is the decaying average of the requests in flight at the
	// target (each counting itself) when its latency samples were taken:
	// the load FirstByte and its quantiles were measured under. 0 before
	// any sample.
	Load     float64
	InFlight int
	Samples  int
	Breaker  BreakerState
}

// Stats returns t's live state. Latency and error averages fade while the
// target gets no traffic (by e^-idle/decay), so a target avoided for a
// spike or a burst of errors is tried again once that is old news.
func (h *Health) Stats(t Target) Stats {
	s, _ := h.state(t.key())
	now := h.opts.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	fade := 1.0
	if !s.last.IsZero() && s.inflight == 0 {
		fade = math.Exp(-float64(now.Sub(s.last)) / float64(h.opts.Decay))
	}
	return Stats{
		FirstByte: time.Duration(s.firstByte * fade), PerToken: time.Duration(s.perToken * fade),
		FirstByteP50: time.Duration(s.p50), FirstByteP95: time.Duration(s.p95), FirstByteP99: time.Duration(s.p99 * fade),
		ErrorRate: s.errRate * fade, SlowRate: s.slowRate * fade, Load: s.load, InFlight: s.inflight, Samples: s.samples, Breaker: s.br.state,
	}
}

// Lease is one admitted attempt; Done must be called exactly once.
type Lease struct {
	h       *Health
	s       *targetState
	probe   bool
	reserve int // tokens reserved against tpm
	bucket  int64
	once    sync.Once
}

// Outcome is what an attempt came to, for the target's live state.
type Outcome struct {
	// Failed counts against the breaker and the error rate: a server
	// error, a timeout, a broken connection, a rate limit. A request the
	// upstream refused as the client's fault is not a failure of the target.
	Failed bool
	// FirstByte and Total are measured from the send; zero when no reply.
	FirstByte, Total time.Duration
	// Tokens is the input plus output tokens used, for tpm; 0 keeps the
	// reservation made at Acquire.
	Tokens       int
	OutputTokens int
	// Slow marks an attempt that lost to a hedge: FirstByte and Total
	// are then the time it was given, a lower bound of its latency.
	Slow bool
}

// Acquire admits one attempt on t, reserving tokens against its tpm. It
// refuses, with the reason for x-railyard-route, when t's breaker is open
// or t is at its capacity.
func (h *Health) Acquire(t Target, tokens int) (*Lease, string) {
	s, bs := h.state(t.key())
	now := h.opts.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if reason := s.full(t.Capacity, tokens, now); reason != "" {
		return nil, reason
	}
	ok, probe := s.br.allow(now, bs)
	if !ok {
		return nil, "breaker open"
	}
	s.inflight++
	s.hedges = min(hedgeBurst, s.hedges+hedgeRatio)
	sec := now.Unix()
	if t.Capacity.RPM > 0 || t.Capacity.TPM > 0 {
		s.win.add(sec, 1, int64(tokens))
	}
	return &Lease{h: h, s: s, probe: probe, reserve: tokens, bucket: sec}, ""
}

// Done records the attempt's outcome and releases its capacity.
func (l *Lease) Done(o Outcome) {
	l.once.Do(func() {
		now := l.h.opts.Now()
		l.h.mu.Lock()
		bs, decay := l.h.opts.Breaker, l.h.opts.Decay
		l.h.mu.Unlock()
		s := l.s
		s.mu.Lock()
		defer s.mu.Unlock()
		load := s.inflight // this attempt and those beside it
		s.inflight--
		if o.Tokens > 0 && s.win.used {
			s.win.adjust(l.bucket, int64(o.Tokens-l.reserve))
		}
		s.br.done(now, bs, l.probe, o.Failed)
		s.observe(now, decay, o, load)
	})
}

// targetState is one target's live state, under its own lock.
type targetState struct {
	mu        sync.Mutex
	br        breaker
	inflight  int
	firstByte float64 // ns, peak-EWMA
	p50       float64 // ns, running estimate of the median
	p95       float64 // ns, running estimate of the 95th percentile
	p99       float64 // ns, running estimate of the 99th percentile
	perToken  float64 // ns, EWMA
	errRate   float64
	slowRate  float64
	load      float64 // requests in flight at latency samples, average
	hedges    float64 // hedge budget: tokens, one per hedge
	samples   int
	last      time.Time
	win       window
}

// Hedging is budgeted per chosen target, a token bucket filled by its
// attempts: at most one hedge per hedgeRatio⁻¹ attempts over time, and
// hedgeBurst at once. A hedge fires when a target is slower than usual;
// when it is slower for everyone at once (an overloaded provider, a
// saturated network or gateway host), every request in flight crosses
// that point together, and unbudgeted hedges would double the load at the
// moment there is least room for it. The budget leaves the usual hedges
// (about 5% of requests at a p95, 1% at a p99) alone.
const (
	hedgeRatio = 0.1
	hedgeBurst = 10
)

// TakeHedge spends one of t's hedge tokens and reports whether it had
// one: false means t is over its hedge budget and must not be hedged now.
func (h *Health) TakeHedge(t Target) bool {
	s, _ := h.state(t.key())
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hedges < 1 {
		return false
	}
	s.hedges--
	return true
}

// full reports why t has no room for one more request of tokens, or "".
func (s *targetState) full(c Capacity, tokens int, now time.Time) string {
	if c.Concurrency > 0 && s.inflight >= c.Concurrency {
		return fmt.Sprintf("at capacity (concurrency %d)", c.Concurrency)
	}
	if c.RPM == 0 && c.TPM == 0 {
		return ""
	}
	reqs, toks := s.win.sum(now.Unix())
	if c.RPM > 0 && reqs >= int64(c.RPM) {
		return fmt.Sprintf("at capacity (rpm %d)", c.RPM)
	}
	if c.TPM > 0 && toks+int64(tokens) > int64(c.TPM) && toks > 0 {
		return fmt.Sprintf("at capacity (tpm %d)", c.TPM)
	}
	return ""
}

// observe folds an outcome into the averages. Latency is a peak-EWMA: a
// slower sample than the average replaces it at once, a faster one pulls
// it down with a weight that grows with the time since the last sample,
// so a target that spikes is avoided at once and trusted again slowly.
// load is the requests in flight as the attempt ended, itself included.
func (s *targetState) observe(now time.Time, decay time.Duration, o Outcome, load int) {
	w := 1.0
	if !s.last.IsZero() {
		w = 1 - math.Exp(-float64(now.Sub(s.last))/float64(decay))
	}
	s.last = now
	s.samples++
	fail := 0.0
	if o.Failed {
		fail = 1
	}
	slow := 0.0
	if o.Slow {
		slow = 1
	}
	if s.samples == 1 {
		s.errRate, s.slowRate = fail, slow
	} else {
		// Errors use a count-based weight so a burst of failures within
		// one instant still moves the rate.
		a := math.Max(w, 0.05)
		s.errRate += a * (fail - s.errRate)
		s.slowRate += a * (slow - s.slowRate)
	}
	if o.Failed || o.FirstByte <= 0 {
		return
	}
	fb := float64(o.FirstByte)
	// The load is averaged like the latency (by time, with the same
	// floor per sample): it says what load the current estimates were
	// measured under, so it must not forget faster than they do, or a
	// lull (a queue drained) would make the next burst look like many
	// times the load the target was measured at.
	if s.load == 0 {
		s.load = float64(load)
	} else {
		s.load += math.Max(w, latencyFloor) * (float64(load) - s.load)
	}
	quantileStep(&s.p50, fb, 0.5, 0.5)
	quantileStep(&s.p95, fb, 0.95, 0.05)
	quantileStep(&s.p99, fb, 0.99, 0.01)
	switch {
	case s.firstByte == 0 || fb > s.firstByte:
		s.firstByte = fb
	default:
		s.firstByte += math.Max(w, latencyFloor) * (fb - s.firstByte)
	}
	if o.OutputTokens > 1 && o.Total > o.FirstByte {
		pt := float64(o.Total-o.FirstByte) / float64(o.OutputTokens-1)
		if s.perToken == 0 {
			s.perToken = pt
		} else {
			s.perToken += math.Max(w, latencyFloor) * (pt - s.perToken)
		}
	}
}

// window counts requests and tokens per second over the last minute, for
// rpm and tpm.
type window struct {
	used   bool
	secs   [60]int64
	reqs   [60]int64
	tokens [60]int64
}

func (w *window) slot(sec int64) int {
	i := int(sec % 60)
	if i < 0 {
		i += 60
	}
	if w.secs[i] != sec {
		w.secs[i], w.reqs[i], w.tokens[i] = sec, 0, 0
	}
	return i
}

func (w *window) add(sec, reqs, tokens int64) {
	w.used = true
	i := w.slot(sec)
	w.reqs[i] += reqs
	w.tokens[i] += tokens
}

// adjust corrects a reservation made in second sec, if still in the window.
func (w *window) adjust(sec, tokens int64) {
	i := int(sec % 60)
	if i < 0 {
		i += 60
	}
	if w.secs[i] == sec {
		w.tokens[i] = max(0, w.tokens[i]+tokens)
	}
}

// sum totals the last 60 seconds up to now.
func (w *window) sum(now int64) (reqs, tokens int64) {
	for i := range w.secs {
		if s := w.secs[i]; s > now-60 && s <= now {
			reqs += w.reqs[i]
			tokens += w.tokens[i]
		}
	}
	return reqs, tokens
}

// latencyFloor is the least weight a new latency sample gets. Decay is by
// time (Finagle's peak EWMA), so a spike is remembered for seconds however
// busy the target is; the floor only keeps a target that answers in bursts
// from being judged on one stale sample.
const latencyFloor = 0.002

// quantileStep moves est, a running estimate of a quantile q of the
// samples x, by a step of 5% of itself: up by q of it when x is above,
// down by below (= 1-q) when not, so it settles where a share q of the
// samples fall under it, in constant memory. The first sample seeds it.
func quantileStep(est *float64, x, q, below float64) {
	switch {
	case *est == 0:
		*est = x
	case x > *est:
		*est += 0.05 * q * *est
	default:
		*est -= 0.05 * below * *est
	}
}
