package config

import (
	"fmt"
	"slices"
	"strings"
)

// Provider types beyond the OpenAI and Anthropic APIs, and their defaults.
const (
	// TypeGemini is Google's Gemini API (generateContent), API-key auth.
	TypeGemini = "gemini"
	// TypeAzureOpenAI is Azure OpenAI: OpenAI's wire format under
	// /openai/deployments/{deployment}/..., an api-key header and an
	// api-version query parameter.
	TypeAzureOpenAI = "azure-openai"

	// DialectGemini is the Gemini wire format.
	DialectGemini = "gemini"

	// DefaultGeminiBaseURL is the Gemini API as Google's SDKs spell it.
	DefaultGeminiBaseURL = "https://generativelanguage.googleapis.com/v1beta"
	// DefaultAzureAPIVersion is the api-version sent to Azure OpenAI when
	// the config names none: the latest GA data-plane version.
	DefaultAzureAPIVersion = "2024-10-21"
)

// Preset is a named OpenAI-compatible service: type and key are all a
// provider entry needs, the base URL comes from here.
type Preset struct {
	// Type is the provider type that selects the preset.
	Type string
	// BaseURL is the service's OpenAI-compatible base URL.
	BaseURL string
	// Local marks a self-hosted server on its default loopback port.
	Local bool
}

// Presets returns the OpenAI-compatible presets, in the order error
// messages list them. It returns a new slice each time.
func Presets() []Preset {
	return []Preset{
		{Type: "deepseek", BaseURL: "https://api.deepseek.com/v1"},
		{Type: "qwen", BaseURL: "https://dashscope-intl.aliyuncs.com/compatible-mode/v1"},
		{Type: "mistral", BaseURL: "https://api.mistral.ai/v1"},
		{Type: "groq", BaseURL: "https://api.groq.com/openai/v1"},
		{Type: "together", BaseURL: "https://api.together.xyz/v1"},
		{Type: "fireworks", BaseURL: "https://api.fireworks.ai/inference/v1"},
		{Type: "xai", BaseURL: "https://api.x.ai/v1"},
		{Type: "openrouter", BaseURL: "https://openrouter.ai/api/v1"},
		{Type: "vllm", BaseURL: VLLMBaseURL, Local: true},
		{Type: "sglang", BaseURL: "http://127.0.0.1:30000/v1", Local: true},
		{Type: "ollama", BaseURL: OllamaBaseURL, Local: true},
		{Type: "llamacpp", BaseURL: "http://127.0.0.1:8080/v1", Local: true},
	}
}

// PresetFor returns the preset of provider type typ.
func PresetFor(typ string) (Preset, bool) {
	for _, p := range Presets() {
		if p.Type == typ {
			return p, true
		}
	}
	return Preset{}, false
}

// IsOpenAICompatible reports whether providers of type typ speak the
// OpenAI wire format as a compatible server (not api.openai.com itself).
func IsOpenAICompatible(typ string) bool {
	_, preset := PresetFor(typ)
	return preset || typ == TypeOpenAICompatible
}

func presetTypes() []string {
	var out []string
	for _, p := range Presets() {
		out = append(out, p.Type)
	}
	return out
}

// kindBaseURL is the default base URL of the newer provider types.
func kindBaseURL(typ string) string {
	if typ == TypeGemini {
		return DefaultGeminiBaseURL
	}
	if p, ok := PresetFor(typ); ok {
		return p.BaseURL
	}
	return ""
}

// applyKindDefaults fills the defaults of the newer provider types.
func (p *Provider) applyKindDefaults() {
	if p.Type == TypeAzureOpenAI {
		setDefault(&p.APIVersion, DefaultAzureAPIVersion)
	}
}

// validateKind checks the rules of the newer provider types: Azure needs
// its resource URL, gemini speaks only gemini, presets and Azure only
// openai, and deployments and api_version belong to Azure.
func (d *decoder) validateKind(p *Provider, path string, at func(string, string, ...any)) {
	switch {
	case p.Type == TypeAzureOpenAI && p.BaseURL == "":
		at(path, "provider %q of type azure-openai needs a base_url (https://RESOURCE.openai.azure.com)", clip(p.Name))
	case p.Type == TypeGemini && p.Dialect != "" && p.Dialect != DialectGemini:
		at(path+".dialect", "a provider of type gemini speaks only the gemini dialect")
	case (p.Type == TypeAzureOpenAI || slices.Contains(presetTypes(), p.Type)) && p.Dialect != "" && p.Dialect != DialectOpenAI:
		at(path+".dialect", "a provider of type %s speaks only the openai dialect", p.Type)
	case p.Dialect == DialectGemini && p.Type != TypeGemini && p.Type != TypeSim:
		at(path+".dialect", "the gemini dialect is spoken by providers of type gemini and sim")
	}
	if p.Type != TypeAzureOpenAI {
		if len(p.Deployments) > 0 {
			at(path+".deployments", "deployments apply to type azure-openai only")
		}
		if p.APIVersion != "" {
			at(path+".api_version", "api_version applies to type azure-openai only")
		}
		return
	}
	for model, dep := range p.Deployments {
		if model == "" || dep == "" || strings.ContainsAny(dep, "/?#") {
			at(path+".deployments", "%s", fmt.Sprintf("deployment %q for model %q must be a non-empty name without / ? #", clip(dep), clip(model)))
		}
	}
	if strings.ContainsAny(p.APIVersion, "&?#/ ") {
		at(path+".api_version", "api_version %q is not a version such as %s", clip(p.APIVersion), DefaultAzureAPIVersion)
	}
}
