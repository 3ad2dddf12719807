package openai

import (
	"encoding/json"
	"testing"

	"github.com/railyard-ai/railyard/internal/llm"
)

// FuzzAppendUsage holds appendUsage to encoding/json's rendering of the
// same usage.
func FuzzAppendUsage(f *testing.F) {
	f.Add(472, 256, 0, 0, 0)
	f.Add(10, 5, 3, 2, 1)
	f.Add(-1, 0, 1<<40, 0, -7)
	f.Fuzz(func(t *testing.T, in, out, cacheRead, cacheWrite, reasoning int) {
		u := llm.Usage{InputTokens: in, OutputTokens: out, CacheReadTokens: cacheRead, CacheWriteTokens: cacheWrite, ReasoningTokens: reasoning}
		want, err := json.Marshal(wireUsageOf(u))
		if err != nil {
			t.Fatal(err)
		}
		if got := appendUsage([]byte("x"), u); string(got[1:]) != string(want) {
			t.Fatalf("appendUsage(%+v):\n%s\nencoding/json:\n%s", u, got[1:], want)
		}
	})
}
