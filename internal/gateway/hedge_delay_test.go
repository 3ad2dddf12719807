package gateway

import (
	"testing"
	"time"

	"github.com/railyard-ai/railyard/internal/provider"
	"github.com/railyard-ai/railyard/internal/route"
)

// hedgeDelay hedges early (at the sooner p95) only a target with a tail
// of its own and a better-tailed alternative; a target whose slow replies
// are its usual jitter, or whose alternative is no better, is hedged past
// its own p99.
func TestHedgeDelay(t *testing.T) {
	ms := time.Millisecond
	// Each learns from 4000 deterministic samples: jitter is uniform over
	// 10..20ms (p50 15, p95 19.5, p99 19.9); spikes are 100ms on every
	// 20th attempt, 10ms otherwise; failing answers in 10ms but fails every
	// fifth attempt; steady always answers in 15ms.
	jitter := func(i int) (time.Duration, bool) {
		return 10*ms + time.Duration(i*7919%1000)*10*time.Microsecond, false
	}
	spikes := func(i int) (time.Duration, bool) {
		if i%20 == 0 {
			return 100 * ms, false
		}
		return 10 * ms, false
	}
	failing := func(i int) (time.Duration, bool) { return 10 * ms, i%5 == 0 }
	steady := func(int) (time.Duration, bool) { return 15 * ms, false }
	// A fake clock, a millisecond per sample, all targets learned side by
	// side: the averages' time weights and idle fading are then the same
	// on every run, however busy the machine.
	now := time.Unix(1_700_000_000, 0)
	h := route.NewHealth(route.HealthOptions{Now: func() time.Time { return now }})
	tgs := map[string]route.Target{}
	learn := map[string]func(int) (time.Duration, bool){"jitter": jitter, "jitter2": jitter, "steady": steady, "spikes": spikes, "failing": failing}
	for name := range learn {
		tgs[name] = route.Target{Provider: &provider.Provider{Name: name}, Model: "m"}
	}
	for i := range 4000 {
		now = now.Add(time.Millisecond)
		for name, f := range learn {
			tg := tgs[name]
			d, failed := f(i)
			l, _ := h.Acquire(tg, 0)
			if failed {
				l.Done(route.Outcome{Failed: true})
			} else {
				l.Done(route.Outcome{FirstByte: d, Total: d})
			}
		}
	}
	tgs["new"] = route.Target{Provider: &provider.Provider{Name: "new"}, Model: "m"}
	g := &Gateway{planner: &route.Planner{Health: h}}
	for _, c := range []struct {
		t, alt   string
		min, max time.Duration
	}{
		{"new", "jitter", 0, 0},                  // nothing known of t: no hedge
		{"jitter", "new", 18 * ms, 21 * ms},      // nothing known of alt: t's p95
		{"jitter", "jitter2", 19 * ms, 22 * ms},  // alt no better: t's p99
		{"jitter", "steady", 19 * ms, 22 * ms},   // alt better but cannot win (15+15ms > 19.9): t's p99, not 15ms
		{"spikes", "jitter", 9 * ms, 21 * ms},    // a real tail, a better alt: the sooner p95
		{"spikes", "failing", 80 * ms, 120 * ms}, // alt fails: t's p99
	} {
		d := g.hedgeDelay(tgs[c.t], tgs[c.alt])
		if d < c.min || d > c.max {
			st := h.Stats(tgs[c.t])
			t.Errorf("%s hedged to %s after %v, want %v..%v (p95 %v p99 %v tail %v, alt tail %v)", c.t, c.alt, d, c.min, c.max,
				st.FirstByteP95, st.FirstByteP99, st.Tail(), h.Stats(tgs[c.alt]).Tail())
		}
	}
}
