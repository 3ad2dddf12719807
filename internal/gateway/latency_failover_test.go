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

// A failed attempt under the latency policy goes at once to the target
// that scores best among the rest, not after a backoff and not in config
// order: a 500 from the chosen target costs the request its round trip
// and one attempt elsewhere, which is what the policy's error penalty
// assumes.
func TestLatencyFailsOverAtOnceToTheNextBest(t *testing.T) {
	reply := `{"id":"c","object":"chat.completion","model":"x","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`
	ok := func(w http.ResponseWriter, r *http.Request, body []byte) { fmt.Fprint(w, reply) }
	failing := newUpstream(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, `{"error":{"message":"boom","type":"server_error"}}`)
	})
	worse, better := newUpstream(t, ok), newUpstream(t, ok)
	client := provider.NewClient(provider.TransportOptions{})
	var ps []*provider.Provider
	// Config order puts worse before better: the failover must not follow it.
	for _, u := range []struct{ n, url string }{{"failing", failing.URL}, {"worse", worse.URL}, {"better", better.URL}} {
		p, _ := provider.New(config.Provider{Name: u.n, Type: "openai", BaseURL: u.url + "/v1"}, testDialects, client, 5*time.Second)
		ps = append(ps, p)
	}
	tbl, err := route.NewTable([]config.Model{{Name: "m", Route: "latency", Retries: 2,
		Targets: []config.Target{{Provider: "failing", Model: "x"}, {Provider: "worse", Model: "x"}, {Provider: "better", Model: "x"}}}}, ps)
	if err != nil {
		t.Fatal(err)
	}
	tbl.SetResilience(route.Resilience{Breaker: route.BreakerSettings{Failures: 1000}, RetryBackoff: time.Second, RetryBackoffMax: time.Second})
	// Teach: failing looks fastest (5ms), better 8ms, worse 60ms.
	h := route.NewHealth(route.HealthOptions{})
	for range 20 {
		for _, p := range tbl.Providers() {
			d := map[string]time.Duration{"failing": 5 * time.Millisecond, "better": 8 * time.Millisecond, "worse": 60 * time.Millisecond}[p.Name]
			l, _ := h.Acquire(route.Target{Provider: p, Model: "x"}, 0)
			l.Done(route.Outcome{FirstByte: d, Total: d})
		}
	}
	// Spend every hedge budget: failing is hedged to better after 5ms and
	// better to worse after 8ms, which a loaded machine (-race, parallel
	// builds) often takes to answer; the hedges are tested on their own.
	for _, p := range tbl.Providers() {
		for h.TakeHedge(route.Target{Provider: p, Model: "x"}) {
		}
	}
	g := New(tbl, Options{Health: h})
	w := serveOpenAI(g, chatBody)
	// The route is the causal check, not the wall clock: a backoff would
	// show in it as "retry after 1s", config order as worse before better.
	if w.Code != 200 || w.Header().Get(HeaderRoute) != "latency: failing 500 -> better ok" {
		t.Fatalf("%d route %q", w.Code, w.Header().Get(HeaderRoute))
	}
}
