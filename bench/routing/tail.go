package main

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/railyard-ai/railyard/internal/route"
)

// tailReport explains where a policy's p99 comes from: of the requests
// slower than the p99, which target answered and what their route header
// says happened (hedges, failovers after an error, breaker skips), next to
// the same counts over the whole run.
func tailReport(r *result) {
	if len(r.lat) == 0 {
		return
	}
	p99 := pct(r.lat, 0.99)
	var tail, all tally
	for i, d := range r.lat {
		all.add(r.routes[i])
		if d > p99 {
			tail.add(r.routes[i])
		}
	}
	fmt.Printf("%s: %.3f upstream calls and %.4f new upstream connections per request\n", r.name,
		float64(r.calls)/float64(max(r.ok+r.fail, 1)), float64(r.conns)/float64(max(r.ok+r.fail, 1)))
	fmt.Printf("%s: the %d requests slower than the p99 (%v), and the whole run (%d):\n", r.name, tail.n, round(p99), all.n)
	row := func(label string, tl, al int) {
		fmt.Printf("  %-34s %6d %6.1f%%   %6d %6.2f%%\n", label, tl, 100*float64(tl)/float64(max(tail.n, 1)), al, 100*float64(al)/float64(max(all.n, 1)))
	}
	fmt.Printf("  %-34s %6s %7s   %6s %7s\n", "", "tail", "", "all", "")
	for _, n := range names {
		row("answered by "+n, tail.by[n], all.by[n])
	}
	row("hedge fired, hedge answered", tail.hedgeWon, all.hedgeWon)
	row("hedge fired, first target answered", tail.hedgeLost, all.hedgeLost)
	row("failed over after an upstream error", tail.failover, all.failover)
	row("a target skipped (breaker open)", tail.breaker, all.breaker)
	fmt.Println("  most frequent routes in the tail:")
	type kv struct {
		k string
		n int
	}
	var top []kv
	for k, n := range tail.routes {
		top = append(top, kv{k, n})
	}
	slices.SortFunc(top, func(a, b kv) int { return cmp.Or(cmp.Compare(b.n, a.n), strings.Compare(a.k, b.k)) })
	for _, x := range top[:min(len(top), 6)] {
		fmt.Printf("  %6d  %s\n", x.n, x.k)
	}
	fmt.Println()
}

// tally counts route headers by what they say.
type tally struct {
	n                                      int
	by                                     map[string]int
	routes                                 map[string]int
	hedgeWon, hedgeLost, failover, breaker int
}

var durations = regexp.MustCompile(`[0-9.]+(ms|µs|s)\b`)

func (t *tally) add(route string) {
	if t.by == nil {
		t.by, t.routes = map[string]int{}, map[string]int{}
	}
	t.n++
	steps := strings.Split(route, " -> ")
	last := steps[len(steps)-1]
	if i := strings.Index(last, ": "); i >= 0 { // "latency: steady ok"
		last = last[i+2:]
	}
	t.by[strings.TrimSuffix(last, " ok")]++
	t.routes[durations.ReplaceAllString(route, "T")]++
	switch {
	case strings.Contains(route, "slow, hedged"):
		t.hedgeWon++
	case strings.Contains(route, "hedge cancelled"):
		t.hedgeLost++
	}
	for _, s := range steps[:len(steps)-1] {
		if strings.Contains(s, " 5") || strings.Contains(s, "error") {
			t.failover++
			break
		}
	}
	if strings.Contains(route, "breaker open") {
		t.breaker++
	}
}

// median returns the middle of xs, or the mean of the two middle values
// for an even count.
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[n/2]
}

// watchHealth prints what the latency policy sees of each target every
// 500ms until stop is closed (-v).
func watchHealth(h *route.Health, tbl *route.Table, stop <-chan struct{}) {
	tk := time.NewTicker(500 * time.Millisecond)
	defer tk.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tk.C:
		}
		var b strings.Builder
		for _, p := range tbl.Providers() {
			st := h.Stats(route.Target{Provider: p, Model: p.Name + "-m"})
			fmt.Fprintf(&b, " | %s fb %v p95 %v p99 %v err %.3f slow %.3f load %.1f in %d",
				p.Name, round(st.FirstByte), round(st.FirstByteP95), round(st.FirstByteP99), st.ErrorRate, st.SlowRate, st.Load, st.InFlight)
		}
		fmt.Println(strings.TrimPrefix(b.String(), " | "))
	}
}
