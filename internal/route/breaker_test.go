package route

import (
	"testing"
	"time"

	"github.com/railyard-ai/railyard/internal/provider"
)

// fakeClock is a settable clock for breaker and window tests.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time      { return c.t }
func (c *fakeClock) add(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *fakeClock               { return &fakeClock{t: time.Unix(1_700_000_000, 0)} }
func target(p, m string) Target {
	return Target{Provider: &provider.Provider{Name: p}, Model: m, Weight: 1}
}
func tagged(p string, tags ...string) Target {
	return Target{Provider: &provider.Provider{Name: p, Tags: tags}, Model: p + "-m", Weight: 1}
}

func TestBreakerStateMachine(t *testing.T) {
	clk := newClock()
	h := NewHealth(HealthOptions{Now: clk.now, Breaker: BreakerSettings{Failures: 3, Cooldown: 10 * time.Second}})
	tg := target("a", "m")
	step := func(failed bool) {
		t.Helper()
		l, why := h.Acquire(tg, 0)
		if l == nil {
			t.Fatalf("refused: %s", why)
		}
		l.Done(Outcome{Failed: failed, FirstByte: time.Millisecond, Total: time.Millisecond})
	}
	state := func() BreakerState { return h.Stats(tg).Breaker }

	// A success between failures resets the count.
	step(true)
	step(true)
	step(false)
	step(true)
	step(true)
	if s := state(); s != BreakerClosed {
		t.Fatalf("after 2 consecutive failures: %v, want closed", s)
	}
	// 5 outcomes so far; the window is 20: it opens when full and 80%
	// failed, on the 20th outcome.
	for i := 6; i <= 20; i++ {
		if s := state(); s != BreakerClosed {
			t.Fatalf("opened before the window filled (outcome %d)", i)
		}
		step(true)
	}
	if s := state(); s != BreakerOpen {
		t.Fatalf("after 20 outcomes, 18 failed: %v, want open", s)
	}
	if l, why := h.Acquire(tg, 0); l != nil || why != "breaker open" {
		t.Fatalf("open breaker admitted a request (why %q)", why)
	}
	clk.add(9 * time.Second)
	if l, _ := h.Acquire(tg, 0); l != nil {
		t.Fatal("admitted before the cooldown ended")
	}
	clk.add(time.Second)
	probe, _ := h.Acquire(tg, 0)
	if probe == nil {
		t.Fatal("no probe after the cooldown")
	}
	if s := state(); s != BreakerHalfOpen {
		t.Fatalf("state %v, want half-open", s)
	}
	if l, _ := h.Acquire(tg, 0); l != nil {
		t.Fatal("second concurrent probe admitted")
	}
	probe.Done(Outcome{Failed: true})
	if s := state(); s != BreakerOpen {
		t.Fatalf("failed probe: %v, want open", s)
	}
	clk.add(10 * time.Second)
	probe, _ = h.Acquire(tg, 0)
	if probe == nil {
		t.Fatal("no probe after the second cooldown")
	}
	probe.Done(Outcome{FirstByte: time.Millisecond, Total: time.Millisecond})
	if s := state(); s != BreakerClosed {
		t.Fatalf("successful probe: %v, want closed", s)
	}
	// Done twice is harmless.
	l, _ := h.Acquire(tg, 0)
	l.Done(Outcome{})
	l.Done(Outcome{Failed: true})
	if st := h.Stats(tg); st.InFlight != 0 {
		t.Fatalf("in flight %d after double Done", st.InFlight)
	}
}

func TestBreakerStatesAreKeyedByProviderAndModel(t *testing.T) {
	h := NewHealth(HealthOptions{Breaker: BreakerSettings{Failures: 1}})
	for range 20 {
		l, _ := h.Acquire(target("a", "m1"), 0)
		l.Done(Outcome{Failed: true})
	}
	if l, _ := h.Acquire(target("a", "m1"), 0); l != nil {
		t.Fatal("a/m1 should be open")
	}
	// A new *provider.Provider of the same name (a reloaded table) shares
	// the state; another model of the provider does not.
	if l, _ := h.Acquire(Target{Provider: &provider.Provider{Name: "a"}, Model: "m1"}, 0); l != nil {
		t.Fatal("reloaded a/m1 lost its open breaker")
	}
	if l, _ := h.Acquire(target("a", "m2"), 0); l == nil {
		t.Fatal("a/m2 refused by a/m1's breaker")
	}
}

func TestCapacity(t *testing.T) {
	clk := newClock()
	h := NewHealth(HealthOptions{Now: clk.now})
	tests := []struct {
		name  string
		cap   Capacity
		admit int // how many back-to-back Acquires succeed within one minute
		want  string
	}{
		{"concurrency", Capacity{Concurrency: 3}, 3, "at capacity (concurrency 3)"},
		{"rpm", Capacity{RPM: 5}, 5, "at capacity (rpm 5)"},
		{"tpm", Capacity{TPM: 1000}, 4, "at capacity (tpm 1000)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tg := target(tc.name, "m")
			tg.Capacity = tc.cap
			var leases []*Lease
			for i := range tc.admit {
				l, why := h.Acquire(tg, 250)
				if l == nil {
					t.Fatalf("request %d refused: %s", i+1, why)
				}
				leases = append(leases, l)
				if tc.name != "concurrency" {
					l.Done(Outcome{})
				}
			}
			if l, why := h.Acquire(tg, 250); l != nil || why != tc.want {
				t.Fatalf("request %d: admitted=%v why=%q, want %q", tc.admit+1, l != nil, why, tc.want)
			}
			if tc.name == "concurrency" {
				leases[0].Done(Outcome{})
				if l, _ := h.Acquire(tg, 0); l == nil {
					t.Fatal("a released slot was not reused")
				}
				return
			}
			clk.add(61 * time.Second)
			if l, why := h.Acquire(tg, 250); l == nil {
				t.Fatalf("a minute later still refused: %s", why)
			}
		})
	}
}

func TestTPMCorrectedByUsage(t *testing.T) {
	clk := newClock()
	h := NewHealth(HealthOptions{Now: clk.now})
	tg := target("a", "m")
	tg.Capacity = Capacity{TPM: 1000}
	l, _ := h.Acquire(tg, 900) // reserved the output limit...
	l.Done(Outcome{Tokens: 100, FirstByte: 1, Total: 1})
	// ...but used 100, so 800 more fit.
	if l, why := h.Acquire(tg, 800); l == nil {
		t.Fatalf("refused after the reservation was corrected: %s", why)
	}
}

func TestPeakEWMA(t *testing.T) {
	clk := newClock()
	h := NewHealth(HealthOptions{Now: clk.now, Decay: 10 * time.Second})
	tg := target("a", "m")
	obs := func(fb time.Duration) {
		l, _ := h.Acquire(tg, 0)
		l.Done(Outcome{FirstByte: fb, Total: fb + 10*time.Millisecond, OutputTokens: 11})
	}
	obs(100 * time.Millisecond)
	clk.add(time.Second)
	obs(500 * time.Millisecond)
	if got := h.Stats(tg).FirstByte; got != 500*time.Millisecond {
		t.Fatalf("a slower sample must replace the average at once: %v", got)
	}
	clk.add(10 * time.Second)
	obs(100 * time.Millisecond)
	got := h.Stats(tg).FirstByte
	// w = 1-e^-1 ≈ 0.632: 500 + 0.632*(100-500) ≈ 247ms.
	if got < 240*time.Millisecond || got > 255*time.Millisecond {
		t.Fatalf("decay after one time constant: %v, want ≈247ms", got)
	}
	if pt := h.Stats(tg).PerToken; pt != time.Millisecond {
		t.Fatalf("per token %v, want 1ms", pt)
	}
}

func TestBreakerIgnoresRunsOfAPartlyFailingTarget(t *testing.T) {
	h := NewHealth(HealthOptions{Breaker: BreakerSettings{Failures: 5}})
	tg := target("a", "m")
	// Batches of 10 where the 3 fast failures finish first, then 7
	// successes: runs of failures, 30% overall. Then a burst of 6 fails
	// (a run above Failures) inside a mostly healthy window.
	for range 50 {
		for i := range 10 {
			l, _ := h.Acquire(tg, 0)
			if l == nil {
				t.Fatal("a 30% failing target was ejected")
			}
			l.Done(Outcome{Failed: i < 3})
		}
	}
	for range 6 {
		l, _ := h.Acquire(tg, 0)
		l.Done(Outcome{Failed: true})
	}
	if s := h.Stats(tg).Breaker; s != BreakerClosed {
		t.Fatalf("opened on a run within a healthy window: %v", s)
	}
	// Down for good: it opens once 80% of the last 20 failed.
	n := 6
	for h.Stats(tg).Breaker == BreakerClosed {
		l, _ := h.Acquire(tg, 0)
		l.Done(Outcome{Failed: true})
		if n++; n > 20 {
			t.Fatal("a target failing every request never opened")
		}
	}
	if n != 16 {
		t.Fatalf("opened after %d straight failures, want 16 (80%% of 20)", n)
	}
}
