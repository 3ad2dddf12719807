package route

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// The memo must never change a count: what count returns equals the
// tokenizer's own count, first time or remembered, long or short.
func TestCountMemoKeepsCounts(t *testing.T) {
	var e Estimator
	texts := []string{
		"", "hi", strings.Repeat("You are a helpful assistant. ", 20),
		`{"type":"object","properties":{"city":{"type":"string","description":"City name"}},"required":["city"]}` + strings.Repeat(" ", 100),
		strings.Repeat("日本語のテキスト、", 30),
	}
	for round := range 3 {
		for _, s := range texts {
			if got, want := e.count(s), e.countBPE(s); got != want {
				t.Fatalf("round %d: count(%.30q) = %d, tokenizer says %d", round, s, got, want)
			}
		}
	}
}

func TestCountMemoIsBounded(t *testing.T) {
	var m countMemo
	for i := range 3*memoGeneration + 7 {
		m.put(m.hash(fmt.Sprint("text ", i)), i)
	}
	if n := len(m.cur) + len(m.old); n > 2*memoGeneration {
		t.Fatalf("memo holds %d counts, more than %d", n, 2*memoGeneration)
	}
	// The most recent counts are still there.
	last := 3*memoGeneration + 6
	if n, ok := m.get(m.hash(fmt.Sprint("text ", last))); !ok || n != last {
		t.Fatalf("latest count lost: %d, %v", n, ok)
	}
}

func TestCountMemoConcurrent(t *testing.T) {
	var e Estimator
	s := strings.Repeat("The quick brown fox jumps over the lazy dog. ", 10)
	want := e.countBPE(s)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				if got := e.count(s); got != want {
					t.Errorf("count = %d, want %d", got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}
