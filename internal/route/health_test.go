package route

import (
	"fmt"
	"testing"
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
