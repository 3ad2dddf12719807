package server

import (
	"context"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"sort"
	"time"

	"github.com/railyard-ai/railyard/internal/access"
	"github.com/railyard-ai/railyard/internal/store"
)

// GET /admin/api/series: the ledger bucketed over time for the console's
// charts, computed here over store.Ledger rows (one pass over the window,
// after a grouping query) so every store backend gives the same answer.
// Memory is bounded whatever the traffic: at most maxBuckets buckets, at
// most maxSeriesGroups groups (the busiest; the rest are summed as
// "other"), and at most maxCellSamples latencies kept per bucket for the
// percentiles (exact below it, a uniform reservoir sample above).
const (
	maxSeriesSpan    = 90 * 24 * time.Hour
	maxBuckets       = 120
	maxSeriesGroups  = 25
	maxCellSamples   = 512
	maxTotalSamples  = 8192
	defaultSeriesAgo = 24 * time.Hour
	otherGroup       = "other"
)

// seriesSteps are the bucket widths offered, finest first: the finest that
// keeps the window within maxBuckets is used.
var seriesSteps = []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour, 6 * time.Hour, 24 * time.Hour}

// SeriesPoint is one bucket of one series.
type SeriesPoint struct {
	T                int64   `json:"t"` // bucket start, unix seconds
	Requests         int64   `json:"requests"`
	Errors           int64   `json:"errors"`
	InputTokens      int64   `json:"input_tokens"`
	OutputTokens     int64   `json:"output_tokens"`
	CacheReadTokens  int64   `json:"cache_read_tokens"`
	CacheWriteTokens int64   `json:"cache_write_tokens"`
	ReasoningTokens  int64   `json:"reasoning_tokens"`
	CostUSD          float64 `json:"cost_usd"`
	P50MS            float64 `json:"p50_ms"`
	P95MS            float64 `json:"p95_ms"`
}

// Series is one group's points, every bucket present.
type Series struct {
	Group  string        `json:"group"`
	Points []SeriesPoint `json:"points"`
}

// SeriesTotals sum the whole window.
type SeriesTotals struct {
	Requests     int64   `json:"requests"`
	Errors       int64   `json:"errors"`
	InputTokens  int64   `json:"input_tokens"`
	OutputTokens int64   `json:"output_tokens"`
	CostUSD      float64 `json:"cost_usd"`
	ErrorRate    float64 `json:"error_rate"`
	P50MS        float64 `json:"p50_ms"`
	P95MS        float64 `json:"p95_ms"`
}

// SeriesReport is the answer of GET /admin/api/series.
type SeriesReport struct {
	StepSeconds int64        `json:"step_seconds"`
	Since       string       `json:"since"`
	Series      []Series     `json:"series"`
	Totals      SeriesTotals `json:"totals"`
}

// seriesStep picks the finest step that covers span in at most maxBuckets.
func seriesStep(span time.Duration) time.Duration {
	for _, s := range seriesSteps {
		if span <= s*maxBuckets {
			return s
		}
	}
	return seriesSteps[len(seriesSteps)-1]
}

// samples keeps latencies for a percentile: all of them up to its cap,
// then a uniform reservoir sample (Algorithm R).
type samples struct {
	seen int
	xs   []float64
}

func (s *samples) add(x float64, limit int, rng *rand.Rand) {
	s.seen++
	if len(s.xs) < limit {
		s.xs = append(s.xs, x)
		return
	}
	if j := rng.IntN(s.seen); j < limit {
		s.xs[j] = x
	}
}

// percentiles are the nearest-rank p50 and p95 (the smallest value with
// at least p of the samples at or below it); 0 without samples.
func (s *samples) percentiles() (p50, p95 float64) {
	if len(s.xs) == 0 {
		return 0, 0
	}
	slices.Sort(s.xs)
	rank := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(s.xs)))) - 1
		return s.xs[max(i, 0)]
	}
	return rank(0.50), rank(0.95)
}

// cell accumulates one bucket of one group.
type cell struct {
	p    SeriesPoint
	cost int64
	lat  samples
}

// BuildSeries reads the series report from st: by is model, provider,
// key, team or "" (one series, "all"); since is a duration, N days, or an
// RFC 3339 time, at most 90 days back (default 24h).
func BuildSeries(ctx context.Context, st store.Store, by, since string, now time.Time, f LedgerFilter) (*SeriesReport, error) {
	now = now.UTC()
	switch by {
	case "", store.ByModel, store.ByProvider, store.ByKey, store.ByTeam:
	default:
		return nil, &access.InvalidError{Msg: "by must be model, provider, key, team or empty"}
	}
	from := now.Add(-defaultSeriesAgo)
	if since != "" {
		t, err := store.ParseSince(since, now)
		if err != nil {
			return nil, &access.InvalidError{Msg: err.Error()}
		}
		from = t.UTC()
	}
	span := now.Sub(from)
	if span <= 0 {
		return nil, &access.InvalidError{Msg: "since must be in the past"}
	}
	if span > maxSeriesSpan {
		return nil, &access.InvalidError{Msg: "since reaches back at most 90d"}
	}
	step := seriesStep(span)
	sec := int64(step / time.Second)
	start := from.Unix() / sec * sec
	n := int((now.Unix()-start)/sec) + 1

	// The busiest groups get their own series; the rest share "other".
	own := map[string]bool{}
	if by != "" {
		rows, err := usageWhere(ctx, st, by, from.Format(time.RFC3339Nano), now, f)
		if err != nil {
			return nil, err
		}
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].Requests > rows[j].Requests })
		for _, u := range rows[:min(len(rows), maxSeriesGroups)] {
			own[u.Group] = true
		}
	}

	rng := rand.New(rand.NewPCG(1, 2)) // deterministic: the same rows give the same answer
	cells := map[string][]cell{}
	var total samples
	var tot SeriesTotals
	var totCost int64
	if by == "" {
		cells["all"] = make([]cell, n)
	}
	err := st.Ledger(ctx, from, func(r store.Record) error {
		if !f.match(r) {
			return nil
		}
		i := int((r.Time.Unix() - start) / sec)
		if i < 0 || i >= n || r.Time.Before(from) {
			return nil
		}
		g := groupOf(by, r)
		if by != "" && !own[g] {
			g = otherGroup
		}
		cs := cells[g]
		if cs == nil {
			cs = make([]cell, n)
			cells[g] = cs
		}
		c := &cs[i]
		c.p.Requests++
		c.p.InputTokens += r.InputTokens
		c.p.OutputTokens += r.OutputTokens
		c.p.CacheReadTokens += r.CacheReadTokens
		c.p.CacheWriteTokens += r.CacheWriteTokens
		c.p.ReasoningTokens += r.ReasoningTokens
		c.cost += r.CostNanoUSD
		ms := float64(r.Latency.Microseconds()) / 1000
		c.lat.add(ms, maxCellSamples, rng)
		total.add(ms, maxTotalSamples, rng)
		tot.Requests++
		tot.InputTokens += r.InputTokens
		tot.OutputTokens += r.OutputTokens
		totCost += r.CostNanoUSD
		if r.Status >= 400 {
			c.p.Errors++
			tot.Errors++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}

	out := &SeriesReport{StepSeconds: sec, Since: from.Format(time.RFC3339), Series: make([]Series, 0, len(cells))}
	reqs := map[string]int64{}
	for g, cs := range cells {
		s := Series{Group: g, Points: make([]SeriesPoint, n)}
		for i := range cs {
			c := &cs[i]
			p := c.p
			p.T = start + int64(i)*sec
			p.CostUSD = float64(c.cost) / 1e9
			p.P50MS, p.P95MS = c.lat.percentiles()
			s.Points[i] = p
			reqs[g] += p.Requests
		}
		out.Series = append(out.Series, s)
	}
	// Busiest first (a chart's legend order), "other" last.
	sort.Slice(out.Series, func(i, j int) bool {
		a, b := out.Series[i].Group, out.Series[j].Group
		if (a == otherGroup) != (b == otherGroup) && by != "" {
			return b == otherGroup
		}
		if reqs[a] != reqs[b] {
			return reqs[a] > reqs[b]
		}
		return a < b
	})
	tot.CostUSD = float64(totCost) / 1e9
	if tot.Requests > 0 {
		tot.ErrorRate = float64(tot.Errors) / float64(tot.Requests)
	}
	tot.P50MS, tot.P95MS = total.percentiles()
	out.Totals = tot
	return out, nil
}

func (a *admin) series(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	rep, err := BuildSeries(r.Context(), a.o.Store, q.Get("by"), q.Get("since"), a.now(), filterOf(q))
	if err != nil {
		a.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}
