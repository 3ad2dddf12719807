package e2e

import (
	"testing"

	"github.com/anthropics/anthropic-sdk-go"
	"github.com/openai/openai-go/v3"
)

// checkGreetings sends the standard greeting to model through both SDKs,
// whole and streamed, and checks the text, stop reasons, usage and route
// headers: the same contract for every upstream dialect behind the model.
func checkGreetings(t *testing.T, e *env, model string, want wantRoute) {
	t.Helper()
	t.Run("openai", func(t *testing.T) {
		got, hr := oaChat(t, e.openai(), oaGreeting(model))
		checkHeaders(t, hr.Header, want)
		ch := got.Choices[0]
		if ch.Message.Content != "Hello from the OpenAI SDK" || ch.FinishReason != "stop" {
			t.Errorf("reply %q finish %q", ch.Message.Content, ch.FinishReason)
		}
		if u := got.Usage; u.PromptTokens != 11 || u.CompletionTokens != 5 || u.TotalTokens != 16 {
			t.Errorf("usage %+v", u)
		}
	})
	t.Run("openai-stream", func(t *testing.T) {
		p := oaGreeting(model)
		p.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
		acc, _, hr := oaStream(t, e.openai(), p)
		checkHeaders(t, hr.Header, want)
		if acc.Choices[0].Message.Content != "Hello from the OpenAI SDK" || acc.Choices[0].FinishReason != "stop" {
			t.Errorf("reply %q finish %q", acc.Choices[0].Message.Content, acc.Choices[0].FinishReason)
		}
		if acc.Usage.PromptTokens != 11 || acc.Usage.CompletionTokens != 5 {
			t.Errorf("usage %+v", acc.Usage)
		}
	})
	t.Run("anthropic", func(t *testing.T) {
		got, hr := anMessage(t, e.anthropic(), anGreeting(model))
		checkHeaders(t, hr.Header, want)
		if len(got.Content) != 1 || got.Content[0].Text != "Hello from the Anthropic SDK" || got.StopReason != anthropic.StopReasonEndTurn {
			t.Errorf("reply %+v stop %q", got.Content, got.StopReason)
		}
		if got.Usage.InputTokens != 11 || got.Usage.OutputTokens != 5 {
			t.Errorf("usage %+v", got.Usage)
		}
	})
	t.Run("anthropic-stream", func(t *testing.T) {
		got, types, hr := anStream(t, e.anthropic(), anGreeting(model))
		checkHeaders(t, hr.Header, want)
		if len(got.Content) != 1 || got.Content[0].Text != "Hello from the Anthropic SDK" || got.StopReason != anthropic.StopReasonEndTurn {
			t.Errorf("reply %+v stop %q", got.Content, got.StopReason)
		}
		if types[0] != "message_start" || types[len(types)-1] != "message_stop" {
			t.Errorf("event types %v", types)
		}
	})
}
