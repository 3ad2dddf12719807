// Package gctune puts a floor under the garbage collector's headroom: the
// heap may grow by at least Floor bytes of garbage between collections,
// however small the live heap is.
//
// Why: with the default GOGC=100 the collector runs each time the heap
// doubles. A gateway's live heap at rest is small (~10 MB, most of it the
// tokenizer's vocabulary), while every request allocates tens of
// kilobytes, so under load it collected several times a second; each
// cycle's mark phase takes a quarter of the CPUs (and idle ones) for a few
// milliseconds, and the requests that arrive then wait. That showed as
// the time-to-first-token tail at half load. A higher GOGC everywhere
// would fix that and cost memory in proportion to the live heap (+8% per
// open stream at 5,000 streams for GOGC=200). The floor costs a fixed
// amount instead: once the live heap is larger than Floor, the collector
// paces as it would by default.
//
// It works by re-computing GOGC after every collection, as 100 * Floor /
// the memory GOGC is a percentage of (the live heap plus goroutine stacks
// plus globals) when that is above the base percentage. The runtime
// offers no heap-goal minimum of its own (GOMEMLIMIT is a ceiling).
package gctune

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// maxPercent bounds GOGC while the live heap is tiny (a few MB at start,
// before the tokenizer loads), when the floor would allow 50x of it.
const maxPercent = 1000

// Tuner adjusts GOGC after each collection until Stop.
type Tuner struct {
	floor   uint64
	base    int
	stopped atomic.Bool
	scan    []metrics.Sample // what GOGC is a percentage of
	percent int              // the GOGC last set; touched only by the cleanup goroutine after Start
}

// cycle is allocated once per collection; its cleanup runs after the
// collection that found it unreachable. It holds a pointer so that it is
// never batched into a tiny block, whose cleanup might not run.
type cycle struct{ _ *byte }

// Start makes the heap's headroom at least floor bytes over base percent
// GOGC (the percentage it returns to once the live heap passes floor). The
// caller should not call it when the operator set GOGC: their choice wins.
func Start(floor uint64, base int) *Tuner {
	t := &Tuner{floor: floor, base: base, percent: base, scan: []metrics.Sample{
		{Name: "/gc/heap/live:bytes"}, {Name: "/gc/scan/stack:bytes"}, {Name: "/gc/scan/globals:bytes"},
	}}
	debug.SetGCPercent(base)
	t.arm()
	return t
}

func (t *Tuner) arm() {
	runtime.AddCleanup(&cycle{}, func(t *Tuner) { t.afterGC() }, t)
}

// afterGC runs on the runtime's cleanup goroutine after a collection.
func (t *Tuner) afterGC() {
	if t.stopped.Load() {
		return
	}
	metrics.Read(t.scan)
	var base uint64
	for _, s := range t.scan {
		if s.Value.Kind() == metrics.KindUint64 {
			base += s.Value.Uint64()
		}
	}
	if p := Percent(base, t.floor, t.base); p != t.percent && (p == t.base || !near(p, t.percent)) {
		debug.SetGCPercent(p)
		t.percent = p
	}
	t.arm()
}

// Stop returns GOGC to the base percentage; the tuner makes no change
// after it.
func (t *Tuner) Stop() {
	if !t.stopped.Swap(true) {
		debug.SetGCPercent(t.base)
	}
}

// Percent is the GOGC that lets the heap grow by at least floor bytes past
// its live bytes, where scan is what GOGC is a percentage of (the live
// heap, goroutine stacks and globals), and by no less than base percent.
func Percent(scan, floor uint64, base int) int {
	if scan == 0 {
		return maxPercent
	}
	p := floor * 100 / scan
	if p <= uint64(base) {
		return base
	}
	return int(min(p, maxPercent))
}

// near reports whether p is within 10% of cur, not worth a change: small
// swings of the live heap between collections would otherwise reset the
// pacer every cycle. A return to base is always made.
func near(p, cur int) bool {
	d := p - cur
	if d < 0 {
		d = -d
	}
	return d*10 < cur
}
