package route

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// Pick is what a policy may look at to order one request's targets.
type Pick struct {
	// Targets passed the filters and rules, in config order.
	Targets []Target
	// Health is the live state; nil in tests that need none.
	Health *Health
	// InputTokens is the request's estimated prompt size; MaxOutput its
	// output limit (or the estimate the planner chose when it set none).
	InputTokens, MaxOutput int
	// Price estimates what t would charge for this request; ok is false
	// when t's model has no known price. Nil prices nothing.
	Price func(t Target, input, output int) (usd float64, ok bool)
}

func (p *Pick) stats(t Target) Stats {
	if p.Health == nil {
		return Stats{}
	}
	return p.Health.Stats(t)
}

// Weighted spreads requests by weight with smooth weighted round robin
// (nginx's): each pick adds every target's weight to its running score,
// takes the highest and subtracts the total from it, so weights 5,1,1 give
// a a b a c a a rather than five a's in a row. The other targets follow in
// config order for failover.
type Weighted struct {
	mu      sync.Mutex
	current map[Key]int
}

var _ Policy = (*Weighted)(nil)

// Name implements Policy.
func (*Weighted) Name() string { return "weighted" }

// Order implements Policy.
func (w *Weighted) Order(p *Pick) []Target {
	if len(p.Targets) < 2 {
		return p.Targets
	}
	w.mu.Lock()
	if w.current == nil {
		w.current = make(map[Key]int)
	}
	total, best := 0, -1
	for i, t := range p.Targets {
		wt := max(t.Weight, 1)
		total += wt
		k := t.key()
		w.current[k] += wt
		if best < 0 || w.current[k] > w.current[p.Targets[best].key()] {
			best = i
		}
	}
	w.current[p.Targets[best].key()] -= total
	w.mu.Unlock()
	return moveFirst(p.Targets, best)
}

// moveFirst returns targets with the i-th first, the rest in order.
func moveFirst(targets []Target, i int) []Target {
	out := make([]Target, 0, len(targets))
	out = append(out, targets[i])
	out = append(out, targets[:i]...)
	return append(out, targets[i+1:]...)
}

// Latency picks by power of two choices: two random targets, the one with
// the lower expected latency wins. The expectation is the peak-EWMA time to
// first byte, or the target's estimated p99 of it when that is higher (the
// policy is judged by its tail, and a target that spikes now and then has
// a low average but a high p99), plus the time per token times the output
// asked for, scaled by the requests in flight beyond the load that latency
// was measured under (loadFactor) and by the recent rates of errors and of
// attempts that lost to a hedge, so a target that slows down, fails or
// fills up loses traffic at once. The draw is
// among the competitive targets only (expected latency within twice the
// best), so with few targets a bad one is not picked whenever it happens
// to be drawn against another bad one; Health decays an idle target's
// averages, so it is probed again once the memory of its trouble fades. A
// target never measured scores 0 and is tried, so new targets get learned.
// Others follow by score for failover.
type Latency struct {
	mu  sync.Mutex
	rnd *rand.Rand
}

var _ Policy = (*Latency)(nil)

// NewLatency returns a latency policy drawing from seed.
func NewLatency(seed uint64) *Latency {
	return &Latency{rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// Name implements Policy.
func (*Latency) Name() string { return "latency" }

// competitive bounds the draw: targets expected within this factor of the
// best one.
const competitive = 2.0

// Order implements Policy.
func (l *Latency) Order(p *Pick) []Target {
	n := len(p.Targets)
	if n < 2 {
		return p.Targets
	}
	scores := make([]float64, n)
	best := -1.0
	for i, t := range p.Targets {
		scores[i] = latencyScore(p.stats(t), p.MaxOutput)
		if best < 0 || scores[i] < best {
			best = scores[i]
		}
	}
	var pool []int
	for i, s := range scores {
		if s <= best*competitive {
			pool = append(pool, i)
		}
	}
	win := pool[0]
	if len(pool) > 1 {
		l.mu.Lock()
		a := l.rnd.IntN(len(pool))
		b := l.rnd.IntN(len(pool) - 1)
		l.mu.Unlock()
		if b >= a {
			b++
		}
		win = pool[a]
		if scores[pool[b]] < scores[win] {
			win = pool[b]
		}
	}
	idx := make([]int, 0, n)
	for i := range n {
		if i != win {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(i, j int) int { return cmp.Compare(scores[i], scores[j]) })
	out := []Target{p.Targets[win]}
	for _, i := range idx {
		out = append(out, p.Targets[i])
	}
	return out
}

// errorPenalty weighs a target's error rate in its latency score. A failed
// attempt costs a whole retry elsewhere, and the policy is judged by its
// tail: a target failing 30% of the time that gets a sixth of the traffic
// already puts 5% of requests through a retry, past the p99. A weight of
// 50 makes a 2% error rate double the score and keeps such a target out of
// the competitive pool until its error memory fades. An attempt that lost
// to a hedge (Stats.SlowRate) weighs the same: its request waited the
// hedge delay and then a whole attempt elsewhere, which is where the tail
// of a target that spikes on 5% of requests comes from.
const errorPenalty = 50

// latencyScore is the expected latency of one more request, in ns.
func latencyScore(s Stats, output int) float64 {
	if s.Samples == 0 {
		return 0
	}
	expect := float64(max(s.FirstByte, s.FirstByteP99)) + float64(s.PerToken)*float64(max(output, 1))
	if expect <= 0 {
		// Only failures so far: rank by errors alone.
		expect = float64(time.Millisecond)
	}
	return expect * loadFactor(s) * (1 + errorPenalty*(s.ErrorRate+s.SlowRate))
}

// Tail is the time to first byte a request sent to the target should
// expect in its tail, as the latency policy sees it: the peak-EWMA or the
// p99 estimate, whichever is higher, scaled like the policy's score by
// the recent rates of errors and of attempts lost to a hedge (each costs
// the request a retry elsewhere). 0 before any sample.
func (s Stats) Tail() time.Duration {
	if s.Samples == 0 {
		return 0
	}
	return time.Duration(float64(max(s.FirstByte, s.FirstByteP99)) * (1 + errorPenalty*(s.ErrorRate+s.SlowRate)))
}

// loadFactor scales a target's measured latency to the load one more
// request would find there: the requests in flight plus this one, over
// the load the latency was measured under (Stats.Load), and never below 1.
//
// Finagle's peak EWMA multiplies by the requests in flight alone, which
// suits a pool of like servers each working through its queue, where
// latency grows with every request waiting. An LLM provider, or a fleet
// that batches, answers many requests at once at about the same speed: a
// target measured at 10ms while carrying 30 requests is not 30 times
// slower than an idle one, and scoring it so sends traffic to a worse,
// idle target whenever the good one is busy (in bench/routing, the one
// that spikes on 5% of requests, which is the latency policy's whole p99).
// Dividing by the measured load keeps what the count is for: more load
// than the latency was measured under predicts proportionally more
// latency, so a target that suddenly fills up loses traffic before its
// averages catch up, while a target whose latency does not grow with load
// is judged by the latency it shows. The factor is not allowed below 1:
// less load than measured is not trusted to make a target faster, so a
// momentary lull does not draw a herd.
func loadFactor(s Stats) float64 {
	return max(1, float64(s.InFlight+1)/max(s.Load, 1))
}

// Cost orders targets by the estimated price of this request: prompt
// tokens at the input price plus the output limit at the output price,
// from the catalog. Targets without a known price go last, in config
// order; ties keep config order.
type Cost struct{}

var _ Policy = Cost{}

// Name implements Policy.
func (Cost) Name() string { return "cost" }

// Order implements Policy.
func (Cost) Order(p *Pick) []Target {
	if len(p.Targets) < 2 || p.Price == nil {
		return p.Targets
	}
	type priced struct {
		t   Target
		usd float64
		ok  bool
	}
	ps := make([]priced, len(p.Targets))
	for i, t := range p.Targets {
		usd, ok := p.Price(t, p.InputTokens, p.MaxOutput)
		ps[i] = priced{t, usd, ok}
	}
	slices.SortStableFunc(ps, func(a, b priced) int {
		switch {
		case a.ok != b.ok:
			if a.ok {
				return -1
			}
			return 1
		case !a.ok:
			return 0
		}
		return cmp.Compare(a.usd, b.usd)
	})
	out := make([]Target, len(ps))
	for i, x := range ps {
		out[i] = x.t
	}
	return out
}

// Spillover tries targets in config order, like failover; the gateway
// skips a target at its capacity (concurrency, rpm, tpm) before sending,
// so committed capacity listed first fills before the overflow reaches the
// next, on-demand target. Capacity applies under every policy; spillover is
// the one whose order is built around it.
type Spillover struct{}

var _ Policy = Spillover{}

// Name implements Policy.
func (Spillover) Name() string { return "spillover" }

// Order implements Policy.
func (Spillover) Order(p *Pick) []Target { return p.Targets }
