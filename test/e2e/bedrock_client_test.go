package e2e

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/document"
	brtypes "github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	"github.com/aws/smithy-go"
)

// bedrockClientConfig serves Bedrock clients: one model on the simulator
// in Bedrock mode (the same-dialect fast path, guardrailConfig and all)
// and one on the simulator in OpenAI mode (translated both ways).
const bedrockClientConfig = `
server: {first_byte_timeout: 5s, shutdown_timeout: 10s}
providers:
  - name: sim-bedrock
    type: bedrock
    region: ` + bedrockRegion + `
    base_url: "%[2]s"
    aws_access_key_id: ` + bedrockKeyID + `
    aws_secret_access_key: ` + bedrockSecret + `
    aws_session_token: ` + bedrockToken + `
  - {name: sim-openai, type: openai-compatible, base_url: "%[1]s/v1"}
models:
  - name: bedrock-backed
    targets: [{provider: sim-bedrock, model: "us.amazon.nova-pro-v1:0"}]
  - name: gpt-backed
    targets: [{provider: sim-openai, model: sim-gpt}]
`

// bedrockClient is the AWS SDK's Bedrock runtime client pointed at the
// gateway. It signs with SigV4 as usual; the gateway, with no keys
// configured, serves loopback clients without checking.
func bedrockClient(gwURL string) *bedrockruntime.Client {
	return bedrockruntime.New(bedrockruntime.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(gwURL),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDCLIENT", "client-secret", ""),
		RetryMaxAttempts: 1,
	})
}

func TestBedrockClient(t *testing.T) {
	t.Parallel()
	sim := start(t, "sim", "--config", writeConfig(t, simConfig))
	v := newSigV4Verifier(t, sim.URL())
	gw := start(t, "serve", "--config", writeConfig(t, fmt.Sprintf(bedrockClientConfig, sim.URL(), v.srv.URL)))
	c := bedrockClient(gw.URL())
	ctx := context.Background()
	greeting := func(model string) *bedrockruntime.ConverseInput {
		return &bedrockruntime.ConverseInput{
			ModelId: aws.String(model),
			Messages: []brtypes.Message{{Role: brtypes.ConversationRoleUser,
				Content: []brtypes.ContentBlock{&brtypes.ContentBlockMemberText{Value: "Say: Hello from the Bedrock SDK"}}}},
			InferenceConfig: &brtypes.InferenceConfiguration{MaxTokens: aws.Int32(64)},
		}
	}
	for _, model := range []string{"bedrock-backed", "gpt-backed"} {
		t.Run(model+"/converse", func(t *testing.T) {
			out, err := c.Converse(ctx, greeting(model))
			if err != nil {
				t.Fatal(err)
			}
			msg := out.Output.(*brtypes.ConverseOutputMemberMessage).Value
			text := msg.Content[0].(*brtypes.ContentBlockMemberText).Value
			if !strings.Contains(text, "Hello from the Bedrock SDK") || out.StopReason != brtypes.StopReasonEndTurn {
				t.Errorf("reply %q stop %q", text, out.StopReason)
			}
			if u := out.Usage; aws.ToInt32(u.InputTokens) == 0 || aws.ToInt32(u.OutputTokens) == 0 ||
				aws.ToInt32(u.TotalTokens) != aws.ToInt32(u.InputTokens)+aws.ToInt32(u.OutputTokens) {
				t.Errorf("usage %+v", u)
			}
		})
		t.Run(model+"/converse-stream", func(t *testing.T) {
			in := greeting(model)
			out, err := c.ConverseStream(ctx, &bedrockruntime.ConverseStreamInput{
				ModelId: in.ModelId, Messages: in.Messages, InferenceConfig: in.InferenceConfig})
			if err != nil {
				t.Fatal(err)
			}
			stream := out.GetStream()
			defer stream.Close()
			var text string
			var stop brtypes.StopReason
			var usage *brtypes.TokenUsage
			for ev := range stream.Events() {
				switch e := ev.(type) {
				case *brtypes.ConverseStreamOutputMemberContentBlockDelta:
					if d, ok := e.Value.Delta.(*brtypes.ContentBlockDeltaMemberText); ok {
						text += d.Value
					}
				case *brtypes.ConverseStreamOutputMemberMessageStop:
					stop = e.Value.StopReason
				case *brtypes.ConverseStreamOutputMemberMetadata:
					usage = e.Value.Usage
				}
			}
			if err := stream.Err(); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(text, "Hello from the Bedrock SDK") || stop != brtypes.StopReasonEndTurn || usage == nil || aws.ToInt32(usage.OutputTokens) == 0 {
				t.Errorf("text %q stop %q usage %+v", text, stop, usage)
			}
		})
	}
	t.Run("tools", func(t *testing.T) {
		in := greeting("gpt-backed")
		in.Messages[0].Content = []brtypes.ContentBlock{&brtypes.ContentBlockMemberText{Value: "What is the weather in Lisbon?"}}
		in.ToolConfig = &brtypes.ToolConfiguration{Tools: []brtypes.Tool{&brtypes.ToolMemberToolSpec{Value: brtypes.ToolSpecification{
			Name: aws.String("get_weather"), Description: aws.String("Current weather in a city"),
			InputSchema: &brtypes.ToolInputSchemaMemberJson{Value: document.NewLazyDocument(map[string]any{
				"type": "object", "properties": map[string]any{"city": map[string]any{"type": "string"}}, "required": []string{"city"}})},
		}}}}
		out, err := c.Converse(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		msg := out.Output.(*brtypes.ConverseOutputMemberMessage).Value
		var use *brtypes.ToolUseBlock
		for _, b := range msg.Content {
			if u, ok := b.(*brtypes.ContentBlockMemberToolUse); ok {
				use = &u.Value
			}
		}
		if out.StopReason != brtypes.StopReasonToolUse || use == nil || aws.ToString(use.Name) != "get_weather" || aws.ToString(use.ToolUseId) == "" {
			t.Fatalf("stop %q content %+v", out.StopReason, msg.Content)
		}
		in.Messages = append(in.Messages, msg, brtypes.Message{Role: brtypes.ConversationRoleUser, Content: []brtypes.ContentBlock{
			&brtypes.ContentBlockMemberToolResult{Value: brtypes.ToolResultBlock{ToolUseId: use.ToolUseId,
				Content: []brtypes.ToolResultContentBlock{&brtypes.ToolResultContentBlockMemberText{Value: toolResult}}}}}})
		out, err = c.Converse(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		text := out.Output.(*brtypes.ConverseOutputMemberMessage).Value.Content[0].(*brtypes.ContentBlockMemberText).Value
		if text != toolResult || out.StopReason != brtypes.StopReasonEndTurn {
			t.Errorf("final %q stop %q", text, out.StopReason)
		}
	})
	t.Run("guardrail-fast-path", func(t *testing.T) {
		// guardrailConfig has no canonical form: a Bedrock target gets the
		// client's bytes as they are; other targets are skipped.
		in := greeting("bedrock-backed")
		in.GuardrailConfig = &brtypes.GuardrailConfiguration{GuardrailIdentifier: aws.String("gr-e2e"), GuardrailVersion: aws.String("1")}
		if _, err := c.Converse(ctx, in); err != nil {
			t.Errorf("Bedrock target: %v", err)
		}
		in.ModelId = aws.String("gpt-backed")
		if _, err := c.Converse(ctx, in); err == nil {
			t.Errorf("an OpenAI target took a guardrailConfig request")
		}
	})
	t.Run("errors", func(t *testing.T) {
		_, err := c.Converse(ctx, greeting("no-such-model"))
		var api smithy.APIError
		if !errors.As(err, &api) || api.ErrorCode() != "ResourceNotFoundException" {
			t.Errorf("unknown model: %v", err)
		}
		var nf *brtypes.ResourceNotFoundException
		if !errors.As(err, &nf) {
			t.Errorf("not a typed ResourceNotFoundException: %T", err)
		}
		bad := greeting("gpt-backed")
		bad.Messages[0].Role = "system"
		_, err = c.Converse(ctx, bad)
		var ve *brtypes.ValidationException
		if !errors.As(err, &ve) {
			t.Errorf("bad role: %v", err)
		}
	})
	if v.bad.Load() != 0 || v.good.Load() < 2 {
		t.Errorf("verifier: %d good, %d bad", v.good.Load(), v.bad.Load())
	}
}
