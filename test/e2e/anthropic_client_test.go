package e2e

import (
	"context"
	"net/http"
	"testing"

	"github.com/anthropics/anthropic-sdk-go"
	aoption "github.com/anthropics/anthropic-sdk-go/option"
)

// anMessage sends one non-streamed message and returns it with the HTTP
// response.
func anMessage(t *testing.T, c anthropic.Client, p anthropic.MessageNewParams) (*anthropic.Message, *http.Response) {
	t.Helper()
	var hr *http.Response
	got, err := c.Messages.New(context.Background(), p, aoption.WithResponseInto(&hr))
	if err != nil {
		t.Fatalf("message for %s: %v", p.Model, err)
	}
	return got, hr
}

// anStream streams one message through the SDK's Message.Accumulate and
// returns the result, the event types in order, and the HTTP response.
func anStream(t *testing.T, c anthropic.Client, p anthropic.MessageNewParams) (anthropic.Message, []string, *http.Response) {
	t.Helper()
	var hr *http.Response
	s := c.Messages.NewStreaming(context.Background(), p, aoption.WithResponseInto(&hr))
	defer s.Close()
	var acc anthropic.Message
	var types []string
	for s.Next() {
		ev := s.Current()
		if err := acc.Accumulate(ev); err != nil {
			t.Fatalf("accumulate %s: %v", ev.RawJSON(), err)
		}
		types = append(types, ev.Type)
	}
	if err := s.Err(); err != nil {
		t.Fatalf("stream for %s: %v", p.Model, err)
	}
	if hr == nil {
		t.Fatal("no HTTP response recorded")
	}
	return acc, types, hr
}

// anGreeting mirrors oaGreeting: a system prompt and one user turn, 11
// prompt tokens under the simulator's tokenizer.
func anGreeting(model string) anthropic.MessageNewParams {
	return anthropic.MessageNewParams{
		Model:     anthropic.Model(model),
		MaxTokens: 256,
		System:    []anthropic.TextBlockParam{{Text: "You are terse."}},
		Messages:  []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("Hello from the Anthropic SDK"))},
	}
}

func TestAnthropicClientText(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	c := e.anthropic()
	for _, tc := range []struct {
		model string
		want  wantRoute
	}{
		{"gpt-backed", wantRoute{"sim-openai", "sim-gpt", "failover: sim-openai ok"}},
		{"claude-backed", wantRoute{"sim-anthropic", "sim-claude", "failover: sim-anthropic ok"}},
	} {
		t.Run(tc.model, func(t *testing.T) {
			const want = "Hello from the Anthropic SDK"
			got, hr := anMessage(t, c, anGreeting(tc.model))
			checkHeaders(t, hr.Header, tc.want)
			if len(got.Content) != 1 || got.Content[0].Type != "text" || got.Content[0].Text != want {
				t.Fatalf("content %+v", got.Content)
			}
			if got.StopReason != anthropic.StopReasonEndTurn || got.Role != "assistant" || got.Type != "message" || got.ID == "" {
				t.Errorf("stop %q role %q type %q id %q", got.StopReason, got.Role, got.Type, got.ID)
			}
			u := got.Usage
			if u.InputTokens != 11 || u.OutputTokens != 5 || u.CacheReadInputTokens != 0 || u.CacheCreationInputTokens != 0 {
				t.Errorf("usage %+v, want 11 input + 5 output", u)
			}

			acc, types, shr := anStream(t, c, anGreeting(tc.model))
			checkHeaders(t, shr.Header, tc.want)
			if ct := shr.Header.Get("Content-Type"); ct != "text/event-stream" {
				t.Errorf("stream Content-Type %q", ct)
			}
			if len(types) < 5+5 || types[0] != "message_start" || types[len(types)-1] != "message_stop" {
				t.Errorf("event types %v", types)
			}
			if len(acc.Content) != 1 || acc.Content[0].Text != want || acc.StopReason != anthropic.StopReasonEndTurn {
				t.Fatalf("streamed %+v stop %q", acc.Content, acc.StopReason)
			}
			// Same prompt, short enough (< 16 tokens) that the simulator's
			// prefix cache never hits, so the counts must match exactly.
			if acc.Usage.InputTokens != u.InputTokens || acc.Usage.OutputTokens != u.OutputTokens ||
				acc.Usage.CacheReadInputTokens != u.CacheReadInputTokens || acc.Usage.CacheCreationInputTokens != u.CacheCreationInputTokens {
				t.Errorf("streamed usage %+v, non-streamed %+v", acc.Usage, u)
			}
		})
	}
}

func TestAnthropicClientStopReasons(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	c := e.anthropic()
	for _, tc := range []struct {
		model, name string
		edit        func(*anthropic.MessageNewParams)
		text        string
		stop        anthropic.StopReason
		stopSeq     string
		output      int64
	}{
		{"claude-backed", "max_tokens", func(p *anthropic.MessageNewParams) { p.MaxTokens = 2 }, "Hello from", anthropic.StopReasonMaxTokens, "", 2},
		{"gpt-backed", "max_tokens", func(p *anthropic.MessageNewParams) { p.MaxTokens = 2 }, "Hello from", anthropic.StopReasonMaxTokens, "", 2},
		{"claude-backed", "stop sequence", func(p *anthropic.MessageNewParams) { p.StopSequences = []string{"Anthropic"} },
			"Hello from the", anthropic.StopReasonStopSequence, "Anthropic", 3},
		// OpenAI's finish_reason "stop" cannot say whether a stop sequence
		// matched, so through an OpenAI upstream it reads as end_turn.
		{"gpt-backed", "stop sequence", func(p *anthropic.MessageNewParams) { p.StopSequences = []string{"Anthropic"} },
			"Hello from the", anthropic.StopReasonEndTurn, "", 3},
	} {
		t.Run(tc.model+"/"+tc.name, func(t *testing.T) {
			p := anGreeting(tc.model)
			tc.edit(&p)
			got, _ := anMessage(t, c, p)
			if len(got.Content) != 1 || got.Content[0].Text != tc.text || got.StopReason != tc.stop ||
				got.StopSequence != tc.stopSeq || got.Usage.OutputTokens != tc.output {
				t.Errorf("got %+v stop %q seq %q output %d; want %q %q %q %d",
					got.Content, got.StopReason, got.StopSequence, got.Usage.OutputTokens, tc.text, tc.stop, tc.stopSeq, tc.output)
			}
			acc, _, _ := anStream(t, c, p)
			if len(acc.Content) != 1 || acc.Content[0].Text != tc.text || acc.StopReason != tc.stop || acc.StopSequence != tc.stopSeq {
				t.Errorf("streamed %+v stop %q seq %q", acc.Content, acc.StopReason, acc.StopSequence)
			}
		})
	}
}

func TestAnthropicClientModels(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	c := e.anthropic()
	page, err := c.Models.List(context.Background(), anthropic.ModelListParams{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range page.Data {
		got = append(got, m.ID)
		if m.Type != "model" || m.DisplayName != m.ID {
			t.Errorf("model %+v", m)
		}
	}
	if !equalStrings(got, modelNames) || page.HasMore {
		t.Errorf("models %v has_more %v\nwant %v", got, page.HasMore, modelNames)
	}
}
