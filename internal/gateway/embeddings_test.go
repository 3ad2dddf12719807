package gateway

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/railyard-ai/railyard/internal/config"
	"github.com/railyard-ai/railyard/internal/dialect/gemini"
	"github.com/railyard-ai/railyard/internal/dialect/openai"
	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/provider"
	"github.com/railyard-ai/railyard/internal/route"
)

func serveEmbed(g *Gateway, body string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	g.EmbeddingsHandler(openai.Dialect{}).ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v1/embeddings", strings.NewReader(body)))
	return rec
}

type embedReply struct {
	Data []struct {
		Index     int             `json:"index"`
		Embedding json.RawMessage `json:"embedding"`
	} `json:"data"`
	Model string `json:"model"`
	Usage struct {
		PromptTokens int `json:"prompt_tokens"`
		TotalTokens  int `json:"total_tokens"`
	} `json:"usage"`
}

func TestEmbeddingsFailover(t *testing.T) {
	down := newUpstream(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		http.Error(w, `{"error":{"message":"overloaded","type":"server_error"}}`, http.StatusServiceUnavailable)
	})
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		if r.URL.Path != "/v1/embeddings" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(`{"object":"list","data":[{"object":"embedding","index":1,"embedding":[0.5,0.25]},{"object":"embedding","index":0,"embedding":[1,0]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":4,"total_tokens":4}}`))
	})
	never := newUpstream(t, func(w http.ResponseWriter, r *http.Request, body []byte) {})
	g := newGateway(t,
		target{"claude", "anthropic", never.URL, "claude-x"},
		target{"down", "openai-compatible", down.URL + "/v1", "emb"},
		target{"up", "openai-compatible", up.URL + "/v1", "text-embedding-3-small"},
	)
	rec := serveEmbed(g, `{"model":"m","input":["hello","world"],"encoding_format":"float"}`)
	if rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	var r embedReply
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil || len(r.Data) != 2 || string(r.Data[0].Embedding) != "[1,0]" || r.Usage.PromptTokens != 4 {
		t.Fatalf("%v %s", err, rec.Body)
	}
	if got := rec.Header().Get(HeaderRoute); got != "failover: claude skipped: no embeddings -> down 503 -> up ok" {
		t.Errorf("route %q", got)
	}
	if never.calls.Load() != 0 {
		t.Error("a provider without embeddings was called")
	}
	if !strings.Contains(up.lastBody(), `"model":"text-embedding-3-small"`) || !strings.Contains(up.lastBody(), `"input":["hello","world"]`) {
		t.Errorf("upstream got %s", up.lastBody())
	}
	// Bad input never goes upstream.
	calls := up.calls.Load()
	if rec := serveEmbed(g, `{"model":"m","input":[]}`); rec.Code != 400 || up.calls.Load() != calls {
		t.Errorf("bad input: %d %s", rec.Code, rec.Body)
	}
	if rec := serveEmbed(g, `{"model":"nope","input":"x"}`); rec.Code != 404 && rec.Code != 400 {
		t.Errorf("unknown model: %d", rec.Code)
	}
}

// TestEmbeddingsGemini goes through a Gemini upstream, which reports no
// token counts: usage is estimated and priced.
func TestEmbeddingsGemini(t *testing.T) {
	var gotPath, gotKey string
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		gotPath, gotKey = r.URL.Path, r.Header.Get("x-goog-api-key")
		w.Write([]byte(`{"embeddings":[{"values":[0.1,0.2,0.3]}]}`))
	})
	ds := provider.Dialects{"openai": openai.Dialect{}, "gemini": gemini.Dialect{}}
	p, err := provider.New(config.Provider{Name: "g", Type: config.TypeGemini, BaseURL: up.URL + "/v1beta", APIKey: "gk"}, ds,
		provider.NewClient(provider.TransportOptions{FirstByteTimeout: 5 * time.Second}), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	table, err := route.NewTable([]config.Model{{Name: "emb", Targets: []config.Target{{Provider: "g", Model: "gemini-embedding-001", Weight: 1}}}}, []*provider.Provider{p})
	if err != nil {
		t.Fatal(err)
	}
	g := New(table, Options{Pricer: perTokenPricer{}})
	rec := serveEmbed(g, `{"model":"emb","input":"sixteen bytes!!!","encoding_format":"base64"}`)
	if rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if gotPath != "/v1beta/models/gemini-embedding-001:batchEmbedContents" || gotKey != "gk" {
		t.Errorf("sent to %s with key %q", gotPath, gotKey)
	}
	var r embedReply
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil || r.Usage.PromptTokens != 4 || r.Model != "gemini-embedding-001" || r.Data[0].Embedding[0] != '"' {
		t.Fatalf("%v %s", err, rec.Body)
	}
	if rec.Header().Get(HeaderCost) == "" {
		t.Error("no cost header")
	}
}

type perTokenPricer struct{}

func (perTokenPricer) Cost(model string, u llm.Usage) (float64, bool) {
	return float64(u.InputTokens) * 1e-6, true
}
