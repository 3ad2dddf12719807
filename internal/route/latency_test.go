package route

import (
	"testing"
	"time"
)

// A target whose latency was learned while it carried 30 requests is
// judged by that latency while it carries about as many, not 30 times it
// (a provider answers many requests at once); more load than it was
// measured under still counts against it.
func TestLatencyJudgesLoadAgainstTheLoadMeasuredUnder(t *testing.T) {
	clk := newClock()
	h := NewHealth(HealthOptions{Now: clk.now, Breaker: BreakerSettings{Failures: 1000}})
	busy, idle := target("busy", "m"), target("idle", "m")
	hold := func(tg Target, n int) []*Lease {
		var ls []*Lease
		for range n {
			l, why := h.Acquire(tg, 0)
			if l == nil {
				t.Fatal(why)
			}
			ls = append(ls, l)
		}
		return ls
	}
	release := func(ls []*Lease) {
		for _, l := range ls {
			l.Done(Outcome{FirstByte: 10 * time.Millisecond, Total: 10 * time.Millisecond})
		}
	}
	background := hold(busy, 29)
	for range 200 {
		release(hold(busy, 1)) // 10ms, with 30 in flight
		clk.add(time.Millisecond)
		l, _ := h.Acquire(idle, 0) // 25ms, alone
		l.Done(Outcome{FirstByte: 25 * time.Millisecond, Total: 25 * time.Millisecond})
	}
	if st := h.Stats(busy); st.Load < 29 || st.Load > 31 || st.InFlight != 29 {
		t.Fatalf("busy: load %.1f, in flight %d; want ≈30 and 29", st.Load, st.InFlight)
	}
	if st := h.Stats(idle); st.Load != 1 {
		t.Fatalf("idle: load %.1f, want 1", st.Load)
	}

	l := NewLatency(1)
	first := func() map[string]int {
		n := map[string]int{}
		for range 1000 {
			n[l.Order(&Pick{Targets: []Target{idle, busy}, Health: h, MaxOutput: 1})[0].Provider.Name]++
		}
		return n
	}
	if got := first(); got["busy"] != 1000 {
		t.Fatalf("with the load it was measured under, the faster target must win every draw: %v", got)
	}
	// Three times the load it was measured under: 10ms predicts 30ms,
	// worse than the idle target's 25ms.
	more := hold(busy, 61)
	if got := first(); got["idle"] != 1000 {
		t.Fatalf("at three times its measured load the busy target must lose: %v", got)
	}
	release(more)
	release(background)
}

func TestLoadFactor(t *testing.T) {
	for _, c := range []struct {
		inflight int
		load     float64
		want     float64
	}{
		{0, 0, 1},   // never measured
		{0, 1, 1},   // idle, measured alone
		{19, 1, 20}, // measured alone, 19 now: Finagle's count
		{29, 30, 1}, // as measured
		{59, 30, 2}, // twice the measured load
		{0, 30, 1},  // a lull is not trusted to make it faster
	} {
		if got := loadFactor(Stats{InFlight: c.inflight, Load: c.load}); got != c.want {
			t.Errorf("in flight %d, load %.0f: factor %v, want %v", c.inflight, c.load, got, c.want)
		}
	}
}

// Hedges are budgeted per target: one per ten attempts, ten at most saved
// up, so a slowdown that hits every request in flight at once does not
// double the load.
func TestHedgeBudget(t *testing.T) {
	h := NewHealth(HealthOptions{})
	tg := target("a", "m")
	attempts := func(n int) {
		for range n {
			l, _ := h.Acquire(tg, 0)
			l.Done(Outcome{FirstByte: time.Millisecond, Total: time.Millisecond})
		}
	}
	takes := func() (n int) {
		for h.TakeHedge(tg) {
			n++
		}
		return n
	}
	if n := takes(); n != 0 {
		t.Fatalf("a target never tried has %d hedges", n)
	}
	attempts(1000)
	if n := takes(); n != 10 {
		t.Fatalf("after 1000 attempts %d hedges at once, want the burst of 10", n)
	}
	attempts(25)
	if n := takes(); n != 2 {
		t.Fatalf("after 25 more attempts %d hedges, want 2", n)
	}
}
