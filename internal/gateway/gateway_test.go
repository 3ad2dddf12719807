package gateway

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/railyard-ai/railyard/internal/config"
	"github.com/railyard-ai/railyard/internal/dialect/anthropic"
	"github.com/railyard-ai/railyard/internal/dialect/openai"
	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/provider"
	"github.com/railyard-ai/railyard/internal/requestid"
	"github.com/railyard-ai/railyard/internal/route"
)

var testDialects = provider.Dialects{
	"openai":            openai.Dialect{},
	"openai-compatible": openai.Dialect{Compat: true},
	"anthropic":         anthropic.Dialect{},
}

// upstream is a fake provider that counts calls and records what it got.
type upstream struct {
	*httptest.Server
	calls atomic.Int32
	last  atomic.Pointer[[]byte]
}

func newUpstream(t testing.TB, h func(w http.ResponseWriter, r *http.Request, body []byte)) *upstream {
	t.Helper()
	u := &upstream{}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.calls.Add(1)
		b, _ := io.ReadAll(r.Body)
		u.last.Store(&b)
		h(w, r, b)
	}))
	t.Cleanup(u.Close)
	return u
}

func (u *upstream) lastBody() string {
	if b := u.last.Load(); b != nil {
		return string(*b)
	}
	return ""
}

type target struct {
	name, kind, url, model string
}

// newGateway builds a gateway with one model "m" failing over across targets.
func newGateway(t *testing.T, targets ...target) *Gateway {
	t.Helper()
	return newGatewayF(t, targets...)
}

func newGatewayF(t testing.TB, targets ...target) *Gateway {
	t.Helper()
	client := provider.NewClient(provider.TransportOptions{FirstByteTimeout: 5 * time.Second})
	var providers []*provider.Provider
	mc := config.Model{Name: "m"}
	for _, tg := range targets {
		p, err := provider.New(config.Provider{Name: tg.name, Type: tg.kind, BaseURL: tg.url, APIKey: "sk-secret-" + tg.name}, testDialects, client, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		providers = append(providers, p)
		mc.Targets = append(mc.Targets, config.Target{Provider: tg.name, Model: tg.model, Weight: 1})
	}
	table, err := route.NewTable([]config.Model{mc}, providers)
	if err != nil {
		t.Fatal(err)
	}
	return New(table, Options{MaxBodyBytes: 1 << 20})
}

func serveOpenAI(g *Gateway, body string) *httptest.ResponseRecorder {
	return serveWith(g, openai.Dialect{}, "/v1/chat/completions", body)
}

func serveAnthropic(g *Gateway, body string) *httptest.ResponseRecorder {
	return serveWith(g, anthropic.Dialect{}, "/v1/messages", body)
}

func serveWith(g *Gateway, d interface{ Name() string }, path, body string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	var h http.Handler
	switch d.Name() {
	case "anthropic":
		h = g.Handler(anthropic.Dialect{})
	default:
		h = g.Handler(openai.Dialect{})
	}
	requestid.Middleware(h).ServeHTTP(rec, req)
	return rec
}

const anthropicReply = `{"id":"msg_01","type":"message","role":"assistant","model":"claude-haiku-4-5","content":[{"type":"text","text":"Hi there"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":10,"cache_creation_input_tokens":4,"cache_read_input_tokens":6,"output_tokens":3}}`

const overloaded = `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`

func TestFailoverToNextTargetOnRetryableStatus(t *testing.T) {
	a := newUpstream(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		w.WriteHeader(529)
		io.WriteString(w, overloaded)
	})
	b := newUpstream(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		if r.Header.Get("x-api-key") != "sk-secret-b" || r.Header.Get("anthropic-version") == "" {
			w.WriteHeader(401)
			return
		}
		io.WriteString(w, anthropicReply)
	})
	g := newGateway(t, target{"a", "anthropic", a.URL, "claude-a"}, target{"b", "anthropic", b.URL, "claude-b"})
	rec := serveOpenAI(g, `{"model":"m","messages":[{"role":"user","content":"hi"}]}`)
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if got := rec.Header().Get(HeaderRoute); got != "failover: a 529 -> b ok" {
		t.Errorf("route header %q", got)
	}
	if rec.Header().Get(HeaderProvider) != "b" || rec.Header().Get(HeaderModel) != "claude-haiku-4-5" {
		t.Errorf("provider/model headers %q %q", rec.Header().Get(HeaderProvider), rec.Header().Get(HeaderModel))
	}
	if rec.Header().Get(requestid.Header) == "" {
		t.Error("no request id")
	}
	var reply struct {
		Choices []struct{ Message struct{ Content string } }
		Usage   struct {
			PromptTokens        int `json:"prompt_tokens"`
			CompletionTokens    int `json:"completion_tokens"`
			PromptTokensDetails struct {
				CachedTokens int `json:"cached_tokens"`
			} `json:"prompt_tokens_details"`
		}
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &reply); err != nil {
		t.Fatal(err)
	}
	if reply.Choices[0].Message.Content != "Hi there" {
		t.Errorf("content %q", reply.Choices[0].Message.Content)
	}
	// Anthropic's input_tokens excludes cache reads and writes; OpenAI's
	// prompt_tokens includes them.
	if reply.Usage.PromptTokens != 20 || reply.Usage.PromptTokensDetails.CachedTokens != 6 || reply.Usage.CompletionTokens != 3 {
		t.Errorf("usage %+v", reply.Usage)
	}
	if !strings.Contains(b.lastBody(), `"model":"claude-b"`) {
		t.Errorf("upstream b got %s", b.lastBody())
	}
}

func TestNoFailoverOnClientError(t *testing.T) {
	a := newUpstream(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		w.WriteHeader(400)
		io.WriteString(w, `{"type":"error","error":{"type":"invalid_request_error","message":"messages.0: bad image"}}`)
	})
	b := newUpstream(t, func(w http.ResponseWriter, r *http.Request, _ []byte) { io.WriteString(w, anthropicReply) })
	g := newGateway(t, target{"a", "anthropic", a.URL, "x"}, target{"b", "anthropic", b.URL, "y"})
	rec := serveOpenAI(g, `{"model":"m","messages":[{"role":"user","content":"hi"}]}`)
	if rec.Code != 400 || b.calls.Load() != 0 {
		t.Fatalf("status %d, b calls %d", rec.Code, b.calls.Load())
	}
	if !strings.Contains(rec.Body.String(), "bad image") || !strings.Contains(rec.Body.String(), `"error"`) {
		t.Errorf("body %s", rec.Body)
	}
}

func TestFailoverOnConnectionRefusedAndFinalErrors(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	limited := newUpstream(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(429)
		io.WriteString(w, `{"error":{"message":"Rate limit reached","type":"requests","param":null,"code":"rate_limit_exceeded"}}`)
	})
	g := newGateway(t, target{"dead", "openai", deadURL, "x"}, target{"limited", "openai", limited.URL, "y"})
	rec := serveAnthropic(g, `{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}`)
	if rec.Code != 429 || rec.Header().Get("Retry-After") != "7" {
		t.Fatalf("status %d retry-after %q: %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	if got := rec.Header().Get(HeaderRoute); got != "failover: dead connect error -> limited 429" {
		t.Errorf("route %q", got)
	}
	if !strings.Contains(rec.Body.String(), `"type":"error"`) || !strings.Contains(rec.Body.String(), "rate_limit_error") {
		t.Errorf("anthropic-shaped error expected: %s", rec.Body)
	}
}

func TestUpstreamCredentialErrorsDoNotLeak(t *testing.T) {
	a := newUpstream(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		w.WriteHeader(401)
		io.WriteString(w, `{"error":{"message":"Incorrect API key provided: sk-secret-a.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`)
	})
	g := newGateway(t, target{"a", "openai", a.URL, "x"})
	rec := serveOpenAI(g, `{"model":"m","messages":[{"role":"user","content":"hi"}]}`)
	if rec.Code != 502 || strings.Contains(rec.Body.String(), "sk-secret") {
		t.Fatalf("status %d body %s", rec.Code, rec.Body)
	}
}

func TestBadInputNeverReachesUpstream(t *testing.T) {
	u := newUpstream(t, func(w http.ResponseWriter, r *http.Request, _ []byte) { io.WriteString(w, anthropicReply) })
	g := newGateway(t, target{"a", "anthropic", u.URL, "x"})
	tests := []struct {
		name   string
		body   string
		status int
	}{
		{"not json", `{"model":`, 400},
		{"no messages", `{"model":"m","messages":[]}`, 400},
		{"unknown model", `{"model":"nope","messages":[{"role":"user","content":"hi"}]}`, 404},
		{"too large", `{"model":"m","messages":[{"role":"user","content":"` + strings.Repeat("x", 2<<20) + `"}]}`, 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := serveOpenAI(g, tt.body)
			if rec.Code != tt.status {
				t.Fatalf("status %d want %d: %s", rec.Code, tt.status, rec.Body)
			}
			var e struct {
				Error struct{ Message, Type string }
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Message == "" {
				t.Fatalf("not an OpenAI error: %s", rec.Body)
			}
		})
	}
	if u.calls.Load() != 0 {
		t.Fatalf("upstream called %d times", u.calls.Load())
	}
}

const openAIStream = "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4.1-mini-2025-04-14\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}],\"usage\":null}\n\n" +
	"data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4.1-mini-2025-04-14\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"},\"finish_reason\":null}],\"usage\":null}\n\n" +
	"data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4.1-mini-2025-04-14\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":null}\n\n" +
	"data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4.1-mini-2025-04-14\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":1,\"total_tokens\":10,\"prompt_tokens_details\":{\"cached_tokens\":0}}}\n\n" +
	"data: [DONE]\n\n"

func TestFastPathRewritesOnlyModelAndHidesInjectedUsage(t *testing.T) {
	u := newUpstream(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, openAIStream)
	})
	g := newGateway(t, target{"oa", "openai", u.URL, "gpt-4.1-mini"})
	rec := serveOpenAI(g, `{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}],"x_custom_field":{"keep":true}}`)
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	sent := u.lastBody()
	if !strings.Contains(sent, `"model":"gpt-4.1-mini"`) || !strings.Contains(sent, `"x_custom_field":{"keep":true}`) || !strings.Contains(sent, `"include_usage":true`) {
		t.Errorf("upstream body %s", sent)
	}
	body := rec.Body.String()
	if !strings.Contains(body, `"content":"Hello"`) || !strings.HasSuffix(body, "data: [DONE]\n\n") {
		t.Errorf("client stream %s", body)
	}
	if strings.Contains(body, `"prompt_tokens"`) {
		t.Errorf("usage chunk reached a client that did not ask: %s", body)
	}
	if got := rec.Header().Get(HeaderModel); got != "gpt-4.1-mini-2025-04-14" {
		t.Errorf("model header %q", got)
	}
}

func TestStreamTranslatedAnthropicClientFromOpenAIUpstream(t *testing.T) {
	u := newUpstream(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, openAIStream)
	})
	g := newGateway(t, target{"oa", "openai", u.URL, "gpt-4.1-mini"})
	rec := serveAnthropic(g, `{"model":"m","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"hi"}]}`)
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	body := rec.Body.String()
	for _, want := range []string{"event: message_start", "event: content_block_delta", `"text":"Hello"`, "event: message_delta", `"stop_reason":"end_turn"`, "event: message_stop"} {
		if !strings.Contains(body, want) {
			t.Errorf("missing %q in %s", want, body)
		}
	}
	if !strings.Contains(u.lastBody(), `"include_usage":true`) {
		t.Errorf("upstream not asked for usage: %s", u.lastBody())
	}
}

func TestStreamFailsOverBeforeFirstByteOnly(t *testing.T) {
	// a breaks before sending anything useful; b streams half then dies.
	a := newUpstream(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(200)
		io.WriteString(w, "data: {not json\n\n")
	})
	b := newUpstream(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		w.Header().Set("Content-Type", "text/event-stream")
		first := strings.SplitAfterN(openAIStream, "\n\n", 3)
		io.WriteString(w, first[0]+first[1])
	})
	c := newUpstream(t, func(w http.ResponseWriter, r *http.Request, _ []byte) { io.WriteString(w, openAIStream) })
	g := newGateway(t, target{"a", "openai", a.URL, "x"}, target{"b", "openai", b.URL, "y"}, target{"c", "openai", c.URL, "z"})
	rec := serveOpenAI(g, `{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}`)
	if rec.Code != 200 {
		t.Fatalf("status %d", rec.Code)
	}
	if c.calls.Load() != 0 {
		t.Errorf("failed over after the first byte reached the client")
	}
	body := rec.Body.String()
	if !strings.Contains(body, `"content":"Hello"`) || !strings.Contains(body, `"error"`) {
		t.Errorf("want partial stream then an error event, got %s", body)
	}
	if got := rec.Header().Get(HeaderRoute); !strings.HasPrefix(got, "failover: a ") || !strings.Contains(got, "-> b ok") {
		t.Errorf("route %q", got)
	}
}

func TestClientDisconnectCancelsUpstream(t *testing.T) {
	cancelled := make(chan struct{})
	u := newUpstream(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		<-r.Context().Done()
		close(cancelled)
	})
	g := newGateway(t, target{"a", "openai", u.URL, "x"})
	ctx, cancel := context.WithCancel(context.Background())
	req := httptest.NewRequest(http.MethodPost, "/v1/chat/completions",
		strings.NewReader(`{"model":"m","messages":[{"role":"user","content":"hi"}]}`)).WithContext(ctx)
	done := make(chan struct{})
	go func() {
		g.Handler(openai.Dialect{}).ServeHTTP(httptest.NewRecorder(), req)
		close(done)
	}()
	for u.calls.Load() == 0 {
		select {
		case <-done:
			t.Fatal("the request ended before it reached the upstream")
		case <-time.After(time.Millisecond):
		}
	}
	cancel()
	select {
	case <-cancelled:
	case <-time.After(5 * time.Second):
		t.Fatal("upstream request not cancelled")
	}
	<-done
}

func TestNativeOnlyRequestSkipsOtherDialects(t *testing.T) {
	an := newUpstream(t, func(w http.ResponseWriter, r *http.Request, _ []byte) { io.WriteString(w, anthropicReply) })
	oa := newUpstream(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		io.WriteString(w, `{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`)
	})
	const webSearch = `{"model":"m","max_tokens":50,"messages":[{"role":"user","content":"news?"}],"tools":[{"type":"web_search_20250305","name":"web_search","max_uses":2}]}`

	g := newGateway(t, target{"oa", "openai", oa.URL, "gpt"}, target{"an", "anthropic", an.URL, "claude"})
	rec := serveAnthropic(g, webSearch)
	if rec.Code != 200 || oa.calls.Load() != 0 {
		t.Fatalf("status %d, openai calls %d: %s", rec.Code, oa.calls.Load(), rec.Body)
	}
	if got := rec.Header().Get(HeaderRoute); got != "failover: oa skipped: needs anthropic -> an ok" {
		t.Errorf("route %q", got)
	}
	if !strings.Contains(an.lastBody(), `"web_search_20250305"`) {
		t.Errorf("server tool not forwarded on the fast path: %s", an.lastBody())
	}

	g = newGateway(t, target{"oa", "openai", oa.URL, "gpt"})
	rec = serveAnthropic(g, webSearch)
	if rec.Code != 400 || oa.calls.Load() != 0 || !strings.Contains(rec.Body.String(), "web_search_20250305") {
		t.Fatalf("status %d, openai calls %d: %s", rec.Code, oa.calls.Load(), rec.Body)
	}
}

// fixedPricer charges one micro-dollar per token of a model it knows.
type fixedPricer map[string]bool

func (p fixedPricer) Cost(model string, u llm.Usage) (float64, bool) {
	if !p[model] {
		return 0, false
	}
	return float64(u.InputTokens+u.OutputTokens) * 1e-6, true
}

func TestCostHeaderAndStreamTrailer(t *testing.T) {
	u := newUpstream(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		if strings.Contains(string(body), `"stream":true`) {
			w.Header().Set("Content-Type", "text/event-stream")
			io.WriteString(w, openAIStream)
			return
		}
		io.WriteString(w, `{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4.1-mini-2025-04-14","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":1,"total_tokens":10}}`)
	})
	g := newGateway(t, target{"oa", "openai", u.URL, "gpt-4.1-mini"})
	// The upstream answers with a dated snapshot the pricer does not know:
	// the target's model name prices it.
	g.pricer = fixedPricer{"gpt-4.1-mini": true}

	rec := serveAnthropic(g, `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}`)
	if got := rec.Header().Get(HeaderCost); got != "0.000010" {
		t.Errorf("cost header %q", got)
	}
	srv := httptest.NewServer(g.Handler(openai.Dialect{}))
	defer srv.Close()
	resp, err := http.Post(srv.URL, "application/json", strings.NewReader(`{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if got := resp.Trailer.Get(HeaderCost); got != "0.000010" {
		t.Errorf("cost trailer %q (trailers %v)", got, resp.Trailer)
	}

	g.pricer = fixedPricer{}
	rec = serveAnthropic(g, `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}`)
	if _, ok := rec.Header()[HeaderCost]; ok {
		t.Errorf("unpriced model got a cost header")
	}
}
