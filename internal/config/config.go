// Package config holds railyard's configuration: the structs below are the
// reference (each field's doc comment states its default), loaded from
// strict YAML where ${VAR} expands from the environment.
//
// Loading: Parse (bytes) and Load (a file, defaults applied) decode a
// yaml.Node tree against the structs' yaml tags. An unknown key, a wrong
// type or a broken rule is an error naming the file, the line and the key
// path, with a "did you mean" for typos; every problem is reported at once
// as an ErrorList. Durations are Go strings ("30s", "10m"). Top-level keys
// starting with "x-" are ignored, so anchors (&name) can be defined there
// and merged with "<<: *name".
//
// Expansion: ${VAR} and ${VAR:-default} (default when unset or empty) are
// replaced inside scalar values only, after YAML parsing, so a variable can
// never add structure and lines stay right; $${ is a literal ${ and a "$"
// not followed by "{" is kept as is. Inside flow collections ([...] or
// {...}) quote the reference ("${VAR}"), since YAML reserves { there. An
// unset variable without default is an error, except in a provider's
// api_key: that provider is then left out (with the targets that use it,
// and models left without targets) and Config.Warnings says why, so one
// file can list every provider and each deployment enables those it has
// keys for. Write ${VAR:-} for a key that may be empty.
//
// Without a file, FromEnv builds a config from API keys in the environment
// and local inference servers that answer. Redacted gives a copy safe to
// print.
package config

import "time"

// Config is the whole file.
type Config struct {
	// Listen is the address the gateway serves on. Default 127.0.0.1:4000.
	Listen string `yaml:"listen"`
	// Store is where keys and the ledger live: sqlite://FILE or
	// postgres://... Default sqlite://railyard.db.
	Store string `yaml:"store"`
	// Redis, when set, shares limits, budgets and caches between replicas.
	// Default none: counters are in-process.
	Redis string `yaml:"redis"`
	// Auth configures who may call the gateway.
	Auth Auth `yaml:"auth"`
	// Server holds limits and timeouts of the HTTP server.
	Server Server `yaml:"server"`
	// Log configures logging.
	Log Log `yaml:"log"`
	// Providers are the upstreams railyard can call.
	Providers []Provider `yaml:"providers"`
	// Models are the model names clients may ask for, each routed over
	// targets. A provider's model may also be asked for as provider/model.
	Models []Model `yaml:"models"`
	// Routing tunes circuit breakers, retries and stream timeouts.
	Routing Routing `yaml:"routing"`
	// Catalog is a YAML file in the embedded model catalog's format
	// (internal/catalog/data/models.yaml) whose entries replace built-in
	// entries with the same id or add new ones: negotiated rates, or a cost
	// model for a self-hosted fleet (source: "operator: NOTE"). It is read at
	// start. Default none: the embedded catalog alone.
	Catalog string `yaml:"catalog"`
	// Sim configures `railyard sim` and the in-process simulator that a
	// provider of type sim without a base_url starts.
	Sim Sim `yaml:"sim"`

	// Warnings are problems that do not stop railyard, found while loading:
	// a provider disabled because its api_key names an unset variable, a
	// provider kind found in the environment that is not supported yet, and
	// the like. They are not read from the file; callers log them.
	Warnings []string `yaml:"-"`
}

// Auth configures client and admin authentication.
type Auth struct {
	// MasterKey reaches the admin API and UI. Default none: without any key
	// configured railyard serves only on loopback.
	MasterKey string `yaml:"master_key"`
}

// Server holds HTTP server limits. Zero values take the defaults below.
type Server struct {
	// MaxBodyBytes caps a request body; larger bodies get 413. Default 32 MiB.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// ReadHeaderTimeout bounds reading a request's headers. Default 10s.
	ReadHeaderTimeout time.Duration `yaml:"read_header_timeout"`
	// IdleTimeout closes idle keep-alive connections. Default 120s.
	IdleTimeout time.Duration `yaml:"idle_timeout"`
	// UpstreamTimeout bounds one upstream attempt from send to the last
	// byte. Default 10m (long generations stream for minutes).
	UpstreamTimeout time.Duration `yaml:"upstream_timeout"`
	// FirstByteTimeout bounds the wait for an upstream's response headers;
	// past it the attempt fails over. Default 60s.
	FirstByteTimeout time.Duration `yaml:"first_byte_timeout"`
	// ShutdownTimeout is how long SIGTERM waits for in-flight requests and
	// streams to finish. Default 30s.
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
	// DrainDelay is how long, after SIGTERM, railyard keeps accepting
	// requests while /readyz already answers 503, so that load balancers
	// see it leave before its listener closes. Default 0 (set a few seconds
	// behind a load balancer or in Kubernetes).
	DrainDelay time.Duration `yaml:"drain_delay"`
}

// Log configures logging.
type Log struct {
	// Level is debug, info, warn or error. Default info.
	Level string `yaml:"level"`
	// Format is text or json. Default text.
	Format string `yaml:"format"`
	// Prompts logs request and reply bodies at debug level. Default false:
	// prompts are never logged unless the operator turns this on.
	Prompts bool `yaml:"prompts"`
}

// Provider is one upstream.
type Provider struct {
	// Name identifies the provider in targets, headers and the ledger.
	Name string `yaml:"name"`
	// Type is openai, anthropic, openai-compatible, sim, gemini,
	// azure-openai, or a preset of an OpenAI-compatible service that needs
	// only a key: deepseek, qwen, mistral, groq, together, fireworks, xai,
	// openrouter, and the local vllm, sglang, ollama, llamacpp (Presets).
	Type string `yaml:"type"`
	// BaseURL is what the provider's own SDK calls its base URL: it ends in
	// /v1 for OpenAI and compatible servers and has no /v1 for Anthropic.
	// Default: the provider's public API; for sim, an in-process simulator.
	BaseURL string `yaml:"base_url"`
	// APIKey authenticates to the provider (Bearer for OpenAI-style,
	// x-api-key for Anthropic, x-goog-api-key for Gemini, api-key for
	// Azure OpenAI). Default none. When it names an unset
	// variable the provider is disabled with a warning.
	APIKey string `yaml:"api_key"`
	// Dialect is the wire format a sim or openai-compatible provider speaks:
	// openai or anthropic (or gemini, for sim). Default: openai, or
	// anthropic for type anthropic, gemini for type gemini.
	Dialect string `yaml:"dialect"`
	// Tags label the provider for routing rules (cloud, onprem, ...).
	Tags []string `yaml:"tags"`
	// Headers are extra headers sent with every upstream request.
	Headers map[string]string `yaml:"headers"`
	// AWS holds a bedrock provider's region and credentials: the keys
	// region, aws_access_key_id, aws_secret_access_key, aws_session_token
	// and aws_profile (see AWS in bedrock.go).
	AWS `yaml:",inline"`
	// Models lists model names the provider serves, for /v1/models and
	// provider/model addressing. Default none: any name is passed through.
	Models []string `yaml:"models"`
	// Timeout overrides server.upstream_timeout for this provider.
	Timeout time.Duration `yaml:"timeout"`
	// Deployments maps model names to Azure OpenAI deployment names (type
	// azure-openai). Default none: the model name is the deployment name.
	Deployments map[string]string `yaml:"deployments"`
	// APIVersion is the Azure OpenAI api-version (type azure-openai).
	// Default 2024-10-21.
	APIVersion string `yaml:"api_version"`
}

// Model is a name clients may ask for, routed over targets.
type Model struct {
	// Name is the model name clients send.
	Name string `yaml:"name"`
	// Route is the policy that orders targets: failover (in order),
	// weighted (by weight), latency (lowest expected latency, learned from
	// traffic), cost (cheapest by catalog price) or spillover (in order,
	// skipping targets at their capacity). Default failover.
	Route string `yaml:"route"`
	// Targets are the provider models that can serve this name.
	Targets []Target `yaml:"targets"`
	// Rules adjust routing per request (keep only tagged providers, send
	// to another model, change the policy). Default none.
	Rules []Rule `yaml:"rules"`
	// Retries is how many more rounds over the targets follow when every
	// target failed with a retryable error, after a jittered exponential
	// backoff (routing.retry_backoff) or the upstream's Retry-After.
	// Default 0: each target is tried once.
	Retries int `yaml:"retries"`
}

// Target is one provider model behind a model name.
type Target struct {
	// Provider names a providers entry.
	Provider string `yaml:"provider"`
	// Model is the provider's model name.
	Model string `yaml:"model"`
	// Weight is the share for the weighted policy. Default 1.
	Weight int `yaml:"weight"`
	// Capacity bounds what this target takes; at capacity it is skipped
	// (under every policy; spillover is built around it). Default none.
	Capacity *Capacity `yaml:"capacity"`
}
