package gctune

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

func TestPercent(t *testing.T) {
	const mb = 1 << 20
	for _, c := range []struct {
		scan, floor uint64
		base, want  int
	}{
		{scan: 8 * mb, floor: 64 * mb, base: 100, want: 800},
		{scan: 64 * mb, floor: 64 * mb, base: 100, want: 100},
		{scan: 500 * mb, floor: 64 * mb, base: 100, want: 100}, // large heaps pace as by default
		{scan: 40 * mb, floor: 64 * mb, base: 200, want: 200},  // never below base
		{scan: 1024, floor: 64 * mb, base: 100, want: maxPercent},
		{scan: 0, floor: 64 * mb, base: 100, want: maxPercent},
	} {
		if got := Percent(c.scan, c.floor, c.base); got != c.want {
			t.Errorf("Percent(%d, %d, %d) = %d, want %d", c.scan, c.floor, c.base, got, c.want)
		}
	}
}

func TestNear(t *testing.T) {
	for _, c := range []struct {
		p, cur int
		want   bool
	}{
		{800, 800, true}, {850, 800, true}, {700, 800, false}, {100, 109, true}, {100, 120, false},
	} {
		if got := near(c.p, c.cur); got != c.want {
			t.Errorf("near(%d, %d) = %v", c.p, c.cur, got)
		}
	}
}

// gogc reads the runtime's current GOGC.
func gogc() int {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return int(s[0].Value.Uint64())
}

// waitGOGC collects until the cleanup goroutine has set GOGC as ok wants.
func waitGOGC(t *testing.T, ok func(int) bool) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		runtime.GC()
		if p := gogc(); ok(p) {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("GOGC stayed %d", gogc())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// The tuner raises GOGC while the live heap is under the floor, returns
// it to base once the live heap passes the floor, and restores base at
// Stop.
func TestTunerFollowsLiveHeap(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	tu := Start(64<<20, 100)
	if p := waitGOGC(t, func(p int) bool { return p > 100 }); p < 200 {
		t.Errorf("GOGC %d with a small live heap under a 64 MiB floor", p)
	}

	ballast := make([]byte, 256<<20) // pointer-free: live, never touched
	waitGOGC(t, func(p int) bool { return p == 100 })
	runtime.KeepAlive(ballast)

	ballast = nil
	waitGOGC(t, func(p int) bool { return p > 100 })

	tu.Stop()
	if p := gogc(); p != 100 {
		t.Errorf("GOGC %d after Stop, want the base 100", p)
	}
	runtime.GC()
	runtime.GC()
	time.Sleep(20 * time.Millisecond)
	if p := gogc(); p != 100 {
		t.Errorf("GOGC %d after Stop and more collections: the tuner still runs", p)
	}
}
