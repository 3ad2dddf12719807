package sim

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/railyard-ai/railyard/internal/config"
	"github.com/railyard-ai/railyard/internal/llm"
)

// faults is what the fault draws decided for one request.
type faults struct {
	slowHeaders time.Duration
	// status, when not nil, is the error reply instead of an answer.
	status *llm.Error
	// cut is disconnect or malformed (or empty); it strikes after
	// cutAfter output tokens.
	cut      string
	cutAfter int
}

func (f faults) any() bool { return f.slowHeaders > 0 || f.status != nil || f.cut != "" }

// drawFaults draws every configured fault in order, one uniform number
// each (so adding a fault at the end never changes earlier draws). Several
// may hit: slow headers combine with anything; a status fault wins over a
// mid-stream one; the first disconnect or malformed that hits is used.
func drawFaults(list []config.SimFault, rng *rand.Rand) faults {
	var f faults
	for _, c := range list {
		rate := 1.0
		if c.Rate != nil {
			rate = *c.Rate
		}
		if rng.Float64() >= rate {
			continue
		}
		switch c.Kind {
		case config.SimFaultSlowHeaders:
			f.slowHeaders += c.Delay
		case config.SimFaultStatus:
			if f.status == nil {
				f.status = statusError(c.Status, c.RetryAfter)
			}
		case config.SimFaultDisconnect, config.SimFaultMalformed:
			if f.cut == "" {
				f.cut, f.cutAfter = c.Kind, c.AfterTokens
			}
		}
	}
	return f
}

// statusError is the error a status fault replies with. 529 maps to
// overloaded, which Anthropic's dialect renders as overloaded_error.
func statusError(status int, retryAfter time.Duration) *llm.Error {
	if status < 400 || status > 599 {
		status = 500
	}
	e := llm.Errorf(status, llm.KindForStatus(status), "simulated fault: status %d", status)
	e.RetryAfter = retryAfter
	return e
}

// headerFault parses the x-sim-fault request header: an HTTP status
// (4xx/5xx), or disconnect, malformed or slow_headers (1s), optionally
// followed by ":N" (tokens before the cut, or seconds of delay). It
// reports false for a value it does not understand.
func headerFault(v string) (faults, bool) {
	kind, arg, _ := strings.Cut(strings.TrimSpace(v), ":")
	n := 0
	if arg != "" {
		var err error
		if n, err = strconv.Atoi(arg); err != nil || n < 0 || n > 1<<20 {
			return faults{}, false
		}
	}
	switch kind {
	case config.SimFaultDisconnect, config.SimFaultMalformed:
		return faults{cut: kind, cutAfter: n}, true
	case config.SimFaultSlowHeaders:
		if arg == "" {
			n = 1
		}
		return faults{slowHeaders: time.Duration(n) * time.Second}, true
	}
	status, err := strconv.Atoi(kind)
	if err != nil || status < 400 || status > 599 {
		return faults{}, false
	}
	var retry time.Duration
	if arg != "" {
		retry = time.Duration(n) * time.Second
	}
	return faults{status: statusError(status, retry)}, true
}
