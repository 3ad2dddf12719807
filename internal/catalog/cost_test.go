package catalog

import (
	"testing"

	"github.com/railyard-ai/railyard/internal/llm"
)

func mustLoad(t testing.TB) *Catalog {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

func mustModel(t testing.TB, c *Catalog, name string) Model {
	t.Helper()
	m, ok := c.Lookup(name)
	if !ok {
		t.Fatalf("Lookup(%q): not found", name)
	}
	return m
}

func price(usd string) *Price {
	r, err := ParseRate(usd)
	if err != nil {
		panic(err)
	}
	return &Price{Rate: r, Source: "https://example.com/pricing", AsOf: "2026-01-01"}
}

// Every want below is worked by hand in the comment beside it, in dollars:
// tokens × $/MTok ÷ 1e6.
func TestCostEmbedded(t *testing.T) {
	c := mustLoad(t)
	tests := []struct {
		name  string
		model string
		u     llm.Usage
		want  NanoUSD
	}{
		{
			// Anthropic: 10000 prompt = 2000 uncached + 6000 read + 2000 written.
			// 2000×3 + 6000×0.30 + 2000×3.75 + 500×15 = 6000+1800+7500+7500 µ$ = $0.0228
			name: "anthropic cache read and write", model: "claude-sonnet-4-5-20250929",
			u:    llm.Usage{InputTokens: 10000, CacheReadTokens: 6000, CacheWriteTokens: 2000, OutputTokens: 500},
			want: 22_800_000,
		},
		{
			// Haiku 4.5: 1000×1 + 100000×0.10 + 0 + 2000×5 = 1000+10000+10000 µ$ = $0.021
			name: "anthropic haiku mostly cached", model: "anthropic/claude-haiku-4-5",
			u:    llm.Usage{InputTokens: 101000, CacheReadTokens: 100000, OutputTokens: 2000},
			want: 21_000_000,
		},
		{
			// o4-mini: 176×1.10 + 1024×0.275 + 900×4.40 (reasoning at output rate)
			// = 193.6 + 281.6 + 3960 µ$ = $0.0044352
			name: "openai cached and reasoning", model: "o4-mini-2025-04-16",
			u:    llm.Usage{InputTokens: 1200, CacheReadTokens: 1024, OutputTokens: 900, ReasoningTokens: 640},
			want: 4_435_200,
		},
		{
			// gpt-4.1-mini: 3000×0.40 + 1000×0.10 + 250×1.60 = 1200+100+400 µ$ = $0.0017
			name: "openai cached input", model: "gpt-4.1-mini",
			u:    llm.Usage{InputTokens: 4000, CacheReadTokens: 1000, OutputTokens: 250},
			want: 1_700_000,
		},
		{
			// Nova Lite has no cache_read rate: reads fall back to input. 1000×0.06 = $0.00006
			name: "cache read falls back to input", model: "us.amazon.nova-lite-v1:0",
			u:    llm.Usage{InputTokens: 1000, CacheReadTokens: 400},
			want: 60_000,
		},
		{
			// Gemini 2.5 Pro at exactly 200k stays on the base tier: 200000×1.25 = $0.25
			name: "gemini pro at tier boundary", model: "gemini-2.5-pro",
			u:    llm.Usage{InputTokens: 200000},
			want: 250_000_000,
		},
		{
			// Above 200k the whole call moves tier: 200000×2.50 + 50000×0.25 + 1000×15
			// = 500000 + 12500 + 15000 µ$ = $0.5275
			name: "gemini pro long prompt tier", model: "models/gemini-2.5-pro",
			u:    llm.Usage{InputTokens: 250000, CacheReadTokens: 50000, OutputTokens: 1000},
			want: 527_500_000,
		},
		{
			// Embeddings: input only. 8000×0.02 = $0.00016
			name: "embeddings", model: "text-embedding-3-small",
			u:    llm.Usage{InputTokens: 8000},
			want: 160_000,
		},
		{
			// gpt-5-nano cached input is $0.005/MTok = 5 nano-dollars per token.
			name: "smallest rate", model: "gpt-5-nano",
			u:    llm.Usage{InputTokens: 3, CacheReadTokens: 3},
			want: 15,
		},
		{
			// Qwen3-Max above 32K moves the whole call to the 32K-128K tier:
			// 50000×2.40 + 1000×12 = 120000 + 12000 µ$ = $0.132
			name: "qwen long prompt tier", model: "qwen3-max",
			u:    llm.Usage{InputTokens: 50000, OutputTokens: 1000},
			want: 132_000_000,
		},
		{
			// Llama 4 Scout through the us. inference profile:
			// 10000×0.17 + 2000×0.66 = 1700 + 1320 µ$ = $0.00302
			name: "bedrock llama cross-region", model: "us.meta.llama4-scout-17b-instruct-v1:0",
			u:    llm.Usage{InputTokens: 10000, OutputTokens: 2000},
			want: 3_020_000,
		},
		{
			// Mistral Medium 3.5 cache reads are 10% of input:
			// 6000×1.50 + 4000×0.15 + 1000×7.50 = 9000 + 600 + 7500 µ$ = $0.0171
			name: "mistral cache reads at a tenth", model: "mistral-medium-latest",
			u:    llm.Usage{InputTokens: 10000, CacheReadTokens: 4000, OutputTokens: 1000},
			want: 17_100_000,
		},
		{name: "zero usage", model: "gpt-5", u: llm.Usage{}, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustModel(t, c, tt.model)
			if got := m.CostNanoUSD(tt.u); got != tt.want {
				t.Errorf("CostNanoUSD = %d (%s), want %d (%s)", got, got, tt.want, tt.want)
			}
			if got, want := m.Cost(tt.u), tt.want.USD(); got != want {
				t.Errorf("Cost = %v, want %v", got, want)
			}
		})
	}
}

func TestCostRules(t *testing.T) {
	base := Model{ID: "x", Family: FamilySim, Prices: Prices{
		Input: price("1"), Output: price("2"), Reasoning: price("3"),
	}}
	tests := []struct {
		name string
		m    Model
		u    llm.Usage
		want NanoUSD
	}{
		// 60 visible × 2 + 40 reasoning × 3 = 240 µ$
		{"reasoning rate differs", base, llm.Usage{OutputTokens: 100, ReasoningTokens: 40}, 240_000},
		// reasoning capped at output: 100 × 3
		{"reasoning above output is capped", base, llm.Usage{OutputTokens: 100, ReasoningTokens: 500}, 300_000},
		{"negative counts are zero", base, llm.Usage{InputTokens: -5, OutputTokens: -1, CacheReadTokens: -9, ReasoningTokens: -2}, 0},
		// cache counts beyond InputTokens: billed as reported (input rate fallback), no uncached
		{"cache above input", base, llm.Usage{InputTokens: 10, CacheReadTokens: 30, CacheWriteTokens: 20}, 50_000},
		// rounding: 499 pico rounds down, 500 pico rounds up
		{"rounds down below half", Model{Prices: Prices{Input: &Price{Rate: 1}, Output: &Price{}}}, llm.Usage{InputTokens: 499}, 0},
		{"rounds half up", Model{Prices: Prices{Input: &Price{Rate: 1}, Output: &Price{}}}, llm.Usage{InputTokens: 500}, 1},
		{"no prices costs nothing", Model{}, llm.Usage{InputTokens: 100, OutputTokens: 100}, 0},
		{"saturates instead of wrapping", Model{Prices: Prices{Input: &Price{Rate: maxRate}, Output: &Price{Rate: maxRate}}},
			llm.Usage{InputTokens: 1 << 40, OutputTokens: 1 << 40}, NanoUSD(maxInt64 / 1000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.m.CostNanoUSD(tt.u); got != tt.want {
				t.Errorf("CostNanoUSD = %d, want %d", got, tt.want)
			}
		})
	}
}

// Summing integer costs is exact where summing float64 dollars drifts.
func TestCostSumsDoNotDrift(t *testing.T) {
	m := mustModel(t, mustLoad(t), "gpt-4.1-nano") // $0.10/MTok: 100 nano$ per token
	var total NanoUSD
	var f float64
	for i := 0; i < 1_000_000; i++ {
		c := m.CostNanoUSD(llm.Usage{InputTokens: 1})
		total += c
		f += c.USD()
	}
	if total != 100_000_000 || total.String() != "0.100000" {
		t.Fatalf("total = %d (%s), want exactly $0.10", total, total)
	}
	if f == 0.1 {
		t.Log("float sum happened to be exact on this platform")
	}
}
