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
