package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	ooption "github.com/openai/openai-go/v3/option"
)

// The official OpenAI SDK stops a stream after a few chunks (a playground's
// Stop): the provider billed the prompt and the tokens it streamed, so the
// ledger and the request log must carry them, priced and marked estimated,
// not 0 tokens and $0.
func TestStreamStoppedByTheClientIsBilled(t *testing.T) {
	t.Parallel()
	sim := start(t, "sim", "--config", writeConfig(t, simConfig))
	prices := filepath.Join(t.TempDir(), "prices.yaml")
	if err := os.WriteFile(prices, []byte(`models:
  - id: sim-slow
    family: self-hosted
    source: "operator: test"
    as_of: 2026-11-01
    prices: {input: 1.00, output: 2.00}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "railyard.db")
	gw := start(t, "serve", "--config", writeConfig(t, fmt.Sprintf(`
auth: {master_key: %s}
store: sqlite://%s
catalog: %s
providers:
  - {name: fleet, type: openai-compatible, base_url: %s/v1}
models:
  - name: slow
    targets: [{provider: fleet, model: sim-slow}]
`, master, db, prices, sim.URL())))
	base := gw.URL()
	var created struct{ ID, Key string }
	if s := admin(t, http.MethodPost, base+"/admin/api/keys", master, `{"name":"stopper"}`, &created); s != http.StatusCreated {
		t.Fatalf("create key: %d", s)
	}

	// sim-slow streams 25 tokens 40ms apart: stop after three chunks.
	c := openai.NewClient(ooption.WithBaseURL(base+"/v1"), ooption.WithAPIKey(created.Key), ooption.WithMaxRetries(0))
	stream := c.Chat.Completions.NewStreaming(context.Background(), openai.ChatCompletionNewParams{Model: "slow",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Tell me about the night trains out of the yard.")}})
	text, chunks := "", 0
	for chunks < 3 && stream.Next() {
		ch := stream.Current()
		if len(ch.Choices) > 0 && ch.Choices[0].Delta.Content != "" {
			text += ch.Choices[0].Delta.Content
			chunks++
		}
	}
	if err := stream.Err(); err != nil || chunks < 3 {
		t.Fatalf("%d chunks, err %v", chunks, err)
	}
	stream.Close()

	var page struct {
		Requests []struct {
			Status       int
			InputTokens  int     `json:"input_tokens"`
			OutputTokens int     `json:"output_tokens"`
			CostUSD      float64 `json:"cost_usd"`
			Estimated    bool
		}
	}
	var usage struct {
		Rows []struct {
			Group        string  `json:"group"`
			Requests     int     `json:"requests"`
			InputTokens  int     `json:"input_tokens"`
			OutputTokens int     `json:"output_tokens"`
			CostUSD      float64 `json:"cost_usd"`
		} `json:"rows"`
	}
	// The request ends when the gateway notices the client left, and the
	// ledger is written off the request path: poll both.
	deadline := time.Now().Add(10 * time.Second)
	for {
		admin(t, http.MethodGet, base+"/admin/api/requests", master, "", &page)
		admin(t, http.MethodGet, base+"/admin/api/usage?by=key&since=1h", master, "", &usage)
		if len(page.Requests) == 1 && len(usage.Rows) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("request log %+v, usage %+v", page, usage)
		}
		time.Sleep(50 * time.Millisecond)
	}
	e, row := page.Requests[0], usage.Rows[0]
	if e.Status != 499 || !e.Estimated || e.InputTokens <= 0 || e.OutputTokens < 3 || e.CostUSD <= 0 {
		t.Errorf("request log entry %+v: want 499, estimated, the prompt's tokens, >= 3 output tokens, priced", e)
	}
	if row.Group != created.ID || row.Requests != 1 || row.InputTokens != e.InputTokens || row.OutputTokens != e.OutputTokens || row.CostUSD <= 0 {
		t.Errorf("ledger usage %+v, request log %+v", row, e)
	}
	t.Logf("stopped after %q: %d input, %d output tokens, $%g", text, e.InputTokens, e.OutputTokens, e.CostUSD)
}
