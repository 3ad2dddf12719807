package sim

import (
	"context"
	"testing"
	"time"
)

func TestLatencyModel(t *testing.T) {
	ms := time.Millisecond
	base := latency{overhead: 20 * ms, prefill: 10 * time.Microsecond, itl: 5 * ms, batchSize: 5, loadFactor: 3}
	tests := []struct {
		name     string
		lat      latency
		uncached int
		running  int
		ttft     time.Duration
		itl      time.Duration
	}{
		{"idle", base, 1000, 1, 30 * ms, 5 * ms},
		{"no prompt", base, 0, 1, 20 * ms, 5 * ms},
		{"half load", base, 1000, 3, 60 * ms, 10 * ms},  // 1 + 2*(2/4) = 2
		{"full batch", base, 1000, 5, 90 * ms, 15 * ms}, // 1 + 2*(4/4) = 3
		{"over batch clamps", base, 1000, 50, 90 * ms, 15 * ms},
		{"load factor 1", latency{overhead: 20 * ms, itl: 5 * ms, batchSize: 5, loadFactor: 1}, 0, 5, 20 * ms, 5 * ms},
		{"batch size 1", latency{overhead: 20 * ms, itl: 5 * ms, batchSize: 1, loadFactor: 4}, 0, 9, 20 * ms, 5 * ms},
		{"zero latency", latency{batchSize: 5, loadFactor: 3}, 1000, 5, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.lat.ttft(tt.uncached, tt.running); got != tt.ttft {
				t.Errorf("ttft = %v, want %v", got, tt.ttft)
			}
			if got := tt.lat.interToken(tt.running); got != tt.itl {
				t.Errorf("itl = %v, want %v", got, tt.itl)
			}
		})
	}
}

func TestSleepCtxCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := sleepCtx(ctx, time.Hour); err == nil {
		t.Fatal("a cancelled context must end the wait")
	}
	if err := sleepCtx(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
}
