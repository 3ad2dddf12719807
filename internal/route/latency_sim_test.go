package route

import (
	"container/heap"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestLatencyPolicyTailSimulation runs the latency policy in a
// discrete-event simulation of bench/routing, on a fake clock, so that its
// tail is judged without a machine's scheduling noise: 32 closed-loop
// clients, three targets with the same jittery base latency (5ms plus an
// exponential 1.5ms on average, so about 12ms at the p99), one failing 30%
// of attempts halfway through, one adding 80ms to 5% of replies, one
// healthy. A failed attempt goes at once to the next target of the order.
// Hedging is the gateway's and is left out: this is the choice of target
// alone, and with a healthy target to be had it should cost the tail next
// to nothing, so the bounds are tighter than bench/routing's 1.2x goal:
// within 1.1x of the healthy target's p99 alone, and 95% of the traffic
// on it. (Scoring by latency times the requests in flight, as Finagle
// does, gave 1.11x here, with 11% on spiky and 5% on flaky: the healthy
// target, carrying most requests, looked many times slower than idle ones.)
func TestLatencyPolicyTailSimulation(t *testing.T) {
	baseP99, _ := simulateTail(t, false)
	p99, share := simulateTail(t, true)
	t.Logf("only steady p99 %v; latency policy p99 %v (%.2fx), shares %v", baseP99, p99, float64(p99)/float64(baseP99), share)
	if float64(p99) > 1.1*float64(baseP99) {
		t.Errorf("latency policy p99 %v, %.2fx the healthy target's %v; shares %v", p99, float64(p99)/float64(baseP99), baseP99, share)
	}
	if share["steady"] < 0.95 {
		t.Errorf("shares %v, want 95%% on steady", share)
	}
}

type simEvent struct {
	at     time.Time
	worker int
}

type simQueue []simEvent

func (q simQueue) Len() int           { return len(q) }
func (q simQueue) Less(i, j int) bool { return q[i].at.Before(q[j].at) }
func (q simQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *simQueue) Push(x any)        { *q = append(*q, x.(simEvent)) }
func (q *simQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

// simulateTail drives 20,000 requests and returns their p99 and the share
// each target answered; policy false sends everything to steady.
func simulateTail(t *testing.T, policy bool) (time.Duration, map[string]float64) {
	const requests, workers = 20000, 32
	clk := newClock()
	h := NewHealth(HealthOptions{Now: clk.now, Breaker: BreakerSettings{Failures: 1 << 30}})
	rnd := rand.New(rand.NewPCG(4, 2))
	flaky, spiky, steady := target("flaky", "m"), target("spiky", "m"), target("steady", "m")
	all := []Target{flaky, spiky, steady}
	l := NewLatency(7)

	type work struct {
		start   time.Time
		order   []Target
		next    int
		lease   *Lease
		began   time.Time
		latency time.Duration
		failed  bool
	}
	ws := make([]work, workers)
	q := &simQueue{}
	var lat []time.Duration
	answered := map[string]int{}
	sent := 0

	attempt := func(i int) {
		w := &ws[i]
		tg := w.order[w.next]
		w.next++
		lease, why := h.Acquire(tg, 0)
		if lease == nil {
			t.Fatalf("%s refused: %s", tg.Provider.Name, why)
		}
		d := 5*time.Millisecond + time.Duration(rnd.ExpFloat64()*1.5*float64(time.Millisecond))
		w.failed = false
		switch tg.Provider.Name {
		case "flaky":
			if rnd.Float64() < 0.3 {
				d, w.failed = d/2, true
			}
		case "spiky":
			if rnd.Float64() < 0.05 {
				d += 80 * time.Millisecond
			}
		}
		w.lease, w.began, w.latency = lease, clk.now(), d
		heap.Push(q, simEvent{at: clk.now().Add(d), worker: i})
	}
	begin := func(i int) {
		if sent >= requests {
			return
		}
		sent++
		order := []Target{steady}
		if policy {
			order = l.Order(&Pick{Targets: all, Health: h, MaxOutput: 16})
		}
		ws[i] = work{start: clk.now(), order: order}
		attempt(i)
	}
	for i := range workers {
		clk.add(time.Microsecond)
		begin(i)
	}
	for q.Len() > 0 {
		e := heap.Pop(q).(simEvent)
		clk.t = e.at
		w := &ws[e.worker]
		if w.failed {
			w.lease.Done(Outcome{Failed: true})
			if w.next < len(w.order) {
				attempt(e.worker)
				continue
			}
			t.Fatalf("every target failed")
		}
		w.lease.Done(Outcome{FirstByte: w.latency, Total: w.latency, OutputTokens: 1})
		lat = append(lat, clk.now().Sub(w.start))
		answered[w.order[w.next-1].Provider.Name]++
		begin(e.worker)
	}
	slices.Sort(lat)
	share := map[string]float64{}
	for n, c := range answered {
		share[n] = float64(c) / float64(len(lat))
	}
	return lat[len(lat)*99/100], share
}
