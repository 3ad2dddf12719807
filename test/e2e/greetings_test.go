package e2e

import (
	"fmt"
	"strings"
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

// checkToolRoundTrips has the model call the weather tool through both
// SDKs, whole and streamed, then sends the result back and expects it as
// the final answer. Tool call ids must start with idPrefix (an upstream's
// own id shape, "" for any).
func checkToolRoundTrips(t *testing.T, e *env, model, idPrefix string) {
	t.Helper()
	for _, stream := range []bool{false, true} {
		t.Run(fmt.Sprintf("openai/stream=%v", stream), func(t *testing.T) {
			c := e.openai()
			p := oaWeather(model)
			send := func() (openai.ChatCompletionMessage, string) {
				if stream {
					acc, _, _ := oaStream(t, c, p)
					return acc.Choices[0].Message, acc.Choices[0].FinishReason
				}
				got, _ := oaChat(t, c, p)
				return got.Choices[0].Message, got.Choices[0].FinishReason
			}
			msg, finish := send()
			if finish != "tool_calls" || len(msg.ToolCalls) != 1 || msg.ToolCalls[0].Function.Name != "get_weather" ||
				!strings.HasPrefix(msg.ToolCalls[0].ID, idPrefix) || msg.ToolCalls[0].ID == "" {
				t.Fatalf("finish %q calls %+v", finish, msg.ToolCalls)
			}
			checkWeatherArgs(t, msg.ToolCalls[0].Function.Arguments)
			p.Messages = append(p.Messages, msg.ToParam(), openai.ToolMessage(toolResult, msg.ToolCalls[0].ID))
			final, finish := send()
			if final.Content != toolResult || finish != "stop" {
				t.Errorf("final %q finish %q, want %q stop", final.Content, finish, toolResult)
			}
		})
		t.Run(fmt.Sprintf("anthropic/stream=%v", stream), func(t *testing.T) {
			c := e.anthropic()
			p := anWeather(model)
			send := func() anthropic.Message {
				if stream {
					acc, _, _ := anStream(t, c, p)
					return acc
				}
				got, _ := anMessage(t, c, p)
				return *got
			}
			msg := send()
			if msg.StopReason != anthropic.StopReasonToolUse || len(msg.Content) != 1 || msg.Content[0].Type != "tool_use" {
				t.Fatalf("stop %q content %+v", msg.StopReason, msg.Content)
			}
			checkWeatherArgs(t, string(msg.Content[0].Input))
			p.Messages = append(p.Messages, msg.ToParam(),
				anthropic.NewUserMessage(anthropic.NewToolResultBlock(msg.Content[0].ID, toolResult, false)))
			final := send()
			if final.StopReason != anthropic.StopReasonEndTurn || len(final.Content) != 1 || final.Content[0].Text != toolResult {
				t.Errorf("final %+v stop %q", final.Content, final.StopReason)
			}
		})
	}
}
