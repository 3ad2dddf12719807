package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/railyard-ai/railyard/internal/config"
	"github.com/railyard-ai/railyard/internal/dialect/anthropic"
	"github.com/railyard-ai/railyard/internal/dialect/openai"
	"github.com/railyard-ai/railyard/internal/gateway"
	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/provider"
	"github.com/railyard-ai/railyard/internal/reqlog"
	"github.com/railyard-ai/railyard/internal/requestid"
	"github.com/railyard-ai/railyard/internal/route"
	"github.com/railyard-ai/railyard/internal/store/sqlite"
)

const liveReply = `{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"good-model","choices":[{"index":0,"message":{"role":"assistant","content":"hello from good"},"finish_reason":"stop"}],"usage":{"prompt_tokens":7,"completion_tokens":3,"total_tokens":10,"prompt_tokens_details":{"cached_tokens":2},"completion_tokens_details":{"reasoning_tokens":1}}}`

const liveStream = "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"good-model\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"streamed hello\"},\"finish_reason\":null}]}\n\n" +
	"data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"good-model\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n" +
	"data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"good-model\",\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3,\"total_tokens\":10}}\n\n" +
	"data: [DONE]\n\n"

type livePricer struct{}

func (livePricer) Cost(model string, u llm.Usage) (float64, bool) {
	return float64(u.InputTokens)*1e-6 + float64(u.OutputTokens)*2e-6, true
}

// liveServer serves model "smart" over two targets, "bad" (always 500)
// then "good", with the request log and live health on the admin API.
func liveServer(t *testing.T, prompts bool) *Server {
	t.Helper()
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `{"error":{"message":"upstream exploded","type":"server_error"}}`)
	}))
	t.Cleanup(bad.Close)
	good := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if strings.Contains(string(body), `"stream":true`) {
			w.Header().Set("Content-Type", "text/event-stream")
			io.WriteString(w, liveStream)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, liveReply)
	}))
	t.Cleanup(good.Close)
	d := provider.Dialects{"openai": openai.Dialect{}, "openai-compatible": openai.Dialect{Compat: true}, "anthropic": anthropic.Dialect{}}
	var ps []*provider.Provider
	for _, u := range []struct{ name, url string }{{"bad", bad.URL}, {"good", good.URL}} {
		p, err := provider.New(config.Provider{Name: u.name, Type: "openai", BaseURL: u.url + "/v1", Tags: []string{"tag-" + u.name}}, d, http.DefaultClient, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	table, err := route.NewTable([]config.Model{{Name: "smart", Targets: []config.Target{
		{Provider: "bad", Model: "bad-model", Capacity: &config.Capacity{Concurrency: 4, RPM: 1000}},
		{Provider: "good", Model: "good-model"},
	}}}, ps)
	if err != nil {
		t.Fatal(err)
	}
	rl := reqlog.New(reqlog.Options{Prompts: prompts})
	gw := gateway.New(table, gateway.Options{Observer: rl, Pricer: livePricer{}, LogPrompts: prompts})
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "admin.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	adm := Admin(AdminOptions{Store: st, MasterKey: testMaster, Requests: rl, Health: gw})
	return New(gw, Options{OpenAI: openai.Dialect{}, Anthropic: anthropic.Dialect{}, Admin: adm, Observer: rl})
}

func adminGet(t *testing.T, s http.Handler, path string, v any) int {
	t.Helper()
	rec := do(s, "GET", path, "", map[string]string{"Authorization": "Bearer " + testMaster})
	if rec.Code == http.StatusOK {
		if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
			t.Fatalf("GET %s: %v: %s", path, err, rec.Body)
		}
	}
	return rec.Code
}

type liveTarget struct {
	Model, Policy, Provider, Breaker string
	UpstreamModel                    string `json:"upstream_model"`
	Tags                             []string
	TTFT                             float64 `json:"ttft_ewma_ms"`
	ErrorRate                        float64 `json:"error_rate"`
	InFlight                         int     `json:"in_flight"`
	Capacity, Used                   map[string]int
}

func TestAdminRequestLogAndProviders(t *testing.T) {
	s := liveServer(t, false)
	var first string
	for i := range 25 {
		rec := do(s, "POST", "/v1/chat/completions", `{"model":"smart","messages":[{"role":"user","content":"secret prompt"}]}`, nil)
		if rec.Code != 200 {
			t.Fatalf("request %d: %d %s", i, rec.Code, rec.Body)
		}
		if i == 0 {
			first = rec.Header().Get(requestid.Header)
		}
	}
	if rec := do(s, "POST", "/v1/chat/completions", `{"model":"nope","messages":[{"role":"user","content":"x"}]}`, nil); rec.Code != 404 {
		t.Fatalf("unknown model: %d", rec.Code)
	}

	var page struct{ Requests []map[string]any }
	if code := adminGet(t, s, "/admin/api/requests?limit=1000", &page); code != 200 || len(page.Requests) != 26 {
		t.Fatalf("requests: %d, %d entries", code, len(page.Requests))
	}
	if e := page.Requests[0]; e["status"] != 404.0 || e["model"] != "nope" || !strings.Contains(e["error"].(string), "not served here") {
		t.Errorf("newest entry = %v", e)
	}
	oldest := page.Requests[len(page.Requests)-1]
	if oldest["id"] != first || oldest["route"] != "failover: bad 500 -> good ok" || oldest["provider"] != "good" ||
		oldest["upstream_model"] != "good-model" || oldest["model"] != "smart" || oldest["status"] != 200.0 || oldest["error"] != "" {
		t.Errorf("oldest entry = %v", oldest)
	}
	for k, v := range map[string]float64{"input_tokens": 7, "output_tokens": 3, "cache_read_tokens": 2, "reasoning_tokens": 1, "cost_usd": 13e-6} {
		if oldest[k] != v {
			t.Errorf("%s = %v, want %v", k, oldest[k], v)
		}
	}
	if oldest["latency_ms"].(float64) <= 0 || oldest["ttft_ms"].(float64) <= 0 {
		t.Errorf("timings: %v %v", oldest["latency_ms"], oldest["ttft_ms"])
	}
	atts := oldest["attempts"].([]any)
	if len(atts) != 2 {
		t.Fatalf("attempts = %v", atts)
	}
	a0, a1 := atts[0].(map[string]any), atts[1].(map[string]any)
	if a0["provider"] != "bad" || a0["model"] != "bad-model" || a0["outcome"] != "500" || a0["status"] != 500.0 || a0["hedged"] != false {
		t.Errorf("attempt 0 = %v", a0)
	}
	if a1["provider"] != "good" || a1["outcome"] != "ok" || a1["status"] != 200.0 || a1["duration_ms"].(float64) <= 0 {
		t.Errorf("attempt 1 = %v", a1)
	}
	// Once the breaker opened, "bad" is skipped and gets no attempt.
	latest := page.Requests[1]
	if latest["route"] != "failover: bad skipped: breaker open -> good ok" || len(latest["attempts"].([]any)) != 1 {
		t.Errorf("after the breaker opened: %v", latest)
	}
	raw := do(s, "GET", "/admin/api/requests", "", map[string]string{"Authorization": "Bearer " + testMaster}).Body.String()
	if strings.Contains(raw, "body") || strings.Contains(raw, "secret prompt") {
		t.Errorf("prompts off, yet bodies are shown: %.300s", raw)
	}

	var one map[string]any
	if code := adminGet(t, s, "/admin/api/requests/"+first, &one); code != 200 || one["id"] != first {
		t.Errorf("by id: %d %v", code, one)
	}
	if code := adminGet(t, s, "/admin/api/requests/nope", &one); code != 404 {
		t.Errorf("unknown id: %d", code)
	}
	for _, tc := range []struct {
		query string
		want  int
	}{
		{"limit=3", 3}, {"status=404", 1}, {"status=2xx&limit=1000", 25}, {"status=error", 1}, {"model=nope", 1},
		{"provider=bad&limit=1000", 20}, {"model=good-model&limit=5", 5}, {"key=key_x", 0},
	} {
		if code := adminGet(t, s, "/admin/api/requests?"+tc.query, &page); code != 200 || len(page.Requests) != tc.want {
			t.Errorf("%s: %d, %d entries, want %d", tc.query, code, len(page.Requests), tc.want)
		}
	}
	for _, q := range []string{"limit=abc", "limit=0", "status=teapot"} {
		if code := adminGet(t, s, "/admin/api/requests?"+q, &page); code != 400 {
			t.Errorf("%s: %d, want 400", q, code)
		}
	}
	if rec := do(s, "GET", "/admin/api/requests", "", nil); rec.Code != 401 {
		t.Errorf("without the master key: %d", rec.Code)
	}

	var prov struct{ Targets []liveTarget }
	if code := adminGet(t, s, "/admin/api/providers", &prov); code != 200 || len(prov.Targets) != 2 {
		t.Fatalf("providers: %d %+v", code, prov)
	}
	b, g := prov.Targets[0], prov.Targets[1]
	if b.Model != "smart" || b.Policy != "failover" || b.Provider != "bad" || b.UpstreamModel != "bad-model" || b.Breaker != "open" ||
		b.ErrorRate <= 0.5 || b.InFlight != 0 || fmt.Sprint(b.Tags) != "[tag-bad]" {
		t.Errorf("bad target = %+v", b)
	}
	if b.Capacity["concurrency"] != 4 || b.Capacity["rpm"] != 1000 || b.Used["rpm"] != 20 || b.Used["concurrency"] != 0 {
		t.Errorf("bad target capacity %v used %v", b.Capacity, b.Used)
	}
	if g.Provider != "good" || g.Breaker != "closed" || g.ErrorRate != 0 || g.TTFT <= 0 || g.Capacity["rpm"] != 0 {
		t.Errorf("good target = %+v", g)
	}
}

func TestAdminRequestLogBodiesWithPrompts(t *testing.T) {
	s := liveServer(t, true)
	if rec := do(s, "POST", "/v1/chat/completions", `{"model":"smart","stream":true,"messages":[{"role":"user","content":"captured prompt"}]}`, nil); rec.Code != 200 {
		t.Fatalf("stream: %d %s", rec.Code, rec.Body)
	}
	var page struct {
		Requests []struct {
			Stream       bool
			Route        string
			RequestBody  *string `json:"request_body"`
			ResponseBody *string `json:"response_body"`
		}
	}
	if code := adminGet(t, s, "/admin/api/requests", &page); code != 200 || len(page.Requests) != 1 {
		t.Fatalf("requests: %d %+v", code, page)
	}
	e := page.Requests[0]
	if !e.Stream || e.Route != "failover: bad 500 -> good ok" {
		t.Errorf("entry = %+v", e)
	}
	if e.RequestBody == nil || !strings.Contains(*e.RequestBody, "captured prompt") {
		t.Errorf("request_body = %v", e.RequestBody)
	}
	if e.ResponseBody == nil || !strings.Contains(*e.ResponseBody, "streamed hello") || !strings.Contains(*e.ResponseBody, "[DONE]") {
		t.Errorf("response_body = %v", e.ResponseBody)
	}
}
