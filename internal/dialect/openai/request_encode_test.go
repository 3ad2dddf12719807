package openai

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/railyard-ai/railyard/internal/llm"
)

// fullRequest is a canonical request using every field the egress writes.
func fullRequest() *llm.Request {
	f, i, s, b := 0.5, 40, int64(7), true
	return &llm.Request{
		Model: "gpt-x",
		System: []llm.Part{
			{Type: llm.PartText, Text: "You are terse.", Cache: &llm.CacheControl{Type: "ephemeral"}},
			{Type: llm.PartText, Text: "Use metric units."},
			{Type: llm.PartText, Text: "Dev note.", Developer: true},
		},
		Messages: []llm.Message{
			{Role: llm.RoleUser, Name: "ann", Content: []llm.Part{
				{Type: llm.PartText, Text: "Look:"},
				{Type: llm.PartImage, Media: &llm.Media{MediaType: "image/png", Data: "iVBORw0K", Detail: "low"}},
				{Type: llm.PartImage, Media: &llm.Media{URL: "https://example.com/a.jpg"}},
				{Type: llm.PartDocument, Media: &llm.Media{MediaType: "application/pdf", Data: "JVBERi0=", Title: "a.pdf"}},
			}},
			{Role: llm.RoleAssistant, Content: []llm.Part{
				{Type: llm.PartReasoning, Text: "secret", Signature: "sig"},
				{Type: llm.PartText, Text: "Calling."},
				{Type: llm.PartToolCall, ToolCall: &llm.ToolCall{ID: "c1", Name: "f", Arguments: `{"a":1}`}},
				{Type: llm.PartToolCall, ToolCall: &llm.ToolCall{ID: "c2", Name: "g"}},
			}},
			{Role: llm.RoleUser, Content: []llm.Part{
				{Type: llm.PartText, Text: "Thanks."},
				{Type: llm.PartToolResult, ToolResult: &llm.ToolResult{CallID: "c1", Content: []llm.Part{
					{Type: llm.PartText, Text: "sunny"}, {Type: llm.PartImage, Media: &llm.Media{URL: "https://x/y.png"}}}}},
				{Type: llm.PartToolResult, ToolResult: &llm.ToolResult{CallID: "c2", IsError: true, Content: []llm.Part{{Type: llm.PartText, Text: "no such city"}}}},
			}},
		},
		Tools:            []llm.Tool{{Name: "f", Description: "F.", Parameters: json.RawMessage(`{"type":"object"}`), Strict: &b, Cache: &llm.CacheControl{Type: "ephemeral"}}, {Name: "g"}},
		ToolChoice:       &llm.ToolChoice{Mode: llm.ToolChoiceTool, Name: "f", DisableParallel: true},
		MaxTokens:        256,
		Temperature:      &f,
		TopP:             &f,
		TopK:             &i,
		Stop:             []string{"END"},
		Seed:             &s,
		PresencePenalty:  &f,
		FrequencyPenalty: &f,
		ResponseFormat:   &llm.ResponseFormat{Type: llm.FormatJSONSchema, Schema: json.RawMessage(`{"type":"object"}`)},
		Reasoning:        &llm.Reasoning{BudgetTokens: 4000},
		Stream:           true,
		StreamUsage:      false,
		User:             "u1",
	}
}

// TestEncodeRequestGolden pins the bodies sent to OpenAI and to a
// compatible server for the same canonical request.
func TestEncodeRequestGolden(t *testing.T) {
	for _, d := range []Dialect{{}, {Compat: true}} {
		name := "egress-openai"
		if d.Compat {
			name = "egress-compat"
		}
		t.Run(name, func(t *testing.T) {
			b, err := d.EncodeRequest(fullRequest())
			if err != nil {
				t.Fatal(err)
			}
			var v any
			if err := json.Unmarshal(b, &v); err != nil {
				t.Fatal(err)
			}
			golden(t, name, v)
		})
	}
}

// TestEncodeRequestRules checks the rules one at a time.
func TestEncodeRequestRules(t *testing.T) {
	get := func(t *testing.T, d Dialect, req *llm.Request) map[string]any {
		t.Helper()
		b, err := d.EncodeRequest(req)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	user := []llm.Message{{Role: llm.RoleUser, Content: []llm.Part{{Type: llm.PartText, Text: "hi"}}}}

	m := get(t, Dialect{}, fullRequest())
	msgs := m["messages"].([]any)
	roles := []string{}
	for _, x := range msgs {
		roles = append(roles, x.(map[string]any)["role"].(string))
	}
	if !reflect.DeepEqual(roles, []string{"system", "developer", "user", "assistant", "tool", "tool", "user"}) {
		t.Errorf("roles %v", roles)
	}
	if m["max_completion_tokens"] != 256.0 || m["max_tokens"] != nil || m["top_k"] != nil || m["reasoning_effort"] != "medium" ||
		m["parallel_tool_calls"] != false || m["stream_options"].(map[string]any)["include_usage"] != true {
		t.Errorf("openai scalars: %v", m)
	}
	if tool := msgs[5].(map[string]any); tool["content"] != "Error: no such city" || tool["tool_call_id"] != "c2" {
		t.Errorf("error tool result: %v", tool)
	}
	if a := msgs[3].(map[string]any); a["content"] != "Calling." || len(a["tool_calls"].([]any)) != 2 {
		t.Errorf("assistant: %v", a)
	}

	m = get(t, Dialect{Compat: true}, fullRequest())
	if m["max_tokens"] != 256.0 || m["max_completion_tokens"] != nil || m["top_k"] != 40.0 {
		t.Errorf("compat scalars: %v", m)
	}
	if sys := m["messages"].([]any)[0].(map[string]any); sys["role"] != "system" || sys["content"] != "You are terse.\n\nUse metric units.\n\nDev note." {
		t.Errorf("compat system: %v", sys)
	}

	// No tools: tool_choice and parallel_tool_calls are not sent; no
	// stream: no stream_options; zero MaxTokens: no limit field.
	f := false
	m = get(t, Dialect{}, &llm.Request{Model: "m", Messages: user, ToolChoice: &llm.ToolChoice{Mode: llm.ToolChoiceNone}, ParallelToolCalls: &f})
	for _, k := range []string{"tool_choice", "parallel_tool_calls", "stream", "stream_options", "max_completion_tokens", "tools", "reasoning_effort"} {
		if _, ok := m[k]; ok {
			t.Errorf("%s must be omitted: %v", k, m)
		}
	}

	// Effort mapping from budgets, explicit effort winning.
	for _, tt := range []struct {
		r    llm.Reasoning
		want any
	}{
		{llm.Reasoning{BudgetTokens: 1024}, "low"}, {llm.Reasoning{BudgetTokens: 2048}, "low"},
		{llm.Reasoning{BudgetTokens: 2049}, "medium"}, {llm.Reasoning{BudgetTokens: 16384}, "medium"},
		{llm.Reasoning{BudgetTokens: 16385}, "high"}, {llm.Reasoning{Effort: "minimal", BudgetTokens: 99999}, "minimal"},
		{llm.Reasoning{Disabled: true}, nil},
	} {
		m = get(t, Dialect{}, &llm.Request{Model: "m", Messages: user, Reasoning: &tt.r})
		if m["reasoning_effort"] != tt.want {
			t.Errorf("%+v: effort %v, want %v", tt.r, m["reasoning_effort"], tt.want)
		}
	}

	// Tool choice modes.
	tools := []llm.Tool{{Name: "f"}}
	for mode, want := range map[llm.ToolChoiceMode]any{llm.ToolChoiceAuto: "auto", llm.ToolChoiceNone: "none", llm.ToolChoiceRequired: "required"} {
		m = get(t, Dialect{}, &llm.Request{Model: "m", Messages: user, Tools: tools, ToolChoice: &llm.ToolChoice{Mode: mode}})
		if m["tool_choice"] != want {
			t.Errorf("%s: %v", mode, m["tool_choice"])
		}
	}

	// A document known only by URL cannot be sent.
	_, err := Dialect{}.EncodeRequest(&llm.Request{Model: "m", Messages: []llm.Message{{Role: llm.RoleUser,
		Content: []llm.Part{{Type: llm.PartDocument, Media: &llm.Media{URL: "https://x/a.pdf"}}}}}})
	var e *llm.Error
	if !errors.As(err, &e) || e.Status != 400 {
		t.Errorf("document URL: %v", err)
	}
}

// TestIngressEgressRoundTrip: a client request decoded and re-encoded for
// OpenAI decodes to the same canonical request.
func TestIngressEgressRoundTrip(t *testing.T) {
	for _, name := range []string{"chat-multiturn", "chat-tools", "chat-parallel-tools", "chat-image-to-text",
		"chat-multimodal", "chat-openai-agents-python", "chat-text-to-image-tool", "chat-streaming-detailed-usage"} {
		t.Run(name, func(t *testing.T) {
			want, err := Dialect{}.DecodeRequest([]byte(cassette(t, name).Request.Body))
			if err != nil {
				t.Fatal(err)
			}
			b, err := Dialect{}.EncodeRequest(want)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Dialect{}.DecodeRequest(b)
			if err != nil {
				t.Fatal(err)
			}
			// Egress always asks a streaming provider for usage.
			want.StreamUsage = want.Stream
			if !equalJSON(got, want) {
				t.Errorf("round trip:\n got %s\nwant %s\nwire %s", toJSON(got), toJSON(want), b)
			}
		})
	}
	// The shapes request too: tool turns unfold and fold again.
	body := `{"model":"m","messages":[{"role":"user","content":"q"},
		{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]},
		{"role":"tool","tool_call_id":"c1","content":"r"},{"role":"user","content":[{"type":"text","text":"more"},
		{"type":"file","file":{"file_data":"data:application/pdf;base64,JVBERi0=","filename":"x.pdf"}}]}]}`
	want, err := Dialect{}.DecodeRequest([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Dialect{}.EncodeRequest(want)
	got, err := Dialect{}.DecodeRequest(b)
	if err != nil || !equalJSON(got, want) {
		t.Errorf("tool turns:\n got %s %v\nwant %s", toJSON(got), err, toJSON(want))
	}
}

func TestPath(t *testing.T) {
	if p := (Dialect{}).Path(nil); p != "/chat/completions" {
		t.Errorf("path %q", p)
	}
	if (Dialect{Compat: true}).Name() != "openai" {
		t.Error("name")
	}
}
