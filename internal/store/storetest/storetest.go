// Package storetest is the suite every store.Store must pass: call Run
// from the implementation's tests with a function that opens an empty
// store.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/railyard-ai/railyard/internal/store"
)

// Run runs the suite; open returns a fresh, empty store for each subtest.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("Keys", func(t *testing.T) { testKeys(t, open(t)) })
	t.Run("Teams", func(t *testing.T) { testTeams(t, open(t)) })
	t.Run("Ledger", func(t *testing.T) { testLedger(t, open(t)) })
	t.Run("ConcurrentAppend", func(t *testing.T) { testConcurrentAppend(t, open(t)) })
	t.Run("BatchSizes", func(t *testing.T) { testBatchSizes(t, open(t)) })
}

// testBatchSizes appends batches of sizes around the boundaries where a
// store may cut a batch into statements, each batch repeating one row of
// the previous: every new row lands once, and no repeat counts twice.
func testBatchSizes(t *testing.T, s store.Store) {
	ctx := context.Background()
	next, total := 0, 0
	var last store.Record
	for _, n := range []int{1, 2, 7, 8, 9, 63, 64, 65, 72, 73, 130, 1001} {
		var rows []store.Record
		for range n {
			rows = append(rows, record(2_000_000+next, "sizes", "", "m", "p", t0))
			next++
		}
		if total > 0 {
			rows = append(rows, last)
		}
		if err := s.AppendLedger(ctx, rows); err != nil {
			t.Fatalf("batch of %d: %v", len(rows), err)
		}
		total += n
		last = rows[n-1]
		u, err := s.Usage(ctx, store.ByKey, time.Time{})
		if err != nil || len(u) != 1 || u[0].Requests != int64(total) {
			t.Fatalf("after a batch of %d new rows: %+v, %v (want %d rows)", n, u, err, total)
		}
	}
}

var t0 = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

func testKeys(t *testing.T, s store.Store) {
	ctx := context.Background()
	if has, err := s.HasKeys(ctx); err != nil || has {
		t.Fatalf("HasKeys on empty store = %v, %v", has, err)
	}
	k := store.Key{ID: "key_1", Name: "app", Team: "research", Models: []string{"smart", "fast"}, Tags: []string{"batch"},
		Hash: "h1", Prefix: "ry-abcd", Limits: store.Limits{BudgetNanoUSD: 5e9, BudgetPeriod: store.PeriodMonthly, RPM: 60, TPM: 1000, MaxConcurrency: 4},
		Metadata: map[string]string{"owner": "ana"}, ExpiresAt: t0.Add(720 * time.Hour), CreatedAt: t0}
	if err := s.CreateKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateKey(ctx, store.Key{ID: "key_2", Name: "dup", Hash: "h1", CreatedAt: t0}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("duplicate hash: %v, want ErrConflict", err)
	}
	got, err := s.KeyByHash(ctx, "h1")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, k) {
		t.Errorf("KeyByHash:\n got %+v\nwant %+v", got, k)
	}
	if _, err := s.KeyByHash(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown hash: %v", err)
	}
	if has, _ := s.HasKeys(ctx); !has {
		t.Error("HasKeys after create = false")
	}
	k2 := store.Key{ID: "key_2", Name: "other", Hash: "h2", CreatedAt: t0.Add(time.Second)}
	if err := s.CreateKey(ctx, k2); err != nil {
		t.Fatal(err)
	}
	all, err := s.Keys(ctx)
	if err != nil || len(all) != 2 || all[0].ID != "key_1" || all[1].ID != "key_2" {
		t.Fatalf("Keys = %+v, %v", all, err)
	}
	if all[1].Limits.BudgetPeriod != store.PeriodTotal || all[1].Models != nil && len(all[1].Models) != 0 {
		t.Errorf("defaults: %+v", all[1])
	}
	k.Name, k.Models, k.Limits.RPM = "renamed", []string{"smart"}, 10
	if err := s.UpdateKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Key(ctx, "key_1"); got.Name != "renamed" || got.Limits.RPM != 10 || len(got.Models) != 1 || got.Hash != "h1" {
		t.Errorf("after update: %+v", got)
	}
	if err := s.UpdateKey(ctx, store.Key{ID: "missing"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("update missing: %v", err)
	}
	at := t0.Add(time.Hour)
	if err := s.RevokeKey(ctx, "key_1", at); err != nil {
		t.Fatal(err)
	}
	_ = s.RevokeKey(ctx, "key_1", at.Add(time.Hour))
	got, _ = s.Key(ctx, "key_1")
	if !got.RevokedAt.Equal(at) || got.Live(at) {
		t.Errorf("revoked at %v, live %v", got.RevokedAt, got.Live(at))
	}
	if err := s.RevokeKey(ctx, "missing", at); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("revoke missing: %v", err)
	}
}

func testTeams(t *testing.T, s store.Store) {
	ctx := context.Background()
	tm := store.Team{ID: "team_1", Name: "research", Limits: store.Limits{BudgetNanoUSD: 1e10, BudgetPeriod: store.PeriodDaily, TPM: 5000},
		Metadata: map[string]string{"cost_center": "42"}, CreatedAt: t0}
	if err := s.CreateTeam(ctx, tm); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateTeam(ctx, store.Team{ID: "team_2", Name: "research", CreatedAt: t0}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("duplicate name: %v", err)
	}
	for _, q := range []string{"team_1", "research"} {
		got, err := s.Team(ctx, q)
		if err != nil || !reflect.DeepEqual(got, tm) {
			t.Errorf("Team(%q) = %+v, %v", q, got, err)
		}
	}
	tm.Limits.RPM = 7
	if err := s.UpdateTeam(ctx, tm); err != nil {
		t.Fatal(err)
	}
	if all, err := s.Teams(ctx); err != nil || len(all) != 1 || all[0].Limits.RPM != 7 {
		t.Errorf("Teams = %+v, %v", all, err)
	}
	if err := s.DeleteTeam(ctx, "team_1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Team(ctx, "research"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after delete: %v", err)
	}
	if err := s.DeleteTeam(ctx, "team_1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("delete twice: %v", err)
	}
}

func record(i int, key, team, model, provider string, at time.Time) store.Record {
	return store.Record{ID: fmt.Sprintf("row-%06d", i), Time: at, RequestID: fmt.Sprintf("req-%d", i), KeyID: key, Team: team,
		Model: model, Provider: provider, UpstreamModel: model + "-up", InputTokens: 10, OutputTokens: 5, CacheReadTokens: 2,
		CacheWriteTokens: 1, ReasoningTokens: 3, CostNanoUSD: 1000, Latency: 1500 * time.Millisecond, TTFT: 200 * time.Millisecond,
		Status: 200, Attempts: 1}
}

func testLedger(t *testing.T, s store.Store) {
	ctx := context.Background()
	rows := []store.Record{
		record(1, "k1", "t1", "smart", "sim", t0),
		record(2, "k1", "t1", "fast", "sim", t0.Add(time.Hour)),
		record(3, "k2", "", "smart", "other", t0.Add(25*time.Hour)),
	}
	if err := s.AppendLedger(ctx, rows); err != nil {
		t.Fatal(err)
	}
	// Replaying rows (a spool after a crash) adds nothing.
	if err := s.AppendLedger(ctx, rows[:2]); err != nil {
		t.Fatal(err)
	}
	var got []store.Record
	if err := s.Ledger(ctx, time.Time{}, func(r store.Record) error { got = append(got, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, rows) {
		t.Errorf("Ledger:\n got %+v\nwant %+v", got, rows)
	}
	got = nil
	_ = s.Ledger(ctx, t0.Add(time.Hour), func(r store.Record) error { got = append(got, r); return nil })
	if len(got) != 2 {
		t.Errorf("Ledger since: %d rows", len(got))
	}
	for _, tc := range []struct {
		name, key, team string
		since           time.Time
		want            int64
	}{{"key", "k1", "", time.Time{}, 2000}, {"key since", "k1", "", t0.Add(time.Minute), 1000}, {"team", "", "t1", time.Time{}, 2000}, {"none", "k9", "", time.Time{}, 0}} {
		if n, err := s.Spend(ctx, tc.key, tc.team, tc.since); err != nil || n != tc.want {
			t.Errorf("Spend %s = %d, %v; want %d", tc.name, n, err, tc.want)
		}
	}
	for _, tc := range []struct {
		by   string
		want []string
	}{{store.ByModel, []string{"fast", "smart"}}, {store.ByKey, []string{"k1", "k2"}}, {store.ByTeam, []string{"", "t1"}},
		{store.ByProvider, []string{"other", "sim"}}, {store.ByDay, []string{"2026-11-20", "2026-11-21"}}} {
		u, err := s.Usage(ctx, tc.by, time.Time{})
		if err != nil {
			t.Fatalf("Usage %s: %v", tc.by, err)
		}
		var groups []string
		var reqs, cost int64
		for _, r := range u {
			groups = append(groups, r.Group)
			reqs += r.Requests
			cost += r.CostNanoUSD
		}
		if !reflect.DeepEqual(groups, tc.want) || reqs != 3 || cost != 3000 {
			t.Errorf("Usage %s: groups %v requests %d cost %d", tc.by, groups, reqs, cost)
		}
	}
	u, _ := s.Usage(ctx, store.ByModel, time.Time{})
	want := store.UsageRow{Group: "smart", Requests: 2, InputTokens: 20, OutputTokens: 10, CacheReadTokens: 4, CacheWriteTokens: 2, ReasoningTokens: 6, CostNanoUSD: 2000}
	if len(u) != 2 || u[1] != want {
		t.Errorf("Usage by model = %+v", u)
	}
	if _, err := s.Usage(ctx, "color", time.Time{}); err == nil {
		t.Error("unknown grouping accepted")
	}
	if u, err := s.Usage(ctx, store.ByModel, t0.Add(100*time.Hour)); err != nil || len(u) != 0 {
		t.Errorf("empty usage = %+v, %v", u, err)
	}
}

func testConcurrentAppend(t *testing.T, s store.Store) {
	ctx := context.Background()
	const writers, batches, per = 8, 10, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range batches {
				var rows []store.Record
				for i := range per {
					rows = append(rows, record(w*batches*per+b*per+i, "k", "", "m", "p", t0))
				}
				if err := s.AppendLedger(ctx, rows); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	u, err := s.Usage(ctx, store.ByKey, time.Time{})
	if err != nil || len(u) != 1 || u[0].Requests != writers*batches*per {
		t.Fatalf("after concurrent appends: %+v, %v", u, err)
	}
	// One batch larger than a statement carries, repeating known rows.
	var big []store.Record
	for i := range 1000 {
		big = append(big, record(1_000_000+i, "big", "", "m", "p", t0))
	}
	big = append(big, record(0, "k", "", "m", "p", t0), big[10])
	if err := s.AppendLedger(ctx, big); err != nil {
		t.Fatal(err)
	}
	u, _ = s.Usage(ctx, store.ByKey, time.Time{})
	if len(u) != 2 || u[0].Group != "big" || u[0].Requests != 1000 || u[1].Requests != writers*batches*per {
		t.Fatalf("after a large batch: %+v", u)
	}
}
