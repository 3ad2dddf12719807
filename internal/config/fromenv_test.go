package config

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// fakeDiscover answers for the base URLs in servers.
func fakeDiscover(servers map[string][]string) Discover {
	return func(_ context.Context, base string) ([]string, bool) {
		m, ok := servers[base]
		return m, ok
	}
}

func TestFromEnv(t *testing.T) {
	type want struct {
		providers string // name:type,...
		fast      string // provider/model,...
		smart     string
		warnings  []string // substrings, in order
	}
	for _, tc := range []struct {
		name    string
		env     map[string]string
		servers map[string][]string
		want    want
	}{
		{
			name: "nothing: the simulator",
			want: want{providers: "sim:sim", fast: "sim/sim-fast", smart: "sim/sim-smart", warnings: []string{"built-in simulator"}},
		},
		{
			name: "openai",
			env:  map[string]string{"OPENAI_API_KEY": "sk-o"},
			want: want{providers: "openai:openai", fast: "openai/gpt-4.1-mini", smart: "openai/gpt-4.1"},
		},
		{
			name: "empty key counts as unset",
			env:  map[string]string{"OPENAI_API_KEY": ""},
			want: want{providers: "sim:sim", fast: "sim/sim-fast", smart: "sim/sim-smart", warnings: []string{"simulator"}},
		},
		{
			name: "both clouds fail over openai then anthropic",
			env:  map[string]string{"OPENAI_API_KEY": "sk-o", "ANTHROPIC_API_KEY": "sk-a"},
			want: want{
				providers: "openai:openai,anthropic:anthropic",
				fast:      "openai/gpt-4.1-mini,anthropic/claude-haiku-4-5",
				smart:     "openai/gpt-4.1,anthropic/claude-sonnet-4-5",
			},
		},
		{
			name: "gemini, and aws without a region only warns",
			env:  map[string]string{"GEMINI_API_KEY": "g", "AWS_ACCESS_KEY_ID": "AKIA", "ANTHROPIC_API_KEY": "sk-a"},
			want: want{
				providers: "anthropic:anthropic,gemini:gemini",
				fast:      "anthropic/claude-haiku-4-5,gemini/gemini-2.5-flash",
				smart:     "anthropic/claude-sonnet-4-5,gemini/gemini-2.5-pro",
				warnings:  []string{"AWS_REGION is not"},
			},
		},
		{
			name: "google api key as the SDKs read it",
			env:  map[string]string{"GOOGLE_API_KEY": "g"},
			want: want{providers: "gemini:gemini", fast: "gemini/gemini-2.5-flash", smart: "gemini/gemini-2.5-pro"},
		},
		{
			name: "bedrock from the AWS chain",
			env:  map[string]string{"AWS_PROFILE": "prod", "AWS_DEFAULT_REGION": "eu-west-1", "ANTHROPIC_API_KEY": "sk-a"},
			want: want{
				providers: "anthropic:anthropic,bedrock:bedrock",
				fast:      "anthropic/claude-haiku-4-5,bedrock/" + BedrockFastModel,
				smart:     "anthropic/claude-sonnet-4-5,bedrock/" + BedrockSmartModel,
			},
		},
		{
			name:    "ollama with models",
			servers: map[string][]string{OllamaBaseURL: {"llama3.2", "qwen3:8b"}},
			want:    want{providers: "ollama:openai-compatible", fast: "ollama/llama3.2", smart: "ollama/llama3.2"},
		},
		{
			name:    "vllm that cannot tell its models: no aliases, no sim",
			servers: map[string][]string{VLLMBaseURL: nil},
			want:    want{providers: "vllm:openai-compatible", warnings: []string{"found vllm at http://127.0.0.1:8000/v1 but not its models"}},
		},
		{
			name:    "cloud and both local servers",
			env:     map[string]string{"ANTHROPIC_API_KEY": "sk-a"},
			servers: map[string][]string{OllamaBaseURL: {"llama3.2"}, VLLMBaseURL: {"Qwen/Qwen3-32B"}},
			want: want{
				providers: "anthropic:anthropic,ollama:openai-compatible,vllm:openai-compatible",
				fast:      "anthropic/claude-haiku-4-5,ollama/llama3.2,vllm/Qwen/Qwen3-32B",
				smart:     "anthropic/claude-sonnet-4-5,ollama/llama3.2,vllm/Qwen/Qwen3-32B",
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := FromEnvDiscover(context.Background(), mapEnv(tc.env), fakeDiscover(tc.servers))
			if err := c.Validate(); err != nil {
				t.Fatalf("invalid config: %v", err)
			}
			var ps []string
			for _, p := range c.Providers {
				ps = append(ps, p.Name+":"+p.Type)
			}
			if got := strings.Join(ps, ","); got != tc.want.providers {
				t.Errorf("providers %s, want %s", got, tc.want.providers)
			}
			for _, alias := range []struct{ name, want string }{{"fast", tc.want.fast}, {"smart", tc.want.smart}} {
				got := ""
				if m := c.Model(alias.name); m != nil {
					var ts []string
					for _, tg := range m.Targets {
						ts = append(ts, tg.Provider+"/"+tg.Model)
					}
					got = strings.Join(ts, ",")
				}
				if got != alias.want {
					t.Errorf("%s = %q, want %q", alias.name, got, alias.want)
				}
			}
			if len(c.Warnings) != len(tc.want.warnings) {
				t.Fatalf("warnings %q, want %q", c.Warnings, tc.want.warnings)
			}
			for i, w := range tc.want.warnings {
				if !strings.Contains(c.Warnings[i], w) {
					t.Errorf("warning %q does not say %q", c.Warnings[i], w)
				}
			}
			if c.Listen != DefaultListen || c.Store != DefaultStore {
				t.Errorf("defaults not applied: %s %s", c.Listen, c.Store)
			}
			for _, p := range c.Providers {
				if p.Name == "openai" && p.APIKey != tc.env["OPENAI_API_KEY"] {
					t.Errorf("openai key not taken from the environment")
				}
			}
		})
	}
}

// TestFromEnvProbe: a bool probe finds servers but cannot name models.
func TestFromEnvProbe(t *testing.T) {
	// Called from several goroutines at once: keep it stateless.
	probe := func(_ context.Context, base string) bool { return base == OllamaBaseURL }
	env := mapEnv(map[string]string{"OPENAI_API_KEY": "sk-o", "OPENAI_BASE_URL": "http://127.0.0.1:4000/v1"})
	c := FromEnv(context.Background(), env, func(ctx context.Context, b string) bool { return probe(ctx, b) })
	if len(c.Providers) != 2 || c.Providers[1].Name != "ollama" || c.Providers[1].BaseURL != OllamaBaseURL {
		t.Fatalf("providers %+v", c.Providers)
	}
	// OPENAI_BASE_URL points clients at railyard; railyard must not call itself.
	if c.Providers[0].BaseURL != DefaultOpenAIBaseURL {
		t.Errorf("openai base_url %q", c.Providers[0].BaseURL)
	}
	if len(c.Model("fast").Targets) != 1 {
		t.Errorf("fast: %+v", c.Model("fast"))
	}
}

func TestDiscoverHTTP(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ok/v1/models", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": []map[string]any{{"id": "llama3.2", "object": "model"}, {"id": "qwen3:8b"}}})
	})
	mux.HandleFunc("GET /html/v1/models", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>")) })
	mux.HandleFunc("GET /slow/v1/models", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	ctx := context.Background()
	if m, ok := DiscoverHTTP(ctx, srv.URL+"/ok/v1"); !ok || strings.Join(m, ",") != "llama3.2,qwen3:8b" {
		t.Errorf("ok: %v %v", m, ok)
	}
	if m, ok := DiscoverHTTP(ctx, srv.URL+"/html/v1"); !ok || m != nil {
		t.Errorf("html: %v %v", m, ok)
	}
	if _, ok := DiscoverHTTP(ctx, srv.URL+"/missing/v1"); ok {
		t.Error("404 counted as found")
	}
	start := time.Now()
	if ProbeHTTP(ctx, srv.URL+"/slow/v1") {
		t.Error("slow server counted as found")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("probe took %v, want about %v", d, ProbeTimeout)
	}
	if ProbeHTTP(ctx, "http://127.0.0.1:1/v1") {
		t.Error("closed port counted as found")
	}
}
