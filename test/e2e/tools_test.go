package e2e

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go"
	"github.com/openai/openai-go/v3"
)

// weatherProperties is the tool schema both SDKs offer: the simulator
// fills every declared property (enums with their first value), so the
// arguments must name both required fields.
var weatherProperties = map[string]any{
	"city": map[string]any{"type": "string", "description": "City name"},
	"unit": map[string]any{"type": "string", "enum": []string{"celsius", "fahrenheit"}},
}

var weatherRequired = []string{"city", "unit"}

// toolResult is what the client's "tool" returns; the simulator echoes the
// last user turn, tool results included, as its final answer.
const toolResult = "Sunny, 21 degrees in Lisbon"

// checkWeatherArgs asserts that raw is a JSON object satisfying the schema.
func checkWeatherArgs(t *testing.T, raw string) {
	t.Helper()
	var args map[string]any
	if err := json.Unmarshal([]byte(raw), &args); err != nil {
		t.Fatalf("tool arguments %q are not a JSON object: %v", raw, err)
	}
	for _, k := range weatherRequired {
		if _, ok := args[k]; !ok {
			t.Errorf("tool arguments %s lack required %q", raw, k)
		}
	}
	if city, ok := args["city"].(string); !ok || city == "" {
		t.Errorf("city %v is not a non-empty string", args["city"])
	}
	if args["unit"] != "celsius" {
		t.Errorf("unit %v, want the enum's first value celsius", args["unit"])
	}
}

func oaWeather(model string) openai.ChatCompletionNewParams {
	return openai.ChatCompletionNewParams{
		Model:    model,
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("What is the weather in Lisbon?")},
		Tools: []openai.ChatCompletionToolUnionParam{openai.ChatCompletionFunctionTool(openai.FunctionDefinitionParam{
			Name:        "get_weather",
			Description: openai.String("Current weather for a city"),
			Parameters:  openai.FunctionParameters{"type": "object", "properties": weatherProperties, "required": weatherRequired},
		})},
	}
}

func TestOpenAIClientTools(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	c := e.openai()
	for _, model := range []string{"claude-backed", "gpt-backed"} {
		for _, stream := range []bool{false, true} {
			name := model + "/complete"
			if stream {
				name = model + "/stream"
			}
			t.Run(name, func(t *testing.T) {
				p := oaWeather(model)
				var msg openai.ChatCompletionMessage
				var finish string
				if stream {
					acc, _, _ := oaStream(t, c, p)
					msg, finish = acc.Choices[0].Message, acc.Choices[0].FinishReason
				} else {
					got, _ := oaChat(t, c, p)
					msg, finish = got.Choices[0].Message, got.Choices[0].FinishReason
				}
				if finish != "tool_calls" || len(msg.ToolCalls) != 1 {
					t.Fatalf("finish %q tool calls %+v", finish, msg.ToolCalls)
				}
				call := msg.ToolCalls[0]
				if call.Type != "function" || call.Function.Name != "get_weather" || call.ID == "" {
					t.Errorf("tool call %+v", call)
				}
				checkWeatherArgs(t, call.Function.Arguments)

				// Round trip: the assistant turn as the SDK returns it, then
				// the tool's result; the model answers in text.
				p.Messages = append(p.Messages, msg.ToParam(), openai.ToolMessage(toolResult, call.ID))
				var text string
				if stream {
					acc, _, _ := oaStream(t, c, p)
					text, finish = acc.Choices[0].Message.Content, acc.Choices[0].FinishReason
				} else {
					got, _ := oaChat(t, c, p)
					text, finish = got.Choices[0].Message.Content, got.Choices[0].FinishReason
				}
				if text != toolResult || finish != "stop" {
					t.Errorf("final answer %q finish %q, want %q stop", text, finish, toolResult)
				}
			})
		}
	}
}

func anWeather(model string) anthropic.MessageNewParams {
	return anthropic.MessageNewParams{
		Model:     anthropic.Model(model),
		MaxTokens: 512,
		Messages:  []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("What is the weather in Lisbon?"))},
		Tools: []anthropic.ToolUnionParam{{OfTool: &anthropic.ToolParam{
			Name:        "get_weather",
			Description: anthropic.String("Current weather for a city"),
			InputSchema: anthropic.ToolInputSchemaParam{Properties: weatherProperties, Required: weatherRequired},
		}}},
	}
}

func TestAnthropicClientTools(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	c := e.anthropic()
	for _, model := range []string{"gpt-backed", "claude-backed"} {
		for _, stream := range []bool{false, true} {
			name := model + "/complete"
			if stream {
				name = model + "/stream"
			}
			t.Run(name, func(t *testing.T) {
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
				call := msg.Content[0]
				if call.Name != "get_weather" || !strings.HasPrefix(call.ID, "toolu_") && !strings.HasPrefix(call.ID, "call_") {
					t.Errorf("tool_use %+v", call)
				}
				checkWeatherArgs(t, string(call.Input))

				p.Messages = append(p.Messages, msg.ToParam(),
					anthropic.NewUserMessage(anthropic.NewToolResultBlock(call.ID, toolResult, false)))
				final := send()
				if final.StopReason != anthropic.StopReasonEndTurn || len(final.Content) != 1 || final.Content[0].Text != toolResult {
					t.Errorf("final answer %+v stop %q, want %q end_turn", final.Content, final.StopReason, toolResult)
				}
			})
		}
	}
}
