package gateway

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/railyard-ai/railyard/internal/config"
	"github.com/railyard-ai/railyard/internal/provider"
	"github.com/railyard-ai/railyard/internal/route"
)

func TestLatencyPolicyHedgesASlowTarget(t *testing.T) {
	reply := `{"id":"c","object":"chat.completion","model":"x","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`
	slowDelay := make(chan time.Duration, 1)
	slow := newUpstream(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		select {
		case <-time.After(<-slowDelay):
		case <-r.Context().Done():
			return
		}
		fmt.Fprint(w, reply)
	})
	fast := newUpstream(t, func(w http.ResponseWriter, r *http.Request, body []byte) { fmt.Fprint(w, reply) })
	client := provider.NewClient(provider.TransportOptions{})
	var ps []*provider.Provider
	for _, u := range []struct{ n, url string }{{"slow", slow.URL}, {"fast", fast.URL}} {
		p, _ := provider.New(config.Provider{Name: u.n, Type: "openai", BaseURL: u.url + "/v1"}, testDialects, client, 5*time.Second)
		ps = append(ps, p)
	}
	tbl, err := route.NewTable([]config.Model{{Name: "m", Route: "latency", Targets: []config.Target{{Provider: "slow", Model: "x"}, {Provider: "fast", Model: "x"}}}}, ps)
	if err != nil {
		t.Fatal(err)
	}
	// Teach: slow usually answers in 10ms, fast in 30ms, so slow is chosen.
	h := route.NewHealth(route.HealthOptions{})
	for range 20 {
		for _, tg := range tbl.Providers() {
			d := 10 * time.Millisecond
			if tg.Name == "fast" {
				d = 30 * time.Millisecond
			}
			l, _ := h.Acquire(route.Target{Provider: tg, Model: "x"}, 0)
			l.Done(route.Outcome{FirstByte: d, Total: d})
		}
	}
	g := New(tbl, Options{Health: h})

	// Slow spikes to 10s: after ~10ms the request goes to fast too, which
	// answers; slow is cancelled. The route saying fast won is the causal
	// check (no wall-clock bound, which a loaded machine under -race breaks).
	slowDelay <- 10 * time.Second
	w := serveOpenAI(g, chatBody)
	if w.Code != 200 || w.Header().Get(HeaderProvider) != "fast" {
		t.Fatalf("%d provider %q route %q", w.Code, w.Header().Get(HeaderProvider), w.Header().Get(HeaderRoute))
	}
	if got := w.Header().Get(HeaderRoute); got != "latency: slow slow, hedged -> fast ok" {
		t.Fatalf("route %q", got)
	}
	// The cancelled attempt releases its slot (asynchronously).
	slowT := route.Target{Provider: tbl.Providers()[0], Model: "x"}
	for deadline := time.Now().Add(5 * time.Second); h.Stats(slowT).InFlight != 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("cancelled attempt still in flight: %+v", h.Stats(slowT))
		}
	}
}
