package server

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/railyard-ai/railyard/internal/access"
	"github.com/railyard-ai/railyard/internal/config"
	"github.com/railyard-ai/railyard/internal/dialect/anthropic"
	"github.com/railyard-ai/railyard/internal/dialect/openai"
	"github.com/railyard-ai/railyard/internal/gateway"
	"github.com/railyard-ai/railyard/internal/govern"
	"github.com/railyard-ai/railyard/internal/ledger"
	"github.com/railyard-ai/railyard/internal/provider"
	"github.com/railyard-ai/railyard/internal/route"
	"github.com/railyard-ai/railyard/internal/store"
	"github.com/railyard-ai/railyard/internal/store/sqlite"
	"github.com/railyard-ai/railyard/internal/ui"
)

// consoleEnv is a served gateway as serve assembles it: governor with a
// ledger, the admin API, and so the console.
type consoleEnv struct {
	url string
	st  store.Store
	led *ledger.Writer
}

func newConsoleEnv(t *testing.T) *consoleEnv {
	t.Helper()
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if bytes.Contains(b, []byte(`"stream":true`)) {
			w.Header().Set("Content-Type", "text/event-stream")
			io.WriteString(w, "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m1\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"str\"},\"finish_reason\":null}]}\n\n"+
				"data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"eamed\"},\"finish_reason\":\"stop\"}]}\n\n"+
				"data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m1\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}}\n\n"+
				"data: [DONE]\n\n")
			return
		}
		io.WriteString(w, `{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"m1","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":4,"completion_tokens":1,"total_tokens":5}}`)
	}))
	t.Cleanup(up.Close)
	d := provider.Dialects{"openai": openai.Dialect{}, "openai-compatible": openai.Dialect{Compat: true}, "anthropic": anthropic.Dialect{}}
	p, err := provider.New(config.Provider{Name: "up", Type: "openai-compatible", BaseURL: up.URL, Models: []string{"m1"}}, d, http.DefaultClient, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	table, err := route.NewTable([]config.Model{{Name: "smart", Targets: []config.Target{{Provider: "up", Model: "m1"}}}}, []*provider.Provider{p})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "console.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	led, err := ledger.Open(ctx, st, filepath.Join(dir, "spool"), ledger.Options{FlushInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	gv := govern.New(govern.Options{Store: st, Ledger: led, MasterKey: testMaster})
	gw := gateway.New(table, gateway.Options{})
	gw.SetGovernor(gv)
	s := New(gw, Options{MasterKey: testMaster, Authenticate: gv.Authenticate, OpenAI: openai.Dialect{}, Anthropic: anthropic.Dialect{},
		Admin: Admin(AdminOptions{Store: st, MasterKey: testMaster})})
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &consoleEnv{url: srv.URL, st: st, led: led}
}

type reply struct {
	status int
	header http.Header
	body   string
}

func (e *consoleEnv) do(t *testing.T, method, path, body string, cookie *http.Cookie, header map[string]string) reply {
	t.Helper()
	req, err := http.NewRequest(method, e.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if cookie != nil {
		req.AddCookie(cookie)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if bytes.Contains(b, []byte(testMaster)) {
		t.Errorf("%s %s: master key in the reply", method, path)
	}
	return reply{res.StatusCode, res.Header, string(b)}
}

func TestConsoleServesTheEmbeddedApp(t *testing.T) {
	e := newConsoleEnv(t)
	index, err := os.ReadFile("../ui/dist/index.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/ui/", "/ui/keys", "/ui/playground"} {
		r := e.do(t, "GET", p, "", nil, nil)
		if r.status != 200 || r.body != string(index) || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") ||
			r.header.Get("Cache-Control") != "no-cache" || !strings.Contains(r.header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Errorf("GET %s: %d %v", p, r.status, r.header)
		}
	}
	js := e.do(t, "GET", "/ui/app.js", "", nil, nil)
	if js.status != 200 || !strings.HasPrefix(js.header.Get("Content-Type"), "text/javascript") || js.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("GET /ui/app.js: %d %v", js.status, js.header)
	}
}

func TestConsolePlayground(t *testing.T) {
	e := newConsoleEnv(t)
	ctx := context.Background()
	name := "app"
	_, vkey, err := access.CreateKey(ctx, e.st, access.KeyFields{Name: &name}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	login := e.do(t, "POST", "/ui/api/login", `{"key":"`+testMaster+`"}`, nil, nil)
	if login.status != 204 {
		t.Fatalf("login: %d %s", login.status, login.body)
	}
	cookie := (&http.Response{Header: login.header}).Cookies()[0]
	csrf := map[string]string{ui.HeaderConsole: "1"}
	const chatBody = `{"model":"smart","messages":[{"role":"user","content":"hi"}]}`
	const streamBody = `{"model":"smart","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}`
	const pg = "/admin/api/playground/chat/completions"
	for _, tc := range []struct {
		name, method, path, body string
		cookie                   *http.Cookie
		header                   map[string]string
		want                     int
		contains                 string
	}{
		{"session", "GET", "/admin/api/session", "", cookie, nil, 200, `{"ok":true}`},
		{"models", "GET", "/admin/api/models", "", cookie, map[string]string{"anthropic-version": "2023-06-01"}, 200, `"data":[{"id":"smart","object":"model"`},
		{"models need the session", "GET", "/admin/api/models", "", nil, nil, 401, "authentication_error"},
		{"playground without a session", "POST", pg, chatBody, nil, csrf, 401, "authentication_error"},
		{"playground with a virtual key", "POST", pg, chatBody, nil, map[string]string{"Authorization": "Bearer " + vkey}, 401, "invalid master key"},
		{"playground without the console header", "POST", pg, chatBody, cookie, nil, 403, ui.HeaderConsole},
		{"client endpoint ignores the session", "POST", "/v1/chat/completions", chatBody, cookie, csrf, 401, "missing API key"},
		{"playground", "POST", pg, chatBody, cookie, csrf, 200, `"content":"ok"`},
		{"playground stream", "POST", pg, streamBody, cookie, csrf, 200, `"content":"eamed"`},
		{"playground with the master key", "POST", pg, chatBody, nil, map[string]string{"Authorization": "Bearer " + testMaster}, 200, `"content":"ok"`},
		{"playground bad body", "POST", pg, `{"model":`, cookie, csrf, 400, `"error"`},
		{"playground unknown model", "POST", pg, `{"model":"nope","messages":[{"role":"user","content":"hi"}]}`, cookie, csrf, 404, `"error"`},
		{"client with its virtual key", "POST", "/v1/chat/completions", chatBody, nil, map[string]string{"Authorization": "Bearer " + vkey}, 200, `"content":"ok"`},
	} {
		r := e.do(t, tc.method, tc.path, tc.body, tc.cookie, tc.header)
		if r.status != tc.want || !strings.Contains(r.body, tc.contains) {
			t.Errorf("%s: %d %s", tc.name, r.status, r.body)
		}
		if strings.Contains(tc.name, "stream") && !strings.HasSuffix(r.body, "data: [DONE]\n\n") {
			t.Errorf("%s: not an SSE stream: %q", tc.name, r.body)
		}
	}
	if err := e.led.Close(ctx); err != nil {
		t.Fatal(err)
	}
	byKey := map[string]int{}
	var consoleTokens int64
	err = e.st.Ledger(ctx, time.Time{}, func(r store.Record) error {
		byKey[r.KeyID]++
		if r.KeyID == govern.ConsoleKeyID {
			consoleTokens += r.InputTokens + r.OutputTokens
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Three playground replies (two with the session, one with the master
	// key; refused ones are never charged) and one client request.
	if len(byKey) != 2 || byKey[govern.ConsoleKeyID] != 3 || byKey[""] != 0 || consoleTokens != 5+5+5 {
		t.Errorf("ledger rows by key: %v, console tokens %d", byKey, consoleTokens)
	}
}
