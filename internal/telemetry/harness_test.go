package telemetry

import (
	"bufio"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/railyard-ai/railyard/internal/catalog"
	"github.com/railyard-ai/railyard/internal/config"
	"github.com/railyard-ai/railyard/internal/dialect/anthropic"
	"github.com/railyard-ai/railyard/internal/dialect/openai"
	"github.com/railyard-ai/railyard/internal/gateway"
	"github.com/railyard-ai/railyard/internal/provider"
	"github.com/railyard-ai/railyard/internal/route"
	"github.com/railyard-ai/railyard/internal/server"
)

// The fixtures are real Anthropic payloads, shared with the dialect's own
// golden tests.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "dialect", "anthropic", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const masterKey = "rk-master-do-not-leak"

// upstreamCall is what a fake provider saw of one request.
type upstreamCall struct {
	provider    string
	traceparent string
	requestID   string
}

// harness is a gateway behind the HTTP surface, over two fake Anthropic
// providers: "flaky" always answers 529, "claude" answers with recorded
// replies. Model "m" fails over flaky -> claude; "solo" is claude alone.
type harness struct {
	t       *testing.T
	srv     *httptest.Server
	metrics *Metrics
	handler http.Handler
	mu      sync.Mutex
	calls   []upstreamCall
}

func newHarness(t *testing.T, tracing *Tracing, log *slog.Logger) *harness {
	t.Helper()
	h := &harness{t: t}
	reply, stream, overloaded := fixture(t, "response_text.json"), fixture(t, "stream_text.sse"), fixture(t, "error_overloaded.json")
	fake := func(name string, answer func(w http.ResponseWriter, body []byte)) *httptest.Server {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			h.mu.Lock()
			h.calls = append(h.calls, upstreamCall{provider: name, traceparent: r.Header.Get("traceparent"), requestID: r.Header.Get("X-Request-Id")})
			h.mu.Unlock()
			answer(w, body)
		}))
		t.Cleanup(s.Close)
		return s
	}
	flaky := fake("flaky", func(w http.ResponseWriter, _ []byte) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(529)
		_, _ = w.Write(overloaded)
	})
	claude := fake("claude", func(w http.ResponseWriter, body []byte) {
		if strings.Contains(string(body), `"stream":true`) {
			w.Header().Set("Content-Type", "text/event-stream")
			_, _ = w.Write(stream)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(reply)
	})

	client := provider.NewClient(provider.TransportOptions{FirstByteTimeout: 5 * time.Second})
	var providers []*provider.Provider
	for _, pc := range []config.Provider{
		{Name: "flaky", Type: "anthropic", BaseURL: flaky.URL, APIKey: "sk-ant-secret-flaky"},
		{Name: "claude", Type: "anthropic", BaseURL: claude.URL, APIKey: "sk-ant-secret-claude"},
	} {
		p, err := provider.New(pc, provider.Dialects{"openai": openai.Dialect{}, "anthropic": anthropic.Dialect{}}, client, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		providers = append(providers, p)
	}
	table, err := route.NewTable([]config.Model{
		{Name: "m", Targets: []config.Target{{Provider: "flaky", Model: "claude-flaky", Weight: 1}, {Provider: "claude", Model: "claude-3-7-sonnet", Weight: 1}}},
		{Name: "solo", Targets: []config.Target{{Provider: "claude", Model: "claude-sonnet-4-0", Weight: 1}}},
	}, providers)
	if err != nil {
		t.Fatal(err)
	}
	reg := NewRegistry()
	m, err := NewMetrics(reg, table.ModelNames())
	if err != nil {
		t.Fatal(err)
	}
	h.metrics = m
	prices, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	obs := NewObserver(m, tracing)
	gw := gateway.New(table, gateway.Options{Logger: log, Pricer: prices, Observer: obs})
	h.handler = server.New(gw, server.Options{MasterKey: masterKey, OpenAI: openai.Dialect{}, Anthropic: anthropic.Dialect{},
		Metrics: Handler(reg), Observer: obs})
	h.srv = httptest.NewServer(h.handler)
	t.Cleanup(h.srv.Close)
	return h
}

// post sends a client request and returns the reply, read to the end.
func (h *harness) post(path, body string, header map[string]string) (*http.Response, string) {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+masterKey)
	req.Header.Set("Content-Type", "application/json")
	if path == "/v1/messages" {
		req.Header.Set("anthropic-version", "2023-06-01")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp, string(b)
}

// scrape fetches /metrics without a key, as Prometheus does.
func (h *harness) scrape() string {
	h.t.Helper()
	resp, err := http.Get(h.srv.URL + "/metrics")
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		h.t.Fatalf("/metrics: %d %s", resp.StatusCode, b)
	}
	return string(b)
}

// series parses the text exposition format into "name{labels}" -> value.
// Labels come out sorted by name, as the client library writes them.
func series(t testing.TB, text string) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metric line %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	return out
}

func (h *harness) upstreamCalls() []upstreamCall {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]upstreamCall(nil), h.calls...)
}
