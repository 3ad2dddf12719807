package sim

import (
	"context"
	"time"
)

// latency is a model's timing, resolved from config.
type latency struct {
	overhead   time.Duration
	prefill    time.Duration // per uncached prompt token
	itl        time.Duration // between output tokens
	batchSize  int
	loadFactor float64
}

// loadMultiplier follows llm-d-inference-sim: with running requests in
// flight (this one included) the times stretch linearly from 1 at one
// request to loadFactor at batchSize requests. More than batchSize
// requests count as batchSize: the simulator does not queue.
func (l latency) loadMultiplier(running int) float64 {
	if l.batchSize <= 1 || l.loadFactor <= 1 || running <= 1 {
		return 1
	}
	if running > l.batchSize {
		running = l.batchSize
	}
	return 1 + (l.loadFactor-1)*float64(running-1)/float64(l.batchSize-1)
}

// ttft is the time to first token for a prompt of which uncached tokens
// were not found in the prefix cache.
func (l latency) ttft(uncached, running int) time.Duration {
	base := l.overhead + time.Duration(uncached)*l.prefill
	return scale(base, l.loadMultiplier(running))
}

// interToken is the wait before each output token after the first.
func (l latency) interToken(running int) time.Duration {
	return scale(l.itl, l.loadMultiplier(running))
}

func scale(d time.Duration, f float64) time.Duration {
	if f == 1 {
		return d
	}
	return time.Duration(float64(d) * f)
}

// sleepFunc waits d or until ctx ends, returning ctx's error in that case.
// The server holds one so tests can record waits instead of timing them.
type sleepFunc func(ctx context.Context, d time.Duration) error

// sleepCtx is the real sleepFunc.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// durationN converts a count for multiplying a duration.
func durationN(n int) time.Duration { return time.Duration(n) }

// wait sleeps d with the server's sleepFunc; a zero wait only checks that
// the client is still there.
func (s *Server) wait(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	return s.sleep(ctx, d)
}
