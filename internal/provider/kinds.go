package provider

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/railyard-ai/railyard/internal/config"
	"github.com/railyard-ai/railyard/internal/dialect"
	"github.com/railyard-ai/railyard/internal/llm"
)

// kindDialect names the dialect of the provider types added after the
// first four: gemini speaks gemini, Azure OpenAI speaks OpenAI's own API,
// presets are OpenAI-compatible servers.
func kindDialect(cfg config.Provider) (string, bool) {
	switch {
	case cfg.Type == config.TypeGemini:
		return "gemini", true
	case cfg.Type == config.TypeAzureOpenAI:
		return "openai", true
	case config.IsOpenAICompatible(cfg.Type):
		return "openai-compatible", true
	}
	return "", false
}

// setAuth sets the provider's credential header, each API its own.
func setAuth(h http.Header, cfg config.Provider, d dialect.Dialect) {
	if cfg.APIKey == "" {
		return
	}
	switch {
	case cfg.Type == config.TypeAzureOpenAI:
		h.Set("api-key", cfg.APIKey)
	case d.Name() == "gemini":
		h.Set("x-goog-api-key", cfg.APIKey)
	case d.Name() == "anthropic":
		h.Set("x-api-key", cfg.APIKey)
	default:
		h.Set("Authorization", "Bearer "+cfg.APIKey)
	}
}

// wrapKind adapts d to a provider type whose paths or fields differ from
// its dialect's: Azure OpenAI addresses deployments, Mistral refuses
// fields it does not define, DashScope needs Qwen3's thinking switch.
func wrapKind(cfg config.Provider, d dialect.Dialect) dialect.Dialect {
	switch cfg.Type {
	case "mistral":
		return mistral{Dialect: d}
	case "qwen":
		return qwen{Dialect: d}
	}
	if cfg.Type != config.TypeAzureOpenAI {
		return d
	}
	v := cfg.APIVersion
	if v == "" {
		v = config.DefaultAzureAPIVersion
	}
	return azure{Dialect: d, deployments: cfg.Deployments, apiVersion: v}
}

// azure is the OpenAI dialect under Azure's deployment paths:
// /openai/deployments/{deployment}/chat/completions?api-version=V, the
// deployment being the model's entry in deployments or the model name.
// Its Name stays "openai": Azure speaks the OpenAI wire format, so
// OpenAI clients get the fast path.
type azure struct {
	dialect.Dialect
	deployments map[string]string
	apiVersion  string
}

// Path addresses the model's deployment.
func (a azure) Path(req *llm.Request) string {
	return a.DeploymentPath(req.Model, "chat/completions")
}

// DeploymentPath is the path of an operation (chat/completions,
// embeddings) on model's deployment.
func (a azure) DeploymentPath(model, op string) string {
	dep := model
	if d, ok := a.deployments[model]; ok && d != "" {
		dep = d
	}
	return "/openai/deployments/" + url.PathEscape(strings.TrimSpace(dep)) + "/" + op + "?api-version=" + url.QueryEscape(a.apiVersion)
}

// EmbedPath addresses the model's deployment's embeddings.
func (a azure) EmbedPath(model string) string { return a.DeploymentPath(model, "embeddings") }

// EncodeEmbedRequest and DecodeEmbedResponse are OpenAI's.
func (a azure) EncodeEmbedRequest(req *llm.EmbedRequest) ([]byte, error) {
	e, ok := a.Dialect.(dialect.EmbedEgress)
	if !ok {
		return nil, llm.BadRequest("provider dialect %s has no embeddings", a.Name())
	}
	return e.EncodeEmbedRequest(req)
}

// DecodeEmbedResponse is the OpenAI dialect's.
func (a azure) DecodeEmbedResponse(body []byte) (*llm.EmbedResponse, error) {
	e, ok := a.Dialect.(dialect.EmbedEgress)
	if !ok {
		return nil, llm.BadRequest("provider dialect %s has no embeddings", a.Name())
	}
	return e.DecodeEmbedResponse(body)
}
