package route

import (
	"fmt"
	"testing"
	"time"
)

func TestHealthIsBounded(t *testing.T) {
	h := NewHealth(HealthOptions{})
	busy := target("busy", "m")
	l, _ := h.Acquire(busy, 0)
	for i := range 3 * maxTracked {
		h.Stats(target("p", fmt.Sprint(i)))
	}
	if n := len(h.targets); n > maxTracked {
		t.Fatalf("tracking %d targets", n)
	}
	if st := h.Stats(busy); st.InFlight != 1 {
		t.Fatalf("a target with a request in flight was forgotten: %+v", st)
	}
	l.Done(Outcome{})
}

func TestFirstByteP95(t *testing.T) {
	h := NewHealth(HealthOptions{})
	tg := target("a", "m")
	// Uniform over 10..20ms: the 95th percentile is 19.5ms.
	for i := range 4000 {
		d := 10*time.Millisecond + time.Duration(i*7919%1000)*10*time.Microsecond
		l, _ := h.Acquire(tg, 0)
		l.Done(Outcome{FirstByte: d, Total: d})
	}
	if p := h.Stats(tg).FirstByteP95; p < 18*time.Millisecond || p > 21*time.Millisecond {
		t.Fatalf("p95 estimate %v, want ≈19.5ms", p)
	}
}

func TestFirstByteP99AndSlowRate(t *testing.T) {
	h := NewHealth(HealthOptions{})
	tg := target("a", "m")
	// 10ms, but every 20th attempt lost to a hedge after 20ms: the p99
	// sits at the slow attempts' lower bound, the slow rate near 5%.
	for i := range 4000 {
		d, slow := 10*time.Millisecond, i%20 == 0
		if slow {
			d = 20 * time.Millisecond
		}
		l, _ := h.Acquire(tg, 0)
		l.Done(Outcome{FirstByte: d, Total: d, Slow: slow})
	}
	st := h.Stats(tg)
	if st.FirstByteP99 < 18*time.Millisecond || st.FirstByteP99 > 22*time.Millisecond {
		t.Fatalf("p99 estimate %v, want ≈20ms", st.FirstByteP99)
	}
	if st.SlowRate <= 0 || st.SlowRate > 0.1 || st.ErrorRate != 0 {
		t.Fatalf("slow rate %v, error rate %v; want ≈0.05 and 0", st.SlowRate, st.ErrorRate)
	}
	if steady := (Stats{FirstByte: 10 * time.Millisecond, FirstByteP99: 11 * time.Millisecond, Samples: 4000}); latencyScore(st, 16) <= 2*latencyScore(steady, 16) {
		t.Fatalf("a target slow on 5%% of attempts scores %v, a steady one %v", latencyScore(st, 16), latencyScore(steady, 16))
	}
}
