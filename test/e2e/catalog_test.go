package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// An operator's catalog file prices a model the built-in catalog lacks, and
// the reply's x-railyard-cost-usd follows it exactly.
func TestCatalogOverridePricesReplies(t *testing.T) {
	t.Parallel()
	sim := start(t, "sim", "--config", writeConfig(t, simConfig))
	prices := filepath.Join(t.TempDir(), "prices.yaml")
	if err := os.WriteFile(prices, []byte(`models:
  - id: house-model
    family: self-hosted
    source: "operator: GPU cost model"
    as_of: 2026-11-01
    prices: {input: 1.00, output: 2.00}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	gw := start(t, "serve", "--config", writeConfig(t, fmt.Sprintf(`
catalog: %s
providers:
  - {name: fleet, type: openai-compatible, base_url: %s/v1}
models:
  - name: house
    targets: [{provider: fleet, model: house-model}]
`, prices, sim.URL())))
	status, h, body := post(t, gw.URL()+"/v1/chat/completions",
		`{"model":"house","messages":[{"role":"user","content":"price this reply please"}]}`, nil)
	if status != 200 {
		t.Fatalf("status %d: %s", status, body)
	}
	var reply struct {
		Usage struct {
			PromptTokens     int `json:"prompt_tokens"`
			CompletionTokens int `json:"completion_tokens"`
		} `json:"usage"`
	}
	if err := json.Unmarshal(body, &reply); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("%.6f", float64(reply.Usage.PromptTokens*1+reply.Usage.CompletionTokens*2)/1e6)
	if got := h.Get("X-Railyard-Cost-Usd"); got != want || reply.Usage.PromptTokens == 0 {
		t.Errorf("cost %q, want %q for usage %+v", got, want, reply.Usage)
	}
}
