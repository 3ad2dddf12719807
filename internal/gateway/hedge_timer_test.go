package gateway

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/railyard-ai/railyard/internal/config"
	"github.com/railyard-ai/railyard/internal/dialect/openai"
	"github.com/railyard-ai/railyard/internal/provider"
	"github.com/railyard-ai/railyard/internal/route"
)

// hedgePair is a latency-routed model whose chosen target "slow" is
// hedged to "fast" after about its taught latency (slow taught at unit,
// fast at 3 units), each upstream answering with its handler.
func hedgePair(t *testing.T, unit time.Duration, slowH, fastH func(w http.ResponseWriter, r *http.Request, body []byte)) (*Gateway, *route.Health, [2]route.Target, [2]*upstream) {
	t.Helper()
	slow, fast := newUpstream(t, slowH), newUpstream(t, fastH)
	client := provider.NewClient(provider.TransportOptions{})
	var ps []*provider.Provider
	for _, u := range []struct{ n, url string }{{"slow", slow.URL}, {"fast", fast.URL}} {
		p, _ := provider.New(config.Provider{Name: u.n, Type: "openai", BaseURL: u.url + "/v1"}, testDialects, client, 30*time.Second)
		ps = append(ps, p)
	}
	tbl, err := route.NewTable([]config.Model{{Name: "m", Route: "latency", Targets: []config.Target{{Provider: "slow", Model: "x"}, {Provider: "fast", Model: "x"}}}}, ps)
	if err != nil {
		t.Fatal(err)
	}
	h := route.NewHealth(route.HealthOptions{})
	tgs := [2]route.Target{{Provider: ps[0], Model: "x"}, {Provider: ps[1], Model: "x"}}
	for range 20 {
		for i, tg := range tgs {
			d := []time.Duration{unit, 3 * unit}[i]
			l, _ := h.Acquire(tg, 0)
			l.Done(route.Outcome{FirstByte: d, Total: d})
		}
	}
	return New(tbl, Options{Health: h}), h, tgs, [2]*upstream{slow, fast}
}

const hedgeReply = `{"id":"c","object":"chat.completion","model":"x","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`

// waitIdle waits until no attempt is in flight on tgs: a loser's lease is
// released asynchronously.
func waitIdle(t *testing.T, h *route.Health, tgs [2]route.Target) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		if h.Stats(tgs[0]).InFlight == 0 && h.Stats(tgs[1]).InFlight == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("attempts still in flight: slow %+v fast %+v", h.Stats(tgs[0]), h.Stats(tgs[1]))
		}
	}
}

// The chosen target answering before the hedge's delay sends no hedge.
func TestHedgeNotSentWhenTheTargetAnswersInTime(t *testing.T) {
	// A 5s delay: far too long to pass, whatever the machine's load.
	g, h, tgs, ups := hedgePair(t, 5*time.Second,
		func(w http.ResponseWriter, r *http.Request, _ []byte) { fmt.Fprint(w, hedgeReply) },
		func(w http.ResponseWriter, r *http.Request, _ []byte) { fmt.Fprint(w, hedgeReply) })
	w := serveOpenAI(g, chatBody)
	if got := w.Header().Get(HeaderRoute); w.Code != 200 || got != "latency: slow ok" {
		t.Fatalf("%d route %q", w.Code, got)
	}
	if n := ups[1].calls.Load(); n != 0 {
		t.Fatalf("alt called %d times", n)
	}
	waitIdle(t, h, tgs)
}

// The chosen target failing after the hedge was sent: the hedge's answer
// is relayed, the failure counted, alt not tried again.
func TestHedgeAnswersAfterTheTargetFailed(t *testing.T) {
	hedgeSent := make(chan struct{})
	g, h, tgs, _ := hedgePair(t, 10*time.Millisecond,
		func(w http.ResponseWriter, r *http.Request, _ []byte) {
			select { // fail only once the hedge is on its way
			case <-hedgeSent:
			case <-r.Context().Done():
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, `{"error":{"message":"boom","type":"server_error"}}`)
		},
		func(w http.ResponseWriter, r *http.Request, _ []byte) {
			close(hedgeSent)
			time.Sleep(20 * time.Millisecond) // answer after slow's failure, most often
			fmt.Fprint(w, hedgeReply)
		})
	w := serveOpenAI(g, chatBody)
	if w.Code != 200 || w.Header().Get(HeaderProvider) != "fast" {
		t.Fatalf("%d provider %q route %q", w.Code, w.Header().Get(HeaderProvider), w.Header().Get(HeaderRoute))
	}
	// slow's 500 arrives before fast answers (the usual order), or after
	// fast answered and cancelled it (a loaded machine).
	if got := w.Header().Get(HeaderRoute); got != "latency: slow 500 -> fast ok" && got != "latency: slow slow, hedged -> fast ok" {
		t.Fatalf("route %q", got)
	}
	waitIdle(t, h, tgs)
}

// A client leaving while both sends wait ends both, releases both leases
// and leaves no goroutine blocked.
func TestHedgedClientGone(t *testing.T) {
	hedgeSent := make(chan struct{})
	hang := func(w http.ResponseWriter, r *http.Request, _ []byte) { <-r.Context().Done() }
	g, h, tgs, _ := hedgePair(t, 10*time.Millisecond, hang, func(w http.ResponseWriter, r *http.Request, b []byte) {
		close(hedgeSent)
		hang(w, r, b)
	})
	ctx, cancel := context.WithCancel(context.Background())
	req := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(chatBody)).WithContext(ctx)
	done := make(chan struct{})
	rec := httptest.NewRecorder()
	go func() {
		g.Handler(openai.Dialect{}).ServeHTTP(rec, req)
		close(done)
	}()
	select {
	case <-hedgeSent:
	case <-time.After(10 * time.Second):
		t.Fatal("no hedge sent")
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the request did not end when the client left")
	}
	waitIdle(t, h, tgs)
}
