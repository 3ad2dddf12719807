package route

import (
	"strings"
	"testing"
	"time"
)

func names(ts []Target) string {
	var s []string
	for _, t := range ts {
		s = append(s, t.Provider.Name)
	}
	return strings.Join(s, ",")
}

func TestWeightedSmoothRoundRobin(t *testing.T) {
	a, b, c := target("a", "m"), target("b", "m"), target("c", "m")
	a.Weight = 5
	tests := []struct {
		name    string
		targets []Target
		want    string // first choice of successive picks
	}{
		{"5-1-1 interleaves", []Target{a, b, c}, "a a b a c a a a a b a c a a"},
		{"equal weights rotate", []Target{target("x", "m"), target("y", "m")}, "x y x y"},
		{"one target", []Target{b}, "b b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := &Weighted{}
			var got []string
			for range strings.Fields(tc.want) {
				order := w.Order(&Pick{Targets: tc.targets})
				if len(order) != len(tc.targets) {
					t.Fatalf("order dropped targets: %s", names(order))
				}
				got = append(got, order[0].Provider.Name)
			}
			if g := strings.Join(got, " "); g != tc.want {
				t.Fatalf("picks %q, want %q", g, tc.want)
			}
		})
	}
}

func TestCostOrdersByEstimatedPrice(t *testing.T) {
	prices := map[string][2]float64{ // per token: input, output
		"cheap-in": {1, 10}, "cheap-out": {5, 1}, "pricey": {10, 10},
	}
	price := func(t Target, in, out int) (float64, bool) {
		p, ok := prices[t.Model]
		return p[0]*float64(in) + p[1]*float64(out), ok
	}
	ts := []Target{target("unknown", "nope"), target("p", "pricey"), target("i", "cheap-in"), target("o", "cheap-out")}
	tests := []struct {
		name    string
		in, out int
		want    string
	}{
		{"long prompt, short answer", 10000, 10, "i,o,p,unknown"},
		{"short prompt, long answer", 10, 10000, "o,i,p,unknown"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := names(Cost{}.Order(&Pick{Targets: ts, InputTokens: tc.in, MaxOutput: tc.out, Price: price}))
			if got != tc.want {
				t.Fatalf("order %s, want %s", got, tc.want)
			}
		})
	}
	if got := names(Cost{}.Order(&Pick{Targets: ts})); got != names(ts) {
		t.Fatalf("without prices the order must stay as configured: %s", got)
	}
}

func TestLatencyPrefersFastAndIdle(t *testing.T) {
	clk := newClock()
	h := NewHealth(HealthOptions{Now: clk.now, Breaker: BreakerSettings{Failures: 1000}})
	fast, slow, flaky := target("fast", "m"), target("slow", "m"), target("flaky", "m")
	teach := func(tg Target, fb time.Duration, failed bool, n int) {
		for range n {
			l, _ := h.Acquire(tg, 0)
			l.Done(Outcome{Failed: failed, FirstByte: fb, Total: fb})
			clk.add(100 * time.Millisecond)
		}
	}
	teach(fast, 20*time.Millisecond, false, 20)
	teach(slow, 200*time.Millisecond, false, 20)
	teach(flaky, 15*time.Millisecond, false, 5)
	teach(flaky, 0, true, 10)

	l := NewLatency(1)
	first := map[string]int{}
	for range 3000 {
		order := l.Order(&Pick{Targets: []Target{slow, flaky, fast}, Health: h, MaxOutput: 100})
		if len(order) != 3 {
			t.Fatalf("order dropped targets: %s", names(order))
		}
		first[order[0].Provider.Name]++
	}
	// Slow and flaky are far behind fast: they are never drawn.
	if first["fast"] != 3000 {
		t.Fatalf("first choices %v, want all on fast", first)
	}
	// Among three comparable targets (all learned at the same moment),
	// the draw decides: the best wins the pairs it is in (2/3), the
	// second the remaining pair, the worst never.
	t1, t2, t3 := target("t1", "m"), target("t2", "m"), target("t3", "m")
	for range 10 {
		for i, tg := range []Target{t1, t2, t3} {
			l, _ := h.Acquire(tg, 0)
			l.Done(Outcome{FirstByte: time.Duration(20+i) * time.Millisecond, Total: time.Duration(20+i) * time.Millisecond})
		}
		clk.add(100 * time.Millisecond)
	}
	first = map[string]int{}
	for range 3000 {
		first[l.Order(&Pick{Targets: []Target{t1, t2, t3}, Health: h, MaxOutput: 100})[0].Provider.Name]++
	}
	if first["t3"] != 0 || first["t1"] < 1800 || first["t1"] > 2200 || first["t2"] < 800 {
		t.Fatalf("first choices %v, want t1 ≈2000, t2 ≈1000, t3 0", first)
	}

	// An avoided target's trouble fades while it is idle: after a minute
	// untouched, slow is competitive again and gets probed.
	clk.add(time.Minute)
	teach(fast, 20*time.Millisecond, false, 1)
	first = map[string]int{}
	for range 300 {
		first[l.Order(&Pick{Targets: []Target{fast, slow}, Health: h, MaxOutput: 100})[0].Provider.Name]++
	}
	if first["slow"] == 0 {
		t.Fatalf("an idle target was never probed again: %v", first)
	}

	// Requests in flight count: load the fast target and it loses.
	var leases []*Lease
	for range 20 {
		ls, _ := h.Acquire(fast, 0)
		leases = append(leases, ls)
	}
	order := l.Order(&Pick{Targets: []Target{fast, slow}, Health: h, MaxOutput: 100})
	if order[0].Provider.Name != "slow" {
		t.Fatalf("a fast target with 20 in flight should lose to an idle slow one: %s", names(order))
	}
	for _, ls := range leases {
		ls.Done(Outcome{FirstByte: 20 * time.Millisecond, Total: 20 * time.Millisecond})
	}

	// A never-measured target scores 0 and is explored.
	fresh := target("fresh", "m")
	order = l.Order(&Pick{Targets: []Target{fast, fresh}, Health: h})
	if order[0].Provider.Name != "fresh" {
		t.Fatalf("an unmeasured target should be tried: %s", names(order))
	}
}

func TestFailoverAndSpilloverKeepConfigOrder(t *testing.T) {
	ts := []Target{target("a", "m"), target("b", "m"), target("c", "m")}
	for _, p := range []Policy{Failover{}, Spillover{}} {
		if got := names(p.Order(&Pick{Targets: ts})); got != "a,b,c" {
			t.Errorf("%s: %s", p.Name(), got)
		}
	}
}
