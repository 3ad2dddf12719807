package sim

import (
	"strings"
	"testing"
	"time"

	"github.com/railyard-ai/railyard/internal/config"
	"go.yaml.in/yaml/v3"
)

const simYAML = `
listen: 127.0.0.1:5001
seed: 42
defaults:
  overhead: 50ms
  output_tokens: 10
  faults:
    - {kind: status, status: 529, rate: 0.1, retry_after: 2s}
models:
  - name: fast
    latency: off
    reply: lorem
    faults: []
  - name: zero-itl
    inter_token_latency: 0s
    prefix_cache_blocks: 0
    batch_size: 4
    load_factor: 2.5
    faults:
      - {kind: disconnect, after_tokens: 3, rate: 0.5}
      - {kind: slow_headers}
`

func TestSimConfigYAML(t *testing.T) {
	var cfg config.Sim
	dec := yaml.NewDecoder(strings.NewReader(simYAML))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if cfg.ListenAddr() != "127.0.0.1:5001" || (config.Sim{}).ListenAddr() != config.DefaultSimListen {
		t.Fatal("listen")
	}
	other := cfg.Model("unlisted")
	if *other.Overhead != 50*time.Millisecond || *other.InterTokenLatency != 5*time.Millisecond || *other.OutputTokens != 10 || other.Reply != "echo" {
		t.Fatalf("unlisted model: %+v", other)
	}
	if len(other.Faults) != 1 || other.Faults[0].Status != 529 || *other.Faults[0].Rate != 0.1 {
		t.Fatalf("inherited faults: %+v", other.Faults)
	}
	fast := cfg.Model("fast")
	if *fast.Overhead != 0 || *fast.PrefillPerToken != 0 || *fast.InterTokenLatency != 0 || fast.Reply != "lorem" || len(fast.Faults) != 0 {
		t.Fatalf("fast: %+v", fast)
	}
	z := cfg.Model("zero-itl")
	if *z.InterTokenLatency != 0 || *z.Overhead != 50*time.Millisecond || *z.PrefixCacheBlocks != 0 || *z.BatchSize != 4 || *z.LoadFactor != 2.5 {
		t.Fatalf("zero-itl: %+v", z)
	}
	if len(z.Faults) != 2 || *z.Faults[1].Rate != 1 || z.Faults[1].Delay != time.Second {
		t.Fatalf("zero-itl faults: %+v", z.Faults)
	}
}

func TestSimConfigValidate(t *testing.T) {
	bad := []string{
		"defaults: {reply: poem}",
		"defaults: {tools: always}",
		"defaults: {latency: fast}",
		"defaults: {overhead: -1s}",
		"defaults: {load_factor: 0.5}",
		"defaults: {faults: [{kind: explode}]}",
		"defaults: {faults: [{kind: status, status: 200}]}",
		"defaults: {faults: [{kind: status, rate: 1.5}]}",
		"models: [{reply: echo}]",
		"models: [{name: a}, {name: a}]",
	}
	for _, y := range bad {
		var cfg config.Sim
		if err := yaml.Unmarshal([]byte(y), &cfg); err != nil {
			t.Fatalf("%s: %v", y, err)
		}
		if err := cfg.Validate(); err == nil {
			t.Errorf("%s: validated", y)
		}
	}
}
