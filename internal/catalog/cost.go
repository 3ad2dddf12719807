package catalog

import "github.com/railyard-ai/railyard/internal/llm"

// Cost is what a call with usage u costs at m's prices, in dollars. See
// CostNanoUSD for the rules; use that one to add costs up.
func (m Model) Cost(u llm.Usage) (usd float64) { return m.CostNanoUSD(u).USD() }

// CostNanoUSD is what a call with usage u costs at m's prices, in
// nano-dollars, computed exactly in integers (tokens × pico-dollars per
// token) and rounded once at the end.
//
// It follows llm.Usage's conventions: InputTokens includes CacheReadTokens
// and CacheWriteTokens, OutputTokens includes ReasoningTokens. So
//
//	uncached input × input
//	+ cache reads  × cache_read  (input when the model has no cache_read rate)
//	+ cache writes × cache_write (input when the model has no cache_write rate)
//	+ (output − reasoning) × output
//	+ reasoning    × reasoning   (output when the model has no reasoning rate)
//
// When the prompt is longer than a tier's AboveInputTokens, the highest such
// tier's rates replace the base rates for the whole call. Negative counts
// are treated as 0; cache counts larger than InputTokens are billed as
// reported with no uncached input, and ReasoningTokens is capped at
// OutputTokens, so inconsistent usage never yields a negative cost.
func (m Model) CostNanoUSD(u llm.Usage) NanoUSD {
	p := m.pricesFor(u.InputTokens)
	in := rateOf(p.Input)
	out := rateOf(p.Output)
	read, write, reason := in, in, out
	if p.CacheRead != nil {
		read = p.CacheRead.Rate
	}
	if p.CacheWrite != nil {
		write = p.CacheWrite.Rate
	}
	if p.Reasoning != nil {
		reason = p.Reasoning.Rate
	}

	input, output := nonNeg(u.InputTokens), nonNeg(u.OutputTokens)
	cr, cw := nonNeg(u.CacheReadTokens), nonNeg(u.CacheWriteTokens)
	uncached := input - cr - cw
	if uncached < 0 {
		uncached = 0
	}
	reasoning := min(nonNeg(u.ReasoningTokens), output)

	// Pico-dollars: tokens × (micro-dollars per million tokens). With rates
	// capped at maxRate (1e12) and token counts from an int, this overflows
	// only past ~9 million tokens at $1M/MTok, far beyond any real call;
	// mulAdd saturates rather than wrapping if it ever happens.
	var pico int64
	pico = mulAdd(pico, uncached, in)
	pico = mulAdd(pico, cr, read)
	pico = mulAdd(pico, cw, write)
	pico = mulAdd(pico, output-reasoning, out)
	pico = mulAdd(pico, reasoning, reason)
	if pico > maxInt64-500 {
		return NanoUSD(pico / 1000)
	}
	return NanoUSD((pico + 500) / 1000)
}

// pricesFor resolves the rates for a call with the given prompt size: the
// highest tier the prompt exceeds, with base rates where the tier has none.
func (m Model) pricesFor(inputTokens int) Prices {
	p := m.Prices
	for _, t := range m.Tiers {
		if inputTokens <= t.AboveInputTokens {
			break
		}
		p = overlay(m.Prices, t.Prices)
	}
	return p
}

func overlay(base, over Prices) Prices {
	pick := func(b, o *Price) *Price {
		if o != nil {
			return o
		}
		return b
	}
	return Prices{
		Input:        pick(base.Input, over.Input),
		Output:       pick(base.Output, over.Output),
		CacheRead:    pick(base.CacheRead, over.CacheRead),
		CacheWrite:   pick(base.CacheWrite, over.CacheWrite),
		CacheWrite1h: pick(base.CacheWrite1h, over.CacheWrite1h),
		Reasoning:    pick(base.Reasoning, over.Reasoning),
	}
}

func rateOf(p *Price) Rate {
	if p == nil || p.Rate < 0 {
		return 0
	}
	return p.Rate
}

func nonNeg(n int) int64 {
	if n < 0 {
		return 0
	}
	return int64(n)
}

const maxInt64 = int64(^uint64(0) >> 1)

// mulAdd returns acc + n×r, saturating at the largest int64 instead of
// wrapping, so an absurd usage report cannot produce a negative cost.
func mulAdd(acc, n int64, r Rate) int64 {
	if n == 0 || r <= 0 {
		return acc
	}
	if n > maxInt64/int64(r) {
		return maxInt64
	}
	prod := n * int64(r)
	if acc > maxInt64-prod {
		return maxInt64
	}
	return acc + prod
}
