package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/railyard-ai/railyard/internal/gateway"
	"github.com/railyard-ai/railyard/internal/route"
)

// runDemo sends one request in each client dialect through the running
// gateway and prints what happened: the README's first command.
func runDemo(ctx context.Context, base, key string, table *route.Table, out io.Writer) error {
	names := table.ModelNames()
	if len(names) == 0 {
		return fmt.Errorf("no models configured")
	}
	model := names[0]
	for _, n := range names {
		if n == "smart" {
			model = n
		}
	}
	client := &http.Client{Timeout: 2 * time.Minute}
	calls := []struct {
		label, path string
		body        map[string]any
		header      http.Header
	}{
		{"OpenAI Chat Completions", "/v1/chat/completions", map[string]any{
			"model":    model,
			"messages": []map[string]any{{"role": "user", "content": "Say hello from railyard."}},
		}, http.Header{"Authorization": {"Bearer " + key}}},
		{"Anthropic Messages", "/v1/messages", map[string]any{
			"model": model, "max_tokens": 256,
			"messages": []map[string]any{{"role": "user", "content": "Say hello from railyard."}},
		}, http.Header{"x-api-key": {key}, "anthropic-version": {"2023-06-01"}}},
	}
	fmt.Fprintf(out, "\nrailyard is serving on %s — sending a request in each dialect:\n", base)
	for _, c := range calls {
		b, _ := json.Marshal(c.body)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+c.path, bytes.NewReader(b))
		if err != nil {
			return err
		}
		req.Header = c.header
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		text, usage := demoSummary(raw)
		fmt.Fprintf(out, "\n%s  POST %s  model=%s  -> %d\n", c.label, c.path, model, resp.StatusCode)
		fmt.Fprintf(out, "  reply:    %s\n", text)
		fmt.Fprintf(out, "  route:    %s (provider %s, upstream model %s)\n",
			resp.Header.Get(gateway.HeaderRoute), resp.Header.Get(gateway.HeaderProvider), resp.Header.Get(gateway.HeaderModel))
		fmt.Fprintf(out, "  tokens:   %s\n", usage)
		cost := resp.Header.Get(gateway.HeaderCost)
		if cost == "" {
			cost = "not priced (no catalog price for this model)"
		} else {
			cost = "$" + cost
		}
		fmt.Fprintf(out, "  cost:     %s\n", cost)
	}
	fmt.Fprintf(out, "\nStill serving on %s (Ctrl-C to stop). Point an OpenAI or Anthropic SDK at it.\n", base)
	return nil
}

// demoSummary pulls the reply text and the token counts out of either
// dialect's reply, counted the same way (input includes cached tokens).
func demoSummary(raw []byte) (string, string) {
	var v struct {
		Choices []struct {
			Message struct {
				Content string `json:"content"`
			} `json:"message"`
		} `json:"choices"`
		Content []struct {
			Text string `json:"text"`
		} `json:"content"`
		Usage struct {
			// OpenAI
			PromptTokens        int `json:"prompt_tokens"`
			CompletionTokens    int `json:"completion_tokens"`
			PromptTokensDetails struct {
				CachedTokens int `json:"cached_tokens"`
			} `json:"prompt_tokens_details"`
			CompletionTokensDetails struct {
				ReasoningTokens int `json:"reasoning_tokens"`
			} `json:"completion_tokens_details"`
			// Anthropic (and railyard's OpenAI extension for cache writes)
			InputTokens              int `json:"input_tokens"`
			OutputTokens             int `json:"output_tokens"`
			CacheReadInputTokens     int `json:"cache_read_input_tokens"`
			CacheCreationInputTokens int `json:"cache_creation_input_tokens"`
		} `json:"usage"`
		Error any `json:"error"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return string(raw), ""
	}
	if v.Error != nil {
		e, _ := json.Marshal(v.Error)
		return "error " + string(e), ""
	}
	u := v.Usage
	text := ""
	if len(v.Choices) > 0 {
		text = v.Choices[0].Message.Content
		u.InputTokens, u.OutputTokens = u.PromptTokens, u.CompletionTokens
		u.CacheReadInputTokens = u.PromptTokensDetails.CachedTokens
	} else {
		u.InputTokens += u.CacheReadInputTokens + u.CacheCreationInputTokens
	}
	for _, c := range v.Content {
		text += c.Text
	}
	return text, fmt.Sprintf("input %d (cache read %d, cache write %d), output %d (reasoning %d)",
		u.InputTokens, u.CacheReadInputTokens, u.CacheCreationInputTokens, u.OutputTokens, u.CompletionTokensDetails.ReasoningTokens)
}
