package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go"
	aoption "github.com/anthropics/anthropic-sdk-go/option"
	"github.com/openai/openai-go/v3"
	ooption "github.com/openai/openai-go/v3/option"
)

// simConfig is the simulator's behaviour for every test: tiny latencies so
// the suite is fast, and one model per fault the gateway must handle.
// Unlisted names (sim-gpt, sim-claude) echo with the defaults.
const simConfig = `
sim:
  seed: 7
  defaults:
    overhead: 1ms
    prefill_per_token: 0s
    inter_token_latency: 1ms
  models:
    - name: sim-overloaded
      faults: [{kind: status, status: 529}]
    - name: sim-dies
      faults: [{kind: disconnect, after_tokens: 3}]
    - name: sim-429
      faults: [{kind: status, status: 429, retry_after: 7s}]
    - name: sim-500
      faults: [{kind: status, status: 500}]
    - name: sim-slow
      inter_token_latency: 40ms
      output_tokens: 25
      reply: lorem
`

// gatewayConfig routes every model name the tests use. %[1]s is the
// simulator's base URL, %[2]s the spy proxy's (the same simulator behind a
// request counter), %[3]s extra top-level YAML (auth, server limits).
const gatewayConfig = `
%[3]s
providers:
  - {name: sim-openai, type: openai-compatible, base_url: "%[1]s/v1"}
  - {name: sim-anthropic, type: anthropic, base_url: "%[1]s", api_key: sk-ant-sim}
  - {name: dead, type: openai-compatible, base_url: "http://127.0.0.1:1/v1"}
  - {name: spy-openai, type: openai-compatible, base_url: "%[2]s/v1"}
  - {name: spy-anthropic, type: anthropic, base_url: "%[2]s"}
models:
  - name: claude-backed
    targets: [{provider: sim-anthropic, model: sim-claude}]
  - name: gpt-backed
    targets: [{provider: sim-openai, model: sim-gpt}]
  - name: resilient
    targets:
      - {provider: dead, model: gpt-dead}
      - {provider: sim-openai, model: sim-overloaded}
      - {provider: sim-anthropic, model: sim-claude}
  - name: dies-midstream
    targets:
      - {provider: sim-openai, model: sim-dies}
      - {provider: sim-anthropic, model: sim-claude}
  - name: slow
    targets: [{provider: sim-openai, model: sim-slow}]
  - name: rate-limited
    targets:
      - {provider: sim-openai, model: sim-429}
      - {provider: sim-anthropic, model: sim-429}
  - name: all-fail
    targets:
      - {provider: dead, model: gpt-dead}
      - {provider: sim-openai, model: sim-500}
  - name: all-overloaded
    targets:
      - {provider: sim-anthropic, model: sim-overloaded}
      - {provider: sim-openai, model: sim-overloaded}
  - name: spied-gpt
    targets: [{provider: spy-openai, model: sim-gpt}]
  - name: spied-claude
    targets: [{provider: spy-anthropic, model: sim-claude}]
`

// modelNames are the names gatewayConfig defines, as /v1/models lists them.
var modelNames = []string{"all-fail", "all-overloaded", "claude-backed", "dies-midstream", "gpt-backed",
	"rate-limited", "resilient", "slow", "spied-claude", "spied-gpt"}

// envOptions change the gateway's config for one test.
type envOptions struct {
	masterKey    string
	maxBodyBytes int64
	drainDelay   time.Duration
}

// env is one test's world: a `railyard sim` process, a spy proxy in front
// of it, and a `railyard serve` process routing to both.
type env struct {
	t   testing.TB
	sim *proc
	gw  *proc
	spy *spy
	key string
}

// newEnv starts a simulator and a gateway for one test.
func newEnv(t testing.TB, o envOptions) *env {
	t.Helper()
	sim := start(t, "sim", "--config", writeConfig(t, simConfig))
	sp := newSpy(t, sim.URL())
	var extra []string
	if o.masterKey != "" {
		extra = append(extra, fmt.Sprintf("auth: {master_key: %q}", o.masterKey))
	}
	server := "server: {first_byte_timeout: 5s, shutdown_timeout: 10s"
	if o.maxBodyBytes > 0 {
		server += fmt.Sprintf(", max_body_bytes: %d", o.maxBodyBytes)
	}
	if o.drainDelay > 0 {
		server += fmt.Sprintf(", drain_delay: %s", o.drainDelay)
	}
	extra = append(extra, server+"}")
	cfg := fmt.Sprintf(gatewayConfig, sim.URL(), sp.srv.URL, strings.Join(extra, "\n"))
	gw := start(t, "serve", "--config", writeConfig(t, cfg))
	key := "sk-unused"
	if o.masterKey != "" {
		// The master key reaches the admin API only; clients need a
		// virtual key.
		key = createKey(t, gw.URL(), o.masterKey, `{"name":"e2e"}`)
	}
	return &env{t: t, sim: sim, gw: gw, spy: sp, key: key}
}

// openai returns an OpenAI SDK client for the gateway.
func (e *env) openai(opts ...ooption.RequestOption) openai.Client {
	return openai.NewClient(append([]ooption.RequestOption{
		ooption.WithBaseURL(e.gw.URL() + "/v1"), ooption.WithAPIKey(e.key), ooption.WithMaxRetries(0),
	}, opts...)...)
}

// anthropic returns an Anthropic SDK client for the gateway.
func (e *env) anthropic(opts ...aoption.RequestOption) anthropic.Client {
	return anthropic.NewClient(append([]aoption.RequestOption{
		aoption.WithBaseURL(e.gw.URL()), aoption.WithAPIKey(e.key), aoption.WithMaxRetries(0),
	}, opts...)...)
}

// spy is a reverse proxy in front of the simulator that counts every
// request reaching it: `railyard sim` has no counter endpoint, and its own
// logs skip requests it rejects, so counting on the wire is the sound way
// to prove that bad input never reaches an upstream.
type spy struct {
	srv   *httptest.Server
	count atomic.Int64
}

func newSpy(t testing.TB, target string) *spy {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	s := &spy{}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.FlushInterval = -1 // streams pass through as they arrive
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.count.Add(1)
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

// requests is how many requests reached the simulator through the spy.
func (s *spy) requests() int64 { return s.count.Load() }
