package limit

import (
	"context"
	"math/rand/v2"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/railyard-ai/railyard/internal/access"
	"github.com/railyard-ai/railyard/internal/store"
)

// redisReplicas returns n Redis counters with separate clients on one
// Redis, as n railyard replicas would have, under a fresh key prefix.
// RAILYARD_TEST_REDIS (set by .ci/run) names the server; without it the
// tests skip locally and fail in CI.
func redisReplicas(t *testing.T, n int, load SpendLoader) []*Redis {
	t.Helper()
	url := os.Getenv("RAILYARD_TEST_REDIS")
	if url == "" {
		if os.Getenv("RAILYARD_CI") != "" {
			t.Fatal("RAILYARD_TEST_REDIS is not set in CI: .ci/run must start Redis")
		}
		t.Skip("no Redis: set RAILYARD_TEST_REDIS=redis://127.0.0.1:6379/0 to run the shared-counter tests")
	}
	prefix := "rytest:" + access.NewID("") + ":"
	var out []*Redis
	for range n {
		r, err := OpenRedis(context.Background(), url, load)
		if err != nil {
			t.Fatal(err)
		}
		r.prefix = prefix
		t.Cleanup(func() { _ = r.Close() })
		out = append(out, r)
	}
	return out
}

func TestRedisRPMAndHeaders(t *testing.T) {
	r := redisReplicas(t, 2, nil)
	ctx := context.Background()
	ask := Ask{Scopes: []Scope{{ID: "key:a", Limits: store.Limits{RPM: 3}}}, Now: time.Now()}
	for i := range 3 {
		g, err := r[i%2].Admit(ctx, ask)
		if err != nil {
			t.Fatal(err)
		}
		if g.Status.LimitRequests != 3 || g.Status.RemainingRequests != int64(2-i) {
			t.Errorf("admission %d: %+v", i, g.Status)
		}
	}
	_, err := r[1].Admit(ctx, ask)
	if rf := refusal(t, err); rf.Reason != "rpm" || rf.RetryAfter <= 0 || rf.RetryAfter > 20*time.Second {
		t.Errorf("refusal %+v", rf)
	}
}

func TestRedisAllOrNothingAndConcurrency(t *testing.T) {
	r := redisReplicas(t, 2, nil)
	ctx := context.Background()
	key := Scope{ID: "key:a", Limits: store.Limits{MaxConcurrency: 1, BudgetNanoUSD: 1000}}
	team := Scope{ID: "team:t", Limits: store.Limits{BudgetNanoUSD: 100}}
	if _, err := r[0].Admit(ctx, Ask{Scopes: []Scope{key, team}, CostNanoUSD: 200, Now: time.Now()}); refusal(t, err).Scope != "team:t" {
		t.Fatal("team budget did not refuse")
	}
	g, err := r[0].Admit(ctx, Ask{Scopes: []Scope{key, team}, CostNanoUSD: 50, Now: time.Now()})
	if err != nil {
		t.Fatalf("the refused request left a charge: %v", err)
	}
	if _, err := r[1].Admit(ctx, Ask{Scopes: []Scope{key}, Now: time.Now()}); refusal(t, err).Reason != "concurrency" {
		t.Fatal("second concurrent request admitted on the other replica")
	}
	if err := r[1].Settle(ctx, g, 30, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := r[1].Admit(ctx, Ask{Scopes: []Scope{key, team}, CostNanoUSD: 70, Now: time.Now()}); err != nil {
		t.Errorf("after settling 30 of 100: %v", err)
	}
}

// A replica killed mid-request never settles; its hold is released after
// HoldTimeout, not before.
func TestRedisExpiredHoldIsReleased(t *testing.T) {
	r := redisReplicas(t, 1, nil)[0]
	r.HoldTimeout = 300 * time.Millisecond
	ctx := context.Background()
	s := Scope{ID: "key:a", Limits: store.Limits{BudgetNanoUSD: 100, MaxConcurrency: 1}}
	if _, err := r.Admit(ctx, Ask{Scopes: []Scope{s}, CostNanoUSD: 80, Now: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Admit(ctx, Ask{Scopes: []Scope{s}, CostNanoUSD: 80, Now: time.Now()}); err == nil {
		t.Fatal("admitted while the dead request's hold counts")
	}
	time.Sleep(400 * time.Millisecond)
	if _, err := r.Admit(ctx, Ask{Scopes: []Scope{s}, CostNanoUSD: 80, Now: time.Now()}); err != nil {
		t.Errorf("after the hold expired: %v", err)
	}
}

// Three replicas, thousands of concurrent reservations, spend seeded from
// the ledger: never past the budget, and no reservation left behind.
func TestRedisNoOverspendAcrossReplicas(t *testing.T) {
	const budget, seed = 2_000_000, 500_000
	var loads atomic.Int32
	reps := redisReplicas(t, 3, func(context.Context, Scope, time.Time) (int64, error) {
		loads.Add(1)
		return seed, nil
	})
	ctx := context.Background()
	key := Scope{ID: "key:a", Limits: store.Limits{BudgetNanoUSD: budget}}
	team := Scope{ID: "team:t", Limits: store.Limits{BudgetNanoUSD: budget * 10}}
	var spent, admitted, refused atomic.Int64
	var wg sync.WaitGroup
	sem := make(chan struct{}, 256)
	for i := range 3000 {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			rnd := rand.New(rand.NewPCG(uint64(i), 2))
			worst := 100 + rnd.Int64N(3000)
			g, err := reps[i%3].Admit(ctx, Ask{Scopes: []Scope{key, team}, CostNanoUSD: worst, Now: time.Now()})
			if err != nil {
				if _, ok := err.(*Refusal); !ok {
					t.Error(err)
				}
				refused.Add(1)
				return
			}
			admitted.Add(1)
			actual := rnd.Int64N(worst + 1)
			spent.Add(actual)
			if err := reps[rnd.IntN(3)].Settle(ctx, g, actual, 0); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if total := seed + spent.Load(); total > budget {
		t.Fatalf("overspent: %d > %d", total, budget)
	}
	rdb := reps[0].rdb
	p := reps[0].prefix + "budget:key:a:total"
	if held, _ := rdb.Get(ctx, p+":held").Int64(); held != 0 {
		t.Errorf("reservations left: %d", held)
	}
	if got, _ := rdb.Get(ctx, p+":spent").Int64(); got != seed+spent.Load() {
		t.Errorf("spent counter %d, want %d", got, seed+spent.Load())
	}
	if refused.Load() == 0 {
		t.Error("nothing refused: the test did not reach the budget")
	}
	t.Logf("admitted %d, refused %d, spent %d of %d (seed %d), %d seeds loaded", admitted.Load(), refused.Load(), seed+spent.Load(), budget, seed, loads.Load())
}
