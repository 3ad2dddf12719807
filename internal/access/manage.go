package access

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/railyard-ai/railyard/internal/store"
)

// KeyFields are the writable fields of a key as the admin API and the CLI
// take them. For an update (PATCH), nil fields stay as they are.
type KeyFields struct {
	Name           *string            `json:"name"`
	Team           *string            `json:"team"`
	Models         *[]string          `json:"models"`
	Tags           *[]string          `json:"tags"`
	BudgetUSD      *float64           `json:"budget_usd"`
	BudgetPeriod   *string            `json:"budget_period"`
	RPM            *int               `json:"rpm"`
	TPM            *int               `json:"tpm"`
	MaxConcurrency *int               `json:"max_concurrency"`
	ExpiresAt      *time.Time         `json:"expires_at"`
	Metadata       *map[string]string `json:"metadata"`
}

// TeamFields are the writable fields of a team.
type TeamFields struct {
	Name           *string            `json:"name"`
	BudgetUSD      *float64           `json:"budget_usd"`
	BudgetPeriod   *string            `json:"budget_period"`
	RPM            *int               `json:"rpm"`
	TPM            *int               `json:"tpm"`
	MaxConcurrency *int               `json:"max_concurrency"`
	Metadata       *map[string]string `json:"metadata"`
}

// InvalidError is a request the caller must fix (a 400).
type InvalidError struct{ Msg string }

func (e *InvalidError) Error() string { return e.Msg }

func invalid(format string, args ...any) error {
	return &InvalidError{Msg: fmt.Sprintf(format, args...)}
}

// usdToNano converts a budget in dollars; budgets are whole nano-dollars.
func usdToNano(usd float64) (int64, error) {
	if math.IsNaN(usd) || usd < 0 || usd > 1e9 {
		return 0, invalid("budget_usd must be between 0 and 1e9")
	}
	return int64(math.Round(usd * 1e9)), nil
}

func applyLimits(l *store.Limits, budget *float64, period *string, rpm, tpm, conc *int) error {
	if budget != nil {
		n, err := usdToNano(*budget)
		if err != nil {
			return err
		}
		l.BudgetNanoUSD = n
	}
	if period != nil {
		if !store.ValidPeriod(*period) {
			return invalid("budget_period must be total, monthly or daily, not %q", *period)
		}
		l.BudgetPeriod = *period
	}
	for _, f := range []struct {
		name string
		v    *int
		dst  *int
	}{{"rpm", rpm, &l.RPM}, {"tpm", tpm, &l.TPM}, {"max_concurrency", conc, &l.MaxConcurrency}} {
		if f.v == nil {
			continue
		}
		if *f.v < 0 {
			return invalid("%s must not be negative", f.name)
		}
		if *f.v > maxLimit {
			return invalid("%s must be at most %d (leave it unset for no limit)", f.name, maxLimit)
		}
		*f.dst = *f.v
	}
	if l.BudgetPeriod == "" {
		l.BudgetPeriod = store.PeriodTotal
	}
	return nil
}

// maxLimit bounds rpm, tpm and max_concurrency: a billion per minute is
// beyond any real deployment, and the GCRA's per-unit interval (a minute
// divided by the limit) must stay at least a nanosecond.
const maxLimit = 1_000_000_000

// Apply writes f's set fields onto k.
func (f KeyFields) Apply(k *store.Key) error {
	if f.Name != nil {
		k.Name = strings.TrimSpace(*f.Name)
	}
	if f.Team != nil {
		k.Team = strings.TrimSpace(*f.Team)
	}
	if f.Models != nil {
		k.Models = cleanList(*f.Models)
	}
	if f.Tags != nil {
		k.Tags = cleanList(*f.Tags)
	}
	if f.ExpiresAt != nil {
		k.ExpiresAt = f.ExpiresAt.UTC()
	}
	if f.Metadata != nil {
		k.Metadata = *f.Metadata
	}
	if k.Name == "" {
		return invalid("name is required")
	}
	return applyLimits(&k.Limits, f.BudgetUSD, f.BudgetPeriod, f.RPM, f.TPM, f.MaxConcurrency)
}

// Apply writes f's set fields onto t.
func (f TeamFields) Apply(t *store.Team) error {
	if f.Name != nil {
		t.Name = strings.TrimSpace(*f.Name)
	}
	if f.Metadata != nil {
		t.Metadata = *f.Metadata
	}
	if t.Name == "" {
		return invalid("name is required")
	}
	return applyLimits(&t.Limits, f.BudgetUSD, f.BudgetPeriod, f.RPM, f.TPM, f.MaxConcurrency)
}

func cleanList(in []string) []string {
	out := []string{}
	for _, s := range in {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// CreateKey stores a new key built from f and returns it with its secret,
// which is never available again.
func CreateKey(ctx context.Context, st store.Store, f KeyFields, now time.Time) (store.Key, string, error) {
	secret := NewSecret()
	k := store.Key{ID: NewID("key_"), Hash: Hash(secret), Prefix: Display(secret), CreatedAt: now.UTC().Truncate(time.Microsecond)}
	if err := f.Apply(&k); err != nil {
		return k, "", err
	}
	if !k.ExpiresAt.IsZero() && !k.ExpiresAt.After(now) {
		return k, "", invalid("expires_at is in the past")
	}
	if err := st.CreateKey(ctx, k); err != nil {
		return k, "", err
	}
	return k, secret, nil
}

// CreateTeam stores a new team built from f.
func CreateTeam(ctx context.Context, st store.Store, f TeamFields, now time.Time) (store.Team, error) {
	t := store.Team{ID: NewID("team_"), CreatedAt: now.UTC().Truncate(time.Microsecond)}
	if err := f.Apply(&t); err != nil {
		return t, err
	}
	err := st.CreateTeam(ctx, t)
	if errors.Is(err, store.ErrConflict) {
		return t, invalid("a team named %q exists", t.Name)
	}
	return t, err
}

// FindKey finds a key by id or by its secret.
func FindKey(ctx context.Context, st store.Store, idOrSecret string) (store.Key, error) {
	if Looks(idOrSecret) {
		return st.KeyByHash(ctx, Hash(idOrSecret))
	}
	return st.Key(ctx, idOrSecret)
}

// KeyView is a key as the admin API and `keys list --json` show it: never
// the secret or its hash.
type KeyView struct {
	ID             string            `json:"id"`
	Name           string            `json:"name"`
	Team           string            `json:"team,omitempty"`
	Prefix         string            `json:"prefix"`
	Models         []string          `json:"models"`
	Tags           []string          `json:"tags"`
	BudgetUSD      float64           `json:"budget_usd"`
	BudgetPeriod   string            `json:"budget_period"`
	RPM            int               `json:"rpm"`
	TPM            int               `json:"tpm"`
	MaxConcurrency int               `json:"max_concurrency"`
	ExpiresAt      *time.Time        `json:"expires_at,omitempty"`
	Metadata       map[string]string `json:"metadata"`
	CreatedAt      time.Time         `json:"created_at"`
	RevokedAt      *time.Time        `json:"revoked_at,omitempty"`
}

// ViewKey renders k for display.
func ViewKey(k store.Key) KeyView {
	v := KeyView{ID: k.ID, Name: k.Name, Team: k.Team, Prefix: k.Prefix, Models: nonNil(k.Models), Tags: nonNil(k.Tags),
		BudgetUSD: float64(k.Limits.BudgetNanoUSD) / 1e9, BudgetPeriod: k.Limits.BudgetPeriod, RPM: k.Limits.RPM, TPM: k.Limits.TPM,
		MaxConcurrency: k.Limits.MaxConcurrency, Metadata: k.Metadata, CreatedAt: k.CreatedAt}
	if v.Metadata == nil {
		v.Metadata = map[string]string{}
	}
	if !k.ExpiresAt.IsZero() {
		v.ExpiresAt = &k.ExpiresAt
	}
	if !k.RevokedAt.IsZero() {
		v.RevokedAt = &k.RevokedAt
	}
	return v
}

// TeamView is a team as the admin API shows it.
type TeamView struct {
	ID             string            `json:"id"`
	Name           string            `json:"name"`
	BudgetUSD      float64           `json:"budget_usd"`
	BudgetPeriod   string            `json:"budget_period"`
	RPM            int               `json:"rpm"`
	TPM            int               `json:"tpm"`
	MaxConcurrency int               `json:"max_concurrency"`
	Metadata       map[string]string `json:"metadata"`
	CreatedAt      time.Time         `json:"created_at"`
}

// ViewTeam renders t for display.
func ViewTeam(t store.Team) TeamView {
	v := TeamView{ID: t.ID, Name: t.Name, BudgetUSD: float64(t.Limits.BudgetNanoUSD) / 1e9, BudgetPeriod: t.Limits.BudgetPeriod,
		RPM: t.Limits.RPM, TPM: t.Limits.TPM, MaxConcurrency: t.Limits.MaxConcurrency, Metadata: t.Metadata, CreatedAt: t.CreatedAt}
	if v.Metadata == nil {
		v.Metadata = map[string]string{}
	}
	return v
}

func nonNil(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}
