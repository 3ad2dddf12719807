// Package store is where virtual keys, teams and the usage ledger live.
// Store is the one interface; sqlite/ (the embedded default) and postgres/
// implement it over the shared SQL in sqlstore/, and storetest/ is the
// suite every implementation must pass.
//
// Money is kept in integer nano-dollars (catalog.NanoUSD's unit) so that
// sums are exact; times are kept as UTC.
package store

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned when a key or team does not exist.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a name or id is already taken.
var ErrConflict = errors.New("already exists")

// Budget periods.
const (
	PeriodTotal   = "total"
	PeriodMonthly = "monthly"
	PeriodDaily   = "daily"
)

// Limits are the budget and rate limits of a key or a team; zero means
// unlimited.
type Limits struct {
	// BudgetNanoUSD caps spend per BudgetPeriod.
	BudgetNanoUSD int64
	// BudgetPeriod is total, monthly or daily (UTC). Default total.
	BudgetPeriod   string
	RPM            int
	TPM            int
	MaxConcurrency int
}

// Key is a virtual key. The secret itself is never stored: Hash is its
// SHA-256 and Prefix its first characters, for people to recognise it.
type Key struct {
	ID       string
	Name     string
	Team     string // a team's name; "" for none
	Models   []string
	Tags     []string
	Hash     string
	Prefix   string
	Limits   Limits
	Metadata map[string]string
	// ExpiresAt is zero for keys that never expire.
	ExpiresAt time.Time
	CreatedAt time.Time
	// RevokedAt is zero while the key is live.
	RevokedAt time.Time
}

// Live reports whether the key may be used at now.
func (k Key) Live(now time.Time) bool {
	return k.RevokedAt.IsZero() && (k.ExpiresAt.IsZero() || now.Before(k.ExpiresAt))
}

// Team groups keys under a shared budget and limits.
type Team struct {
	ID        string
	Name      string
	Limits    Limits
	Metadata  map[string]string
	CreatedAt time.Time
}

// Record is one ledger row: one client request.
type Record struct {
	// ID is unique per row (railyard's own, not the client's request id,
	// which may repeat); replaying a row with a known ID is a no-op.
	ID               string
	Time             time.Time
	RequestID        string
	KeyID            string
	Team             string
	Model            string // the model the client asked for
	Provider         string
	UpstreamModel    string
	InputTokens      int64
	OutputTokens     int64
	CacheReadTokens  int64
	CacheWriteTokens int64
	ReasoningTokens  int64
	CostNanoUSD      int64
	Latency          time.Duration
	TTFT             time.Duration
	Status           int
	Attempts         int
}

// Usage groupings.
const (
	ByKey      = "key"
	ByTeam     = "team"
	ByModel    = "model"
	ByProvider = "provider"
	ByDay      = "day"
)

// UsageRow is one group of the usage report.
type UsageRow struct {
	Group            string
	Requests         int64
	InputTokens      int64
	OutputTokens     int64
	CacheReadTokens  int64
	CacheWriteTokens int64
	ReasoningTokens  int64
	CostNanoUSD      int64
}

// Store persists keys, teams and the ledger. Implementations are safe for
// concurrent use by many goroutines and many processes.
type Store interface {
	CreateKey(ctx context.Context, k Key) error
	// KeyByHash finds a key by its secret's hash, revoked or not.
	KeyByHash(ctx context.Context, hash string) (Key, error)
	Key(ctx context.Context, id string) (Key, error)
	Keys(ctx context.Context) ([]Key, error)
	// UpdateKey replaces the mutable fields (name, team, models, tags,
	// limits, metadata, expiry) of the key with k.ID.
	UpdateKey(ctx context.Context, k Key) error
	RevokeKey(ctx context.Context, id string, at time.Time) error
	// HasKeys reports whether any key was ever created.
	HasKeys(ctx context.Context) (bool, error)

	CreateTeam(ctx context.Context, t Team) error
	// Team finds a team by id or by name.
	Team(ctx context.Context, idOrName string) (Team, error)
	Teams(ctx context.Context) ([]Team, error)
	UpdateTeam(ctx context.Context, t Team) error
	DeleteTeam(ctx context.Context, id string) error

	// AppendLedger inserts rows; rows whose ID exists are skipped.
	AppendLedger(ctx context.Context, rows []Record) error
	// Spend sums the cost of a key's (or, with team set, a team's) rows
	// since a time.
	Spend(ctx context.Context, keyID, team string, since time.Time) (int64, error)
	// Usage groups rows since a time by one of the By* groupings.
	Usage(ctx context.Context, by string, since time.Time) ([]UsageRow, error)
	// Ledger calls fn for each row since a time, oldest first.
	Ledger(ctx context.Context, since time.Time, fn func(Record) error) error

	Close() error
}

// PeriodStart is the start of the budget period containing now.
func PeriodStart(period string, now time.Time) time.Time {
	now = now.UTC()
	switch period {
	case PeriodDaily:
		return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	case PeriodMonthly:
		return time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Time{}
}

// PeriodEnd is when the budget period containing now ends; zero for total.
func PeriodEnd(period string, now time.Time) time.Time {
	s := PeriodStart(period, now)
	switch period {
	case PeriodDaily:
		return s.AddDate(0, 0, 1)
	case PeriodMonthly:
		return s.AddDate(0, 1, 0)
	}
	return time.Time{}
}

// ValidPeriod reports whether p is a budget period ("" means total).
func ValidPeriod(p string) bool {
	return p == "" || p == PeriodTotal || p == PeriodMonthly || p == PeriodDaily
}
