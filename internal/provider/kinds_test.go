package provider

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
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

// TestAzureRecorded replays the recorded Azure exchange: railyard must
// send the request to the deployment path with the api-version and the
// api-key header, and read Azure's reply (content filter results and all)
// as OpenAI's.
func TestAzureRecorded(t *testing.T) {
	reply, err := os.ReadFile("testdata/azure-chat-basic.response.json")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RequestURI() != "/openai/deployments/gpt-5-nano/chat/completions?api-version=2024-12-01-preview" || r.Header.Get("api-key") != "az-key" {
			http.Error(w, `{"error":{"code":"404","message":"Resource not found"}}`, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(reply)
	}))
	defer srv.Close()
	p, err := New(config.Provider{Name: "az", Type: config.TypeAzureOpenAI, BaseURL: srv.URL, APIKey: "az-key", APIVersion: "2024-12-01-preview"},
		kindDialects, srv.Client(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	req := &llm.Request{Model: "gpt-5-nano", Messages: []llm.Message{{Role: llm.RoleUser, Content: []llm.Part{{Type: llm.PartText, Text: "Hello!"}}}}}
	body, err := p.Dialect.EncodeRequest(req)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := p.Send(context.Background(), p.Dialect.Path(req), body, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, raw)
	}
	r, err := p.Dialect.DecodeResponse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if r.Model != "gpt-5-nano-2025-08-07" || r.StopReason != llm.StopEndTurn || !strings.HasPrefix(r.Content[0].Text, "Hi there!") {
		t.Fatalf("%+v", r)
	}
	if r.Usage != (llm.Usage{InputTokens: 8, OutputTokens: 271, ReasoningTokens: 192}) {
		t.Fatalf("usage %+v", r.Usage)
	}
	if e, ok := p.Dialect.(interface{ EmbedPath(string) string }); !ok || e.EmbedPath("emb") != "/openai/deployments/emb/embeddings?api-version=2024-12-01-preview" {
		t.Fatal("azure embeddings path")
	}
}

func TestMistralStrictFields(t *testing.T) {
	p, err := New(config.Provider{Name: "m", Type: "mistral", BaseURL: "https://api.mistral.ai/v1", APIKey: "k"}, kindDialects, http.DefaultClient, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if p.Dialect.Name() == "openai" {
		t.Fatal("Mistral must not take the OpenAI fast path: it would forward fields Mistral refuses")
	}
	seed, k := int64(7), 40
	req := &llm.Request{Model: "mistral-small-latest", Stream: true, StreamUsage: true, Seed: &seed, TopK: &k, User: "u", MaxTokens: 10,
		Messages: []llm.Message{{Role: llm.RoleUser, Content: []llm.Part{{Type: llm.PartText, Text: "hi"}}}}}
	body, err := p.Dialect.EncodeRequest(req)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	for _, gone := range []string{"stream_options", "top_k", "user", "seed", "max_completion_tokens"} {
		if _, ok := m[gone]; ok {
			t.Errorf("%s sent to Mistral: %s", gone, body)
		}
	}
	if m["random_seed"] != float64(7) || m["max_tokens"] != float64(10) || m["stream"] != true || m["model"] != "mistral-small-latest" {
		t.Errorf("body %s", body)
	}
	e := p.Dialect.(interface {
		EncodeEmbedRequest(*llm.EmbedRequest) ([]byte, error)
	})
	eb, err := e.EncodeEmbedRequest(&llm.EmbedRequest{Model: "mistral-embed", Input: []string{"a"}, Dimensions: 256, User: "u"})
	if err != nil || string(eb) != `{"encoding_format":"float","input":["a"],"model":"mistral-embed","output_dimension":256}` {
		t.Errorf("%v %s", err, eb)
	}
}

func TestQwenThinkingSwitch(t *testing.T) {
	p, err := New(config.Provider{Name: "q", Type: "qwen", BaseURL: "https://dashscope-intl.aliyuncs.com/compatible-mode/v1", APIKey: "k"}, kindDialects, http.DefaultClient, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if p.Dialect.Name() == "openai" {
		t.Fatal("Qwen must not take the fast path: the switch would be missing")
	}
	msgs := []llm.Message{{Role: llm.RoleUser, Content: []llm.Part{{Type: llm.PartText, Text: "hi"}}}}
	for _, tt := range []struct {
		req  llm.Request
		want string // enable_thinking,thinking_budget ("" when absent)
	}{
		{llm.Request{Model: "qwen3-32b"}, "false,"},
		{llm.Request{Model: "qwen3-32b", Reasoning: &llm.Reasoning{BudgetTokens: 500}}, "false,"},
		{llm.Request{Model: "qwen3-32b", Stream: true}, ","},
		{llm.Request{Model: "qwen3-32b", Stream: true, Reasoning: &llm.Reasoning{BudgetTokens: 500}}, "true,500"},
		{llm.Request{Model: "qwen3-32b", Stream: true, Reasoning: &llm.Reasoning{Disabled: true}}, "false,"},
	} {
		req := tt.req
		req.Messages = msgs
		body, err := p.Dialect.EncodeRequest(&req)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatal(err)
		}
		if got := string(m["enable_thinking"]) + "," + string(m["thinking_budget"]); got != tt.want {
			t.Errorf("stream=%v reasoning=%+v: %s, want %s (%s)", req.Stream, req.Reasoning, got, tt.want, body)
		}
	}
}
