package gateway

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/railyard-ai/railyard/internal/catalog"
	"github.com/railyard-ai/railyard/internal/config"
	"github.com/railyard-ai/railyard/internal/dialect"
	"github.com/railyard-ai/railyard/internal/dialect/anthropic"
	"github.com/railyard-ai/railyard/internal/dialect/openai"
	"github.com/railyard-ai/railyard/internal/provider"
	"github.com/railyard-ai/railyard/internal/route"
	"github.com/railyard-ai/railyard/internal/sim"
)

func ms(n int) *time.Duration { d := time.Duration(n) * time.Millisecond; return &d }
func ip(n int) *int           { return &n }
func fp(f float64) *float64   { return &f }

// simModels are three simulated upstream models with the faults of the
// routing benchmark: flaky fails 30% with 500, spiky sometimes waits
// before its headers, steady always answers.
func simModels(spike time.Duration, spikeRate float64) config.Sim {
	base := config.SimModel{Overhead: ms(1), InterTokenLatency: ms(0), PrefillPerToken: ms(0), OutputTokens: ip(4), Reply: "lorem"}
	flaky, spiky, steady := base, base, base
	flaky.Name, spiky.Name, steady.Name = "flaky-m", "spiky-m", "steady-m"
	flaky.Faults = []config.SimFault{{Kind: config.SimFaultStatus, Status: 500, Rate: fp(0.3)}}
	spiky.Faults = []config.SimFault{{Kind: config.SimFaultSlowHeaders, Delay: spike, Rate: fp(spikeRate)}}
	return config.Sim{Seed: 7, Models: []config.SimModel{flaky, spiky, steady}}
}

// routedGateway serves model "m" over providers named after the sim
// models they call, with the given policy, capacities and rules.
func routedGateway(t testing.TB, sc config.Sim, m config.Model, opts Options) *Gateway {
	t.Helper()
	d := map[string]dialect.Ingress{"openai": openai.Dialect{}, "anthropic": anthropic.Dialect{}}
	srv := httptest.NewServer(sim.New(sc, d, slog.New(slog.DiscardHandler)))
	t.Cleanup(srv.Close)
	client := provider.NewClient(provider.TransportOptions{FirstByteTimeout: 5 * time.Second})
	var ps []*provider.Provider
	seen := map[string]bool{}
	for _, tg := range m.Targets {
		if seen[tg.Provider] {
			continue
		}
		seen[tg.Provider] = true
		p, err := provider.New(config.Provider{Name: tg.Provider, Type: provider.KindSim, BaseURL: srv.URL + "/v1", Tags: []string{tg.Provider}}, testDialects, client, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	tbl, err := route.NewTable([]config.Model{m}, ps)
	if err != nil {
		t.Fatal(err)
	}
	tbl.SetResilience(route.Resilience{RetryBackoff: time.Millisecond, RetryBackoffMax: 20 * time.Millisecond,
		Breaker: route.BreakerSettings{Failures: 1000}})
	return New(tbl, opts)
}

const chatBody = `{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":8}`

// drive sends n requests, conc at a time, and counts answers per provider.
func drive(t testing.TB, g *Gateway, n, conc int, hdr http.Header) (share map[string]int, fails int, traces []string) {
	t.Helper()
	share = map[string]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, conc)
	for range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			r := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(chatBody))
			for k, v := range hdr {
				r.Header[k] = v
			}
			w := httptest.NewRecorder()
			g.Handler(openai.Dialect{}).ServeHTTP(w, r)
			mu.Lock()
			defer mu.Unlock()
			traces = append(traces, w.Header().Get(HeaderRoute))
			if w.Code != http.StatusOK {
				fails++
				return
			}
			share[w.Header().Get(HeaderProvider)]++
		}()
	}
	wg.Wait()
	return share, fails, traces
}

func targets(names ...string) []config.Target {
	var ts []config.Target
	for _, n := range names {
		ts = append(ts, config.Target{Provider: n, Model: n + "-m", Weight: 1})
	}
	return ts
}

func TestRoutingPoliciesOverSimulator(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	// The catalog prices the sim's models by their real names; give the
	// three their own prices: steady is the expensive one.
	cat, err = cat.Override([]catalog.Model{
		priced("flaky-m", 0.10, 0.40), priced("spiky-m", 0.50, 2), priced("steady-m", 3, 15),
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		model config.Model
		check func(t *testing.T, share map[string]int, traces []string)
	}{
		{"failover absorbs a 30% failing first target", config.Model{Route: "failover", Targets: targets("flaky", "steady")},
			func(t *testing.T, share map[string]int, traces []string) {
				if share["steady"] < 30 || share["steady"] > 90 {
					t.Errorf("steady answered %d of 200, want ≈60 (30%% of flaky's)", share["steady"])
				}
				if !anyContains(traces, "failover: flaky 500 -> steady ok") {
					t.Errorf("no failover in traces: %q", traces[:3])
				}
			}},
		{"weighted 3:1", config.Model{Route: "weighted", Targets: weighted(targets("steady", "spiky"), 3, 1)},
			func(t *testing.T, share map[string]int, _ []string) {
				if share["steady"] != 150 || share["spiky"] != 50 {
					t.Errorf("shares %v, want steady 150 spiky 50", share)
				}
			}},
		{"cost picks the cheapest capable target", config.Model{Route: "cost", Targets: targets("steady", "spiky")},
			func(t *testing.T, share map[string]int, _ []string) {
				if share["spiky"] != 200 {
					t.Errorf("shares %v, want all on spiky", share)
				}
			}},
		{"latency avoids the spiking target", config.Model{Route: "latency", Targets: targets("spiky", "steady")},
			func(t *testing.T, share map[string]int, _ []string) {
				if share["steady"] < 120 {
					t.Errorf("shares %v, want most on steady", share)
				}
			}},
		{"spillover fills capacity then overflows", config.Model{Route: "spillover", Targets: capped(targets("spiky", "steady"), 2)},
			func(t *testing.T, share map[string]int, traces []string) {
				if share["spiky"] == 0 || share["steady"] == 0 {
					t.Errorf("shares %v, want both used", share)
				}
				if !anyContains(traces, "spiky skipped: at capacity (concurrency 2)") {
					t.Errorf("no capacity skip in traces")
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.model.Name = "m"
			g := routedGateway(t, simModels(40*time.Millisecond, 0.5), tc.model, Options{Catalog: cat})
			share, fails, traces := drive(t, g, 200, 8, nil)
			if fails != 0 {
				t.Fatalf("%d of 200 failed; shares %v", fails, share)
			}
			tc.check(t, share, traces)
		})
	}
}

func priced(id string, in, out float64) catalog.Model {
	return catalog.Model{ID: id, Family: catalog.FamilySim, ContextWindow: 100000,
		Capabilities: catalog.Capabilities{Tools: true},
		Prices:       catalog.Prices{Input: &catalog.Price{Rate: rate(in), Source: "simulated", AsOf: "2026-11-23"}, Output: &catalog.Price{Rate: rate(out), Source: "simulated", AsOf: "2026-11-23"}}}
}

func rate(usdPerMTok float64) catalog.Rate {
	r, err := catalog.RateFromUSD(usdPerMTok)
	if err != nil {
		panic(err)
	}
	return r
}

func weighted(ts []config.Target, w ...int) []config.Target {
	for i := range ts {
		ts[i].Weight = w[i]
	}
	return ts
}

func capped(ts []config.Target, conc int) []config.Target {
	ts[0].Capacity = &config.Capacity{Concurrency: conc}
	return ts
}

func anyContains(ss []string, sub string) bool {
	for _, s := range ss {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func TestBreakerOpensAndHealthSurvivesReload(t *testing.T) {
	sc := simModels(0, 0)
	sc.Models[0].Faults = []config.SimFault{{Kind: config.SimFaultStatus, Status: 500}} // flaky always fails
	m := config.Model{Name: "m", Targets: targets("flaky", "steady")}
	g := routedGateway(t, sc, m, Options{})
	tbl := g.Table()
	tbl.SetResilience(route.Resilience{Breaker: route.BreakerSettings{Failures: 3, Cooldown: time.Hour}})
	g.SetTable(tbl)
	// The breaker's window is 20 outcomes: the 21st request skips flaky.
	_, fails, traces := drive(t, g, 21, 1, nil)
	if fails != 0 {
		t.Fatalf("%d failed", fails)
	}
	if got := traces[19]; got != "failover: flaky 500 -> steady ok" {
		t.Fatalf("20th trace %q", got)
	}
	if got := traces[20]; got != "failover: flaky skipped: breaker open -> steady ok" {
		t.Fatalf("21st trace %q", got)
	}
	// A reloaded table (new providers, same names) keeps the open breaker.
	ps := []*provider.Provider{}
	for _, p := range tbl.Providers() {
		c := *p
		ps = append(ps, &c)
	}
	fresh, err := route.NewTable([]config.Model{m}, ps)
	if err != nil {
		t.Fatal(err)
	}
	fresh.SetResilience(route.Resilience{Breaker: route.BreakerSettings{Failures: 3, Cooldown: time.Hour}})
	g.SetTable(fresh)
	_, _, traces = drive(t, g, 1, 1, nil)
	if !strings.Contains(traces[0], "flaky skipped: breaker open") {
		t.Fatalf("after reload: %q", traces[0])
	}
}

func TestRuleFailsClosedWithoutUpstreamCall(t *testing.T) {
	calls := 0
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request, body []byte) { calls++ })
	client := provider.NewClient(provider.TransportOptions{})
	p, _ := provider.New(config.Provider{Name: "cloud", Type: "openai", BaseURL: up.URL + "/v1", Tags: []string{"cloud"}}, testDialects, client, time.Second)
	tbl, err := route.NewTable([]config.Model{{Name: "m", Targets: []config.Target{{Provider: "cloud", Model: "x"}},
		Rules: []config.Rule{{Name: "pii-onprem", When: `"pii" in tags`, OnlyTags: []string{"onprem"}}}}}, []*provider.Provider{p})
	if err != nil {
		t.Fatal(err)
	}
	g := New(tbl, Options{})
	r := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(chatBody))
	r.Header.Set(HeaderTags, "eu, pii")
	w := httptest.NewRecorder()
	g.Handler(openai.Dialect{}).ServeHTTP(w, r)
	if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), `routing rule \"pii-onprem\"`) {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if got := w.Header().Get(HeaderRoute); got != "failover: rule pii-onprem -> cloud skipped: excluded by rule pii-onprem" {
		t.Fatalf("route header %q", got)
	}
	if calls != 0 {
		t.Fatalf("upstream called %d times", calls)
	}
}

func TestRetriesWithBackoffAndRetryAfter(t *testing.T) {
	var n int
	var mu sync.Mutex
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		mu.Lock()
		n++
		k := n
		mu.Unlock()
		if k <= 2 {
			w.Header().Set("Retry-After-Ms", "5")
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, `{"error":{"message":"busy","type":"server_error"}}`)
			return
		}
		fmt.Fprint(w, `{"id":"c","object":"chat.completion","model":"x","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`)
	})
	client := provider.NewClient(provider.TransportOptions{})
	p, _ := provider.New(config.Provider{Name: "only", Type: "openai", BaseURL: up.URL + "/v1"}, testDialects, client, time.Second)
	tbl, _ := route.NewTable([]config.Model{{Name: "m", Retries: 2, Targets: []config.Target{{Provider: "only", Model: "x"}}}}, []*provider.Provider{p})
	tbl.SetResilience(route.Resilience{RetryBackoff: time.Millisecond, RetryBackoffMax: time.Second})
	g := New(tbl, Options{})
	start := time.Now()
	w := serveOpenAI(g, chatBody)
	if w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if got := w.Header().Get(HeaderRoute); got != "failover: only 503 -> retry after 5ms -> only 503 -> retry after 5ms -> only ok" {
		t.Fatalf("route %q", got)
	}
	if time.Since(start) < 10*time.Millisecond {
		t.Fatal("Retry-After not honoured")
	}

	// A Retry-After beyond the cap ends the retries and reaches the client.
	n = -100
	tbl.SetResilience(route.Resilience{RetryBackoff: time.Millisecond, RetryBackoffMax: time.Millisecond})
	w = serveOpenAI(g, chatBody)
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
		t.Fatalf("%d Retry-After=%q", w.Code, w.Header().Get("Retry-After"))
	}
}

func TestContextLengthFailsOverToLargerWindow(t *testing.T) {
	small := newUpstream(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"error":{"message":"This model's maximum context length is 128000 tokens.","type":"invalid_request_error","code":"context_length_exceeded"}}`)
	})
	big := newUpstream(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		fmt.Fprint(w, `{"id":"c","object":"chat.completion","model":"sim-smart","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`)
	})
	client := provider.NewClient(provider.TransportOptions{})
	ps := []*provider.Provider{}
	for _, u := range []struct{ n, url string }{{"small", small.URL}, {"small2", small.URL}, {"big", big.URL}} {
		p, _ := provider.New(config.Provider{Name: u.n, Type: "openai", BaseURL: u.url + "/v1"}, testDialects, client, time.Second)
		ps = append(ps, p)
	}
	tbl, _ := route.NewTable([]config.Model{{Name: "m", Targets: []config.Target{
		{Provider: "small", Model: "sim-fast"}, {Provider: "small2", Model: "sim-fast"}, {Provider: "big", Model: "sim-smart"}}}}, ps)
	cat, _ := catalog.Load()
	g := New(tbl, Options{Catalog: cat})
	w := serveOpenAI(g, chatBody)
	if w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if got := w.Header().Get(HeaderRoute); got != "failover: small 400 -> small2 skipped: context window 128000 -> big ok" {
		t.Fatalf("route %q", got)
	}
}

func TestStreamIdleTimeoutFailsOver(t *testing.T) {
	stall := newUpstream(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(200)
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
	good := newUpstream(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"x\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"ok\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n")
	})
	client := provider.NewClient(provider.TransportOptions{})
	var ps []*provider.Provider
	for _, u := range []struct{ n, url string }{{"stall", stall.URL}, {"good", good.URL}} {
		p, _ := provider.New(config.Provider{Name: u.n, Type: "openai", BaseURL: u.url + "/v1"}, testDialects, client, 5*time.Second)
		ps = append(ps, p)
	}
	tbl, _ := route.NewTable([]config.Model{{Name: "m", Targets: []config.Target{{Provider: "stall", Model: "x"}, {Provider: "good", Model: "x"}}}}, ps)
	tbl.SetResilience(route.Resilience{StreamIdleTimeout: 50 * time.Millisecond})
	g := New(tbl, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(`{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}`)).WithContext(ctx)
	w := httptest.NewRecorder()
	// The route is the causal check (no wall-clock bound, which a loaded
	// machine breaks): stall's 10s pause ended by the 50ms idle timeout.
	g.Handler(openai.Dialect{}).ServeHTTP(w, r)
	if got := w.Header().Get(HeaderRoute); !strings.HasPrefix(got, "failover: stall timeout -> good ok") {
		t.Fatalf("route %q, body %s", got, w.Body)
	}
}

func TestRuleSeesMetadataHeader(t *testing.T) {
	m := config.Model{Name: "m", Targets: targets("flaky", "steady"),
		Rules: []config.Rule{{Name: "research", When: `metadata["team"] == "research" && metadata["user"] == "u1"`, OnlyTags: []string{"steady"}}}}
	sc := simModels(0, 0)
	sc.Models[0].Faults = nil
	g := routedGateway(t, sc, m, Options{})
	r := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(`{"model":"m","user":"u1","messages":[{"role":"user","content":"hi"}]}`))
	r.Header.Set(HeaderMetadata, "team = research, bad, =x")
	w := httptest.NewRecorder()
	g.Handler(openai.Dialect{}).ServeHTTP(w, r)
	if w.Code != 200 || w.Header().Get(HeaderProvider) != "steady" {
		t.Fatalf("%d provider %q route %q", w.Code, w.Header().Get(HeaderProvider), w.Header().Get(HeaderRoute))
	}
	if got := w.Header().Get(HeaderRoute); got != "failover: rule research -> flaky skipped: excluded by rule research -> steady ok" {
		t.Fatalf("route %q", got)
	}
}
