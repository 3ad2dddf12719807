package govern

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/railyard-ai/railyard/internal/access"
	"github.com/railyard-ai/railyard/internal/catalog"
	"github.com/railyard-ai/railyard/internal/gateway"
	"github.com/railyard-ai/railyard/internal/ledger"
	"github.com/railyard-ai/railyard/internal/limit"
	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/provider"
	"github.com/railyard-ai/railyard/internal/route"
	"github.com/railyard-ai/railyard/internal/store"
	"github.com/railyard-ai/railyard/internal/store/sqlite"
)

type env struct {
	st  store.Store
	led *ledger.Writer
	g   *Governor
	cat *catalog.Catalog
}

func newEnv(t *testing.T, master string) *env {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	led, err := ledger.Open(ctx, st, filepath.Join(dir, "spool"), ledger.Options{FlushInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	return &env{st: st, led: led, cat: cat, g: New(Options{Store: st, Catalog: cat, Ledger: led, MasterKey: master})}
}

func targets(models ...string) []route.Target {
	var out []route.Target
	for i, m := range models {
		out = append(out, route.Target{Provider: &provider.Provider{Name: "p" + string(rune('0'+i))}, Model: m})
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func TestAuthenticate(t *testing.T) {
	open := newEnv(t, "")
	r := httptest.NewRequest("POST", "/v1/chat/completions", nil)
	if r2, e := open.g.Authenticate(r, ""); e != nil || Principal(r2.Context()) != nil {
		t.Fatalf("no keys, no master: %v", e)
	}
	e := newEnv(t, "mk-secret")
	_, secret, err := access.CreateKey(context.Background(), e.st, access.KeyFields{Name: ptr("app"), Tags: &[]string{"pii", "eu"}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, key string
		status    int
		msg       string
	}{
		{"no key", "", 401, "missing API key"},
		{"wrong key", "sk-wrong", 401, "invalid API key"},
		{"master key", "mk-secret", 401, "admin API only"},
		{"virtual key", secret, 0, ""},
	} {
		r2, le := e.g.Authenticate(r, tc.key)
		switch {
		case tc.status == 0 && (le != nil || Principal(r2.Context()) == nil):
			t.Errorf("%s: %v", tc.name, le)
		case tc.status == 0 && r2.Header.Get(gateway.HeaderTags) != "pii,eu":
			t.Errorf("%s: routing tags %q", tc.name, r2.Header.Values(gateway.HeaderTags))
		case tc.status != 0 && (le == nil || le.Status != tc.status || !strings.Contains(le.Message, tc.msg) || tc.key != "" && strings.Contains(le.Message, tc.key)):
			t.Errorf("%s: %+v", tc.name, le)
		}
	}
}

func TestWorstCost(t *testing.T) {
	e := newEnv(t, "")
	smart, _ := e.cat.Lookup("sim-smart")
	fast, _ := e.cat.Lookup("sim-fast")
	for _, tc := range []struct {
		name      string
		maxTokens int
		body      int
		targets   []route.Target
		want      int64
	}{
		{"max tokens set", 100, 1000, targets("sim-smart"), int64(smart.CostNanoUSD(llm.Usage{InputTokens: 1000, CacheWriteTokens: 1000, OutputTokens: 100, ReasoningTokens: 100}))},
		{"dearest target wins", 100, 1000, targets("sim-fast", "sim-smart"), int64(smart.CostNanoUSD(llm.Usage{InputTokens: 1000, CacheWriteTokens: 1000, OutputTokens: 100, ReasoningTokens: 100}))},
		{"no max tokens: the model's max output", 0, 10, targets("sim-fast"), int64(fast.CostNanoUSD(llm.Usage{InputTokens: 10, CacheWriteTokens: 10, OutputTokens: fast.MaxOutput}))},
		{"unpriced model", 100, 1000, targets("no-such-model"), 0},
	} {
		got := e.g.worstCost(&llm.Request{MaxTokens: tc.maxTokens}, tc.body, tc.targets)
		if got != tc.want || (tc.want == 0) != (got == 0) {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
}

func admitted(t *testing.T, e *env, secret, model string, maxTokens int) (gateway.Admission, error) {
	t.Helper()
	r := httptest.NewRequest("POST", "/v1/chat/completions", nil)
	r2, le := e.g.Authenticate(r, secret)
	if le != nil {
		t.Fatal(le)
	}
	return e.g.Admit(r2, &llm.Request{Model: model, MaxTokens: maxTokens}, []byte(`{"messages":[{"role":"user","content":"hi"}]}`), targets("sim-smart"))
}

func TestAdmitRefusesAndSettles(t *testing.T) {
	e := newEnv(t, "mk")
	ctx := context.Background()
	_, restricted, _ := access.CreateKey(ctx, e.st, access.KeyFields{Name: ptr("r"), Models: &[]string{"smart"}, RPM: ptr(1)}, time.Now())
	_, poor, _ := access.CreateKey(ctx, e.st, access.KeyFields{Name: ptr("p"), BudgetUSD: ptr(0.000001)}, time.Now())
	k, rich, _ := access.CreateKey(ctx, e.st, access.KeyFields{Name: ptr("rich"), Team: ptr("t1"), BudgetUSD: ptr(1.0)}, time.Now())

	_, err := admitted(t, e, restricted, "other", 10)
	if le := llm.AsError(err); le.Status != http.StatusForbidden || le.Kind != llm.ErrPermission {
		t.Errorf("model not allowed: %+v", le)
	}
	a, err := admitted(t, e, restricted, "smart", 10)
	if err != nil || a.Header().Get("X-Ratelimit-Remaining-Requests") != "0" {
		t.Fatalf("first: %v %v", err, a)
	}
	_, err = admitted(t, e, restricted, "smart", 10)
	if le := llm.AsError(err); le.Status != 429 || le.Kind != llm.ErrRateLimit || le.RetryAfter <= 0 || !strings.Contains(le.Message, "rpm") {
		t.Errorf("rpm: %+v", le)
	}
	_, err = admitted(t, e, poor, "smart", 10)
	if le := llm.AsError(err); le.Status != 429 || le.Kind != llm.ErrBudgetExhausted || le.RetryAfter <= 0 {
		t.Errorf("budget: %+v", le)
	}

	a, err = admitted(t, e, rich, "smart", 50)
	if err != nil {
		t.Fatal(err)
	}
	usage := llm.Usage{InputTokens: 7, OutputTokens: 3}
	a.Finish(gateway.Outcome{Start: time.Now(), RequestID: "req-1", Model: "smart", Provider: "p0", UpstreamModel: "sim-smart-unknown-alias", Usage: usage, Status: 200, Attempts: 1})
	if err := e.led.Close(ctx); err != nil {
		t.Fatal(err)
	}
	smart, _ := e.cat.Lookup("sim-smart")
	var rows []store.Record
	_ = e.st.Ledger(ctx, time.Time{}, func(r store.Record) error { rows = append(rows, r); return nil })
	if len(rows) != 1 || rows[0].KeyID != k.ID || rows[0].Team != "t1" || rows[0].CostNanoUSD != int64(smart.CostNanoUSD(usage)) ||
		rows[0].RequestID != "req-1" || rows[0].InputTokens != 7 {
		t.Errorf("ledger rows %+v", rows)
	}
	if spent, _ := e.st.Spend(ctx, "", "t1", time.Time{}); spent != rows[0].CostNanoUSD {
		t.Errorf("team spend %d", spent)
	}
}

func TestRefusalErrorNamesTheLimit(t *testing.T) {
	for _, reason := range []string{"rpm", "tpm", "concurrency"} {
		e := refusalError(&limit.Refusal{Reason: reason, Scope: "team:research", RetryAfter: time.Second})
		if e.Status != 429 || !strings.Contains(e.Message, reason) || !strings.Contains(e.Message, "team research") {
			t.Errorf("%s: %+v", reason, e)
		}
	}
}
