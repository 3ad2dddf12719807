package route

import "time"

// BreakerState is where a circuit breaker stands.
type BreakerState int

// Breaker states: closed passes traffic, open refuses it until the cooldown
// has passed, half-open lets a bounded number of probes through and closes
// on their success or reopens on a failure.
const (
	BreakerClosed BreakerState = iota
	BreakerOpen
	BreakerHalfOpen
)

func (s BreakerState) String() string {
	switch s {
	case BreakerOpen:
		return "open"
	case BreakerHalfOpen:
		return "half-open"
	}
	return "closed"
}

// BreakerSettings tune every target's breaker. Zero values take the
// defaults named on each field.
type BreakerSettings struct {
	// Failures is how many consecutive failures open the breaker, provided
	// that at least 80% of the target's recent outcomes (the last
	// 4×Failures, at least 20) failed too. The second condition keeps a
	// partly failing target in service: under concurrency its fast
	// failures finish before its slower successes, so a target failing
	// 30% shows runs of failures that do not mean it is down. Default 5.
	Failures int
	// Cooldown is how long an open breaker refuses traffic before it lets
	// probes through. Default 30s.
	Cooldown time.Duration
	// Probes is how many requests a half-open breaker lets through at once.
	// Default 1.
	Probes int
}

func (s BreakerSettings) withDefaults() BreakerSettings {
	if s.Failures <= 0 {
		s.Failures = 5
	}
	if s.Cooldown <= 0 {
		s.Cooldown = 30 * time.Second
	}
	if s.Probes <= 0 {
		s.Probes = 1
	}
	return s
}

// breaker is one target's circuit breaker. It is not safe for concurrent
// use on its own: the targetState that owns it holds the lock. Time comes
// in as an argument so that tests drive it with a fake clock.
type breaker struct {
	state    BreakerState
	failures int       // consecutive, while closed
	openedAt time.Time // when it last opened
	probes   int       // in flight, while half-open
	recent   outcomes
}

// outcomes remembers the last outcomes, failed or not, up to 64.
type outcomes struct {
	bits   uint64 // 1 = failed, newest in bit 0
	n      int
	failed int
}

func (o *outcomes) add(failed bool, size int) {
	size = min(max(size, 1), 64)
	if o.n == size {
		if o.bits>>(size-1)&1 == 1 {
			o.failed--
		}
	} else {
		o.n++
	}
	o.bits = o.bits << 1 & (1<<size - 1)
	if failed {
		o.bits |= 1
		o.failed++
	}
}

// mostlyFailing reports whether the window of size is full and 80% of it
// failed. A window that is not full yet (a new target, or one just closed
// after a probe) does not count: its first outcomes are the fast failures.
func (o *outcomes) mostlyFailing(size int) bool { return o.n >= size && o.failed*5 >= o.n*4 }

func windowFor(s BreakerSettings) int { return min(max(4*s.Failures, 20), 64) }

// allow reports whether a request may go to the target now, and whether it
// is a half-open probe (which the caller must report back through done).
func (b *breaker) allow(now time.Time, s BreakerSettings) (ok, probe bool) {
	switch b.state {
	case BreakerOpen:
		if now.Sub(b.openedAt) < s.Cooldown {
			return false, false
		}
		b.state, b.probes = BreakerHalfOpen, 0
		fallthrough
	case BreakerHalfOpen:
		if b.probes >= s.Probes {
			return false, false
		}
		b.probes++
		return true, true
	}
	return true, false
}

// done records the outcome of a request that allow let through.
func (b *breaker) done(now time.Time, s BreakerSettings, probe, failed bool) {
	if probe && b.probes > 0 {
		b.probes--
	}
	switch {
	case b.state == BreakerHalfOpen && probe && failed:
		b.state, b.openedAt = BreakerOpen, now
	case b.state == BreakerHalfOpen && probe:
		// Closed again; the window still remembers the failures, so a new
		// run of them reopens it at once until successes dilute them.
		b.state, b.failures = BreakerClosed, 0
		b.recent.add(false, windowFor(s))
	case b.state == BreakerClosed && failed:
		b.failures++
		b.recent.add(true, windowFor(s))
		if b.failures >= s.Failures && b.recent.mostlyFailing(windowFor(s)) {
			b.state, b.openedAt = BreakerOpen, now
		}
	case b.state == BreakerClosed:
		b.failures = 0
		b.recent.add(false, windowFor(s))
	}
}
