package anthropic

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/railyard-ai/railyard/internal/llm"
)

func TestDecodeRequestFixtures(t *testing.T) {
	t.Run("tools", func(t *testing.T) {
		r := mustDecode(t, fixture(t, "request_tools.json"))
		if r.Model != "claude-3-7-sonnet-latest" || r.MaxTokens != 512 || r.Stream || !r.StreamUsage {
			t.Errorf("request = %+v", r)
		}
		if len(r.Tools) != 1 || r.Tools[0].Name != "get_weather" || r.Tools[0].Description != "Get weather" ||
			!strings.Contains(string(r.Tools[0].Parameters), `"required":["city"]`) {
			t.Errorf("tools = %+v", r.Tools)
		}
		if len(r.Messages) != 1 || r.Messages[0].Content[0].Text != "What's the weather in San Francisco? Use fahrenheit." {
			t.Errorf("messages = %+v", r.Messages)
		}
	})
	t.Run("tool_result", func(t *testing.T) {
		r := mustDecode(t, fixture(t, "request_tool_result.json"))
		call := r.Messages[1].Content[1]
		if call.Type != llm.PartToolCall || call.ToolCall.ID != "toolu_01TZR6ZrLHdpAWdmhVPuDfjQ" ||
			call.ToolCall.Arguments != `{"city":"San Francisco","units":"fahrenheit"}` {
			t.Errorf("tool call = %+v %+v", call, call.ToolCall)
		}
		res := r.Messages[2].Content[0]
		if res.Type != llm.PartToolResult || res.ToolResult.CallID != "toolu_01TZR6ZrLHdpAWdmhVPuDfjQ" ||
			res.ToolResult.Content[0].Text != "The weather in San Francisco is 68 degrees fahrenheit." {
			t.Errorf("tool result = %+v", res.ToolResult)
		}
	})
	t.Run("thinking", func(t *testing.T) {
		r := mustDecode(t, fixture(t, "request_thinking_followup.json"))
		if r.Reasoning == nil || r.Reasoning.BudgetTokens != 4000 || !r.Stream {
			t.Errorf("reasoning = %+v", r.Reasoning)
		}
		if len(r.System) != 1 || r.System[0].Text != "You are a helpful assistant" {
			t.Errorf("system = %+v", r.System)
		}
		th := r.Messages[1].Content[0]
		if th.Type != llm.PartReasoning || !strings.HasPrefix(th.Signature, "EsQDCkYICBgC") || !strings.HasPrefix(th.Text, "The user is asking") {
			t.Errorf("thinking = %+v", th)
		}
		if r.ToolChoice == nil || r.ToolChoice.Mode != llm.ToolChoiceAuto || r.ToolChoice.DisableParallel || r.ParallelToolCalls != nil {
			t.Errorf("tool choice = %+v parallel=%v", r.ToolChoice, r.ParallelToolCalls)
		}
	})
	t.Run("multimodal", func(t *testing.T) {
		r := mustDecode(t, fixture(t, "request_multimodal.json"))
		if len(r.System) != 2 || r.System[1].Cache == nil || r.System[1].Cache.TTL != "1h" || r.System[0].Cache != nil {
			t.Errorf("system = %+v", r.System)
		}
		c := r.Messages[0].Content
		if c[0].Media.MediaType != "image/jpeg" || c[0].Media.Data != "/9j/4AAQSkZJRg==" {
			t.Errorf("base64 image = %+v", c[0].Media)
		}
		if c[1].Media.URL == "" || c[2].Type != llm.PartDocument || c[2].Media.MediaType != "application/pdf" {
			t.Errorf("url image/doc = %+v %+v", c[1].Media, c[2].Media)
		}
		text, _ := base64.StdEncoding.DecodeString(c[3].Media.Data)
		if c[3].Media.Title != "My Document" || c[3].Media.MediaType != "text/plain" || string(text) != "The grass is green. The sky is blue." {
			t.Errorf("text doc = %+v", c[3].Media)
		}
		if c[4].Cache == nil || c[4].Cache.Type != "ephemeral" {
			t.Errorf("text cache = %+v", c[4])
		}
		if red := r.Messages[1].Content[0]; red.Type != llm.PartReasoning || !strings.HasPrefix(red.Redacted, "EmwK") {
			t.Errorf("redacted = %+v", red)
		}
		if tr := r.Messages[2].Content[0].ToolResult; !tr.IsError || tr.Content[0].Text != "15 degrees" {
			t.Errorf("tool result = %+v", tr)
		}
		if r.ToolChoice.Mode != llm.ToolChoiceRequired || !r.ToolChoice.DisableParallel || r.ParallelToolCalls == nil || *r.ParallelToolCalls {
			t.Errorf("tool choice = %+v", r.ToolChoice)
		}
		if r.Tools[0].Cache == nil || *r.Temperature != 0.5 || *r.TopP != 0.9 || *r.TopK != 40 ||
			r.Stop[0] != "\n\nHuman:" || r.User != "13803d75-b4b5-4c3e-b2a2-6f21399b021b" {
			t.Errorf("request = %+v", r)
		}
	})
}

func mustDecode(t *testing.T, body []byte) *llm.Request {
	t.Helper()
	r, err := Dialect{}.DecodeRequest(body)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestDecodeRequestValid(t *testing.T) {
	base := `"model":"m","max_tokens":10,`
	tests := []struct {
		name  string
		body  string
		check func(*llm.Request) bool
	}{
		{"string content and system", `{` + base + `"system":"be brief","messages":[{"role":"user","content":"hi"}]}`,
			func(r *llm.Request) bool {
				return r.System[0].Text == "be brief" && r.Messages[0].Content[0].Text == "hi"
			}},
		{"unknown top-level fields ignored", `{` + base + `"messages":[{"role":"user","content":"hi"}],"container":"x","mcp_servers":[],"service_tier":"auto"}`,
			func(r *llm.Request) bool { return r.Model == "m" }},
		{"thinking disabled", `{` + base + `"messages":[{"role":"user","content":"hi"}],"thinking":{"type":"disabled"}}`,
			func(r *llm.Request) bool { return r.Reasoning.Disabled }},
		{"custom tool type", `{` + base + `"messages":[{"role":"user","content":"hi"}],"tools":[{"type":"custom","name":"f","input_schema":{"type":"object"}}]}`,
			func(r *llm.Request) bool { return r.Tools[0].Name == "f" }},
		{"tool_choice tool", `{` + base + `"messages":[{"role":"user","content":"hi"}],"tool_choice":{"type":"tool","name":"f"}}`,
			func(r *llm.Request) bool { return r.ToolChoice.Mode == llm.ToolChoiceTool && r.ToolChoice.Name == "f" }},
		{"tool_choice none", `{` + base + `"messages":[{"role":"user","content":"hi"}],"tool_choice":{"type":"none"}}`,
			func(r *llm.Request) bool { return r.ToolChoice.Mode == llm.ToolChoiceNone }},
		{"tool_result blocks with image", `{` + base + `"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"text","text":"a"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBO"}}]}]}]}`,
			func(r *llm.Request) bool {
				return r.HasImages() && len(r.Messages[0].Content[0].ToolResult.Content) == 2
			}},
		{"stream false", `{` + base + `"stream":false,"messages":[{"role":"user","content":"hi"}]}`,
			func(r *llm.Request) bool { return !r.Stream && r.StreamUsage }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustDecode(t, []byte(tt.body))
			if !tt.check(r) {
				t.Errorf("unexpected %+v", r)
			}
		})
	}
}

func TestDecodeRequestInvalid(t *testing.T) {
	msgs := `"messages":[{"role":"user","content":"hi"}]`
	base := `"model":"m","max_tokens":10,`
	tests := []struct {
		name, body, param string
	}{
		{"not json", `hello`, ""},
		{"array", `[]`, ""},
		{"truncated", `{"model":"m"`, ""},
		{"no model", `{"max_tokens":1,` + msgs + `}`, "model"},
		{"model not string", `{"model":5,"max_tokens":1,` + msgs + `}`, "model"},
		{"no max_tokens", `{"model":"m",` + msgs + `}`, "max_tokens"},
		{"zero max_tokens", `{"model":"m","max_tokens":0,` + msgs + `}`, "max_tokens"},
		{"max_tokens string", `{"model":"m","max_tokens":"10",` + msgs + `}`, "max_tokens"},
		{"no messages", `{` + base + `"messages":[]}`, "messages"},
		{"system role", `{` + base + `"messages":[{"role":"system","content":"hi"}]}`, "messages.0.role"},
		{"no content", `{` + base + `"messages":[{"role":"user"}]}`, "messages.0.content"},
		{"content number", `{` + base + `"messages":[{"role":"user","content":5}]}`, "messages.0.content"},
		{"text without text", `{` + base + `"messages":[{"role":"user","content":[{"type":"text"}]}]}`, "messages.0.content.0.text"},
		{"tool_use in user", `{` + base + `"messages":[{"role":"user","content":[{"type":"tool_use","id":"a","name":"f","input":{}}]}]}`, "messages.0.content.0.type"},
		{"tool_use input array", `{` + base + `"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"a","name":"f","input":[]}]}]}`, "messages.0.content.0.input"},
		{"tool_result no id", `{` + base + `"messages":[{"role":"user","content":[{"type":"tool_result","content":"x"}]}]}`, "messages.0.content.0.tool_use_id"},
		{"tool_result document", `{` + base + `"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"a","content":[{"type":"document"}]}]}]}`, "messages.0.content.0.content.0.type"},
		{"thinking without signature", `{` + base + `"messages":[{"role":"assistant","content":[{"type":"thinking","thinking":"x"}]}]}`, "messages.0.content.0"},
		{"image bad media type", `{` + base + `"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/tiff","data":"x"}}]}]}`, "messages.0.content.0.source.media_type"},
		{"image file source", `{` + base + `"messages":[{"role":"user","content":[{"type":"image","source":{"type":"file","file_id":"f"}}]}]}`, "messages.0.content.0.source.type"},
		{"document content source", `{` + base + `"messages":[{"role":"user","content":[{"type":"document","source":{"type":"content","content":[]}}]}]}`, "messages.0.content.0.source.type"},
		{"bad cache_control", `{` + base + `"messages":[{"role":"user","content":[{"type":"text","text":"x","cache_control":{"type":"forever"}}]}]}`, "messages.0.content.0.cache_control.type"},
		{"bad ttl", `{` + base + `"system":[{"type":"text","text":"x","cache_control":{"type":"ephemeral","ttl":"2d"}}],` + msgs + `}`, "system.0.cache_control.ttl"},
		{"system number", `{` + base + `"system":5,` + msgs + `}`, "system"},
		{"system image", `{` + base + `"system":[{"type":"image"}],` + msgs + `}`, "system.0"},
		{"tool no name", `{` + base + msgs + `,"tools":[{"input_schema":{"type":"object"}}]}`, "tools.0.name"},
		{"tool no schema", `{` + base + msgs + `,"tools":[{"name":"f"}]}`, "tools.0.input_schema"},
		{"tool_choice bad", `{` + base + msgs + `,"tool_choice":{"type":"required"}}`, "tool_choice.type"},
		{"tool_choice tool no name", `{` + base + msgs + `,"tool_choice":{"type":"tool"}}`, "tool_choice.name"},
		{"temperature high", `{` + base + msgs + `,"temperature":1.5}`, "temperature"},
		{"top_p negative", `{` + base + msgs + `,"top_p":-0.1}`, "top_p"},
		{"top_k negative", `{` + base + msgs + `,"top_k":-1}`, "top_k"},
		{"thinking small budget", `{"model":"m","max_tokens":5000,` + msgs + `,"thinking":{"type":"enabled","budget_tokens":100}}`, "thinking.budget_tokens"},
		{"thinking budget over max", `{"model":"m","max_tokens":2000,` + msgs + `,"thinking":{"type":"enabled","budget_tokens":2000}}`, "thinking.budget_tokens"},
		{"thinking bad type", `{` + base + msgs + `,"thinking":{"type":"on"}}`, "thinking.type"},
		{"stop_sequences not strings", `{` + base + msgs + `,"stop_sequences":[1]}`, "stop_sequences"},
		{"metadata user not string", `{` + base + msgs + `,"metadata":{"user_id":7}}`, "metadata.user_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Dialect{}.DecodeRequest([]byte(tt.body))
			var e *llm.Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want *llm.Error", err)
			}
			if e.Status != 400 || e.Kind != llm.ErrInvalidRequest {
				t.Errorf("error = %+v", e)
			}
			if e.Param != tt.param {
				t.Errorf("param = %q, want %q (%s)", e.Param, tt.param, e.Message)
			}
			if tt.param != "" && !strings.Contains(e.Message, tt.param) {
				t.Errorf("message %q does not name %q", e.Message, tt.param)
			}
		})
	}
}

// Content only Anthropic can take keeps the request valid for the fast path
// and marks it native-only instead of failing it.
func TestDecodeRequestNativeOnly(t *testing.T) {
	const base = `"model":"claude-sonnet-4-5","max_tokens":100,`
	const msgs = `"messages":[{"role":"user","content":"hi"}]`
	tests := []struct {
		name, body, want string
	}{
		{"search result block", `{` + base + `"messages":[{"role":"user","content":[{"type":"search_result","text":"x"},{"type":"text","text":"hi"}]}]}`, `messages.0.content.0.type "search_result"`},
		{"server tool block", `{` + base + `"messages":[{"role":"user","content":"q"},{"role":"assistant","content":[{"type":"server_tool_use","id":"s","name":"web_search","input":{}}]}]}`, `messages.1.content.0.type "server_tool_use"`},
		{"server tool", `{` + base + msgs + `,"tools":[{"type":"web_search_20250305","name":"web_search","max_uses":5}]}`, `server tool tools.0.type "web_search_20250305"`},
		{"mcp servers", `{` + base + msgs + `,"mcp_servers":[{"type":"url","url":"https://example.com/sse","name":"x"}]}`, "mcp_servers"},
		{"plain", `{` + base + msgs + `}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Dialect{}.DecodeRequest([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if r.NativeOnly != tt.want {
				t.Errorf("NativeOnly = %q, want %q", r.NativeOnly, tt.want)
			}
			if len(r.Tools) != 0 {
				t.Errorf("server tool kept in the IR: %+v", r.Tools)
			}
		})
	}
}
