package catalog

import (
	"os"
	"strings"
	"testing"

	"github.com/railyard-ai/railyard/internal/llm"
)

func TestEmbeddedCatalog(t *testing.T) {
	c := mustLoad(t)
	have := map[Family]int{}
	for _, m := range c.Models() {
		have[m.Family]++
		for _, p := range []*Price{m.Prices.Input, m.Prices.Output, m.Prices.CacheRead,
			m.Prices.CacheWrite, m.Prices.CacheWrite1h, m.Prices.Reasoning} {
			if p == nil {
				continue
			}
			if p.Source == "" || p.AsOf == "" {
				t.Errorf("%s: price without source or as_of", m.ID)
			}
			if (m.Family == FamilySim) != (p.Source == "simulated") {
				t.Errorf("%s: source %q: only simulator prices may be, and must be, marked simulated", m.ID, p.Source)
			}
		}
		if m.Capabilities.Embeddings && m.Prices.Output.Rate != 0 {
			t.Errorf("%s: embedding model with an output price", m.ID)
		}
		// A third-party figure must say so, and say why, on the entry.
		for _, p := range allPrices(m) {
			if p.Secondary() && !strings.Contains(strings.ToLower(m.Note), "secondary") {
				t.Errorf("%s: secondary source %q but the note does not explain it", m.ID, p.Source)
			}
		}
	}
	for _, f := range Families() {
		if have[f] == 0 && f != FamilySelfHosted {
			t.Errorf("no model of family %s", f)
		}
	}
	for _, name := range []string{
		"gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "gpt-4o", "gpt-4o-mini",
		"gpt-5", "gpt-5-mini", "gpt-5-nano", "o3", "o4-mini",
		"text-embedding-3-small", "text-embedding-3-large",
		"claude-opus-4-1", "claude-sonnet-4-5", "claude-haiku-4-5",
		"claude-sonnet-4-0", "claude-3-7-sonnet", "claude-3-5-haiku",
		"gemini-2.5-pro", "gemini-2.5-flash", "gemini-2.5-flash-lite",
		"deepseek-chat", "deepseek-reasoner", "qwen3-max", "qwen3-coder-plus", "qwen-flash",
		"mistral-large-latest", "mistral-medium-latest", "mistral-small-latest", "codestral-latest",
		"devstral-latest", "magistral-medium-latest", "ministral-8b-latest", "ministral-3b-latest",
		"mistral-embed", "codestral-embed", "mistral-medium-2508", "mistral-small-2506", "magistral-small-2509",
		"amazon.nova-micro-v1:0", "amazon.nova-lite-v1:0", "amazon.nova-pro-v1:0", "amazon.nova-premier-v1:0",
		"meta.llama3-3-70b-instruct-v1:0", "meta.llama3-1-70b-instruct-v1:0", "meta.llama3-1-8b-instruct-v1:0",
		"us.meta.llama4-maverick-17b-instruct-v1:0", "us.meta.llama4-scout-17b-instruct-v1:0",
		"sim-fast", "sim-smart",
	} {
		if _, ok := c.Lookup(name); !ok {
			t.Errorf("required model %s missing", name)
		}
	}
	// Spot-check that the data file round-trips into the right fields.
	m := mustModel(t, c, "claude-opus-4-1")
	if m.Prices.CacheWrite1h == nil || m.Prices.CacheWrite1h.Rate != 30_000_000 || m.ContextWindow != 200000 ||
		!m.Capabilities.Reasoning || !strings.HasPrefix(m.Prices.Input.Source, "https://platform.claude.com/") {
		t.Errorf("claude-opus-4-1 decoded as %+v", m)
	}
}

// allPrices lists every price of m, its tiers' included.
func allPrices(m Model) []*Price {
	var out []*Price
	add := func(p Prices) {
		for _, x := range []*Price{p.Input, p.Output, p.CacheRead, p.CacheWrite, p.CacheWrite1h, p.Reasoning} {
			if x != nil {
				out = append(out, x)
			}
		}
	}
	add(m.Prices)
	for _, t := range m.Tiers {
		add(t.Prices)
	}
	return out
}

// TestEmbeddedSpotPrices pins prices found for the models issue 3 asked for,
// exactly as read, with where each came from: a first-party page, or a
// secondary list marked as such.
func TestEmbeddedSpotPrices(t *testing.T) {
	c := mustLoad(t)
	tests := []struct {
		name          string // as a client sends it
		id            string // the entry it must resolve to
		input, output string // $/MTok
		secondary     bool
		sourcePrefix  string
	}{
		{"mistral-medium-latest", "mistral-medium-3-5", "1.5", "7.5", false, "https://github.com/mistralai/"},
		{"mistral/mistral-medium-2604", "mistral-medium-3-5", "1.5", "7.5", false, "https://github.com/mistralai/"},
		{"mistral-large-latest", "mistral-large-2512", "0.5", "1.5", false, "https://github.com/mistralai/"},
		{"mistral-small-latest", "mistral-small-2603", "0.15", "0.6", false, "https://github.com/mistralai/"},
		{"mistral-medium-2508", "mistral-medium-2508", "0.4", "2", false, "https://github.com/mistralai/"},
		{"codestral-latest", "codestral-2508", "0.3", "0.9", false, "https://github.com/mistralai/"},
		{"devstral-medium-latest", "devstral-2512", "0.4", "2", false, "https://github.com/mistralai/"},
		{"magistral-medium-latest", "magistral-medium-2509", "2", "5", false, "https://github.com/mistralai/"},
		{"ministral-3b-latest", "ministral-3b-2512", "0.1", "0.1", false, "https://github.com/mistralai/"},
		{"mistral-embed", "mistral-embed", "0.1", "0", false, "https://github.com/mistralai/"},
		{"qwen3-max", "qwen3-max", "1.2", "6", false, "https://www.alibabacloud.com/"},
		{"qwen3-coder-plus", "qwen3-coder-plus", "1", "5", true, "secondary: https://github.com/anomalyco/models.dev/"},
		{"qwen-flash", "qwen-flash", "0.05", "0.4", true, "secondary: https://github.com/anomalyco/models.dev/"},
		{"us.meta.llama3-3-70b-instruct-v1:0", "meta.llama3-3-70b-instruct-v1:0", "0.72", "0.72", true, "secondary: https://github.com/pydantic/genai-prices/"},
		{"meta.llama3-1-8b-instruct-v1:0", "meta.llama3-1-8b-instruct-v1:0", "0.22", "0.22", true, "secondary: https://github.com/pydantic/genai-prices/"},
		{"us.meta.llama4-maverick-17b-instruct-v1:0", "meta.llama4-maverick-17b-instruct-v1:0", "0.24", "0.97", true, "secondary: https://github.com/pydantic/genai-prices/"},
		{"us.meta.llama4-scout-17b-instruct-v1:0", "meta.llama4-scout-17b-instruct-v1:0", "0.17", "0.66", true, "secondary: https://github.com/pydantic/genai-prices/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustModel(t, c, tt.name)
			if m.ID != tt.id {
				t.Fatalf("resolved to %s, want %s", m.ID, tt.id)
			}
			in, out := mustRate(t, tt.input), mustRate(t, tt.output)
			if m.Prices.Input.Rate != in || m.Prices.Output.Rate != out {
				t.Errorf("prices %s / %s, want %s / %s", m.Prices.Input.Rate, m.Prices.Output.Rate, tt.input, tt.output)
			}
			for _, p := range []*Price{m.Prices.Input, m.Prices.Output} {
				if p.Secondary() != tt.secondary || !strings.HasPrefix(p.Source, tt.sourcePrefix) {
					t.Errorf("source %q: want prefix %q, secondary %v", p.Source, tt.sourcePrefix, tt.secondary)
				}
			}
		})
	}
	// Qwen's long-prompt tiers: base first-party, tiers secondary.
	q := mustModel(t, c, "qwen3-max")
	if len(q.Tiers) != 2 || q.Tiers[0].AboveInputTokens != 32000 || q.Tiers[1].AboveInputTokens != 128000 ||
		q.Tiers[1].Prices.Output.Rate != mustRate(t, "15") || !q.Tiers[0].Prices.Input.Secondary() {
		t.Errorf("qwen3-max tiers = %+v", q.Tiers)
	}
	// Models left out because no citable source agreed must stay out rather
	// than borrow a neighbour's price through a looser lookup.
	for _, name := range []string{"meta.llama3-1-405b-instruct-v1:0", "qwen.qwen3-235b-a22b-2507-v1:0",
		"qwen.qwen3-coder-480b-a35b-v1:0", "qwen-plus", "mistral-large-4"} {
		if m, ok := c.Lookup(name); ok {
			t.Errorf("%s resolved to %s; it has no confirmed price", name, m.ID)
		}
	}
}

func mustRate(t *testing.T, usd string) Rate {
	t.Helper()
	r, err := ParseRate(usd)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// good is a valid one-model file the bad cases below break one way each.
const good = `models:
  - id: m
    family: sim
    aliases: [m-2025-01-01]
    source: https://example.com/p
    as_of: 2026-01-01
    prices: {input: 1, output: 2}
`

func TestParseGood(t *testing.T) {
	c, err := Parse([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if c.Len() != 1 {
		t.Fatalf("Len = %d", c.Len())
	}
	// per-price provenance overrides the model's
	c, err = Parse([]byte(strings.Replace(good, "input: 1,",
		"input: {usd: 1, source: https://example.com/other, as_of: 2026-02-02},", 1)))
	if err != nil {
		t.Fatal(err)
	}
	m := mustModel(t, c, "m")
	if m.Prices.Input.Source != "https://example.com/other" || m.Prices.Input.AsOf != "2026-02-02" ||
		m.Prices.Output.Source != "https://example.com/p" {
		t.Errorf("provenance = %+v / %+v", m.Prices.Input, m.Prices.Output)
	}
	if m.Prices.Input.Secondary() {
		t.Error("a first-party URL reported as secondary")
	}
	// a secondary source is accepted and reported as such
	c, err = Parse([]byte(strings.Replace(good, "source: https://example.com/p",
		`source: "secondary: https://github.com/example/prices/blob/abc/aws.yml"`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if m := mustModel(t, c, "m"); !m.Prices.Input.Secondary() || !m.Prices.Output.Secondary() {
		t.Errorf("secondary source not reported: %+v", m.Prices.Input)
	}
}

func TestParseRejectsBadData(t *testing.T) {
	second := `
  - id: n
    family: sim
    source: https://example.com/p
    as_of: 2026-01-01
    prices: {input: 1, output: 2}
`
	tests := []struct {
		name, data, wantErr string
	}{
		{"empty", ``, "empty"},
		{"no models", `models: []`, "no models"},
		{"not yaml", `models: [`, "catalog"},
		{"two documents", good + "---\n" + good, "more than one"},
		{"unknown key", strings.Replace(good, "family:", "famly: x\n    family:", 1), "famly"},
		{"unknown price key", strings.Replace(good, "output: 2", "output: 2, cache_reads: 1", 1), "cache_reads"},
		{"unknown price field", strings.Replace(good, "input: 1,", "input: {usd: 1, src: x},", 1), "src"},
		{"duplicate id", good + second[:len(second)] + strings.Replace(second, "id: n", "id: M", 1), "already used"},
		{"alias duplicates id", good + strings.Replace(second, "family: sim", "family: sim\n    aliases: [m]", 1), "already used"},
		{"duplicate alias", good + strings.Replace(second, "family: sim", "family: sim\n    aliases: [M-2025-01-01]", 1), "already used"},
		{"missing id", strings.Replace(good, "id: m", "id: ''", 1), "missing id"},
		{"whitespace in alias", strings.Replace(good, "[m-2025-01-01]", "['a b']", 1), "whitespace"},
		{"negative price", strings.Replace(good, "input: 1", "input: -1", 1), "non-negative"},
		{"exponent price", strings.Replace(good, "input: 1", "input: 1e3", 1), "non-negative"},
		{"too many decimals", strings.Replace(good, "input: 1", "input: 0.0000001", 1), "decimal places"},
		{"no input price", strings.Replace(good, "input: 1, ", "", 1), "no input price"},
		{"no output price", strings.Replace(good, ", output: 2", "", 1), "no output price"},
		{"missing source", strings.Replace(good, "    source: https://example.com/p\n", "", 1), "source"},
		{"http source", strings.Replace(good, "https://", "http://", 1), "https"},
		{"secondary without a URL", strings.Replace(good, "source: https://example.com/p", `source: "secondary: litellm"`, 1), "secondary: URL"},
		{"secondary http URL", strings.Replace(good, "source: https://example.com/p", `source: "secondary: http://example.com/p"`, 1), "secondary: URL"},
		{"missing as_of", strings.Replace(good, "    as_of: 2026-01-01\n", "", 1), "as_of"},
		{"bad as_of", strings.Replace(good, "2026-01-01", "Jan 2026", 1), "as_of"},
		{"unknown family", strings.Replace(good, "family: sim", "family: acme", 1), "unknown family"},
		{"unknown capability", strings.Replace(good, "family: sim", "family: sim\n    capabilities: [telepathy]", 1), "telepathy"},
		{"negative context", strings.Replace(good, "family: sim", "family: sim\n    context_window: -1", 1), "negative"},
		{"tier at zero", good + "    tiers: [{above_input_tokens: 0, prices: {input: 2}}]\n", "increasing"},
		{"tiers out of order", good + "    tiers: [{above_input_tokens: 10, prices: {input: 2}}, {above_input_tokens: 5, prices: {input: 3}}]\n", "increasing"},
		{"bad tier price", good + "    tiers: [{above_input_tokens: 10, prices: {input: x}}]\n", "tier"},
		{"price is a list", strings.Replace(good, "input: 1", "input: [1]", 1), "number or"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.data))
			if err == nil {
				t.Fatalf("Parse accepted bad data:\n%s", tt.data)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %q does not mention %q", err, tt.wantErr)
			}
		})
	}
}

func TestLoadWithOverrides(t *testing.T) {
	path := t.TempDir() + "/prices.yaml"
	override := `models:
  - id: gpt-4.1-mini
    family: openai
    source: "operator: contract 2026-07"
    as_of: 2026-07-01
    prices: {input: 0.20, output: 0.80}
  - id: Qwen/Qwen3-32B
    family: self-hosted
    source: "operator: GPU cost model"
    as_of: 2026-11-01
    prices: {input: 0.05, output: 0.10}
`
	if err := os.WriteFile(path, []byte(override), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := LoadWithOverrides(path)
	if err != nil {
		t.Fatal(err)
	}
	u := llm.Usage{InputTokens: 1_000_000, OutputTokens: 1_000_000}
	if got, ok := c.Cost("gpt-4.1-mini", u); !ok || got != 1.00 {
		t.Errorf("overridden price: %v %v", got, ok)
	}
	if got, ok := c.Cost("fleet/Qwen/Qwen3-32B", u); !ok || got != 0.15 {
		t.Errorf("added model: %v %v", got, ok)
	}
	if _, ok := c.Cost("claude-sonnet-4-5", u); !ok {
		t.Error("built-in entries lost")
	}
	if err := os.WriteFile(path, []byte("models:\n  - id: x\n    prices: {input: -1}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadWithOverrides(path); err == nil {
		t.Error("bad override accepted")
	}
	if _, err := LoadWithOverrides(t.TempDir() + "/missing.yaml"); err == nil {
		t.Error("missing file accepted")
	}
}
