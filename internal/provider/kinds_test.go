package provider

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/railyard-ai/railyard/internal/config"
	"github.com/railyard-ai/railyard/internal/dialect/anthropic"
	"github.com/railyard-ai/railyard/internal/dialect/gemini"
	"github.com/railyard-ai/railyard/internal/dialect/openai"
	"github.com/railyard-ai/railyard/internal/llm"
)

var kindDialects = Dialects{"openai": openai.Dialect{}, "openai-compatible": openai.Dialect{Compat: true},
	"anthropic": anthropic.Dialect{}, "gemini": gemini.Dialect{}}

func TestNewerKinds(t *testing.T) {
	var got *http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Clone(context.Background())
		w.Write([]byte("{}"))
	}))
	defer srv.Close()
	for _, tt := range []struct {
		cfg        config.Provider
		model      string
		wantPath   string
		wantHeader [2]string
		wantCompat bool
	}{
		{config.Provider{Type: "gemini"}, "gemini-2.5-flash", "/models/gemini-2.5-flash:generateContent", [2]string{"X-Goog-Api-Key", "k"}, false},
		{config.Provider{Type: "sim", Dialect: "gemini"}, "m", "/models/m:generateContent", [2]string{"X-Goog-Api-Key", "k"}, false},
		{config.Provider{Type: "azure-openai", Deployments: map[string]string{"gpt-4.1": "prod-41"}}, "gpt-4.1",
			"/openai/deployments/prod-41/chat/completions?api-version=2024-10-21", [2]string{"Api-Key", "k"}, false},
		{config.Provider{Type: "azure-openai", APIVersion: "2025-04-01-preview"}, "gpt-4o",
			"/openai/deployments/gpt-4o/chat/completions?api-version=2025-04-01-preview", [2]string{"Api-Key", "k"}, false},
		{config.Provider{Type: "deepseek"}, "deepseek-chat", "/chat/completions", [2]string{"Authorization", "Bearer k"}, true},
		{config.Provider{Type: "ollama"}, "llama3", "/chat/completions", [2]string{"Authorization", "Bearer k"}, true},
	} {
		t.Run(tt.cfg.Type, func(t *testing.T) {
			cfg := tt.cfg
			cfg.Name, cfg.BaseURL, cfg.APIKey = "p", srv.URL, "k"
			p, err := New(cfg, kindDialects, srv.Client(), time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			path := p.Dialect.Path(&llm.Request{Model: tt.model})
			if path != tt.wantPath {
				t.Fatalf("path %s, want %s", path, tt.wantPath)
			}
			if od, ok := p.Dialect.(openai.Dialect); ok && od.Compat != tt.wantCompat {
				t.Errorf("compat %v", od.Compat)
			}
			resp, err := p.Send(context.Background(), path, []byte("{}"), nil)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got.Header.Get(tt.wantHeader[0]) != tt.wantHeader[1] {
				t.Errorf("header %s = %q; all: %v", tt.wantHeader[0], got.Header.Get(tt.wantHeader[0]), got.Header)
			}
			if got.Header.Get("Authorization") != "" && tt.wantHeader[0] != "Authorization" {
				t.Errorf("key sent twice: %v", got.Header)
			}
			if got.URL.RequestURI() != tt.wantPath {
				t.Errorf("sent to %s", got.URL.RequestURI())
			}
		})
	}
}
