package openai

import (
	"errors"
	"strings"
	"testing"

	"github.com/railyard-ai/railyard/internal/llm"
)

// TestDecodeRecordedRequests decodes every recorded client request. Most
// become a canonical request held in a golden file; the ones OpenAI itself
// refused fail with the param named. The audio one decodes as native-only:
// it can go to OpenAI on the fast path and nowhere else.
func TestDecodeRecordedRequests(t *testing.T) {
	wantErr := map[string]string{
		"chat-bad-request": "messages[0].content", // content null
		"chat-no-messages": "messages",
	}
	for _, name := range chatCassettes(t) {
		t.Run(name, func(t *testing.T) {
			c := cassette(t, name)
			req, err := Dialect{}.DecodeRequest([]byte(c.Request.Body))
			if param, ok := wantErr[name]; ok {
				var e *llm.Error
				if !errors.As(err, &e) || e.Status != 400 || e.Param != param {
					t.Fatalf("got %#v, want 400 with param %q", err, param)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "request-"+name, req)
		})
	}
}

// TestDecodeRecordedRequestFacts checks, beyond the golden files, the facts
// each recorded request is about.
func TestDecodeRecordedRequestFacts(t *testing.T) {
	tests := []struct {
		name  string
		check func(*llm.Request) bool
	}{
		{"chat-basic", func(r *llm.Request) bool {
			return r.Model == "gpt-5-nano" && len(r.Messages) == 1 && r.Messages[0].Content[0].Text == "Hello!"
		}},
		{"chat-detailed-usage", func(r *llm.Request) bool {
			return r.MaxTokens == 100 && *r.Temperature == 1 && len(r.System) == 1 && r.System[0].Developer &&
				len(r.Messages) == 0
		}},
		{"chat-multiturn", func(r *llm.Request) bool {
			return len(r.System) == 1 && r.System[0].Developer && len(r.Messages) == 3 &&
				r.Messages[1].Role == llm.RoleAssistant
		}},
		{"chat-image-to-text", func(r *llm.Request) bool {
			m := r.Messages[0].Content[1].Media
			return r.Messages[0].Content[1].Type == llm.PartImage && m.MediaType == "image/png" &&
				strings.HasPrefix(m.Data, "iVBORw0KGgo") && m.URL == ""
		}},
		{"chat-multimodal", func(r *llm.Request) bool {
			m := r.Messages[0].Content[1].Media
			return strings.HasPrefix(m.URL, "https://upload.wikimedia.org/") && m.Data == ""
		}},
		{"chat-json-mode", func(r *llm.Request) bool {
			return r.ResponseFormat.Type == llm.FormatJSONObject
		}},
		{"chat-openai-agents-python", func(r *llm.Request) bool {
			f := r.ResponseFormat
			return f.Type == llm.FormatJSONSchema && f.Name == "final_output" && *f.Strict && len(f.Schema) > 0 &&
				len(r.System) == 1 && !r.System[0].Developer
		}},
		{"chat-parallel-tools", func(r *llm.Request) bool {
			return *r.ParallelToolCalls && r.ToolChoice.Mode == llm.ToolChoiceAuto && r.Tools[0].Name == "get_current_weather"
		}},
		{"chat-text-to-image-tool", func(r *llm.Request) bool {
			return r.ToolChoice.Mode == llm.ToolChoiceTool && r.ToolChoice.Name == "generate_image" && r.MaxTokens == 150
		}},
		{"chat-streaming-detailed-usage", func(r *llm.Request) bool { return r.Stream && r.StreamUsage }},
		{"chat-streaming", func(r *llm.Request) bool { return r.Stream && !r.StreamUsage }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := Dialect{}.DecodeRequest([]byte(cassette(t, tt.name).Request.Body))
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(req) {
				t.Errorf("unexpected request: %s", toJSON(req))
			}
		})
	}
}

// TestDecodeRequestShapes covers the shapes the recordings lack: tool
// turns, reasoning_content, files, stop strings and precedence rules.
func TestDecodeRequestShapes(t *testing.T) {
	body := `{"model":"m","messages":[
		{"role":"system","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]},
		{"role":"user","content":[{"type":"file","file":{"file_data":"data:application/pdf;base64,JVBERi0=","filename":"x.pdf"}},
			{"type":"image_url","image_url":{"url":"data:image/jpeg;base64,/9j/","detail":"low"}}],"name":"ann"},
		{"role":"assistant","content":null,"reasoning_content":"think","tool_calls":[
			{"id":"c1","type":"function","function":{"name":"f","arguments":"{\"a\":1}"}},
			{"id":"c2","type":"function","function":{"name":"g","arguments":""}}]},
		{"role":"tool","tool_call_id":"c1","content":"one"},
		{"role":"tool","tool_call_id":"c2","content":[{"type":"text","text":"two"}]},
		{"role":"user","content":"next"},
		{"role":"assistant","content":[{"type":"text","text":"x"}],"refusal":"no"},
		{"role":"developer","content":"late"}],
		"stop":"END","max_tokens":5,"max_completion_tokens":7,"seed":3,"top_k":4,
		"reasoning_effort":"low","stream":true,"stream_options":{"include_usage":true},"user":"u1","n":1,
		"tool_choice":"required","unknown_field":{"kept":"by passthrough only"}}`
	req, err := Dialect{}.DecodeRequest([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "request-shapes", req)
	if len(req.Messages) != 5 {
		t.Fatalf("want 5 messages (tool turns folded), got %d", len(req.Messages))
	}
	if got := req.Messages[2]; got.Role != llm.RoleUser || len(got.Content) != 2 || got.Content[1].ToolResult.CallID != "c2" {
		t.Errorf("tool messages not folded: %s", toJSON(got))
	}
	if req.MaxTokens != 7 || req.Stop[0] != "END" || !req.StreamUsage || req.Reasoning.Effort != "low" || *req.TopK != 4 {
		t.Errorf("scalars: %s", toJSON(req))
	}
	if a := req.Messages[1].Content; a[0].Type != llm.PartReasoning || a[0].Text != "think" {
		t.Errorf("reasoning_content must come first: %s", toJSON(a))
	}
	if len(req.System) != 3 || !req.System[2].Developer || req.System[2].Text != "late" {
		t.Errorf("system: %s", toJSON(req.System))
	}
}

// TestDecodeRequestErrors checks that every bad input is a 400 naming the
// field, as OpenAI names it.
func TestDecodeRequestErrors(t *testing.T) {
	const user = `{"role":"user","content":"hi"}`
	tests := []struct {
		name, body, param string
	}{
		{"not json", `{`, ""},
		{"not an object", `[]`, ""},
		{"no model", `{"messages":[` + user + `]}`, "model"},
		{"model not string", `{"model":1,"messages":[` + user + `]}`, "model"},
		{"no messages", `{"model":"m"}`, "messages"},
		{"empty messages", `{"model":"m","messages":[]}`, "messages"},
		{"messages not array", `{"model":"m","messages":{}}`, "messages"},
		{"message not object", `{"model":"m","messages":["x"]}`, "messages[0]"},
		{"function role", `{"model":"m","messages":[{"role":"function","name":"f","content":"x"}]}`, "messages[0].role"},
		{"unknown role", `{"model":"m","messages":[{"role":"bot","content":"x"}]}`, "messages[0].role"},
		{"no role", `{"model":"m","messages":[{"content":"x"}]}`, "messages[0].role"},
		{"user content number", `{"model":"m","messages":[` + user + `,{"role":"user","content":5}]}`, "messages[1].content"},
		{"user content null", `{"model":"m","messages":[{"role":"user","content":null}]}`, "messages[0].content"},
		{"part text number", `{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":1}]}]}`, "messages[0].content[0].text"},
		{"image no url", `{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{}}]}]}`, "messages[0].content[0].image_url.url"},
		{"image ftp", `{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"ftp://x"}}]}]}`, "messages[0].content[0].image_url.url"},
		{"image data not base64", `{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png,abc"}}]}]}`, "messages[0].content[0].image_url.url"},
		{"image data bad alphabet", `{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,a b"}}]}]}`, "messages[0].content[0].image_url.url"},
		{"system part image", `{"model":"m","messages":[{"role":"system","content":[{"type":"image_url"}]},` + user + `]}`, "messages[0].content[0].type"},
		{"assistant empty", `{"model":"m","messages":[` + user + `,{"role":"assistant"}]}`, "messages[1].content"},
		{"tool call no id", `{"model":"m","messages":[{"role":"assistant","tool_calls":[{"type":"function","function":{"name":"f","arguments":"{}"}}]}]}`, "messages[0].tool_calls[0].id"},
		{"tool call custom", `{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"custom","custom":{}}]}]}`, "messages[0].tool_calls[0].type"},
		{"tool call args object", `{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","function":{"name":"f","arguments":{}}}]}]}`, "messages[0].tool_calls[0].function.arguments"},
		{"tool no id", `{"model":"m","messages":[{"role":"tool","content":"x"}]}`, "messages[0].tool_call_id"},
		{"tool content null", `{"model":"m","messages":[{"role":"tool","tool_call_id":"c"}]}`, "messages[0].content"},
		{"name number", `{"model":"m","messages":[{"role":"user","content":"x","name":1}]}`, "messages[0].name"},
		{"temperature string", `{"model":"m","messages":[` + user + `],"temperature":"1"}`, "temperature"},
		{"temperature range", `{"model":"m","messages":[` + user + `],"temperature":-0.5}`, "temperature"},
		{"top_p range", `{"model":"m","messages":[` + user + `],"top_p":1.5}`, "top_p"},
		{"presence range", `{"model":"m","messages":[` + user + `],"presence_penalty":3}`, "presence_penalty"},
		{"frequency type", `{"model":"m","messages":[` + user + `],"frequency_penalty":[]}`, "frequency_penalty"},
		{"max_tokens zero", `{"model":"m","messages":[` + user + `],"max_tokens":0}`, "max_tokens"},
		{"max_completion_tokens float", `{"model":"m","messages":[` + user + `],"max_completion_tokens":1.5}`, "max_completion_tokens"},
		{"seed string", `{"model":"m","messages":[` + user + `],"seed":"1"}`, "seed"},
		{"stop number", `{"model":"m","messages":[` + user + `],"stop":1}`, "stop"},
		{"stop mixed", `{"model":"m","messages":[` + user + `],"stop":["a",1]}`, "stop"},
		{"n two", `{"model":"m","messages":[` + user + `],"n":2}`, "n"},
		{"stream string", `{"model":"m","messages":[` + user + `],"stream":"yes"}`, "stream"},
		{"include_usage string", `{"model":"m","messages":[` + user + `],"stream":true,"stream_options":{"include_usage":"y"}}`, "stream_options.include_usage"},
		{"user number", `{"model":"m","messages":[` + user + `],"user":1}`, "user"},
		{"effort number", `{"model":"m","messages":[` + user + `],"reasoning_effort":1}`, "reasoning_effort"},
		{"tools object", `{"model":"m","messages":[` + user + `],"tools":{}}`, "tools"},
		{"tool type", `{"model":"m","messages":[` + user + `],"tools":[{"type":"web_search"}]}`, "tools[0].type"},
		{"tool no function", `{"model":"m","messages":[` + user + `],"tools":[{"type":"function"}]}`, "tools[0].function"},
		{"tool no name", `{"model":"m","messages":[` + user + `],"tools":[{"type":"function","function":{}}]}`, "tools[0].function.name"},
		{"tool params array", `{"model":"m","messages":[` + user + `],"tools":[{"type":"function","function":{"name":"f","parameters":[]}}]}`, "tools[0].function.parameters"},
		{"tool strict string", `{"model":"m","messages":[` + user + `],"tools":[{"type":"function","function":{"name":"f","strict":"y"}}]}`, "tools[0].function.strict"},
		{"tool_choice bad string", `{"model":"m","messages":[` + user + `],"tool_choice":"any"}`, "tool_choice"},
		{"tool_choice bad type", `{"model":"m","messages":[` + user + `],"tool_choice":{"type":"allowed_tools"}}`, "tool_choice.type"},
		{"tool_choice no name", `{"model":"m","messages":[` + user + `],"tool_choice":{"type":"function","function":{}}}`, "tool_choice.function.name"},
		{"tool_choice number", `{"model":"m","messages":[` + user + `],"tool_choice":1}`, "tool_choice"},
		{"parallel string", `{"model":"m","messages":[` + user + `],"parallel_tool_calls":"y"}`, "parallel_tool_calls"},
		{"response_format type", `{"model":"m","messages":[` + user + `],"response_format":{"type":"xml"}}`, "response_format.type"},
		{"response_format string", `{"model":"m","messages":[` + user + `],"response_format":"json"}`, "response_format"},
		{"json_schema missing", `{"model":"m","messages":[` + user + `],"response_format":{"type":"json_schema"}}`, "response_format.json_schema"},
		{"json_schema no name", `{"model":"m","messages":[` + user + `],"response_format":{"type":"json_schema","json_schema":{"schema":{}}}}`, "response_format.json_schema.name"},
		{"json_schema schema string", `{"model":"m","messages":[` + user + `],"response_format":{"type":"json_schema","json_schema":{"name":"n","schema":"x"}}}`, "response_format.json_schema.schema"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := Dialect{}.DecodeRequest([]byte(tt.body))
			var e *llm.Error
			if !errors.As(err, &e) {
				t.Fatalf("want *llm.Error, got %v (req %s)", err, toJSON(req))
			}
			if e.Status != 400 || e.Kind != llm.ErrInvalidRequest || e.Param != tt.param || e.Message == "" {
				t.Errorf("got %d %s param %q (%s), want 400 param %q", e.Status, e.Kind, e.Param, e.Message, tt.param)
			}
		})
	}
}

// TestDecodeRequestNulls checks that null means "not set", as on OpenAI.
func TestDecodeRequestNulls(t *testing.T) {
	req, err := Dialect{}.DecodeRequest([]byte(`{"model":"m","messages":[{"role":"user","content":"x","name":null}],
		"temperature":null,"tools":null,"tool_choice":null,"stop":null,"stream":null,"stream_options":null,
		"response_format":null,"n":null,"max_tokens":null,"user":null,"reasoning_effort":null}`))
	if err != nil {
		t.Fatal(err)
	}
	if req.Temperature != nil || req.Tools != nil || req.ToolChoice != nil || req.Stop != nil || req.Stream ||
		req.ResponseFormat != nil || req.MaxTokens != 0 || req.Reasoning != nil {
		t.Errorf("nulls must leave fields unset: %s", toJSON(req))
	}
}

// Parts only OpenAI can take keep the request valid for the fast path and
// mark it native-only; unknown part types are still refused.
func TestDecodeRequestNativeOnly(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"input audio", `{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"hi"},{"type":"input_audio","input_audio":{"data":"AAAA","format":"wav"}}]}]}`, `messages[0].content[1].type "input_audio"`},
		{"file id", `{"model":"m","messages":[{"role":"user","content":[{"type":"file","file":{"file_id":"file-1"}}]}]}`, "messages[0].content[0].file.file_id"},
		{"plain", `{"model":"m","messages":[{"role":"user","content":"hi"}]}`, ""},
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
		})
	}
	if _, err := (Dialect{}).DecodeRequest([]byte(`{"model":"m","messages":[{"role":"user","content":[{"type":"hologram"}]}]}`)); err == nil {
		t.Error("unknown part type accepted")
	}
}
