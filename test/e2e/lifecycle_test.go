package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	ooption "github.com/openai/openai-go/v3/option"
)

// SIGTERM drains: the stream in flight finishes in full, new connections
// are refused, and the process exits 0.
func TestLifecycleGracefulShutdown(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{drainDelay: 300 * time.Millisecond})
	oa := e.openai()
	p := oaGreeting("slow")
	p.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
	s := oa.Chat.Completions.NewStreaming(context.Background(), p)
	defer s.Close()

	var acc openai.ChatCompletionAccumulator
	signalled := false
	var readyzc chan map[string]int
	for s.Next() {
		acc.AddChunk(s.Current())
		if !signalled && acc.Choices != nil && acc.Choices[0].Message.Content != "" {
			// The first token is out; 24 more follow at 40ms each.
			if err := e.gw.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			signalled = true
			readyzc = make(chan map[string]int, 1)
			go func() { readyzc <- pollReadyz(e.gw.URL(), 500*time.Millisecond) }()
		}
	}
	if err := s.Err(); err != nil {
		t.Fatalf("stream broke during the drain: %v", err)
	}
	if !signalled {
		t.Fatal("the stream never sent a token")
	}
	ch := acc.Choices[0]
	if ch.FinishReason != "stop" || acc.Usage.CompletionTokens != 25 || len(strings.Fields(ch.Message.Content)) < 20 {
		t.Errorf("drained stream: finish %q, %d tokens, text %q", ch.FinishReason, acc.Usage.CompletionTokens, ch.Message.Content)
	}
	err, ok := e.gw.wait(15 * time.Second)
	if !ok {
		t.Fatal("gateway still running 15s after SIGTERM")
	}
	if err != nil {
		t.Errorf("gateway exit: %v, want status 0\n%s", err, e.gw.Output())
	}
	out := e.gw.Output()
	if !strings.Contains(out, "draining: /readyz answers 503") || !strings.Contains(out, "shutting down: finishing in-flight requests") || !strings.Contains(out, "stopped") {
		t.Errorf("no drain log lines:\n%s", out)
	}
	// During drain_delay the listener stays open and /readyz answers 503
	// so load balancers see the replica leave; then the listener closes.
	// (A 200 can only come from before the signal was handled.)
	readyz := <-readyzc
	t.Logf("/readyz outcomes after SIGTERM: %v", readyz)
	if readyz["503"] == 0 {
		t.Errorf("/readyz never answered 503 while draining: %v", readyz)
	}
}

// pollReadyz counts /readyz outcomes for d: status codes, or "refused".
func pollReadyz(base string, d time.Duration) map[string]int {
	out := map[string]int{}
	c := &http.Client{Timeout: 200 * time.Millisecond, Transport: &http.Transport{DisableKeepAlives: true}}
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		resp, err := c.Get(base + "/readyz")
		if err != nil {
			out["refused"]++
			continue
		}
		resp.Body.Close()
		out[fmt.Sprint(resp.StatusCode)]++
	}
	return out
}

func TestLifecycleCheck(t *testing.T) {
	t.Parallel()
	env := []string{"PATH=" + os.Getenv("PATH")}
	good := writeConfig(t, fmt.Sprintf(gatewayConfig, "http://127.0.0.1:4001", "http://127.0.0.1:4002", ""))
	code, out := run(t, procOptions{env: env}, "check", "--config", good)
	if code != 0 || !strings.Contains(out, good+": ok (5 providers, 10 models)") {
		t.Errorf("check of a good config: exit %d\n%s", code, out)
	}

	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"unknown key", "providers:\n  - name: a\n    type: openai-compatible\n    base_ur: http://x/v1\n", `:4: providers[0]: unknown key "base_ur"`},
		{"unknown provider", "providers:\n  - {name: a, type: openai-compatible, base_url: \"http://x/v1\"}\nmodels:\n  - name: m\n    targets: [{provider: b, model: x}]\n",
			`:5: models[0].targets[0].provider: unknown provider "b"`},
		{"yaml syntax", "providers: [\n", `:`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := writeConfig(t, tc.yaml)
			code, out := run(t, procOptions{env: env}, "check", "--config", bad)
			if code != 1 || !strings.Contains(out, bad+tc.want) {
				t.Errorf("exit %d, want 1 and %q:\n%s", code, bad+tc.want, out)
			}
		})
	}
	t.Run("no config flag", func(t *testing.T) {
		code, out := run(t, procOptions{env: env}, "check")
		if code != 2 || !strings.Contains(out, "--config FILE is required") {
			t.Errorf("exit %d:\n%s", code, out)
		}
	})
}

// cleanEnv is the environment without any provider credentials, so the
// gateway falls back to its built-in simulator.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY",
			"AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_BEARER_TOKEN_BEDROCK", "RAILYARD_MASTER_KEY":
			continue
		}
		out = append(out, kv)
	}
	return out
}

func TestLifecycleDemo(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := startWith(t, procOptions{dir: dir, env: cleanEnv()}, "demo")
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(p.Output(), "Still serving on") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	out := p.Output()
	for _, want := range []string{
		"OpenAI Chat Completions  POST /v1/chat/completions  model=smart  -> 200",
		"Anthropic Messages  POST /v1/messages  model=smart  -> 200",
		"Still serving on " + p.URL(),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "reply:    Say hello from railyard."); n != 2 {
		t.Errorf("demo printed %d echoed replies, want 2:\n%s", n, out)
	}
	if n := strings.Count(out, "route:    failover: sim ok (provider sim, upstream model sim-smart)"); n != 2 {
		t.Errorf("demo printed %d sim routes, want 2:\n%s", n, out)
	}
	// It keeps serving: an SDK pointed at it works.
	c := openai.NewClient(ooption.WithBaseURL(p.URL()+"/v1"), ooption.WithAPIKey("unused"), ooption.WithMaxRetries(0))
	got, err := c.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{Model: "fast",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Still there?")}})
	if err != nil || got.Choices[0].Message.Content != "Still there?" {
		t.Fatalf("after the demo: %v %+v", err, got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		var names []string
		for _, e := range entries {
			names = append(names, filepath.Join(dir, e.Name()))
		}
		t.Logf("demo left files in its working directory: %v", names)
	}
}

func TestLifecycleRefusesExposureWithoutKey(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, "providers:\n  - {name: s, type: sim}\nmodels:\n  - name: m\n    targets: [{provider: s, model: sim-m}]\n")
	for _, listen := range []string{"0.0.0.0:0", "[::]:0"} {
		code, out := run(t, procOptions{env: cleanEnv()}, "serve", "--config", cfg, "--listen", listen)
		if code != 1 || !strings.Contains(out, "refusing to listen on "+listen+" without authentication") {
			t.Errorf("serve --listen %s without a key: exit %d\n%s", listen, code, out)
		}
	}
	// With a master key the same address is allowed: start, then stop.
	keyed := writeConfig(t, "auth: {master_key: sk-e2e}\nproviders:\n  - {name: s, type: sim}\nmodels:\n  - name: m\n    targets: [{provider: s, model: sim-m}]\n")
	code, out := runFor(t, 500*time.Millisecond, cleanEnv(), "serve", "--config", keyed, "--listen", "0.0.0.0:0")
	if code != 0 || !strings.Contains(out, "railyard listening") {
		t.Errorf("serve on 0.0.0.0 with a master key: exit %d\n%s", code, out)
	}
}
