package limit

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/railyard-ai/railyard/internal/access"
	"github.com/railyard-ai/railyard/internal/store"
)

// Redis keeps counters in Redis so that every replica shares them. Each
// admission and each settlement is one Lua script, which Redis runs
// atomically: check every scope, then take from every scope.
//
// Reservations and concurrency slots are held in sorted sets scored by an
// expiry, so a replica that dies mid-request (kill -9) does not leak them:
// after HoldTimeout they are released by the next admission. Until then
// they count, which errs on the side of never overspending.
type Redis struct {
	rdb  redis.UniversalClient
	load SpendLoader
	// HoldTimeout bounds how long a reservation of a request that never
	// settles is held. Default 15 minutes.
	HoldTimeout time.Duration
	prefix      string

	mu     sync.Mutex
	seeded map[string]bool // budget buckets whose spend this process seeded
}

var _ Counters = (*Redis)(nil)

//go:embed redis_admit.lua
var admitLua string

//go:embed redis_settle.lua
var settleLua string

var (
	admitScript  = redis.NewScript(admitLua)
	settleScript = redis.NewScript(settleLua)
)

// NewRedis returns counters in rdb; load seeds a budget bucket's spend
// from the ledger the first time any replica uses it.
func NewRedis(rdb redis.UniversalClient, load SpendLoader) *Redis {
	return &Redis{rdb: rdb, load: load, HoldTimeout: 15 * time.Minute, prefix: "railyard:", seeded: map[string]bool{}}
}

// OpenRedis connects to a redis:// URL.
func OpenRedis(ctx context.Context, url string, load SpendLoader) (*Redis, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("redis url: %w", err)
	}
	rdb := redis.NewClient(opt)
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := rdb.Ping(pctx).Err(); err != nil {
		_ = rdb.Close()
		return nil, fmt.Errorf("connect to redis: %w", err)
	}
	return NewRedis(rdb, load), nil
}

// Close closes the client.
func (r *Redis) Close() error { return r.rdb.Close() }

// keysPerScope is how many KEYS each scope passes to the scripts.
const keysPerScope = 7

func (r *Redis) keys(s Scope, now time.Time) []string {
	b := r.prefix + "budget:" + bucket(s, now)
	p := r.prefix + s.ID
	return []string{p + ":rpm", p + ":tpm", p + ":inflight", b + ":spent", b + ":held", b + ":holds", b + ":holdamt"}
}

// redisGrant is what Settle needs back.
type redisGrant struct{ id string }

// Admit implements Counters.
func (r *Redis) Admit(ctx context.Context, ask Ask) (*Grant, error) {
	if ask.Now.IsZero() {
		ask.Now = time.Now()
	}
	now := ask.Now
	id := access.NewID("")
	keys := make([]string, 0, len(ask.Scopes)*keysPerScope)
	args := []any{now.UnixMicro(), max(ask.Tokens, 1), ask.CostNanoUSD, id, now.Add(r.HoldTimeout).UnixMicro(), len(ask.Scopes)}
	var seeding []string
	for _, s := range ask.Scopes {
		keys = append(keys, r.keys(s, now)...)
		seed := int64(-1)
		ttl := int64(0)
		if s.Limits.BudgetNanoUSD > 0 {
			b := bucket(s, now)
			r.mu.Lock()
			done := r.seeded[b]
			r.mu.Unlock()
			if !done && r.load != nil {
				n, err := r.load(ctx, s, startOf(s, now))
				if err != nil {
					return nil, err
				}
				seed = n
				seeding = append(seeding, b)
			}
			if end := store.PeriodEnd(s.Limits.BudgetPeriod, now); !end.IsZero() {
				ttl = int64(end.Sub(now)/time.Second) + 86400
			}
		}
		l := s.Limits
		args = append(args, l.RPM, l.TPM, l.MaxConcurrency, l.BudgetNanoUSD, seed, ttl)
	}
	res, err := admitScript.Run(ctx, r.rdb, keys, args...).Slice()
	if err != nil {
		return nil, fmt.Errorf("redis admit: %w", err)
	}
	r.mu.Lock()
	for _, b := range seeding {
		r.seeded[b] = true
	}
	r.mu.Unlock()
	if ok, _ := res[0].(int64); ok == 0 {
		reason, _ := res[1].(string)
		i, _ := res[2].(int64)
		wait, _ := res[3].(int64)
		s := ask.Scopes[i]
		rf := &Refusal{Reason: reason, Scope: s.ID, RetryAfter: time.Duration(wait) * time.Microsecond}
		switch reason {
		case "budget":
			rf.RetryAfter = budgetRetry(s, now)
		case "concurrency":
			rf.RetryAfter = time.Second
		}
		return nil, rf
	}
	g := &Grant{Ask: ask, state: redisGrant{id: id}}
	tats := map[string]time.Time{}
	for i, s := range ask.Scopes {
		for j, name := range []string{"rpm:", "tpm:"} {
			if v, err := strconv.ParseInt(fmt.Sprint(res[1+2*i+j]), 10, 64); err == nil && v > 0 {
				tats[name+s.ID] = time.UnixMicro(v)
			}
		}
		g.Status.tighten(s, tats, now)
	}
	return g, nil
}

// Settle implements Counters.
func (r *Redis) Settle(ctx context.Context, g *Grant, actualCost, actualTokens int64) error {
	rg, ok := g.state.(redisGrant)
	if !ok {
		return errors.New("redis settle: grant from other counters")
	}
	ask := g.Ask
	keys := make([]string, 0, len(ask.Scopes)*keysPerScope)
	args := []any{time.Now().UnixMicro(), rg.id, ask.CostNanoUSD, actualCost, actualTokens - max(ask.Tokens, 1), len(ask.Scopes)}
	for _, s := range ask.Scopes {
		keys = append(keys, r.keys(s, ask.Now)...)
		args = append(args, s.Limits.TPM, s.Limits.MaxConcurrency, s.Limits.BudgetNanoUSD)
	}
	// Settle must happen even when the client's context is gone.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := settleScript.Run(sctx, r.rdb, keys, args...).Err(); err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("redis settle: %w", err)
	}
	return nil
}
