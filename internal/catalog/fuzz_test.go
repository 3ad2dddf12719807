package catalog

import (
	"testing"

	"github.com/railyard-ai/railyard/internal/llm"
)

// FuzzParse feeds arbitrary bytes to the data parser (which config may use
// for a replacement catalog): it must never panic, and whatever it accepts
// must price any usage at a non-negative cost.
func FuzzParse(f *testing.F) {
	f.Add([]byte(good))
	f.Add(embedded)
	f.Add([]byte("models:\n  - id: a\n    prices: {input: {usd: 1}}\n"))
	f.Add([]byte("models: [{id: a, tiers: [{above_input_tokens: 1}]}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err != nil {
			return
		}
		for _, m := range c.Models() {
			if got := m.CostNanoUSD(llm.Usage{InputTokens: 1 << 20, OutputTokens: 1 << 20, CacheReadTokens: 7, ReasoningTokens: 3}); got < 0 {
				t.Fatalf("%s: negative cost %d", m.ID, got)
			}
			if _, ok := c.Lookup(m.ID); !ok {
				t.Fatalf("%s: accepted entry not found by its id", m.ID)
			}
		}
	})
}

// FuzzLookup: any client-supplied model name is safe to look up, and a hit
// is stable (looking up the returned id finds the same entry).
func FuzzLookup(f *testing.F) {
	c, err := Load()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"gpt-4.1-mini-2025-04-14", "us.amazon.nova-lite-v1:0", "a/b/c",
		"claude-haiku-4-5@20251001", "o3-2025-04-16-v1:0", "-", "@", "us.", "x-v1:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		m, ok := c.Lookup(name)
		if !ok {
			return
		}
		again, ok := c.Lookup(m.ID)
		if !ok || again.ID != m.ID {
			t.Fatalf("Lookup(%q) = %s, but Lookup(%s) = %s, %v", name, m.ID, m.ID, again.ID, ok)
		}
	})
}

// FuzzCost: no usage report, however inconsistent, yields a negative cost.
func FuzzCost(f *testing.F) {
	c, err := Load()
	if err != nil {
		f.Fatal(err)
	}
	models := c.Models()
	f.Add(0, 10, 5, 1, 2, 3)
	f.Add(3, -1, 1<<40, -7, 0, 1<<62)
	f.Fuzz(func(t *testing.T, i, in, out, cr, cw, rs int) {
		if i < 0 {
			i = -i
		}
		m := models[i%len(models)]
		u := llm.Usage{InputTokens: in, OutputTokens: out, CacheReadTokens: cr, CacheWriteTokens: cw, ReasoningTokens: rs}
		if got := m.CostNanoUSD(u); got < 0 {
			t.Fatalf("%s %+v: negative cost %d", m.ID, u, got)
		}
	})
}
