package anthropic

import (
	"encoding/json"
	"net/http"
	"reflect"
	"testing"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"

	"github.com/railyard-ai/railyard/internal/llm"
)

// TestEncodeRequestRoundTrip: real requests decoded and encoded again come
// out as the same JSON (modulo fields the API treats as defaults).
func TestEncodeRequestRoundTrip(t *testing.T) {
	tests := []struct {
		file  string
		fixup func(string) string // what railyard normalises in the original
	}{
		{"request_tools.json", nil},
		{"request_tool_result.json", nil},
		{"request_stream_tools.json", nil},
		{"request_thinking_followup.json", func(s string) string {
			// disable_parallel_tool_use:false is the default and omitted.
			s, _ = sjson.SetRaw(s, "tool_choice", `{"type":"auto"}`)
			return s
		}},
		{"request_multimodal.json", func(s string) string {
			// Not translated: service_tier; document context and citations.
			s, _ = sjson.Delete(s, "service_tier")
			s, _ = sjson.Delete(s, "messages.0.content.3.context")
			s, _ = sjson.Delete(s, "messages.0.content.3.citations")
			// The one tool_result text is sent as a block.
			s, _ = sjson.SetRaw(s, "messages.2.content.0.content", `[{"type":"text","text":"15 degrees"}]`)
			return s
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			orig := string(fixture(t, tt.file))
			req := mustDecode(t, []byte(orig))
			got, err := Dialect{}.EncodeRequest(req)
			if err != nil {
				t.Fatal(err)
			}
			if tt.fixup != nil {
				orig = tt.fixup(orig)
			}
			var a, b any
			if err := json.Unmarshal(got, &a); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(orig), &b); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(a, b) {
				t.Errorf("round trip differs\n got %s\nwant %s", got, orig)
			}
		})
	}
}

func TestEncodeRequestTranslation(t *testing.T) {
	f := false
	temp := 0.3
	topK := 5
	seed := int64(7)
	tests := []struct {
		name string
		req  llm.Request
		want map[string]string // gjson path -> JSON value ("" = absent)
	}{
		{
			name: "defaults and dropped knobs",
			req: llm.Request{Model: "claude", Seed: &seed, PresencePenalty: &temp,
				Messages: []llm.Message{{Role: llm.RoleUser, Name: "bob", Content: []llm.Part{{Type: llm.PartText, Text: "hi"}}}}},
			want: map[string]string{"max_tokens": "4096", "seed": "", "presence_penalty": "", "messages.0.name": "",
				"messages.0.content": `[{"type":"text","text":"hi"}]`, "stream": "", "system": "", "thinking": "", "tool_choice": ""},
		},
		{
			name: "merge same-role turns, drop empty and unsigned reasoning",
			req: llm.Request{Model: "m", System: []llm.Part{{Type: llm.PartText, Text: "sys"}, {Type: llm.PartText, Text: "dev", Developer: true}},
				Messages: []llm.Message{
					{Role: llm.RoleUser, Content: []llm.Part{{Type: llm.PartText, Text: "q"}}},
					{Role: llm.RoleAssistant, Content: []llm.Part{{Type: llm.PartReasoning, Text: "unsigned"}, {Type: llm.PartText, Text: ""},
						{Type: llm.PartToolCall, ToolCall: &llm.ToolCall{ID: "c1", Name: "f", Arguments: `{"x":1}`}},
						{Type: llm.PartToolCall, ToolCall: &llm.ToolCall{ID: "c2", Name: "f", Arguments: `{"x":`}}}},
					{Role: llm.RoleUser, Content: []llm.Part{{Type: llm.PartToolResult, ToolResult: &llm.ToolResult{CallID: "c1", Content: []llm.Part{{Type: llm.PartText, Text: "1"}}}}}},
					{Role: llm.RoleUser, Content: []llm.Part{{Type: llm.PartToolResult, ToolResult: &llm.ToolResult{CallID: "c2", IsError: true}}}},
					{Role: llm.RoleAssistant, Content: []llm.Part{{Type: llm.PartRefusal, Text: "no"}}},
				}},
			want: map[string]string{
				"system":   `[{"type":"text","text":"sys"},{"type":"text","text":"dev"}]`,
				"messages": `[{"role":"user","content":[{"type":"text","text":"q"}]},{"role":"assistant","content":[{"type":"tool_use","id":"c1","name":"f","input":{"x":1}},{"type":"tool_use","id":"c2","name":"f","input":{}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"c1","content":[{"type":"text","text":"1"}]},{"type":"tool_result","tool_use_id":"c2","is_error":true}]},{"role":"assistant","content":[{"type":"text","text":"no"}]}]`,
			},
		},
		{
			name: "effort becomes a budget, max_tokens raised, sampling dropped",
			req:  llm.Request{Model: "m", MaxTokens: 1000, Temperature: &temp, TopK: &topK, Reasoning: &llm.Reasoning{Effort: "medium"}, Messages: user("q")},
			want: map[string]string{"thinking": `{"type":"enabled","budget_tokens":8192}`, "max_tokens": "9192", "temperature": "", "top_k": ""},
		},
		{
			name: "thinking with low top_p and a forced tool",
			req: llm.Request{Model: "m", TopP: &temp, Reasoning: &llm.Reasoning{BudgetTokens: 2000}, Messages: user("q"),
				Tools: []llm.Tool{{Name: "f"}}, ToolChoice: &llm.ToolChoice{Mode: llm.ToolChoiceTool, Name: "f"}},
			want: map[string]string{"thinking": "", "top_p": "0.3", "tool_choice": `{"type":"tool","name":"f"}`, "max_tokens": "4096"},
		},
		{
			name: "thinking drops low top_p",
			req:  llm.Request{Model: "m", TopP: &temp, Reasoning: &llm.Reasoning{Effort: "low"}, Messages: user("q")},
			want: map[string]string{"thinking": `{"type":"enabled","budget_tokens":2048}`, "top_p": "", "max_tokens": "4096"},
		},
		{
			name: "explicit budget below minimum",
			req:  llm.Request{Model: "m", MaxTokens: 20000, Reasoning: &llm.Reasoning{BudgetTokens: 500}, Messages: user("q")},
			want: map[string]string{"thinking": `{"type":"enabled","budget_tokens":1024}`, "max_tokens": "20000"},
		},
		{
			name: "minimal effort and disabled",
			req:  llm.Request{Model: "m", Temperature: &temp, Reasoning: &llm.Reasoning{Effort: "minimal"}, Messages: user("q")},
			want: map[string]string{"thinking": "", "temperature": "0.3"},
		},
		{
			name: "disabled",
			req:  llm.Request{Model: "m", Reasoning: &llm.Reasoning{Disabled: true}, Messages: user("q")},
			want: map[string]string{"thinking": `{"type":"disabled"}`},
		},
		{
			name: "tool choice required, parallel off, json schema",
			req: llm.Request{Model: "m", Messages: user("q"), ParallelToolCalls: &f, User: "u1", Stream: true, Stop: []string{"END"},
				Tools:          []llm.Tool{{Name: "f", Parameters: json.RawMessage(`not json`)}},
				ToolChoice:     &llm.ToolChoice{Mode: llm.ToolChoiceRequired},
				ResponseFormat: &llm.ResponseFormat{Type: llm.FormatJSONSchema, Name: "answer", Schema: json.RawMessage(`{"type":"object"}`)}},
			want: map[string]string{
				"tool_choice": `{"type":"any","disable_parallel_tool_use":true}`, "tools.0.input_schema": `{"type":"object"}`,
				"metadata": `{"user_id":"u1"}`, "stream": "true", "stop_sequences": `["END"]`,
				"system.0.text": `"Respond with a single valid JSON value and nothing else: no prose, no code fences. It must conform to this JSON Schema (answer):\n{\"type\":\"object\"}"`,
			},
		},
		{
			name: "tool choice none and named",
			req:  llm.Request{Model: "m", Messages: user("q"), Tools: []llm.Tool{{Name: "f"}}, ToolChoice: &llm.ToolChoice{Mode: llm.ToolChoiceNone}},
			want: map[string]string{"tool_choice": `{"type":"none"}`},
		},
		{
			name: "parallel off without choice",
			req:  llm.Request{Model: "m", Messages: user("q"), Tools: []llm.Tool{{Name: "f"}}, ParallelToolCalls: &f},
			want: map[string]string{"tool_choice": `{"type":"auto","disable_parallel_tool_use":true}`},
		},
		{
			name: "media",
			req: llm.Request{Model: "m", Messages: []llm.Message{{Role: llm.RoleUser, Content: []llm.Part{
				{Type: llm.PartImage, Media: &llm.Media{URL: "https://x/y.png", Detail: "high"}},
				{Type: llm.PartImage, Media: &llm.Media{MediaType: "image/png", Data: "iVBO"}},
				{Type: llm.PartDocument, Media: &llm.Media{MediaType: "application/pdf", Data: "JVBER", Title: "T"}, Cache: &llm.CacheControl{}},
			}}}},
			want: map[string]string{"messages.0.content": `[{"type":"image","source":{"type":"url","url":"https://x/y.png"}},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBO"}},{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBER"},"title":"T","cache_control":{"type":"ephemeral"}}]`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Dialect{}.EncodeRequest(&tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if !json.Valid(b) {
				t.Fatalf("invalid JSON %s", b)
			}
			for path, want := range tt.want {
				got := gjson.GetBytes(b, path)
				if want == "" {
					if got.Exists() {
						t.Errorf("%s = %s, want absent", path, got.Raw)
					}
					continue
				}
				if got.Raw != want {
					t.Errorf("%s = %s, want %s", path, got.Raw, want)
				}
			}
		})
	}
}

func user(text string) []llm.Message {
	return []llm.Message{{Role: llm.RoleUser, Content: []llm.Part{{Type: llm.PartText, Text: text}}}}
}

func TestEgressFixedParts(t *testing.T) {
	d := Dialect{}
	if d.Name() != "anthropic" || d.Path(nil) != "/v1/messages" {
		t.Errorf("name %q path %q", d.Name(), d.Path(nil))
	}
	h := http.Header{}
	d.SetHeaders(h)
	if h.Get("anthropic-version") != "2023-06-01" {
		t.Errorf("headers %v", h)
	}
}
