package sim

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	anthropicsdk "github.com/anthropics/anthropic-sdk-go"
	aoption "github.com/anthropics/anthropic-sdk-go/option"
	openaisdk "github.com/openai/openai-go/v3"
	ooption "github.com/openai/openai-go/v3/option"

	"github.com/railyard-ai/railyard/internal/config"
)

func openAIClient(url string, opts ...ooption.RequestOption) openaisdk.Client {
	return openaisdk.NewClient(append([]ooption.RequestOption{
		ooption.WithBaseURL(url + "/v1"), ooption.WithAPIKey("sk-test"), ooption.WithMaxRetries(0),
	}, opts...)...)
}

func anthropicClient(url string, opts ...aoption.RequestOption) anthropicsdk.Client {
	return anthropicsdk.NewClient(append([]aoption.RequestOption{
		aoption.WithBaseURL(url), aoption.WithAPIKey("sk-ant-test"), aoption.WithMaxRetries(0),
	}, opts...)...)
}

func TestOpenAISDK(t *testing.T) {
	s, ts := newRealServer(t, config.Sim{})
	c := openAIClient(ts.URL)
	ctx := context.Background()
	params := openaisdk.ChatCompletionNewParams{
		Model:    "sim-gpt",
		Messages: []openaisdk.ChatCompletionMessageParamUnion{openaisdk.UserMessage("Say hello to the simulator")},
	}
	got, err := c.Chat.Completions.New(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	if got.Model != "sim-gpt" || got.Choices[0].Message.Content != "Say hello to the simulator" || got.Usage.CompletionTokens != 5 {
		t.Fatalf("reply %+v", got)
	}

	params.StreamOptions = openaisdk.ChatCompletionStreamOptionsParam{IncludeUsage: openaisdk.Bool(true)}
	stream := c.Chat.Completions.NewStreaming(ctx, params)
	acc := openaisdk.ChatCompletionAccumulator{}
	chunks := 0
	for stream.Next() {
		acc.AddChunk(stream.Current())
		chunks++
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if acc.Choices[0].Message.Content != "Say hello to the simulator" || acc.Usage.CompletionTokens != 5 || chunks < 6 {
		t.Fatalf("streamed %q usage %+v in %d chunks", acc.Choices[0].Message.Content, acc.Usage, chunks)
	}

	tools := params
	tools.Tools = []openaisdk.ChatCompletionToolUnionParam{openaisdk.ChatCompletionFunctionTool(openaisdk.FunctionDefinitionParam{
		Name:       "get_weather",
		Parameters: openaisdk.FunctionParameters{"type": "object", "properties": map[string]any{"city": map[string]any{"type": "string"}}},
	})}
	got, err = c.Chat.Completions.New(ctx, tools)
	if err != nil {
		t.Fatal(err)
	}
	if got.Choices[0].FinishReason != "tool_calls" || got.Choices[0].Message.ToolCalls[0].Function.Arguments != `{"city":"sample city"}` {
		t.Fatalf("tool reply %+v", got.Choices[0])
	}

	_, err = c.Chat.Completions.New(ctx, params, ooption.WithHeader("x-sim-fault", "429:7"))
	var apiErr *openaisdk.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusTooManyRequests || apiErr.Response.Header.Get("Retry-After") != "7" {
		t.Fatalf("fault: %v", err)
	}
	// The handler finishes just after the client has its reply.
	waitFor(t, func() bool { return s.Stats().Running == 0 })
	if st := s.Stats(); st.Requests != 4 || st.Faults != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestAnthropicSDK(t *testing.T) {
	_, ts := newRealServer(t, config.Sim{Models: []config.SimModel{{Name: "sim-claude", Reply: "fixed", Text: "Bonjour from the simulator."}}})
	c := anthropicClient(ts.URL)
	ctx := context.Background()
	params := anthropicsdk.MessageNewParams{
		Model:     "sim-claude",
		MaxTokens: 2048,
		Messages:  []anthropicsdk.MessageParam{anthropicsdk.NewUserMessage(anthropicsdk.NewTextBlock("Hello"))},
		Thinking:  anthropicsdk.ThinkingConfigParamOfEnabled(1024),
	}
	msg, err := c.Messages.New(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	if string(msg.Model) != "sim-claude" || len(msg.Content) != 2 || msg.Content[0].Type != "thinking" || msg.Content[0].Signature == "" ||
		msg.Content[1].Text != "Bonjour from the simulator." || msg.StopReason != anthropicsdk.StopReasonEndTurn {
		t.Fatalf("reply %+v", msg)
	}

	stream := c.Messages.NewStreaming(ctx, params)
	acc := anthropicsdk.Message{}
	for stream.Next() {
		if err := acc.Accumulate(stream.Current()); err != nil {
			t.Fatal(err)
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if len(acc.Content) != 2 || acc.Content[0].Thinking != msg.Content[0].Thinking || acc.Content[0].Signature != msg.Content[0].Signature ||
		acc.Content[1].Text != msg.Content[1].Text || acc.Usage.OutputTokens != msg.Usage.OutputTokens {
		t.Fatalf("streamed %+v\nwant %+v", acc, msg)
	}

	_, err = c.Messages.New(ctx, params, aoption.WithHeader("x-sim-fault", "529"))
	var apiErr *anthropicsdk.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 529 || !strings.Contains(apiErr.RawJSON(), "overloaded_error") {
		t.Fatalf("fault: %v", err)
	}

	// A disconnect mid-stream surfaces as a stream error, not a hang.
	stream = c.Messages.NewStreaming(ctx, params, aoption.WithHeader("x-sim-fault", "disconnect:3"))
	for stream.Next() {
	}
	if stream.Err() == nil {
		t.Fatal("a cut stream ended cleanly")
	}
}
