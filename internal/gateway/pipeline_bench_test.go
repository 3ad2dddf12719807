package gateway_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/railyard-ai/railyard/internal/benchdata"
	"github.com/railyard-ai/railyard/internal/catalog"
	"github.com/railyard-ai/railyard/internal/config"
	"github.com/railyard-ai/railyard/internal/dialect/anthropic"
	"github.com/railyard-ai/railyard/internal/dialect/openai"
	"github.com/railyard-ai/railyard/internal/gateway"
	"github.com/railyard-ai/railyard/internal/govern"
	"github.com/railyard-ai/railyard/internal/ledger"
	"github.com/railyard-ai/railyard/internal/provider"
	"github.com/railyard-ai/railyard/internal/reqlog"
	"github.com/railyard-ai/railyard/internal/route"
	"github.com/railyard-ai/railyard/internal/server"
	"github.com/railyard-ai/railyard/internal/store/sqlite"
	"github.com/railyard-ai/railyard/internal/store/sqlstore"
	"github.com/railyard-ai/railyard/internal/telemetry"
)

// The pipeline benchmarks serve one complete request per iteration through
// the same pieces `railyard serve` assembles by default (server middleware,
// gateway, routing estimate, Prometheus observer and request log, governor with its SQLite
// ledger, a text access log written to io.Discard), against an in-memory
// upstream: the transport hands back a pre-rendered reply, so that only
// railyard's own work is measured, not the loopback network's. They are
// the A/B tool for the CPU per request that bench/proxy measures end to
// end (compare allocs/op, or instruction counts under callgrind):
//
//	go test -run '^$' -bench 'FastPath|Translate' -benchmem ./internal/gateway

func BenchmarkFastPath(b *testing.B) {
	benchPipeline(b, "fast", benchdata.OpenAIReply)
}

func BenchmarkTranslate(b *testing.B) {
	benchPipeline(b, "xlate", benchdata.AnthropicReply)
}

func benchPipeline(b *testing.B, model, reply string) {
	h := benchServer(b, []byte(reply))
	body := benchdata.ChatRequest(model, false)
	u, _ := url.Parse("http://railyard.local/v1/chat/completions")
	w := &discardWriter{h: http.Header{}}
	serve := func() {
		r := &http.Request{Method: http.MethodPost, URL: u, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: http.Header{"Content-Type": {"application/json"}, "Content-Length": {strconv.Itoa(len(body))}},
			Body:   io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Host: u.Host, RequestURI: u.Path}
		w.reset()
		h.ServeHTTP(w, r)
		if w.status != http.StatusOK {
			b.Fatalf("status %d: %s", w.status, w.body.String())
		}
	}
	serve() // warm the routing estimate's memo and the ledger's statements
	b.ReportAllocs()
	for b.Loop() {
		serve()
	}
}

// benchServer assembles railyard as serve does, upstream replies coming
// from memory.
func benchServer(b testing.TB, reply []byte) http.Handler {
	b.Helper()
	return benchServerWith(b, replyTransport(reply))
}

// benchServerWith is benchServer with upstream calls going to upstream,
// and the gateway's options changed by mods.
func benchServerWith(b testing.TB, upstream http.RoundTripper, mods ...func(*gateway.Options)) http.Handler {
	b.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	client := &http.Client{Transport: upstream, CheckRedirect: provider.NoRedirect} // as provider.NewClient
	dialects := provider.Dialects{"openai": openai.Dialect{}, "openai-compatible": openai.Dialect{Compat: true}, "anthropic": anthropic.Dialect{}}
	var providers []*provider.Provider
	for _, pc := range []config.Provider{
		{Name: "up-openai", Type: "openai", BaseURL: "http://upstream.local/oa/v1", APIKey: "bench-key"},
		{Name: "up-anthropic", Type: "anthropic", BaseURL: "http://upstream.local/an", APIKey: "bench-key"},
	} {
		p, err := provider.New(pc, dialects, client, time.Minute)
		if err != nil {
			b.Fatal(err)
		}
		providers = append(providers, p)
	}
	table, err := route.NewTable([]config.Model{
		{Name: "fast", Targets: []config.Target{{Provider: "up-openai", Model: "gpt-4o-mini", Weight: 1}}},
		{Name: "xlate", Targets: []config.Target{{Provider: "up-anthropic", Model: "claude-haiku-4-5", Weight: 1}}},
	}, providers)
	if err != nil {
		b.Fatal(err)
	}
	prices, err := catalog.Load()
	if err != nil {
		b.Fatal(err)
	}
	m, err := telemetry.NewMetrics(telemetry.NewRegistry(), table.ModelNames())
	if err != nil {
		b.Fatal(err)
	}
	obs := gateway.Observers(telemetry.NewObserver(m, telemetry.Disabled()), reqlog.New(reqlog.Options{})) // metrics and the console's request log
	st, led := openLedger(b, log)
	gov := govern.New(govern.Options{Store: st, Catalog: prices, Ledger: led, Logger: log})
	opts := gateway.Options{Logger: log, Pricer: prices, Observer: obs}
	for _, mod := range mods {
		mod(&opts)
	}
	gw := gateway.New(table, opts)
	gw.SetRouting(prices, 0)
	gw.SetGovernor(gov)
	return server.New(gw, server.Options{Logger: log, OpenAI: openai.Dialect{}, Anthropic: anthropic.Dialect{},
		Observer: obs, Authenticate: gov.Authenticate})
}

// openLedger opens a SQLite store and its ledger writer in a fresh
// directory, both closed when tb ends (the writer first, so it flushes).
func openLedger(tb testing.TB, log *slog.Logger) (*sqlstore.Store, *ledger.Writer) {
	tb.Helper()
	ctx := context.Background()
	dir := tb.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "railyard.db"))
	if err != nil {
		tb.Fatal(err)
	}
	led, err := ledger.Open(ctx, st, filepath.Join(dir, "spool"), ledger.Options{Logger: log})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		_ = led.Close(context.Background())
		_ = st.Close()
	})
	return st, led
}

// replyTransport answers every upstream call with reply, after reading the
// request body as a server would.
type replyTransport []byte

func (t replyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	return &http.Response{StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(t)),
		ContentLength: int64(len(t)), Request: r}, nil
}

// discardWriter is a ResponseWriter that keeps the status and body of the
// last reply for checks, reusing its memory.
type discardWriter struct {
	h      http.Header
	status int
	body   bytes.Buffer
}

func (w *discardWriter) reset() {
	clear(w.h)
	w.status = 0
	w.body.Reset()
}

func (w *discardWriter) Header() http.Header { return w.h }
func (w *discardWriter) WriteHeader(s int) {
	if w.status == 0 {
		w.status = s
	}
}

func (w *discardWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.body.Write(p)
}
