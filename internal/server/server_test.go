package server

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/railyard-ai/railyard/internal/config"
	"github.com/railyard-ai/railyard/internal/dialect/anthropic"
	"github.com/railyard-ai/railyard/internal/dialect/openai"
	"github.com/railyard-ai/railyard/internal/gateway"
	"github.com/railyard-ai/railyard/internal/provider"
	"github.com/railyard-ai/railyard/internal/route"
)

func newServer(t *testing.T, masterKey string) *Server {
	t.Helper()
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"up-model","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`)
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
	return New(gateway.New(table, gateway.Options{}), Options{MasterKey: masterKey, OpenAI: openai.Dialect{}, Anthropic: anthropic.Dialect{}})
}

func do(s http.Handler, method, path, body string, header map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec
}

const chat = `{"model":"smart","messages":[{"role":"user","content":"hi"}]}`
const messages = `{"model":"smart","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}`

func TestAuthentication(t *testing.T) {
	s := newServer(t, "mk-test")
	tests := []struct {
		name, path, body string
		header           map[string]string
		status           int
		shape            string // a substring of the error body's dialect shape
	}{
		{"openai no key", "/v1/chat/completions", chat, nil, 401, `"error":{"message"`},
		{"openai wrong key", "/v1/chat/completions", chat, map[string]string{"Authorization": "Bearer nope"}, 401, `"invalid_api_key"`},
		{"openai bearer ok", "/v1/chat/completions", chat, map[string]string{"Authorization": "Bearer mk-test"}, 200, ""},
		{"openai x-api-key ok", "/v1/chat/completions", chat, map[string]string{"x-api-key": "mk-test"}, 200, ""},
		{"anthropic no key", "/v1/messages", messages, nil, 401, `"type":"error"`},
		{"anthropic wrong key", "/v1/messages", messages, map[string]string{"x-api-key": "nope"}, 401, `authentication_error`},
		{"anthropic ok", "/v1/messages", messages, map[string]string{"x-api-key": "mk-test"}, 200, ""},
		{"non-bearer authorization", "/v1/chat/completions", chat, map[string]string{"Authorization": "Basic bWs6"}, 401, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(s, http.MethodPost, tt.path, tt.body, tt.header)
			if rec.Code != tt.status {
				t.Fatalf("status %d want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if !strings.Contains(rec.Body.String(), tt.shape) {
				t.Errorf("body %s lacks %s", rec.Body, tt.shape)
			}
			if strings.Contains(rec.Body.String(), "mk-test") {
				t.Errorf("master key echoed in %s", rec.Body)
			}
			if rec.Header().Get("X-Request-Id") == "" {
				t.Error("no x-request-id")
			}
		})
	}
}

func TestModelsListInBothShapes(t *testing.T) {
	s := newServer(t, "")
	rec := do(s, http.MethodGet, "/v1/models", "", nil)
	var oa struct {
		Object string
		Data   []struct{ ID, Object string }
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &oa); err != nil || oa.Object != "list" {
		t.Fatalf("openai shape: %s", rec.Body)
	}
	if len(oa.Data) != 2 || oa.Data[0].ID != "smart" || oa.Data[1].ID != "up/m1" || oa.Data[0].Object != "model" {
		t.Errorf("models %+v", oa.Data)
	}
	rec = do(s, http.MethodGet, "/v1/models", "", map[string]string{"anthropic-version": "2023-06-01"})
	var an struct {
		Data []struct {
			Type, ID string
		}
		HasMore bool   `json:"has_more"`
		FirstID string `json:"first_id"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &an); err != nil || len(an.Data) != 2 || an.Data[0].Type != "model" || an.FirstID != "smart" {
		t.Fatalf("anthropic shape: %s", rec.Body)
	}
}

func TestHealthReadinessAndUnknownRoutes(t *testing.T) {
	s := newServer(t, "")
	if rec := do(s, http.MethodGet, "/healthz", "", nil); rec.Code != 200 {
		t.Errorf("healthz %d", rec.Code)
	}
	if rec := do(s, http.MethodGet, "/readyz", "", nil); rec.Code != 200 {
		t.Errorf("readyz %d", rec.Code)
	}
	s.SetReady(false)
	if rec := do(s, http.MethodGet, "/readyz", "", nil); rec.Code != 503 {
		t.Errorf("readyz while draining %d", rec.Code)
	}
	rec := do(s, http.MethodGet, "/v1/nope", "", nil)
	if rec.Code != 404 || !strings.Contains(rec.Body.String(), `"error"`) {
		t.Errorf("unknown route %d %s", rec.Code, rec.Body)
	}
	rec = do(s, http.MethodGet, "/v1/nope", "", map[string]string{"anthropic-version": "2023-06-01"})
	if rec.Code != 404 || !strings.Contains(rec.Body.String(), `"type":"error"`) {
		t.Errorf("unknown route, anthropic client: %d %s", rec.Code, rec.Body)
	}
}

func TestRequestIDIsKeptWhenSaneAndReplacedOtherwise(t *testing.T) {
	s := newServer(t, "")
	rec := do(s, http.MethodPost, "/v1/chat/completions", chat, map[string]string{"X-Request-Id": "trace-123"})
	if got := rec.Header().Get("X-Request-Id"); got != "trace-123" {
		t.Errorf("kept id %q", got)
	}
	rec = do(s, http.MethodPost, "/v1/chat/completions", chat, map[string]string{"X-Request-Id": "bad id\x01"})
	if got := rec.Header().Get("X-Request-Id"); !strings.HasPrefix(got, "req_") {
		t.Errorf("replaced id %q", got)
	}
}

func TestPanicBecomesDialectError(t *testing.T) {
	s := newServer(t, "")
	s.mux.HandleFunc("GET /boom", func(http.ResponseWriter, *http.Request) { panic("boom") })
	rec := do(s, http.MethodGet, "/boom", "", nil)
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), `"error"`) || strings.Contains(rec.Body.String(), "boom") {
		t.Errorf("panic reply %d %s", rec.Code, rec.Body)
	}
}

func TestModelsNeedTheKeyToo(t *testing.T) {
	s := newServer(t, "mk-test")
	if rec := do(s, http.MethodGet, "/v1/models", "", nil); rec.Code != 401 || !strings.Contains(rec.Body.String(), `"error":{`) {
		t.Errorf("openai client without key: %d %s", rec.Code, rec.Body)
	}
	if rec := do(s, http.MethodGet, "/v1/models", "", map[string]string{"anthropic-version": "2023-06-01"}); rec.Code != 401 || !strings.Contains(rec.Body.String(), `"type":"error"`) {
		t.Errorf("anthropic client without key: %d %s", rec.Code, rec.Body)
	}
	if rec := do(s, http.MethodGet, "/v1/models", "", map[string]string{"x-api-key": "mk-test"}); rec.Code != 200 {
		t.Errorf("with key: %d", rec.Code)
	}
}
