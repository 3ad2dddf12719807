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
	// Failures is how many consecutive failures open the breaker. Default 5.
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
}

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
		b.state, b.failures = BreakerClosed, 0
	case b.state == BreakerClosed && failed:
		b.failures++
		if b.failures >= s.Failures {
			b.state, b.openedAt = BreakerOpen, now
		}
	case b.state == BreakerClosed:
		b.failures = 0
	}
}
