package ui

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// The sign-in form is the one place the master key can be guessed at
// browser speed, so wrong keys are throttled per client address: after
// maxLoginFailures within loginWindow, further attempts from that address
// answer 429 until the window ends (a right key included, so guessing
// gains nothing). Behind a proxy every client shares the proxy's address;
// the cost is that a guesser can delay the operator's sign-in by a
// minute, never lock it out longer.
const (
	maxLoginFailures = 10
	loginWindow      = time.Minute
	// maxTracked bounds the table; when full, windows that ended are
	// dropped, and if none has, the table starts over.
	maxTracked = 10_000
)

type failures struct {
	n     int
	start time.Time
}

type throttle struct {
	mu    sync.Mutex
	fails map[string]*failures
}

func newThrottle() *throttle { return &throttle{fails: map[string]*failures{}} }

// clientAddr is the request's peer address without its port.
func clientAddr(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}

// wait reports how long addr must wait before trying again, 0 if it may.
func (t *throttle) wait(addr string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.fails[addr]
	if f == nil {
		return 0
	}
	if end := f.start.Add(loginWindow); now.Before(end) {
		if f.n >= maxLoginFailures {
			return end.Sub(now)
		}
		return 0
	}
	delete(t.fails, addr)
	return 0
}

// fail counts a wrong key from addr.
func (t *throttle) fail(addr string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.fails[addr]
	if f == nil || !now.Before(f.start.Add(loginWindow)) {
		if len(t.fails) >= maxTracked {
			t.prune(now)
		}
		f = &failures{start: now}
		t.fails[addr] = f
	}
	f.n++
}

// succeed forgets addr's failures.
func (t *throttle) succeed(addr string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.fails, addr)
}

func (t *throttle) prune(now time.Time) {
	for a, f := range t.fails {
		if !now.Before(f.start.Add(loginWindow)) {
			delete(t.fails, a)
		}
	}
	if len(t.fails) >= maxTracked {
		clear(t.fails)
	}
}
