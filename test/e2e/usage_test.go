package e2e

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go"
	"github.com/openai/openai-go/v3"
	"github.com/tidwall/gjson"

	"github.com/railyard-ai/railyard/internal/sse"
)

func TestOpenAIStreamUsageOnlyWhenAsked(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	c := e.openai()
	for _, model := range []string{"claude-backed", "gpt-backed"} {
		t.Run(model, func(t *testing.T) {
			want, _ := oaChat(t, c, oaGreeting(model))

			p := oaGreeting(model)
			p.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
			_, chunks, _ := oaStream(t, c, p)
			last := chunks[len(chunks)-1]
			if len(last.Choices) != 0 || last.Usage.PromptTokens != want.Usage.PromptTokens ||
				last.Usage.CompletionTokens != want.Usage.CompletionTokens || last.Usage.TotalTokens != want.Usage.TotalTokens {
				t.Errorf("last chunk %s, want a usage-only chunk with %+v", last.RawJSON(), want.Usage)
			}

			// Without include_usage the gateway still meters (it asks the
			// upstream for usage itself) but the client gets no usage chunk.
			_, chunks, _ = oaStream(t, c, oaGreeting(model))
			for _, ch := range chunks {
				if ch.JSON.Usage.Valid() || len(ch.Choices) == 0 {
					t.Errorf("chunk %s carries usage the client did not ask for", ch.RawJSON())
				}
			}
			events := rawStream(t, e.gw.URL()+"/v1/chat/completions",
				`{"model":"`+model+`","stream":true,"messages":[{"role":"user","content":"Hello raw stream"}]}`, nil)
			if len(events) < 3 || events[len(events)-1] != "[DONE]" {
				t.Fatalf("raw stream %q", events)
			}
			text := ""
			for _, data := range events[:len(events)-1] {
				if u := gjson.Get(data, "usage"); u.Exists() && u.Type != gjson.Null {
					t.Errorf("raw chunk %s carries usage", data)
				}
				if n := gjson.Get(data, "choices.#").Int(); n != 1 {
					t.Errorf("raw chunk %s has %d choices", data, n)
				}
				text += gjson.Get(data, "choices.0.delta.content").String()
			}
			if text != "Hello raw stream" {
				t.Errorf("raw stream text %q", text)
			}
		})
	}
}

// rawStream posts body and returns the data of every SSE event, read with
// railyard's own SSE decoder.
func rawStream(t *testing.T, url, body string, header map[string]string) []string {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("status %d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	var out []string
	d := sse.NewDecoder(resp.Body)
	for {
		ev, err := d.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("raw stream: %v after %q", err, out)
		}
		out = append(out, string(ev.Data))
	}
}

// longSystem is a system prompt well over 64 simulator tokens, so the
// simulator's 16-token prefix-cache blocks can hit on a repeat.
var longSystem = strings.Repeat("You are the railyard test assistant. Answer briefly, cite the timetable, and never invent platforms. ", 6)

func TestCacheTokensAcrossDialects(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	oa, an := e.openai(), e.anthropic()
	const question = "When does the night train leave?"
	oaParams := func(model string) openai.ChatCompletionNewParams {
		return openai.ChatCompletionNewParams{Model: model, Messages: []openai.ChatCompletionMessageParamUnion{
			openai.SystemMessage(longSystem), openai.UserMessage(question)}}
	}
	anParams := func(model string, hint bool) anthropic.MessageNewParams {
		sys := anthropic.TextBlockParam{Text: longSystem}
		if hint {
			sys.CacheControl = anthropic.NewCacheControlEphemeralParam()
		}
		return anthropic.MessageNewParams{Model: anthropic.Model(model), MaxTokens: 256,
			System:   []anthropic.TextBlockParam{sys},
			Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock(question))}}
	}
	anTotal := func(u anthropic.Usage) int64 {
		return u.InputTokens + u.CacheReadInputTokens + u.CacheCreationInputTokens
	}

	t.Run("claude-backed", func(t *testing.T) {
		// A cache hint makes the (Anthropic-dialect) upstream write the cache.
		first, _ := anMessage(t, an, anParams("claude-backed", true))
		total := anTotal(first.Usage)
		if total <= 64 || first.Usage.CacheCreationInputTokens == 0 || first.Usage.CacheReadInputTokens != 0 {
			t.Fatalf("first usage %+v: want > 64 prompt tokens, a cache write and no read", first.Usage)
		}
		// The same prompt through the OpenAI dialect: prompt_tokens counts
		// every prompt token, cached_tokens the ones read from the cache.
		second, _ := oaChat(t, oa, oaParams("claude-backed"))
		cached := second.Usage.PromptTokensDetails.CachedTokens
		if second.Usage.PromptTokens != total {
			t.Errorf("OpenAI prompt_tokens %d, Anthropic input+cache_read+cache_creation %d", second.Usage.PromptTokens, total)
		}
		if cached == 0 || cached%16 != 0 || total-cached >= 16 {
			t.Errorf("cached_tokens %d of %d: want every whole 16-token block", cached, total)
		}
		third, _ := anMessage(t, an, anParams("claude-backed", false))
		if anTotal(third.Usage) != total || third.Usage.CacheReadInputTokens != cached || third.Usage.CacheCreationInputTokens != 0 {
			t.Errorf("third usage %+v, want %d tokens, %d read from the cache", third.Usage, total, cached)
		}
	})

	t.Run("gpt-backed", func(t *testing.T) {
		first, _ := oaChat(t, oa, oaParams("gpt-backed"))
		total := first.Usage.PromptTokens
		if total <= 64 || first.Usage.PromptTokensDetails.CachedTokens != 0 {
			t.Fatalf("first usage %+v: want > 64 prompt tokens, none cached", first.Usage)
		}
		p := oaParams("gpt-backed")
		p.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
		acc, _, _ := oaStream(t, oa, p)
		cached := acc.Usage.PromptTokensDetails.CachedTokens
		if acc.Usage.PromptTokens != total || cached == 0 || cached%16 != 0 || total-cached >= 16 {
			t.Errorf("streamed usage %+v: want %d prompt tokens, whole blocks cached", acc.Usage, total)
		}
		third, _ := anMessage(t, an, anParams("gpt-backed", false))
		if anTotal(third.Usage) != total || third.Usage.CacheReadInputTokens != cached {
			t.Errorf("Anthropic usage %+v, want input+cache_read+cache_creation %d with %d read", third.Usage, total, cached)
		}
		// Anthropic streams report the same numbers as complete replies.
		acc2, _, _ := anStream(t, an, anParams("gpt-backed", false))
		if acc2.Usage.InputTokens != third.Usage.InputTokens || acc2.Usage.CacheReadInputTokens != third.Usage.CacheReadInputTokens ||
			acc2.Usage.OutputTokens != third.Usage.OutputTokens {
			t.Errorf("streamed usage %+v, complete %+v", acc2.Usage, third.Usage)
		}
	})
}
