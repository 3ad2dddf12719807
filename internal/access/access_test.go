package access

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/railyard-ai/railyard/internal/store"
	"github.com/railyard-ai/railyard/internal/store/sqlite"
)

func TestSecret(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		s := NewSecret()
		if !strings.HasPrefix(s, Prefix) || len(s) != len(Prefix)+43 || !Looks(s) || seen[s] {
			t.Fatalf("secret %q", s)
		}
		seen[s] = true
		if h := Hash(s); len(h) != 64 || strings.Contains(h, s[3:]) {
			t.Fatalf("hash %q", h)
		}
		if d := Display(s); d != s[:len(Prefix)+4]+"…" {
			t.Fatalf("display %q", d)
		}
	}
	if Looks("key_0123456789abcdef") {
		t.Error("an id looks like a key")
	}
}

func openStore(t *testing.T, path string) store.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func ptr[T any](v T) *T { return &v }

func TestAuthenticate(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "a.db"))
	a := NewAuthenticator(st, time.Hour)
	if req, err := a.Required(ctx); err != nil || req {
		t.Fatalf("Required on an empty store = %v, %v", req, err)
	}
	now := time.Now()
	if _, err := CreateTeam(ctx, st, TeamFields{Name: ptr("research"), RPM: ptr(5)}, now); err != nil {
		t.Fatal(err)
	}
	k, secret, err := CreateKey(ctx, st, KeyFields{Name: ptr("app"), Team: ptr("research"), Models: &[]string{"smart", " "}}, now)
	if err != nil {
		t.Fatal(err)
	}
	_, expiring, _ := CreateKey(ctx, st, KeyFields{Name: ptr("short"), ExpiresAt: ptr(now.Add(time.Hour))}, now)
	a.now = func() time.Time { return now.Add(2 * time.Hour) }
	for _, tc := range []struct {
		name, secret string
		want         error
	}{
		{"none", "", ErrNoKey},
		{"unknown", NewSecret(), ErrInvalidKey},
		{"expired", expiring, ErrExpired},
	} {
		if _, err := a.Authenticate(ctx, tc.secret); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	p, err := a.Authenticate(ctx, secret)
	if err != nil {
		t.Fatal(err)
	}
	if p.Key.ID != k.ID || p.Team == nil || p.Team.Limits.RPM != 5 || !p.Allows("smart") || p.Allows("other") || len(p.Key.Models) != 1 {
		t.Errorf("principal %+v team %+v", p.Key, p.Team)
	}
	if req, _ := a.Required(ctx); !req {
		t.Error("keys exist but not required")
	}
}

// A revocation made through one store handle (another replica, the CLI)
// is seen by an authenticator within its TTL.
func TestRevocationReachesOtherReplicasWithinTTL(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shared.db")
	replica, cli := openStore(t, path), openStore(t, path)
	a := NewAuthenticator(replica, 200*time.Millisecond)
	k, secret, err := CreateKey(ctx, cli, KeyFields{Name: ptr("app")}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Authenticate(ctx, secret); err != nil {
		t.Fatal(err)
	}
	if err := cli.RevokeKey(ctx, k.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Second)
	for {
		_, err := a.Authenticate(ctx, secret)
		if errors.Is(err, ErrRevoked) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("revoked key still accepted after 1s: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestFieldsValidation(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "v.db"))
	now := time.Now()
	for _, tc := range []struct {
		name string
		f    KeyFields
		want string
	}{
		{"no name", KeyFields{}, "name is required"},
		{"negative budget", KeyFields{Name: ptr("a"), BudgetUSD: ptr(-1.0)}, "budget_usd"},
		{"bad period", KeyFields{Name: ptr("a"), BudgetPeriod: ptr("weekly")}, "budget_period"},
		{"negative rpm", KeyFields{Name: ptr("a"), RPM: ptr(-5)}, "rpm"},
		{"expired", KeyFields{Name: ptr("a"), ExpiresAt: ptr(now.Add(-time.Minute))}, "past"},
	} {
		_, _, err := CreateKey(ctx, st, tc.f, now)
		var inv *InvalidError
		if !errors.As(err, &inv) || !strings.Contains(inv.Msg, tc.want) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	k, _, err := CreateKey(ctx, st, KeyFields{Name: ptr("a"), BudgetUSD: ptr(12.345678901)}, now)
	if err != nil || k.Limits.BudgetNanoUSD != 12_345_678_901 || k.Limits.BudgetPeriod != store.PeriodTotal {
		t.Errorf("budget %d period %q err %v", k.Limits.BudgetNanoUSD, k.Limits.BudgetPeriod, err)
	}
	if _, err := CreateTeam(ctx, st, TeamFields{Name: ptr("t")}, now); err != nil {
		t.Fatal(err)
	}
	if _, err := CreateTeam(ctx, st, TeamFields{Name: ptr("t")}, now); err == nil {
		t.Error("duplicate team name accepted")
	}
}

// TestNewOrderedIDSortsByTime checks what the ledger's index relies on:
// ids made later sort later (as strings, the way the store compares
// them), ids made at the same instant still differ, and each is 32 hex
// digits like the random ids rows had before.
func TestNewOrderedIDSortsByTime(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 17, 0, 0, 0, time.UTC)
	prev := ""
	seen := map[string]bool{}
	for i := range 1000 {
		id := NewOrderedID(t0.Add(time.Duration(i/3) * time.Microsecond))
		if len(id) != 32 || strings.Trim(id, "0123456789abcdef") != "" {
			t.Fatalf("id %q: want 32 lower-case hex digits", id)
		}
		if seen[id] {
			t.Fatalf("id %q made twice", id)
		}
		seen[id] = true
		if i%3 == 0 && id <= prev {
			t.Fatalf("id %q made after %q sorts before it", id, prev)
		}
		prev = id
	}
}
