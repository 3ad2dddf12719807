package provider

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/railyard-ai/railyard/internal/config"
	"github.com/railyard-ai/railyard/internal/dialect/anthropic"
	"github.com/railyard-ai/railyard/internal/dialect/openai"
)

var dialects = Dialects{"openai": openai.Dialect{}, "openai-compatible": openai.Dialect{Compat: true}, "anthropic": anthropic.Dialect{}}

func TestAuthAndDialectPerKind(t *testing.T) {
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		io.WriteString(w, "{}")
	}))
	defer srv.Close()
	tests := []struct {
		kind, dialect string
		wantDialect   string
		wantCompat    bool
		check         func(h http.Header) bool
	}{
		{"openai", "", "openai", false, func(h http.Header) bool { return h.Get("Authorization") == "Bearer k" && h.Get("x-api-key") == "" }},
		{"openai-compatible", "", "openai", true, func(h http.Header) bool { return h.Get("Authorization") == "Bearer k" }},
		{"anthropic", "", "anthropic", false, func(h http.Header) bool {
			return h.Get("x-api-key") == "k" && h.Get("Authorization") == "" && h.Get("anthropic-version") != ""
		}},
		{"sim", "anthropic", "anthropic", false, func(h http.Header) bool { return h.Get("x-api-key") == "k" }},
		{"sim", "", "openai", false, func(h http.Header) bool { return h.Get("Authorization") == "Bearer k" }},
	}
	for _, tt := range tests {
		t.Run(tt.kind+"/"+tt.dialect, func(t *testing.T) {
			p, err := New(config.Provider{Name: "p", Type: tt.kind, Dialect: tt.dialect, BaseURL: srv.URL + "/", APIKey: "k",
				Headers: map[string]string{"X-Extra": "1"}}, dialects, srv.Client(), time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if p.Dialect.Name() != tt.wantDialect {
				t.Fatalf("dialect %s", p.Dialect.Name())
			}
			if od, ok := p.Dialect.(openai.Dialect); ok && od.Compat != tt.wantCompat {
				t.Errorf("compat %v", od.Compat)
			}
			resp, err := p.Send(context.Background(), "/x", []byte("{}"), http.Header{"X-Request-Id": {"r1"}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if !tt.check(got) || got.Get("X-Extra") != "1" || got.Get("X-Request-Id") != "r1" || got.Get("Content-Type") != "application/json" {
				t.Errorf("headers %v", got)
			}
		})
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	for _, c := range []config.Provider{
		{Name: "a", Type: "gopher", BaseURL: "http://x"},
		{Name: "b", Type: "openai", BaseURL: "ftp://x"},
		{Name: "c", Type: "openai", BaseURL: "http://"},
	} {
		if _, err := New(c, dialects, http.DefaultClient, time.Minute); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
}

func TestServes(t *testing.T) {
	p := &Provider{Models: []string{"a"}}
	if !p.Serves("a") || p.Serves("b") {
		t.Error("listed models")
	}
	if !(&Provider{}).Serves("anything") {
		t.Error("empty list serves any")
	}
}

func TestClientDoesNotFollowRedirects(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://example.invalid/steal", http.StatusTemporaryRedirect)
	}))
	defer srv.Close()
	p, err := New(config.Provider{Name: "p", Type: "openai", BaseURL: srv.URL, APIKey: "secret"}, dialects, NewClient(TransportOptions{}), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := p.Send(context.Background(), "/chat/completions", []byte("{}"), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTemporaryRedirect {
		t.Fatalf("status %d", resp.StatusCode)
	}
}
