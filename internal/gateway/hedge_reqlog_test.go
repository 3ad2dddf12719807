package gateway_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/railyard-ai/railyard/internal/config"
	"github.com/railyard-ai/railyard/internal/dialect/openai"
	"github.com/railyard-ai/railyard/internal/gateway"
	"github.com/railyard-ai/railyard/internal/provider"
	"github.com/railyard-ai/railyard/internal/reqlog"
	"github.com/railyard-ai/railyard/internal/route"
)

// The request log, a real observer that does no locking of its own, sees
// a hedged request's two attempts: the hedge's is started by its timer
// while the request goroutine waits on the first send, which -race checks
// is ordered with the request goroutine's calls.
func TestRequestLogSeesAHedge(t *testing.T) {
	reply := `{"id":"c","object":"chat.completion","model":"x","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // the server sees the client leave only past the body
		select {
		case <-r.Context().Done(): // cancelled when the hedge answers
		case <-time.After(10 * time.Second):
		}
	}))
	defer slow.Close()
	fast := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, reply) }))
	defer fast.Close()
	dialects := provider.Dialects{"openai": openai.Dialect{}}
	client := provider.NewClient(provider.TransportOptions{})
	var ps []*provider.Provider
	for _, u := range []struct{ n, url string }{{"slow", slow.URL}, {"fast", fast.URL}} {
		p, err := provider.New(config.Provider{Name: u.n, Type: "openai", BaseURL: u.url + "/v1"}, dialects, client, 30*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	tbl, err := route.NewTable([]config.Model{{Name: "m", Route: "latency", Targets: []config.Target{{Provider: "slow", Model: "x"}, {Provider: "fast", Model: "x"}}}}, ps)
	if err != nil {
		t.Fatal(err)
	}
	h := route.NewHealth(route.HealthOptions{})
	for range 20 {
		for i, p := range ps {
			d := []time.Duration{10 * time.Millisecond, 30 * time.Millisecond}[i]
			l, _ := h.Acquire(route.Target{Provider: p, Model: "x"}, 0)
			l.Done(route.Outcome{FirstByte: d, Total: d})
		}
	}
	rl := reqlog.New(reqlog.Options{})
	g := gateway.New(tbl, gateway.Options{Health: h, Observer: rl})
	// One request: a lost hedge makes slow lose the latency policy's next draw.
	r := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(`{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":8}`))
	w := httptest.NewRecorder()
	g.Handler(openai.Dialect{}).ServeHTTP(w, r)
	if got := w.Header().Get(gateway.HeaderRoute); w.Code != 200 || got != "latency: slow slow, hedged -> fast ok" {
		t.Fatalf("%d route %q", w.Code, got)
	}
	for deadline := time.Now().Add(5 * time.Second); rl.Len() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no request log entry")
		}
	}
	e := rl.List(reqlog.Filter{})[0]
	if len(e.Attempts) != 2 || e.Attempts[0].Provider != "slow" || e.Attempts[0].Hedged || e.Attempts[0].Outcome != "slow, hedged" ||
		e.Attempts[1].Provider != "fast" || !e.Attempts[1].Hedged || e.Attempts[1].Outcome != "ok" {
		t.Fatalf("attempts %+v", e.Attempts)
	}
}
