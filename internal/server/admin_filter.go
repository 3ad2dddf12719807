package server

import (
	"context"
	"net/url"
	"sort"
	"time"

	"github.com/railyard-ai/railyard/internal/store"
)

// LedgerFilter narrows the usage report, the CSV export and the series to
// the rows matching every field set (exact match; empty fields match all):
// the console's usage explorer filters.
type LedgerFilter struct {
	Key, Team, Model, Provider string
}

// filterOf reads key=, team=, model= and provider= from a query.
func filterOf(q url.Values) LedgerFilter {
	return LedgerFilter{Key: q.Get("key"), Team: q.Get("team"), Model: q.Get("model"), Provider: q.Get("provider")}
}

func (f LedgerFilter) empty() bool { return f == LedgerFilter{} }

func (f LedgerFilter) match(r store.Record) bool {
	return (f.Key == "" || r.KeyID == f.Key) && (f.Team == "" || r.Team == f.Team) &&
		(f.Model == "" || r.Model == f.Model) && (f.Provider == "" || r.Provider == f.Provider)
}

// keep is match, or nil (keep everything) for the empty filter.
func (f LedgerFilter) keep() func(store.Record) bool {
	if f.empty() {
		return nil
	}
	return f.match
}

// groupOf is a row's group for a usage or series grouping; day is the
// row's UTC date, as the store's own grouping renders it.
func groupOf(by string, r store.Record) string {
	switch by {
	case store.ByKey:
		return r.KeyID
	case store.ByTeam:
		return r.Team
	case store.ByModel:
		return r.Model
	case store.ByProvider:
		return r.Provider
	case store.ByDay:
		return r.Time.UTC().Format(time.DateOnly)
	}
	return "all"
}

// usageWhere is Usage narrowed by f. Without a filter the store groups
// (SQL); with one, the rows are grouped here, one pass over the window.
func usageWhere(ctx context.Context, st store.Store, by, since string, now time.Time, f LedgerFilter) ([]UsageRow, error) {
	if f.empty() {
		return Usage(ctx, st, by, since, now)
	}
	by, t, err := usageQuery(by, since, now)
	if err != nil {
		return nil, err
	}
	groups := map[string]*UsageRow{}
	cost := map[string]int64{} // summed in nano-dollars, as the store does
	err = st.Ledger(ctx, t, func(r store.Record) error {
		if !f.match(r) {
			return nil
		}
		g := groupOf(by, r)
		u := groups[g]
		if u == nil {
			u = &UsageRow{Group: g}
			groups[g] = u
		}
		u.Requests++
		u.InputTokens += r.InputTokens
		u.OutputTokens += r.OutputTokens
		u.CacheReadTokens += r.CacheReadTokens
		u.CacheWriteTokens += r.CacheWriteTokens
		u.ReasoningTokens += r.ReasoningTokens
		cost[g] += r.CostNanoUSD
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]UsageRow, 0, len(groups))
	for g, u := range groups {
		u.CostUSD = float64(cost[g]) / 1e9
		out = append(out, *u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Group < out[j].Group })
	return out, nil
}
