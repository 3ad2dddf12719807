package telemetry

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/railyard-ai/railyard/internal/catalog"
	"github.com/railyard-ai/railyard/internal/config"
	"github.com/railyard-ai/railyard/internal/dialect/openai"
	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/provider"
	"github.com/railyard-ai/railyard/internal/route"
)

// knownTraffic sends the same five requests every metrics test expects:
// a translated reply, a passthrough stream, a failover, an unknown model
// and a malformed body. It returns the request ids the gateway gave out.
func knownTraffic(t *testing.T, h *harness) []string {
	t.Helper()
	var ids []string
	for _, c := range []struct {
		path, body string
		status     int
	}{
		{"/v1/chat/completions", `{"model":"solo","messages":[{"role":"user","content":"SECRET-PROMPT-1"}]}`, 200},
		{"/v1/messages", `{"model":"solo","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"SECRET-PROMPT-2"}]}`, 200},
		{"/v1/chat/completions", `{"model":"m","messages":[{"role":"user","content":"SECRET-PROMPT-3"}]}`, 200},
		{"/v1/chat/completions", `{"model":"SECRET-MODEL-NAME","messages":[{"role":"user","content":"hi"}]}`, 404},
		{"/v1/chat/completions", `{"model":"solo","messages":`, 400},
	} {
		resp, body := h.post(c.path, c.body, nil)
		if resp.StatusCode != c.status {
			t.Fatalf("%s %s: status %d, want %d: %s", c.path, c.body, resp.StatusCode, c.status, body)
		}
		ids = append(ids, resp.Header.Get("X-Request-Id"))
	}
	return ids
}

func TestMetricsCountKnownTrafficExactly(t *testing.T) {
	h := newHarness(t, nil, nil)
	knownTraffic(t, h)
	got := series(t, h.scrape())

	prices, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	// Each reply is priced by the model the upstream named, as the gateway
	// formats it for x-railyard-cost-usd.
	cost := func(model string, in, out int) float64 {
		usd, ok := prices.Cost(model, llm.Usage{InputTokens: in, OutputTokens: out})
		if !ok {
			t.Fatalf("no price for %s", model)
		}
		return usd
	}
	sonnet37 := cost("claude-3-7-sonnet-20250219", 514, 19)
	sonnet4 := cost("claude-sonnet-4-20250514", 557, 35)

	want := map[string]float64{
		`railyard_requests_total{dialect="openai",model="solo",provider="claude",status="200"}`:    1,
		`railyard_requests_total{dialect="anthropic",model="solo",provider="claude",status="200"}`: 1,
		`railyard_requests_total{dialect="openai",model="m",provider="claude",status="200"}`:       1,
		`railyard_requests_total{dialect="openai",model="other",provider="none",status="404"}`:     1,
		`railyard_requests_total{dialect="openai",model="other",provider="none",status="400"}`:     1,

		// response_text.json: 514 in, 19 out (twice: solo and m);
		// stream_text.sse: 557 in, 35 out.
		`railyard_tokens_total{kind="input",model="solo",provider="claude"}`:  514 + 557,
		`railyard_tokens_total{kind="output",model="solo",provider="claude"}`: 19 + 35,
		`railyard_tokens_total{kind="input",model="m",provider="claude"}`:     514,
		`railyard_tokens_total{kind="output",model="m",provider="claude"}`:    19,

		`railyard_upstream_errors_total{kind="overloaded",provider="flaky"}`:        1,
		`railyard_upstream_duration_seconds_count{provider="claude",result="ok"}`:   3,
		`railyard_upstream_duration_seconds_count{provider="flaky",result="error"}`: 1,

		`railyard_request_duration_seconds_count{model="solo",provider="claude",stream="false"}`: 1,
		`railyard_request_duration_seconds_count{model="solo",provider="claude",stream="true"}`:  1,
		`railyard_request_duration_seconds_count{model="m",provider="claude",stream="false"}`:    1,
		`railyard_request_duration_seconds_count{model="other",provider="none",stream="false"}`:  2,
		`railyard_time_to_first_token_seconds_count{model="solo",provider="claude"}`:             1,
		`railyard_gateway_overhead_seconds_count{path="passthrough"}`:                            1,
		`railyard_gateway_overhead_seconds_count{path="translated"}`:                             2,

		`railyard_requests_in_flight`: 0,
		`railyard_streams_in_flight`:  0,
	}
	for k, v := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("missing %s", k)
			continue
		}
		if g != v {
			t.Errorf("%s = %v, want %v", k, g, v)
		}
	}
	for _, k := range []string{
		`railyard_cost_usd_total{model="solo",provider="claude"}`,
		`railyard_cost_usd_total{model="m",provider="claude"}`,
	} {
		wantUSD := sonnet37
		if strings.Contains(k, "solo") {
			wantUSD = sonnet37 + sonnet4
		}
		if d := got[k] - wantUSD; d > 1e-9 || d < -1e-9 {
			t.Errorf("%s = %v, want %v", k, got[k], wantUSD)
		}
	}
	// No cache or reasoning tokens were reported, so those series do not
	// exist rather than sit at zero.
	for k := range got {
		if strings.Contains(k, `kind="cache_read"`) || strings.Contains(k, `kind="reasoning"`) {
			t.Errorf("unexpected series %s", k)
		}
	}
	if _, ok := got["go_goroutines"]; !ok {
		t.Error("runtime collectors missing")
	}
}

func TestMetricsHoldNoSecretsOrUnboundedLabels(t *testing.T) {
	h := newHarness(t, nil, nil)
	ids := knownTraffic(t, h)
	text := h.scrape()
	forbidden := append([]string{masterKey, "sk-ant-secret", "SECRET-PROMPT", "SECRET-MODEL-NAME", "Bearer"}, ids...)
	for _, s := range forbidden {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("/metrics contains %q", s)
		}
	}
	// Every model label is a configured name or "other".
	for k := range series(t, text) {
		if i := strings.Index(k, `model="`); i >= 0 {
			v := k[i+len(`model="`):]
			v = v[:strings.IndexByte(v, '"')]
			if v != "m" && v != "solo" && v != "other" {
				t.Errorf("unbounded model label %q in %s", v, k)
			}
		}
	}
}

// Others (routing health, budgets) add their collectors to the same
// registry; they show up on the same /metrics.
func TestRegistryTakesOtherCollectors(t *testing.T) {
	reg := NewRegistry()
	if _, err := NewMetrics(reg, nil); err != nil {
		t.Fatal(err)
	}
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: "railyard_breaker_open", Help: "test"})
	reg.MustRegister(g)
	g.Set(1)
	if _, err := NewMetrics(reg, nil); err == nil {
		t.Error("registering the request metrics twice on one registry should fail")
	}
	rec := httptest.NewRecorder()
	Handler(reg).ServeHTTP(rec, mustRequest(t, "/metrics"))
	if !strings.Contains(rec.Body.String(), "railyard_breaker_open 1") {
		t.Errorf("collector not exposed:\n%s", rec.Body)
	}
}

func TestModelLabelFollowsSetModels(t *testing.T) {
	m, err := NewMetrics(prometheus.NewRegistry(), []string{"a"})
	if err != nil {
		t.Fatal(err)
	}
	if m.modelLabel("a") != "a" || m.modelLabel("b") != "other" || m.modelLabel("") != "other" {
		t.Fatal("labels before reload")
	}
	m.SetModels([]string{"b"})
	if m.modelLabel("a") != "other" || m.modelLabel("b") != "b" {
		t.Fatal("labels after reload")
	}
}

func TestStatusLabelBounded(t *testing.T) {
	for in, want := range map[int]string{200: "200", 499: "499", 0: "0", 600: "0", -1: "0", 99: "0"} {
		if got := statusLabel(in); got != want {
			t.Errorf("statusLabel(%d) = %q, want %q", in, got, want)
		}
	}
}

func mustRequest(t *testing.T, path string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(http.MethodGet, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// After a config reload swaps the gateway's table, the model label
// follows the new table's names.
func TestModelLabelFollowsTable(t *testing.T) {
	m, err := NewMetrics(prometheus.NewRegistry(), nil)
	if err != nil {
		t.Fatal(err)
	}
	tables := []*route.Table{mustTable(t, "a"), mustTable(t, "b")}
	cur := tables[0]
	m.FollowTable(func() *route.Table { return cur })
	if m.modelLabel("a") != "a" || m.modelLabel("b") != "other" {
		t.Fatal("first table")
	}
	cur = tables[1]
	if m.modelLabel("a") != "other" || m.modelLabel("b") != "b" {
		t.Fatal("after reload")
	}
}

func mustTable(t *testing.T, model string) *route.Table {
	t.Helper()
	p, err := provider.New(config.Provider{Name: "p", Type: "openai", BaseURL: "http://127.0.0.1:1/v1"},
		provider.Dialects{"openai": openai.Dialect{}}, http.DefaultClient, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	tb, err := route.NewTable([]config.Model{{Name: model, Targets: []config.Target{{Provider: "p", Model: "x", Weight: 1}}}}, []*provider.Provider{p})
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

// Requests refused before the gateway (no or bad key) count too, under
// bounded labels, and never carry the key they tried.
func TestMetricsCountRefusedKeys(t *testing.T) {
	h := newHarness(t, nil, nil)
	for _, key := range []string{"Bearer rk-wrong-key-123", ""} {
		resp, _ := h.post("/v1/chat/completions", `{"model":"solo","messages":[{"role":"user","content":"hi"}]}`, map[string]string{"Authorization": key})
		if resp.StatusCode != 401 {
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
	text := h.scrape()
	got := series(t, text)
	if k := `railyard_requests_total{dialect="openai",model="other",provider="none",status="401"}`; got[k] != 2 {
		t.Errorf("%s = %v, want 2", k, got[k])
	}
	if got[`railyard_requests_in_flight`] != 0 || strings.Contains(text, "rk-wrong-key") {
		t.Error("in flight not back to 0, or the key leaked")
	}
}
