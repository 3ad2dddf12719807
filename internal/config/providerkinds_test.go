package config

import (
	"strings"
	"testing"
)

func TestPresetsNeedOnlyTypeAndKey(t *testing.T) {
	for _, pr := range Presets() {
		c, err := Parse([]byte("providers:\n  - {name: p, type: "+pr.Type+", api_key: k}\n"), "railyard.yaml", nil)
		if err != nil {
			t.Fatalf("%s: %v", pr.Type, err)
		}
		c.ApplyDefaults()
		p := c.Providers[0]
		if p.BaseURL != pr.BaseURL || p.Dialect != DialectOpenAI || !IsOpenAICompatible(pr.Type) {
			t.Errorf("%s: base %q dialect %q", pr.Type, p.BaseURL, p.Dialect)
		}
		if pr.Local != strings.HasPrefix(pr.BaseURL, "http://127.0.0.1:") {
			t.Errorf("%s: local presets listen on loopback", pr.Type)
		}
	}
}

func TestNewerKindsDefaultsAndRules(t *testing.T) {
	c, err := Parse([]byte(`providers:
  - {name: g, type: gemini, api_key: k}
  - {name: az, type: azure-openai, base_url: "https://r.openai.azure.com", api_key: k, deployments: {gpt-4.1: prod}}
  - {name: s, type: sim, dialect: gemini}
`), "railyard.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	c.ApplyDefaults()
	if g := c.Providers[0]; g.BaseURL != DefaultGeminiBaseURL || g.Dialect != DialectGemini {
		t.Errorf("gemini: %+v", g)
	}
	if az := c.Providers[1]; az.APIVersion != DefaultAzureAPIVersion || az.Deployments["gpt-4.1"] != "prod" {
		t.Errorf("azure: %+v", az)
	}
	for _, tt := range []struct{ yaml, want string }{
		{"{name: a, type: azure-openai, api_key: k}", "needs a base_url"},
		{"{name: g, type: gemini, dialect: openai}", "speaks only the gemini dialect"},
		{"{name: d, type: deepseek, dialect: anthropic}", "speaks only the openai dialect"},
		{"{name: o, type: openai-compatible, base_url: \"http://x/v1\", dialect: gemini}", "gemini dialect is spoken by"},
		{"{name: o, type: openai, api_version: x}", "azure-openai only"},
		{"{name: o, type: openai, deployments: {a: b}}", "azure-openai only"},
		{"{name: a, type: azure-openai, base_url: \"https://r\", deployments: {a: \"x/y\"}}", "without /"},
	} {
		_, err := Parse([]byte("providers:\n  - "+tt.yaml+"\n"), "railyard.yaml", nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.yaml, err, tt.want)
		}
	}
}
