package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	ooption "github.com/openai/openai-go/v3/option"
)

// geminiGatewayConfig routes to the simulator in Gemini mode: a provider
// of type gemini (x-goog-api-key, /v1beta/models/{model}:generateContent)
// whose base URL is the simulator's. %[1]s is the simulator's base URL.
const geminiGatewayConfig = `
server: {first_byte_timeout: 5s, shutdown_timeout: 10s}
providers:
  - {name: sim-gemini, type: gemini, base_url: "%[1]s/v1beta", api_key: g-sim}
  - {name: sim-openai, type: openai-compatible, base_url: "%[1]s/v1"}
models:
  - name: gemini-backed
    targets: [{provider: sim-gemini, model: sim-gemini-flash}]
  - name: gpt-backed
    targets: [{provider: sim-openai, model: sim-gpt}]
  - name: embed
    targets: [{provider: sim-openai, model: text-embedding-3-small}]
  - name: gemini-embed
    targets: [{provider: sim-gemini, model: gemini-embedding-001}]
  - name: gemini-resilient
    targets:
      - {provider: sim-gemini, model: sim-overloaded}
      - {provider: sim-gemini, model: sim-429}
      - {provider: sim-openai, model: sim-gpt}
  - name: gemini-exhausted
    targets: [{provider: sim-gemini, model: sim-429}]
`

// newGeminiEnv starts a simulator and a gateway that calls it as Gemini.
func newGeminiEnv(t *testing.T) *env {
	t.Helper()
	sim := start(t, "sim", "--config", writeConfig(t, simConfig))
	gw := start(t, "serve", "--config", writeConfig(t, fmt.Sprintf(geminiGatewayConfig, sim.URL())))
	return &env{t: t, sim: sim, gw: gw, key: "sk-unused"}
}

func TestGeminiUpstreamText(t *testing.T) {
	t.Parallel()
	e := newGeminiEnv(t)
	want := wantRoute{"sim-gemini", "sim-gemini-flash", "failover: sim-gemini ok"}
	checkGreetings(t, e, "gemini-backed", want)
}

func TestGeminiUpstreamTools(t *testing.T) {
	t.Parallel()
	e := newGeminiEnv(t)
	checkToolRoundTrips(t, e, "gemini-backed", "")
}

// TestGeminiClient speaks Gemini's REST API to the gateway, with the key in
// x-goog-api-key as Google's SDKs send it, in front of an OpenAI upstream
// and of the Gemini simulator (the fast path).
func TestGeminiClient(t *testing.T) {
	t.Parallel()
	e := newGeminiEnv(t)
	body := `{"systemInstruction":{"parts":[{"text":"You are terse."}]},"contents":[{"role":"user","parts":[{"text":"Hello from a Gemini client"}]}]}`
	hdr := map[string]string{"x-goog-api-key": "k"}
	for _, model := range []string{"gpt-backed", "gemini-backed"} {
		status, h, out := post(t, e.gw.URL()+"/v1beta/models/"+model+":generateContent", body, hdr)
		var r struct {
			Candidates []struct {
				Content struct {
					Role  string `json:"role"`
					Parts []struct {
						Text string `json:"text"`
					} `json:"parts"`
				} `json:"content"`
				FinishReason string `json:"finishReason"`
			} `json:"candidates"`
			UsageMetadata struct {
				PromptTokenCount, CandidatesTokenCount, TotalTokenCount int
			} `json:"usageMetadata"`
		}
		if status != http.StatusOK || json.Unmarshal(out, &r) != nil || len(r.Candidates) != 1 {
			t.Fatalf("%s: %d %s", model, status, out)
		}
		c := r.Candidates[0]
		if c.Content.Role != "model" || len(c.Content.Parts) != 1 || c.Content.Parts[0].Text != "Hello from a Gemini client" || c.FinishReason != "STOP" {
			t.Errorf("%s: %s", model, out)
		}
		if u := r.UsageMetadata; u.PromptTokenCount != 11 || u.CandidatesTokenCount != 5 || u.TotalTokenCount != 16 {
			t.Errorf("%s: usage %+v", model, u)
		}
		if h.Get("X-Railyard-Provider") == "" {
			t.Errorf("%s: no route headers", model)
		}

		status, _, out = post(t, e.gw.URL()+"/v1beta/models/"+model+":streamGenerateContent?alt=sse", body, hdr)
		text := ""
		for _, line := range strings.Split(string(out), "\n") {
			data, ok := strings.CutPrefix(line, "data: ")
			if !ok {
				continue
			}
			var chunk struct {
				Candidates []struct {
					Content struct {
						Parts []struct {
							Text string `json:"text"`
						} `json:"parts"`
					} `json:"content"`
					FinishReason string `json:"finishReason"`
				} `json:"candidates"`
			}
			if err := json.Unmarshal([]byte(data), &chunk); err != nil {
				t.Fatalf("%s stream chunk %q: %v", model, data, err)
			}
			for _, c := range chunk.Candidates {
				for _, p := range c.Content.Parts {
					text += p.Text
				}
			}
		}
		if status != http.StatusOK || text != "Hello from a Gemini client" || !strings.Contains(string(out), `"finishReason":"STOP"`) {
			t.Errorf("%s stream: %d %q\n%s", model, status, text, out)
		}
	}
	// Bad input is a 400 in Google's error shape, before any upstream call.
	status, _, out := post(t, e.gw.URL()+"/v1beta/models/gpt-backed:generateContent", `{"contents":[]}`, hdr)
	if status != http.StatusBadRequest || !strings.Contains(string(out), `"status":"INVALID_ARGUMENT"`) {
		t.Errorf("bad input: %d %s", status, out)
	}
}

// TestEmbeddingsOpenAISDK asks the gateway for embeddings with the OpenAI
// SDK, by provider/model and by alias, as floats and as base64, and checks
// the simulator's vectors: unit length, deterministic per text, priced.
func TestEmbeddingsOpenAISDK(t *testing.T) {
	t.Parallel()
	e := newGeminiEnv(t)
	c := e.openai()
	var hr *http.Response
	got, err := c.Embeddings.New(context.Background(), openai.EmbeddingNewParams{
		Model: "gpt-backed/unused", Input: openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: []string{"a"}},
	})
	if err == nil {
		t.Fatalf("unknown model answered: %+v", got)
	}
	params := openai.EmbeddingNewParams{
		Model:      "sim-openai/text-embedding-3-small",
		Input:      openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: []string{"How do I reset my password?", "Hello world", "How do I reset my password?"}},
		Dimensions: openai.Int(16),
	}
	got, err = c.Embeddings.New(context.Background(), params, ooption.WithResponseInto(&hr))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Data) != 3 || got.Model != "text-embedding-3-small" || got.Usage.PromptTokens == 0 || got.Usage.TotalTokens != got.Usage.PromptTokens {
		t.Fatalf("%d vectors, model %q, usage %+v", len(got.Data), got.Model, got.Usage)
	}
	for i, d := range got.Data {
		if d.Index != int64(i) || len(d.Embedding) != 16 {
			t.Fatalf("vector %d: index %d len %d", i, d.Index, len(d.Embedding))
		}
		var n float64
		for _, f := range d.Embedding {
			n += f * f
		}
		if math.Abs(n-1) > 1e-3 {
			t.Errorf("vector %d has norm² %v", i, n)
		}
	}
	for j := range got.Data[0].Embedding {
		if got.Data[0].Embedding[j] != got.Data[2].Embedding[j] {
			t.Fatal("the same text embedded differently")
		}
	}
	if hr.Header.Get("X-Railyard-Provider") != "sim-openai" || hr.Header.Get("X-Railyard-Cost-Usd") == "" {
		t.Errorf("headers %v", hr.Header)
	}
	// base64, through the model alias.
	params.Model = "embed"
	params.EncodingFormat = openai.EmbeddingNewParamsEncodingFormatBase64
	b64, err := c.Embeddings.New(context.Background(), params, ooption.WithResponseInto(&hr))
	if err != nil {
		t.Fatal(err)
	}
	if len(b64.Data) != 3 || len(b64.Data[1].Embedding) != 16 || float32(b64.Data[1].Embedding[0]) != float32(got.Data[1].Embedding[0]) {
		t.Fatalf("base64 reply %+v", b64.Data)
	}
	if r := hr.Header.Get("X-Railyard-Route"); r != "failover: sim-openai ok" {
		t.Errorf("route %q", r)
	}
}

// TestGeminiUpstreamFailover: Gemini error replies (529, 429 with
// Retry-After, in Google's error shape) fail over to the next target, and
// when none is left the client sees the rate limit in its own dialect.
func TestGeminiUpstreamFailover(t *testing.T) {
	t.Parallel()
	e := newGeminiEnv(t)
	got, hr := oaChat(t, e.openai(), oaGreeting("gemini-resilient"))
	if got.Choices[0].Message.Content != "Hello from the OpenAI SDK" {
		t.Errorf("reply %q", got.Choices[0].Message.Content)
	}
	if r := hr.Header.Get("X-Railyard-Route"); r != "failover: sim-gemini 529 -> sim-gemini 429 -> sim-openai ok" {
		t.Errorf("route %q", r)
	}
	status, h, body := post(t, e.gw.URL()+"/v1/messages", `{"model":"gemini-exhausted","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}`,
		map[string]string{"anthropic-version": "2023-06-01"})
	if status != http.StatusTooManyRequests || h.Get("Retry-After") != "7" || !strings.Contains(string(body), `"rate_limit_error"`) {
		t.Errorf("exhausted: %d retry-after %q %s", status, h.Get("Retry-After"), body)
	}
}

// TestEmbeddingsGeminiUpstream: the OpenAI SDK's embeddings call goes to
// the simulator's Gemini batchEmbedContents, and comes back in OpenAI's
// shape with an estimated token count (Gemini reports none).
func TestEmbeddingsGeminiUpstream(t *testing.T) {
	t.Parallel()
	e := newGeminiEnv(t)
	var hr *http.Response
	c := e.openai()
	got, err := c.Embeddings.New(context.Background(), openai.EmbeddingNewParams{
		Model:      "gemini-embed",
		Input:      openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: []string{"sixteen bytes!!!", "four"}},
		Dimensions: openai.Int(8),
	}, ooption.WithResponseInto(&hr))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Data) != 2 || len(got.Data[0].Embedding) != 8 || got.Model != "gemini-embedding-001" || got.Usage.PromptTokens != 5 {
		t.Fatalf("%d vectors, model %q, usage %+v", len(got.Data), got.Model, got.Usage)
	}
	if hr.Header.Get("X-Railyard-Provider") != "sim-gemini" || hr.Header.Get("X-Railyard-Route") != "failover: sim-gemini ok" {
		t.Errorf("headers %v", hr.Header)
	}
}
