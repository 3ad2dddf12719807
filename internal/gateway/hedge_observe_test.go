package gateway

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/railyard-ai/railyard/internal/config"
	"github.com/railyard-ai/railyard/internal/provider"
	"github.com/railyard-ai/railyard/internal/route"
)

// A hedged request shows the observer both sends: the slow chosen target
// beaten by the hedge, and the hedge that answered, marked as one.
func TestObserverSeesBothSendsOfAHedge(t *testing.T) {
	reply := `{"id":"c","object":"chat.completion","model":"x","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`
	injected := make(chan string, 2)
	slow := newUpstream(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		injected <- "slow " + r.Header.Get("X-Test-Trace")
		select {
		case <-time.After(10 * time.Second): // cancelled by the hedge long before
		case <-r.Context().Done():
			return
		}
		fmt.Fprint(w, reply)
	})
	fast := newUpstream(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		injected <- "fast " + r.Header.Get("X-Test-Trace")
		fmt.Fprint(w, reply)
	})
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
	// Teach: slow usually answers in 10ms (20 samples), fast in 30ms
	// (5 samples: too few for fast's own estimates to bound the hedge's
	// delay), so slow is chosen and hedged after about 10ms.
	h := route.NewHealth(route.HealthOptions{})
	for i := range 20 {
		for _, p := range tbl.Providers() {
			d := 10 * time.Millisecond
			if p.Name == "fast" {
				if i >= 5 {
					continue
				}
				d = 30 * time.Millisecond
			}
			l, _ := h.Acquire(route.Target{Provider: p, Model: "x"}, 0)
			l.Done(route.Outcome{FirstByte: d, Total: d})
		}
	}
	obs := &recordingObserver{}
	g := New(tbl, Options{Health: h, Observer: obs})
	w := serveOpenAI(g, chatBody)
	if w.Code != 200 || w.Header().Get(HeaderRoute) != "latency: slow slow, hedged -> fast ok" {
		t.Fatalf("%d route %q", w.Code, w.Header().Get(HeaderRoute))
	}
	obs.mu.Lock()
	defer obs.mu.Unlock()
	if len(obs.attempts) != 2 || obs.attempts[0].Provider != "slow" || obs.attempts[0].Hedged || obs.attempts[1].Provider != "fast" || !obs.attempts[1].Hedged {
		t.Fatalf("attempts %+v", obs.attempts)
	}
	if len(obs.results) != 2 {
		t.Fatalf("results %+v", obs.results)
	}
	slowEnd, fastEnd := obs.results[0], obs.results[1]
	if slowEnd.Outcome != "slow, hedged" || slowEnd.Answered || slowEnd.Duration <= 0 {
		t.Errorf("slow attempt %+v", slowEnd)
	}
	if fastEnd.Outcome != "ok" || !fastEnd.Answered || fastEnd.Usage.OutputTokens != 1 {
		t.Errorf("hedge %+v", fastEnd)
	}
	if s := obs.ends[0]; s.Attempts != 2 || s.Provider != "fast" {
		t.Errorf("summary %+v", s)
	}
	// fast's handler ran before it answered; slow's only if its request
	// reached slow before the hedge's answer cancelled it, which on a
	// loaded machine it may not (waiting for two values here used to hang
	// the test binary until its -timeout). Closing slow waits for its
	// handler, if it runs at all.
	slow.Close()
	close(injected)
	var got []string
	for v := range injected {
		got = append(got, v)
	}
	if !slices.Contains(got, "fast injected") || len(got) > 2 || (len(got) == 2 && !slices.Contains(got, "slow injected")) {
		t.Errorf("observer headers upstream: %q", got)
	}
}
