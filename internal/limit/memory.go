package limit

import (
	"context"
	"sync"
	"time"
)

// Memory keeps counters in this process: right for one replica, and the
// default. One mutex makes every admission atomic; the critical section is
// a few map operations.
type Memory struct {
	load SpendLoader

	mu     sync.Mutex
	tat    map[string]time.Time // "rpm:"+scope, "tpm:"+scope
	active map[string]int64     // scope -> requests in flight
	spent  map[string]int64     // budget bucket -> settled spend
	held   map[string]int64     // budget bucket -> reserved, unsettled
	admits int
}

var _ Counters = (*Memory)(nil)

// NewMemory returns in-process counters; load (may be nil) seeds each
// budget bucket's spend the first time it is used.
func NewMemory(load SpendLoader) *Memory {
	return &Memory{load: load, tat: map[string]time.Time{}, active: map[string]int64{}, spent: map[string]int64{}, held: map[string]int64{}}
}

// ensureBuckets loads the spend of budget buckets not seen yet, outside
// the lock (it reads the store).
func (m *Memory) ensureBuckets(ctx context.Context, ask Ask) error {
	for _, s := range ask.Scopes {
		if s.Limits.BudgetNanoUSD <= 0 {
			continue
		}
		b := bucket(s, ask.Now)
		m.mu.Lock()
		_, ok := m.spent[b]
		m.mu.Unlock()
		if ok {
			continue
		}
		var n int64
		if m.load != nil {
			var err error
			if n, err = m.load(ctx, s, startOf(s, ask.Now)); err != nil {
				return err
			}
		}
		m.mu.Lock()
		if _, ok := m.spent[b]; !ok {
			m.spent[b] = n
		}
		m.mu.Unlock()
	}
	return nil
}

// Admit implements Counters.
func (m *Memory) Admit(ctx context.Context, ask Ask) (*Grant, error) {
	if ask.Now.IsZero() {
		ask.Now = time.Now()
	}
	if err := m.ensureBuckets(ctx, ask); err != nil {
		return nil, err
	}
	now := ask.Now
	m.mu.Lock()
	defer m.mu.Unlock()

	// Check everything first.
	newTAT := map[string]time.Time{}
	for _, s := range ask.Scopes {
		l := s.Limits
		if l.MaxConcurrency > 0 && m.active[s.ID] >= int64(l.MaxConcurrency) {
			return nil, &Refusal{Reason: "concurrency", Scope: s.ID, RetryAfter: time.Second}
		}
		if l.RPM > 0 {
			t, ok, wait := gcra(m.tat["rpm:"+s.ID], now, int64(l.RPM), 1)
			if !ok {
				return nil, &Refusal{Reason: "rpm", Scope: s.ID, RetryAfter: wait}
			}
			newTAT["rpm:"+s.ID] = t
		}
		if l.TPM > 0 {
			t, ok, wait := gcra(m.tat["tpm:"+s.ID], now, int64(l.TPM), max(ask.Tokens, 1))
			if !ok {
				return nil, &Refusal{Reason: "tpm", Scope: s.ID, RetryAfter: wait}
			}
			newTAT["tpm:"+s.ID] = t
		}
		if l.BudgetNanoUSD > 0 {
			b := bucket(s, now)
			if m.spent[b]+m.held[b]+ask.CostNanoUSD > l.BudgetNanoUSD {
				return nil, &Refusal{Reason: "budget", Scope: s.ID, RetryAfter: budgetRetry(s, now)}
			}
		}
	}
	// Then take it.
	for k, t := range newTAT {
		m.tat[k] = t
	}
	g := &Grant{Ask: ask}
	for _, s := range ask.Scopes {
		if s.Limits.MaxConcurrency > 0 {
			m.active[s.ID]++
		}
		if s.Limits.BudgetNanoUSD > 0 {
			m.held[bucket(s, now)] += ask.CostNanoUSD
		}
		g.Status.tighten(s, m.tat, now)
	}
	m.admits++
	if m.admits%4096 == 0 {
		m.sweep(now)
	}
	return g, nil
}

// tighten folds s's rate-limit state into st, keeping the scope with the
// least remaining.
func (st *Status) tighten(s Scope, tat map[string]time.Time, now time.Time) {
	if l := int64(s.Limits.RPM); l > 0 {
		r, reset := remaining(tat["rpm:"+s.ID], now, l)
		if st.LimitRequests == 0 || r < st.RemainingRequests {
			st.LimitRequests, st.RemainingRequests, st.ResetRequests = l, r, reset
		}
	}
	if l := int64(s.Limits.TPM); l > 0 {
		r, reset := remaining(tat["tpm:"+s.ID], now, l)
		if st.LimitTokens == 0 || r < st.RemainingTokens {
			st.LimitTokens, st.RemainingTokens, st.ResetTokens = l, r, reset
		}
	}
}

// sweep forgets rate-limit state that has fully recovered.
func (m *Memory) sweep(now time.Time) {
	for k, t := range m.tat {
		if t.Before(now) {
			delete(m.tat, k)
		}
	}
}

// Settle implements Counters.
func (m *Memory) Settle(_ context.Context, g *Grant, actualCost, actualTokens int64) error {
	ask := g.Ask
	now := time.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range ask.Scopes {
		if s.Limits.MaxConcurrency > 0 && m.active[s.ID] > 0 {
			m.active[s.ID]--
			if m.active[s.ID] == 0 {
				delete(m.active, s.ID)
			}
		}
		if s.Limits.BudgetNanoUSD > 0 {
			b := bucket(s, ask.Now)
			m.held[b] -= ask.CostNanoUSD
			m.spent[b] += actualCost
		}
		if l := int64(s.Limits.TPM); l > 0 {
			if delta := actualTokens - max(ask.Tokens, 1); delta != 0 {
				k := "tpm:" + s.ID
				t := m.tat[k].Add(time.Duration(delta) * (Window / time.Duration(min(l, int64(Window)))))
				if t.Before(now) {
					t = now
				}
				m.tat[k] = t
			}
		}
	}
	return nil
}

// startOf is the start of s's current budget period (zero for total).
func startOf(s Scope, now time.Time) time.Time {
	return periodStart(s.Limits.BudgetPeriod, now)
}
