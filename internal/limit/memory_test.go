package limit

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/railyard-ai/railyard/internal/store"
)

var now0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func refusal(t *testing.T, err error) *Refusal {
	t.Helper()
	var r *Refusal
	if !errors.As(err, &r) {
		t.Fatalf("want a refusal, got %v", err)
	}
	return r
}

func TestGCRA(t *testing.T) {
	for _, tc := range []struct {
		name     string
		limit, n int64
		before   int // admissions of n at now0 before the checked one
		ok       bool
		wait     time.Duration
	}{
		{"empty bucket", 60, 1, 0, true, 0},
		{"burst up to the limit", 60, 1, 59, true, 0},
		{"one past the burst", 60, 1, 60, false, time.Second},
		{"tokens", 1000, 400, 2, false, 12 * time.Second},
		{"larger than the limit fits an empty bucket", 100, 500, 0, true, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var tat time.Time
			for range tc.before {
				var ok bool
				tat, ok, _ = gcra(tat, now0, tc.limit, tc.n)
				if !ok {
					t.Fatal("refused while filling")
				}
			}
			_, ok, wait := gcra(tat, now0, tc.limit, tc.n)
			if ok != tc.ok || wait != tc.wait {
				t.Errorf("ok %v wait %v; want %v %v", ok, wait, tc.ok, tc.wait)
			}
		})
	}
}

func TestRPMRefusesThenRecovers(t *testing.T) {
	m := NewMemory(nil)
	ctx := context.Background()
	ask := Ask{Scopes: []Scope{{ID: "key:a", Limits: store.Limits{RPM: 3}}}, Now: now0}
	for i := range 3 {
		g, err := m.Admit(ctx, ask)
		if err != nil {
			t.Fatal(err)
		}
		if g.Status.LimitRequests != 3 || g.Status.RemainingRequests != int64(2-i) {
			t.Errorf("admission %d: status %+v", i, g.Status)
		}
	}
	_, err := m.Admit(ctx, ask)
	if r := refusal(t, err); r.Reason != "rpm" || r.RetryAfter != 20*time.Second {
		t.Errorf("refusal %+v", r)
	}
	ask.Now = now0.Add(20 * time.Second)
	if _, err := m.Admit(ctx, ask); err != nil {
		t.Errorf("after 20s: %v", err)
	}
}

// A refusal by the team takes nothing from the key.
func TestAllOrNothing(t *testing.T) {
	m := NewMemory(nil)
	ctx := context.Background()
	key := Scope{ID: "key:a", Limits: store.Limits{RPM: 10, MaxConcurrency: 5, BudgetNanoUSD: 1000}}
	team := Scope{ID: "team:t", Limits: store.Limits{BudgetNanoUSD: 100}}
	_, err := m.Admit(ctx, Ask{Scopes: []Scope{key, team}, CostNanoUSD: 200, Now: now0})
	if r := refusal(t, err); r.Reason != "budget" || r.Scope != "team:t" {
		t.Fatalf("refusal %+v", r)
	}
	if m.active["key:a"] != 0 || m.held["key:a:total"] != 0 || !m.tat["rpm:key:a"].IsZero() {
		t.Errorf("refused request left charges: %v %v %v", m.active, m.held, m.tat)
	}
}

func TestConcurrencyLimit(t *testing.T) {
	m := NewMemory(nil)
	ctx := context.Background()
	ask := Ask{Scopes: []Scope{{ID: "key:a", Limits: store.Limits{MaxConcurrency: 2}}}, Now: now0}
	g1, _ := m.Admit(ctx, ask)
	_, _ = m.Admit(ctx, ask)
	if _, err := m.Admit(ctx, ask); refusal(t, err).Reason != "concurrency" {
		t.Fatal("third concurrent request admitted")
	}
	_ = m.Settle(ctx, g1, 0, 0)
	if _, err := m.Admit(ctx, ask); err != nil {
		t.Errorf("after one finished: %v", err)
	}
}

// The budget's spend starts from the ledger, per period.
func TestBudgetLoadsSpendAndPeriods(t *testing.T) {
	var loads atomic.Int32
	m := NewMemory(func(_ context.Context, s Scope, since time.Time) (int64, error) {
		loads.Add(1)
		if !since.Equal(time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("since %v", since)
		}
		return 900, nil
	})
	ctx := context.Background()
	ask := Ask{Scopes: []Scope{{ID: "key:a", Limits: store.Limits{BudgetNanoUSD: 1000, BudgetPeriod: store.PeriodDaily}}}, CostNanoUSD: 150, Now: now0}
	_, err := m.Admit(ctx, ask)
	if r := refusal(t, err); r.RetryAfter != 12*time.Hour {
		t.Errorf("retry after %v, want the end of the day", r.RetryAfter)
	}
	ask.CostNanoUSD = 100
	g, err := m.Admit(ctx, ask)
	if err != nil {
		t.Fatal(err)
	}
	_ = m.Settle(ctx, g, 40, 0) // actual below the worst case frees the rest
	ask.CostNanoUSD = 60
	if _, err := m.Admit(ctx, ask); err != nil {
		t.Errorf("after settling below the reservation: %v", err)
	}
	if loads.Load() != 1 {
		t.Errorf("spend loaded %d times", loads.Load())
	}
}

// Thousands of concurrent reservations of random worst cases, settled at
// random actual costs at or below them, never spend past the budget; and
// the budget is used up (no reservation leaks).
func TestNoOverspendUnderConcurrency(t *testing.T) {
	m := NewMemory(nil)
	ctx := context.Background()
	const budget = 1_000_000
	key := Scope{ID: "key:a", Limits: store.Limits{BudgetNanoUSD: budget}}
	team := Scope{ID: "team:t", Limits: store.Limits{BudgetNanoUSD: budget * 2}}
	var spent, admitted, refused atomic.Int64
	var wg sync.WaitGroup
	for i := range 5000 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i), 1))
			worst := 100 + r.Int64N(2000)
			g, err := m.Admit(ctx, Ask{Scopes: []Scope{key, team}, CostNanoUSD: worst, Now: now0})
			if err != nil {
				refused.Add(1)
				return
			}
			admitted.Add(1)
			actual := r.Int64N(worst + 1)
			if r.IntN(10) == 0 {
				actual = 0 // the upstream failed: release
			}
			spent.Add(actual)
			_ = m.Settle(ctx, g, actual, 0)
		}()
	}
	wg.Wait()
	if spent.Load() > budget {
		t.Fatalf("overspent: %d > %d", spent.Load(), budget)
	}
	if m.held["key:a:total"] != 0 || m.held["team:t:total"] != 0 {
		t.Errorf("reservations left after settling: %v", m.held)
	}
	if m.spent["key:a:total"] != spent.Load() || m.spent["team:t:total"] != spent.Load() {
		t.Errorf("counters %v, actual %d", m.spent, spent.Load())
	}
	t.Logf("admitted %d, refused %d, spent %d of %d", admitted.Load(), refused.Load(), spent.Load(), budget)
	if refused.Load() == 0 {
		t.Error("nothing refused: the test did not reach the budget")
	}
}

// A limit so large that a minute divided by it is under a nanosecond must
// admit, not divide by zero.
func TestHugeLimitDoesNotDivideByZero(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	tat, ok, _ := gcra(time.Time{}, now, 1_000_000_000_000, 5)
	if !ok || tat.Before(now) {
		t.Fatalf("huge limit refused: %v %v", tat, ok)
	}
	if r, _ := remaining(tat, now, 1_000_000_000_000); r <= 0 {
		t.Fatalf("remaining %d", r)
	}
}
