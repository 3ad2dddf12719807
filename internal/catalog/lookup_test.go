package catalog

import (
	"reflect"
	"testing"

	"github.com/railyard-ai/railyard/internal/llm"
)

func TestLookup(t *testing.T) {
	c := mustLoad(t)
	tests := []struct {
		name   string
		wantID string // "" means not found
	}{
		// exact ids and aliases, case-insensitive
		{"gpt-4.1-mini", "gpt-4.1-mini"},
		{"GPT-4.1-Mini", "gpt-4.1-mini"},
		{" gpt-4.1-mini ", "gpt-4.1-mini"},
		{"gpt-4.1-mini-2025-04-14", "gpt-4.1-mini"},
		{"claude-sonnet-4-5-20250929", "claude-sonnet-4-5"},
		{"claude-sonnet-4-20250514", "claude-sonnet-4-0"},
		// an exact entry beats the date fallback
		{"gpt-4o-2024-05-13", "gpt-4o-2024-05-13"},
		{"gpt-4o-2024-08-06", "gpt-4o"},
		// provider prefixes
		{"openai/gpt-4o-mini", "gpt-4o-mini"},
		{"anthropic/claude-haiku-4-5", "claude-haiku-4-5"},
		{"models/gemini-2.5-flash", "gemini-2.5-flash"},
		{"bedrock/us.amazon.nova-pro-v1:0", "amazon.nova-pro-v1:0"},
		// Bedrock region prefixes
		{"amazon.nova-lite-v1:0", "amazon.nova-lite-v1:0"},
		{"us.amazon.nova-lite-v1:0", "amazon.nova-lite-v1:0"},
		{"eu.amazon.nova-micro-v1:0", "amazon.nova-micro-v1:0"},
		{"apac.amazon.nova-premier-v1:0", "amazon.nova-premier-v1:0"},
		{"global.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5"},
		{"us.anthropic.claude-3-7-sonnet-20250219-v1:0", "claude-3-7-sonnet"},
		// date-suffix fallback to the longest id
		{"gpt-4.1-mini-2026-01-30", "gpt-4.1-mini"},
		{"gpt-4.1-2026-01-30", "gpt-4.1"},
		{"gpt-5-nano-2026-03-01", "gpt-5-nano"},
		{"claude-haiku-4-5-20260101", "claude-haiku-4-5"},
		{"claude-haiku-4-5@20251001", "claude-haiku-4-5"},
		{"gpt-4o-mini-0718", "gpt-4o-mini"},
		{"anthropic.claude-haiku-4-5-20260101-v1:0", ""}, // id is "claude-haiku-4-5", not the bedrock form
		{"o3-2026-01-01", "o3"},
		{"claude-opus-4-1-20260101-v2:0", "claude-opus-4-1"},
		// not a date: a different model must not borrow a price
		{"o3-mini", ""},
		{"o3-pro", ""},
		{"gpt-4.1-mini-high", ""},
		{"gpt-5-codex", ""},
		{"gpt-4.1-mini-2025-4-14", ""},
		{"gpt-4.1-mini-20250414x", ""},
		{"gpt-4.1-mini-2025-04-14-v", ""},
		{"gpt-4.1-mini-2025-04-14-v1:", ""},
		// unknown and degenerate
		{"", ""},
		{"/", ""},
		{"us.", ""},
		{"unknown-model", ""},
		{"us.gpt-4.1", "gpt-4.1"}, // a region prefix on a non-Bedrock name is harmless
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, ok := c.Lookup(tt.name)
			e, eok := c.Entry(tt.name)
			if eok != ok || (ok && !reflect.DeepEqual(*e, m)) {
				t.Fatalf("Entry(%q) = %v, %v; Lookup gives %v, %v", tt.name, e, eok, m, ok)
			}
			if tt.wantID == "" {
				if ok {
					t.Fatalf("Lookup(%q) = %s, want not found", tt.name, m.ID)
				}
				return
			}
			if !ok || m.ID != tt.wantID {
				t.Fatalf("Lookup(%q) = %q, %v; want %q", tt.name, m.ID, ok, tt.wantID)
			}
		})
	}
}

func TestLookupReturnsACopy(t *testing.T) {
	c := mustLoad(t)
	m := mustModel(t, c, "gpt-4.1")
	m.Aliases[0] = "changed"
	m.Prices.Input.Rate = 0
	again := mustModel(t, c, "gpt-4.1")
	if again.Aliases[0] == "changed" || again.Prices.Input.Rate == 0 {
		t.Fatal("changing a returned Model changed the catalog")
	}
}

// TestEntryDoesNotAllocate pins why Entry exists: the per-request lookups
// of routing and governance copy nothing, whatever rule finds the entry.
func TestEntryDoesNotAllocate(t *testing.T) {
	c := mustLoad(t)
	for _, name := range []string{"gpt-4.1-mini", "openai/gpt-4.1-mini-2026-01-30", "us.amazon.nova-lite-v1:0", "no-such-model"} {
		if n := testing.AllocsPerRun(100, func() { c.Entry(name) }); n != 0 {
			t.Errorf("Entry(%q): %v allocations, want 0", name, n)
		}
	}
	if m, ok := c.Entry("gpt-4.1"); !ok || m != mustEntry(t, c, "GPT-4.1-2025-04-14") {
		t.Error("Entry does not return the catalog's own entry")
	}
}

func mustEntry(t *testing.T, c *Catalog, name string) *Model {
	t.Helper()
	m, ok := c.Entry(name)
	if !ok {
		t.Fatalf("Entry(%q) not found", name)
	}
	return m
}

func TestOverride(t *testing.T) {
	c := mustLoad(t)
	cheap := Model{ID: "gpt-4.1", Family: FamilyOpenAI, Aliases: []string{"my-gpt"},
		Prices: Prices{Input: price("1"), Output: price("4")}}
	added := Model{ID: "qwen3-32b", Family: FamilyQwen,
		Prices: Prices{Input: price("0"), Output: price("0")}}
	o, err := c.Override([]Model{cheap, added})
	if err != nil {
		t.Fatal(err)
	}
	if m := mustModel(t, o, "my-gpt"); m.Prices.Input.Rate != 1_000_000 {
		t.Errorf("override price = %v", m.Prices.Input.Rate)
	}
	// the replaced entry's dated alias is gone, but the date fallback now
	// prices it with the override
	if m := mustModel(t, o, "gpt-4.1-2025-04-14"); m.Prices.Input.Rate != 1_000_000 || len(m.Aliases) != 1 {
		t.Errorf("dated name resolves to %+v", m)
	}
	if _, ok := o.Lookup("fleet/qwen3-32b"); !ok {
		t.Error("added entry not found")
	}
	if o.Len() != c.Len()+1 {
		t.Errorf("Len = %d, want %d", o.Len(), c.Len()+1)
	}
	// the original is untouched
	if m := mustModel(t, c, "gpt-4.1-2025-04-14"); m.Prices.Input.Rate != 2_000_000 {
		t.Error("Override changed the original catalog")
	}

	steal := Model{ID: "mine", Family: FamilySim, Aliases: []string{"gpt-4o-mini-2024-07-18"},
		Prices: Prices{Input: price("1"), Output: price("1")}}
	if _, err := c.Override([]Model{steal}); err == nil {
		t.Error("alias already owned by another entry was accepted")
	}
	bad := Model{ID: "nope", Family: FamilySim, Prices: Prices{Input: &Price{Rate: -1, Source: "simulated", AsOf: "2026-01-01"}, Output: price("1")}}
	if _, err := c.Override([]Model{bad}); err == nil {
		t.Error("negative price accepted")
	}
}

func TestCatalogCostMatchesLookup(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	u := llm.Usage{InputTokens: 1000, CacheReadTokens: 200, OutputTokens: 300, ReasoningTokens: 100}
	for _, name := range []string{"gpt-4.1-mini", "anthropic/claude-sonnet-4-5", "us.amazon.nova-lite-v1:0", "sim-smart"} {
		m, ok := c.Lookup(name)
		got, ok2 := c.Cost(name, u)
		if !ok || !ok2 || got != m.Cost(u) || got <= 0 {
			t.Errorf("%s: Cost %v,%v vs Lookup %v,%v", name, got, ok2, m.Cost(u), ok)
		}
	}
	if _, ok := c.Cost("no-such-model", u); ok {
		t.Error("unknown model priced")
	}
}
