package main

import (
	"cmp"
	"fmt"
	"slices"
	"syscall"
	"time"

	"github.com/railyard-ai/railyard/internal/catalog"
)

// runPair measures the latency goal's two sides, the only-steady baseline
// and the latency policy, each through its own gateway that stays up for
// the whole round, in interleaved blocks of o.block requests (A B B A
// ...): on a shared machine whose load changes from second to second both
// then see the same load, where two runs one after the other would be
// judged on whatever else ran at the time.
func runPair(o options, base, pol scenario, ups map[string]*upstream, cat *catalog.Catalog) (rb, rp *result, err error) {
	sb, err := newStage(o, base, ups, cat)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", base.name, err)
	}
	defer sb.close()
	sp, err := newStage(o, pol, ups, cat)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", pol.name, err)
	}
	defer sp.close()
	rb, rp = newResult(base), newResult(pol)
	for i, done := 0, 0; done < o.n; i, done = i+1, done+o.block {
		n := min(o.block, o.n-done)
		if i%2 == 0 {
			sb.drive(o, n, rb, ups)
			sp.drive(o, n, rp, ups)
		} else {
			sp.drive(o, n, rp, ups)
			sb.drive(o, n, rb, ups)
		}
	}
	return rb, rp, nil
}

// medianRound returns the round whose p99 is the median of rs's.
func medianRound(rs []*result) *result {
	s := slices.Clone(rs)
	slices.SortFunc(s, func(a, b *result) int { return cmp.Compare(pct(a.lat, 0.99), pct(b.lat, 0.99)) })
	return s[(len(s)-1)/2]
}

// roundRatios is the latency policy's p99 over the only-steady baseline's
// in each round: a pair measured back to back, under about the same
// machine load.
func roundRatios(base, pol []*result) []float64 {
	var out []float64
	for i := range min(len(base), len(pol)) {
		out = append(out, float64(pct(pol[i].lat, 0.99))/float64(pct(base[i].lat, 0.99)))
	}
	return out
}

// printRounds lists the interleaved rounds' p99s and their ratios.
func printRounds(base, pol []*result, block int) {
	fmt.Printf("%d rounds of only steady and latency interleaved in blocks of %d requests (the table shows each one's median-p99 round):\n", len(base), block)
	for i, ratio := range roundRatios(base, pol) {
		fmt.Printf("  round %d: only steady p99 %9v   latency p99 %9v   %.2fx\n", i+1, round(pct(base[i].lat, 0.99)), round(pct(pol[i].lat, 0.99)), ratio)
	}
	if len(base) > 1 {
		var lb, lp []time.Duration
		for i := range base {
			lb, lp = append(lb, base[i].lat...), append(lp, pol[i].lat...)
		}
		fmt.Printf("  median of the rounds' ratios %.2fx; all rounds' requests pooled: only steady p99 %v, latency p99 %v, %.2fx\n",
			median(roundRatios(base, pol)), round(pct(lb, 0.99)), round(pct(lp, 0.99)), float64(pct(lp, 0.99))/float64(pct(lb, 0.99)))
	}
	fmt.Println()
}

// processCPU is the CPU time this process has used, user and system:
// client, gateway and upstreams all run in it, so its growth per request
// is what the whole exchange costs.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
