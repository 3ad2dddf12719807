package config

// Provider types. Each is a dialect plus endpoint and auth; more (bedrock,
// gemini) arrive as their dialects land.
const (
	TypeOpenAI           = "openai"
	TypeAnthropic        = "anthropic"
	TypeOpenAICompatible = "openai-compatible"
	TypeSim              = "sim"
)

// Wire dialects a provider can speak.
const (
	DialectOpenAI    = "openai"
	DialectAnthropic = "anthropic"
)

// Route policies.
const (
	RouteFailover  = "failover"
	RouteWeighted  = "weighted"
	RouteLatency   = "latency"
	RouteCost      = "cost"
	RouteSpillover = "spillover"
)

// Default endpoints of the public APIs, as each provider's own SDK spells its
// base URL.
const (
	DefaultOpenAIBaseURL    = "https://api.openai.com/v1"
	DefaultAnthropicBaseURL = "https://api.anthropic.com"
)

// ProviderTypes returns the valid provider types, in the order error
// messages list them. It returns a new slice each time so no caller can
// change the list for another.
func ProviderTypes() []string {
	return append([]string{TypeOpenAI, TypeAnthropic, TypeOpenAICompatible, TypeSim, TypeGemini, TypeAzureOpenAI, TypeBedrock}, presetTypes()...)
}

// Dialects returns the valid values of Provider.Dialect.
func Dialects() []string {
	return []string{DialectOpenAI, DialectAnthropic, DialectGemini, DialectBedrock}
}

// Routes returns the valid values of Model.Route; a new policy is added
// here and in internal/route.
func Routes() []string {
	return []string{RouteFailover, RouteWeighted, RouteLatency, RouteCost, RouteSpillover}
}

// LogLevels returns the valid values of Log.Level.
func LogLevels() []string { return []string{"debug", "info", "warn", "error"} }

// LogFormats returns the valid values of Log.Format.
func LogFormats() []string { return []string{"text", "json"} }

// EffectiveDialect is the wire format railyard speaks to the provider: the
// configured dialect when set, else anthropic for type anthropic and openai
// for everything else. It does not need ApplyDefaults to have run.
func (p *Provider) EffectiveDialect() string {
	if p.Dialect != "" {
		return p.Dialect
	}
	if p.Type == TypeAnthropic {
		return DialectAnthropic
	}
	if p.Type == TypeGemini {
		return DialectGemini
	}
	if p.Type == TypeBedrock {
		return DialectBedrock
	}
	return DialectOpenAI
}

// EffectiveBaseURL is the base URL railyard calls: the configured one, else
// the public API of type openai or anthropic. It is empty for a sim
// provider without base_url, which means the in-process simulator.
func (p *Provider) EffectiveBaseURL() string {
	if p.BaseURL != "" {
		return p.BaseURL
	}
	switch p.Type {
	case TypeOpenAI:
		return DefaultOpenAIBaseURL
	case TypeAnthropic:
		return DefaultAnthropicBaseURL
	case TypeBedrock:
		if p.Region != "" {
			return BedrockBaseURL(p.Region)
		}
	}
	return kindBaseURL(p.Type)
}

// Provider returns the provider named name, or nil.
func (c *Config) Provider(name string) *Provider {
	for i := range c.Providers {
		if c.Providers[i].Name == name {
			return &c.Providers[i]
		}
	}
	return nil
}

// Model returns the model entry named name, or nil.
func (c *Config) Model(name string) *Model {
	for i := range c.Models {
		if c.Models[i].Name == name {
			return &c.Models[i]
		}
	}
	return nil
}

func oneOf(s string, list []string) bool {
	for _, v := range list {
		if s == v {
			return true
		}
	}
	return false
}
