// Package limit enforces rate limits (requests and tokens per minute, GCRA;
// concurrent requests) and budgets (by reservation) for keys and teams.
//
// A request is admitted in one atomic step over all its scopes (its key and
// its team): every limit is checked first and only then is anything taken,
// so a refusal by the team never leaves a charge on the key. Budgets are
// never overspent: admission reserves the request's worst-case cost, and
// a reservation only fits when spent + reserved + cost <= budget; Settle
// turns the reservation into the actual cost (never more than reserved, as
// the worst case bounds the actual one) or releases it on failure.
//
// Counters is the seam: Memory keeps them in this process (the default);
// the Redis implementation shares them between replicas.
package limit

import (
	"context"
	"fmt"
	"time"

	"github.com/railyard-ai/railyard/internal/store"
)

// Window is the period of rpm and tpm.
const Window = time.Minute

// Scope is one party a request counts against.
type Scope struct {
	// ID names the counters: "key:ID" or "team:NAME".
	ID     string
	Limits store.Limits
}

// Ask is what one request needs to be admitted.
type Ask struct {
	Scopes []Scope
	// Tokens is charged to tpm at admission (the estimated prompt);
	// Settle charges the rest once the reply's usage is known.
	Tokens int64
	// CostNanoUSD is the worst-case cost reserved against budgets.
	CostNanoUSD int64
	Now         time.Time
}

// Refusal says which limit refused a request and when to retry.
type Refusal struct {
	// Reason is rpm, tpm, concurrency or budget.
	Reason string
	// Scope is the refusing scope's ID.
	Scope      string
	RetryAfter time.Duration
}

func (r *Refusal) Error() string {
	switch r.Reason {
	case "budget":
		return fmt.Sprintf("budget exhausted for %s", r.Scope)
	case "concurrency":
		return fmt.Sprintf("too many concurrent requests for %s", r.Scope)
	}
	return fmt.Sprintf("rate limit (%s) reached for %s", r.Reason, r.Scope)
}

// Status is what x-ratelimit-* headers report: the tightest scope's
// request and token limits after this admission. Zero limits are unset.
type Status struct {
	LimitRequests, RemainingRequests int64
	ResetRequests                    time.Duration
	LimitTokens, RemainingTokens     int64
	ResetTokens                      time.Duration
}

// Grant is an admitted request's hold on counters; Settle it exactly once.
type Grant struct {
	Ask    Ask
	Status Status
	state  any // the counters' own
}

// Counters admit and settle requests.
type Counters interface {
	// Admit takes everything ask needs or nothing; a refusal is a *Refusal.
	Admit(ctx context.Context, ask Ask) (*Grant, error)
	// Settle ends an admitted request: actualCost replaces the reserved
	// cost (0 when it failed), actualTokens the estimated tokens.
	Settle(ctx context.Context, g *Grant, actualCost, actualTokens int64) error
}

// SpendLoader reads what a scope has already spent in its current budget
// period (from the ledger), so counters start right after a restart.
type SpendLoader func(ctx context.Context, scope Scope, since time.Time) (int64, error)

// bucket names a scope's budget counter for the period containing now.
func bucket(s Scope, now time.Time) string {
	p := s.Limits.BudgetPeriod
	if p == "" {
		p = store.PeriodTotal
	}
	start := store.PeriodStart(p, now)
	if start.IsZero() {
		return s.ID + ":total"
	}
	return s.ID + ":" + p + ":" + start.Format("2006-01-02")
}

// budgetRetry is how long until the budget period ends (Retry-After for a
// budget refusal); a total budget never resets, so one hour is advised.
func budgetRetry(s Scope, now time.Time) time.Duration {
	end := store.PeriodEnd(s.Limits.BudgetPeriod, now)
	if end.IsZero() {
		return time.Hour
	}
	return end.Sub(now)
}

// gcra is the Generic Cell Rate Algorithm over one limit per Window with a
// burst of the whole limit: tat is the theoretical arrival time.
// It returns the new tat, whether n fits, and the wait when it does not.
func gcra(tat, now time.Time, limit, n int64) (newTAT time.Time, ok bool, wait time.Duration) {
	limit = min(limit, int64(Window)) // keeps the interval at least 1ns
	if n > limit {
		n = limit // a request larger than the limit is admitted into an empty bucket
	}
	interval := Window / time.Duration(limit)
	if tat.Before(now) {
		tat = now
	}
	newTAT = tat.Add(time.Duration(n) * interval)
	allowAt := newTAT.Add(-Window)
	if allowAt.After(now) {
		return tat, false, allowAt.Sub(now)
	}
	return newTAT, true, 0
}

// remaining is how many more units fit now under tat.
func remaining(tat, now time.Time, limit int64) (int64, time.Duration) {
	limit = min(limit, int64(Window))
	interval := Window / time.Duration(limit)
	if tat.Before(now) {
		return limit, 0
	}
	r := int64(now.Add(Window).Sub(tat) / interval)
	return max(r, 0), tat.Sub(now)
}

func periodStart(p string, now time.Time) time.Time { return store.PeriodStart(p, now) }
