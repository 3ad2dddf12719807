package config

import (
	"cmp"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"time"
)

// Loopback base URLs of local inference servers that FromEnv looks for.
const (
	OllamaBaseURL = "http://127.0.0.1:11434/v1"
	VLLMBaseURL   = "http://127.0.0.1:8000/v1"
)

// ProbeTimeout bounds ProbeHTTP and DiscoverHTTP, so starting without
// a config never hangs on a port that swallows packets.
const ProbeTimeout = 300 * time.Millisecond

// Discover reports whether an OpenAI-compatible server answers at baseURL
// and, when it can tell, the model names it serves.
type Discover func(ctx context.Context, baseURL string) (models []string, ok bool)

// FromEnv builds the config used when no --config is given and
// ./railyard.yaml is absent (DESIGN section 2). probe says whether a local
// server answers at a base URL (ProbeHTTP in production, a fake in tests).
// A bool cannot name the server's models, so with a probe the local server
// gets no "fast"/"smart" alias; pass nil to use DiscoverHTTP, which also
// learns the model names. See FromEnvDiscover for the rules.
func FromEnv(ctx context.Context, lookupEnv func(string) (string, bool), probe func(ctx context.Context, baseURL string) bool) *Config {
	var discover Discover = DiscoverHTTP
	if probe != nil {
		discover = func(ctx context.Context, baseURL string) ([]string, bool) {
			return nil, probe(ctx, baseURL)
		}
	}
	return FromEnvDiscover(ctx, lookupEnv, discover)
}

// FromEnvDiscover builds a config from the environment, with defaults
// applied:
//
//   - OPENAI_API_KEY gives provider "openai", ANTHROPIC_API_KEY provider
//     "anthropic". OPENAI_BASE_URL and ANTHROPIC_BASE_URL are deliberately
//     not read: clients pointed at railyard set them, and honouring them
//     would make railyard call itself.
//   - AWS credentials (AWS_ACCESS_KEY_ID, AWS_PROFILE, a web identity
//     token or AWS_BEARER_TOKEN_BEDROCK) with AWS_REGION or
//     AWS_DEFAULT_REGION give provider "bedrock" of type bedrock, which
//     signs with the standard AWS chain (models: Claude Haiku 4.5 and
//     Sonnet 4.5 global inference profiles); without a region, a warning.
//   - GEMINI_API_KEY (or GOOGLE_API_KEY, as Google's SDKs read it) gives
//     provider "gemini" of type gemini (gemini-2.5-flash / gemini-2.5-pro).
//   - An Ollama (OllamaBaseURL) or vLLM (VLLMBaseURL) server that discover
//     finds gives provider "ollama" or "vllm" of type openai-compatible.
//   - With none of these, provider "sim" of type sim: the in-process
//     simulator, so the README demo works on a bare machine.
//
// Then two model aliases, "fast" and "smart", each a failover over the
// providers found in the order above: openai gpt-4.1-mini / gpt-4.1,
// anthropic claude-haiku-4-5 / claude-sonnet-4-5, a local server's first
// model (skipped when discover cannot tell), sim sim-fast / sim-smart.
func FromEnvDiscover(ctx context.Context, lookupEnv func(string) (string, bool), discover Discover) *Config {
	if lookupEnv == nil {
		lookupEnv = func(string) (string, bool) { return "", false }
	}
	env := func(k string) string { v, _ := lookupEnv(k); return v }
	c := &Config{}
	var fast, smart []Target
	add := func(p Provider, fastModel, smartModel string) {
		c.Providers = append(c.Providers, p)
		if fastModel != "" {
			fast = append(fast, Target{Provider: p.Name, Model: fastModel})
		}
		if smartModel != "" {
			smart = append(smart, Target{Provider: p.Name, Model: smartModel})
		}
	}
	if k := env("OPENAI_API_KEY"); k != "" {
		add(Provider{Name: "openai", Type: TypeOpenAI, APIKey: k, Tags: []string{"cloud"}}, "gpt-4.1-mini", "gpt-4.1")
	}
	if k := env("ANTHROPIC_API_KEY"); k != "" {
		add(Provider{Name: "anthropic", Type: TypeAnthropic, APIKey: k, Tags: []string{"cloud"}}, "claude-haiku-4-5", "claude-sonnet-4-5")
	}
	if k := cmp.Or(env("GEMINI_API_KEY"), env("GOOGLE_API_KEY")); k != "" {
		add(Provider{Name: "gemini", Type: TypeGemini, APIKey: k, Tags: []string{"cloud"}}, "gemini-2.5-flash", "gemini-2.5-pro")
	}
	if p, ok, warn := bedrockFromEnv(env); ok {
		add(p, BedrockFastModel, BedrockSmartModel)
	} else if warn != "" {
		c.Warnings = append(c.Warnings, warn)
	}
	if discover != nil {
		local := []struct{ name, base string }{{"ollama", OllamaBaseURL}, {"vllm", VLLMBaseURL}}
		found := probeAll(ctx, discover, []string{local[0].base, local[1].base})
		for i, l := range local {
			r := found[i]
			if !r.ok {
				continue
			}
			first := ""
			if len(r.models) > 0 {
				first = r.models[0]
			} else {
				c.Warnings = append(c.Warnings, "found "+l.name+" at "+l.base+" but not its models; ask for "+l.name+"/MODEL")
			}
			add(Provider{Name: l.name, Type: TypeOpenAICompatible, BaseURL: l.base, Models: r.models, Tags: []string{"local"}}, first, first)
		}
	}
	if len(c.Providers) == 0 {
		c.Warnings = append(c.Warnings, "no OPENAI_API_KEY, ANTHROPIC_API_KEY or local model server found: serving the built-in simulator (provider sim)")
		add(Provider{Name: "sim", Type: TypeSim}, "sim-fast", "sim-smart")
	}
	if len(fast) > 0 {
		c.Models = append(c.Models, Model{Name: "fast", Route: RouteFailover, Targets: fast})
	}
	if len(smart) > 0 {
		c.Models = append(c.Models, Model{Name: "smart", Route: RouteFailover, Targets: smart})
	}
	c.ApplyDefaults()
	return c
}

type probeResult struct {
	models []string
	ok     bool
}

// probeAll asks discover about every base URL at once, so the worst case
// is one probe timeout rather than the sum.
func probeAll(ctx context.Context, discover Discover, bases []string) []probeResult {
	out := make([]probeResult, len(bases))
	var wg sync.WaitGroup
	for i, b := range bases {
		wg.Go(func() {
			m, ok := discover(ctx, b)
			out[i] = probeResult{models: m, ok: ok}
		})
	}
	wg.Wait()
	return out
}

// ProbeHTTP is the production probe: it reports whether GET {baseURL}/models answers 200 within
// ProbeTimeout.
func ProbeHTTP(ctx context.Context, baseURL string) bool {
	_, ok := DiscoverHTTP(ctx, baseURL)
	return ok
}

// DiscoverHTTP sends GET {baseURL}/models with ProbeTimeout and, on 200,
// reads the model ids from the OpenAI list shape {"data":[{"id":...}]}
// (which Ollama and vLLM both serve). A 200 whose body is not that shape
// still counts as found, with no models.
func DiscoverHTTP(ctx context.Context, baseURL string) ([]string, bool) {
	ctx, cancel := context.WithTimeout(ctx, ProbeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/models", nil)
	if err != nil {
		return nil, false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, false
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, false
	}
	var list struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&list); err != nil {
		return nil, true
	}
	var models []string
	for _, m := range list.Data {
		if m.ID != "" {
			models = append(models, m.ID)
		}
	}
	return models, true
}
