package bedrock

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/railyard-ai/railyard/internal/llm"
)

func decodeFixture(t *testing.T, name string) *llm.Request {
	t.Helper()
	r, err := Dialect{}.DecodeRequest(fixture(t, name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return r
}

func TestDecodeRequestFixtures(t *testing.T) {
	r := decodeFixture(t, "request_tools.json")
	if len(r.Tools) != 1 || r.Tools[0].Name != "top_song" || !json.Valid(r.Tools[0].Parameters) ||
		r.ToolChoice == nil || r.ToolChoice.Mode != llm.ToolChoiceAuto || !r.StreamUsage {
		t.Errorf("tools: %+v", r)
	}

	r = decodeFixture(t, "request_tool_result.json")
	if len(r.Messages) != 3 {
		t.Fatalf("messages %d", len(r.Messages))
	}
	a := r.Messages[1].Content
	if len(a) != 3 || a[1].ToolCall.ID != "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q" || a[1].ToolCall.Arguments != `{"sign": "WZPZ"}` {
		t.Errorf("assistant turn %+v", a)
	}
	u := r.Messages[2].Content
	if u[0].ToolResult.IsError || u[0].ToolResult.Content[0].Text != `{"song": "Elemental Hotel", "artist": "8 Storey Hike"}` ||
		!u[1].ToolResult.IsError || u[1].ToolResult.Content[0].Text != "Station WZPA not found." {
		t.Errorf("tool results %+v %+v", u[0].ToolResult, u[1].ToolResult)
	}
	if r.Tools[0].Cache == nil {
		t.Error("tool cachePoint lost")
	}

	r = decodeFixture(t, "request_multimodal.json")
	c := r.Messages[0].Content
	if len(r.System) != 1 || r.System[0].Cache == nil || len(c) != 3 ||
		c[1].Media.MediaType != "image/png" || c[2].Media.MediaType != "application/pdf" ||
		c[2].Media.Title != "Quarterly report" || c[2].Cache == nil || c[1].Cache != nil {
		t.Errorf("multimodal %+v", r)
	}
	if r.MaxTokens != 512 || *r.Temperature != 0.5 || *r.TopP != 0.9 || r.Stop[0] != "\n\nHuman:" {
		t.Errorf("inference config %+v", r)
	}

	r = decodeFixture(t, "request_reasoning.json")
	a = r.Messages[1].Content
	if a[0].Type != llm.PartReasoning || a[0].Signature == "" || a[1].Redacted != "RXZhbHVhdGluZyB0aGUgcmVxdWVzdA==" ||
		r.Reasoning == nil || r.Reasoning.BudgetTokens != 2048 {
		t.Errorf("reasoning %+v %+v", a, r.Reasoning)
	}

	r = decodeFixture(t, "request_guardrail.json")
	if r.NativeOnly != "guardrailConfig" {
		t.Errorf("guardrail: NativeOnly %q", r.NativeOnly)
	}
}

func TestDecodeRequestErrors(t *testing.T) {
	cases := []struct{ name, body, param string }{
		{"not an object", `[]`, ""},
		{"bad json", `{"messages":`, ""},
		{"no messages", `{}`, "messages"},
		{"bad role", `{"messages":[{"role":"system","content":[{"text":"x"}]}]}`, "messages[0].role"},
		{"empty content", `{"messages":[{"role":"user","content":[]}]}`, "messages[0].content"},
		{"empty block", `{"messages":[{"role":"user","content":[{}]}]}`, "messages[0].content[0]"},
		{"user tool use", `{"messages":[{"role":"user","content":[{"toolUse":{"toolUseId":"a","name":"b","input":{}}}]}]}`, "messages[0].content[0].toolUse"},
		{"bad image format", `{"messages":[{"role":"user","content":[{"image":{"format":"bmp","source":{"bytes":"AA=="}}}]}]}`, "messages[0].content[0].image.format"},
		{"bad base64", `{"messages":[{"role":"user","content":[{"image":{"format":"png","source":{"bytes":"!!"}}}]}]}`, "messages[0].content[0].image.source.bytes"},
		{"doc without name", `{"messages":[{"role":"user","content":[{"document":{"format":"pdf","source":{"bytes":"AA=="}}}]}]}`, "messages[0].content[0].document.name"},
		{"leading cache point", `{"messages":[{"role":"user","content":[{"cachePoint":{"type":"default"}}]}]}`, "messages[0].content[0].cachePoint"},
		{"max tokens", `{"messages":[{"role":"user","content":[{"text":"x"}]}],"inferenceConfig":{"maxTokens":0}}`, "inferenceConfig.maxTokens"},
		{"temperature", `{"messages":[{"role":"user","content":[{"text":"x"}]}],"inferenceConfig":{"temperature":1.5}}`, "inferenceConfig.temperature"},
		{"wrong type", `{"messages":[{"role":"user","content":[{"text":3}]}]}`, "messages.content.text"},
		{"bad status", `{"messages":[{"role":"user","content":[{"toolResult":{"toolUseId":"a","content":[],"status":"maybe"}}]}]}`, "messages[0].content[0].toolResult.status"},
		{"no tools", `{"messages":[{"role":"user","content":[{"text":"x"}]}],"toolConfig":{"tools":[]}}`, "toolConfig.tools"},
		{"bad choice", `{"messages":[{"role":"user","content":[{"text":"x"}]}],"toolConfig":{"tools":[{"toolSpec":{"name":"a","inputSchema":{"json":{}}}}],"toolChoice":{}}}`, "toolConfig.toolChoice"},
		{"schema not object", `{"messages":[{"role":"user","content":[{"text":"x"}]}],"toolConfig":{"tools":[{"toolSpec":{"name":"a","inputSchema":{"json":[]}}}]}}`, "toolConfig.tools[0].toolSpec.inputSchema"},
		{"small budget", `{"messages":[{"role":"user","content":[{"text":"x"}]}],"additionalModelRequestFields":{"thinking":{"type":"enabled","budget_tokens":10}}}`, "additionalModelRequestFields.thinking.budget_tokens"},
	}
	for _, tc := range cases {
		_, err := Dialect{}.DecodeRequest([]byte(tc.body))
		e := llm.AsError(err)
		if err == nil || e.Status != http.StatusBadRequest || e.Param != tc.param {
			t.Errorf("%s: %v (param %q, want %q)", tc.name, err, e.Param, tc.param)
		}
	}
}

func TestParsePath(t *testing.T) {
	cases := []struct {
		path   string
		model  string
		stream bool
		ok     bool
	}{
		{"/model/anthropic.claude-3-haiku-20240307-v1:0/converse", "anthropic.claude-3-haiku-20240307-v1:0", false, true},
		{"/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse-stream", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", true, true},
		{"/model/global.amazon.nova-2-lite-v1:0/converse", "global.amazon.nova-2-lite-v1:0", false, true},
		{"/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.meta.llama3-2-1b-instruct-v1%3A0/converse",
			"arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.meta.llama3-2-1b-instruct-v1:0", false, true},
		{"/model/x/invoke", "", false, false},
		{"/model//converse", "", false, false},
		{"/model/a/b/converse", "", false, false},
		{"/v1/messages", "", false, false},
		{"/model/%zz/converse", "", false, false},
	}
	for _, tc := range cases {
		m, s, err := ParsePath(tc.path)
		if (err == nil) != tc.ok || m != tc.model || s != tc.stream {
			t.Errorf("%s: %q %v %v", tc.path, m, s, err)
		}
	}
	// Path and ParsePath agree, and DecodeHTTPRequest takes both from the URL.
	for _, id := range []string{"eu.anthropic.claude-haiku-4-5-20251001-v1:0", "arn:aws:bedrock:eu-west-1:1:inference-profile/eu.x"} {
		for _, stream := range []bool{false, true} {
			p := Dialect{}.Path(&llm.Request{Model: id, Stream: stream})
			r := httptest.NewRequest(http.MethodPost, p, nil)
			req, err := Dialect{}.DecodeHTTPRequest(r, fixture(t, "request_tools.json"))
			if err != nil || req.Model != id || req.Stream != stream {
				t.Errorf("%s: %+v %v", p, req, err)
			}
		}
	}
}

// TestEncodeRequestRoundTrip decodes each fixture, encodes it for Bedrock
// and decodes the result: the canonical request must survive unchanged
// (guardrail fields excepted: they only travel on the fast path).
func TestEncodeRequestRoundTrip(t *testing.T) {
	for _, name := range []string{"request_tools.json", "request_tool_result.json", "request_multimodal.json", "request_reasoning.json"} {
		want := decodeFixture(t, name)
		want.Model = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
		body, err := Dialect{}.EncodeRequest(want)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, err := Dialect{}.DecodeRequest(body)
		if err != nil {
			t.Fatalf("%s: re-decode: %v\n%s", name, err, body)
		}
		got.Model = want.Model
		compactJSON(want)
		compactJSON(got)
		if name == "request_reasoning.json" {
			// The budget counts against maxTokens; 4096 > 2048 keeps it.
			if got.Reasoning == nil || got.Reasoning.BudgetTokens != 2048 {
				t.Errorf("thinking lost: %s", body)
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: round trip differs\n got %+v\nwant %+v\n%s", name, got, want, body)
		}
	}
}

// compactJSON compacts the JSON texts a request carries (schemas,
// arguments), which encoding/json re-marshals compactly.
func compactJSON(r *llm.Request) {
	c := func(s []byte) []byte {
		var b bytes.Buffer
		if json.Compact(&b, s) != nil {
			return s
		}
		return b.Bytes()
	}
	for i := range r.Tools {
		r.Tools[i].Parameters = c(r.Tools[i].Parameters)
	}
	for _, m := range r.Messages {
		for _, p := range m.Content {
			if p.ToolCall != nil {
				p.ToolCall.Arguments = string(c([]byte(p.ToolCall.Arguments)))
			}
			if p.ToolResult != nil {
				for j := range p.ToolResult.Content {
					p.ToolResult.Content[j].Text = string(c([]byte(p.ToolResult.Content[j].Text)))
				}
			}
		}
	}
}

func TestEncodeRequestTranslation(t *testing.T) {
	temp, topK := 0.3, 40
	req := &llm.Request{
		Model:       "amazon.nova-pro-v1:0",
		System:      []llm.Part{{Type: llm.PartText, Text: "Be brief.", Developer: true}},
		Temperature: &temp, TopK: &topK,
		Reasoning:      &llm.Reasoning{Effort: "high"},
		ResponseFormat: &llm.ResponseFormat{Type: llm.FormatJSONObject},
		Messages: []llm.Message{
			{Role: llm.RoleUser, Content: []llm.Part{{Type: llm.PartText, Text: "a"}}},
			{Role: llm.RoleUser, Content: []llm.Part{{Type: llm.PartText, Text: "b"}}},
			{Role: llm.RoleAssistant, Content: []llm.Part{{Type: llm.PartReasoning, Text: "unsigned, from elsewhere"}, {Type: llm.PartText, Text: "c"}}},
		},
		Tools:      []llm.Tool{{Name: "f", Parameters: json.RawMessage(`{"type":"object"}`)}},
		ToolChoice: &llm.ToolChoice{Mode: llm.ToolChoiceNone},
	}
	body, err := Dialect{}.EncodeRequest(req)
	if err != nil {
		t.Fatal(err)
	}
	s := string(body)
	for _, want := range []string{`"system":[{"text":"Be brief."},{"text":"Respond with a single valid JSON object`,
		`{"role":"user","content":[{"text":"a"},{"text":"b"}]}`, `{"role":"assistant","content":[{"text":"c"}]}`,
		`"inferenceConfig":{"temperature":0.3}`, `"toolConfig":{"tools":[{"toolSpec":{"name":"f","inputSchema":{"json":{"type":"object"}}}}]}`} {
		if !strings.Contains(s, want) {
			t.Errorf("body lacks %s:\n%s", want, s)
		}
	}
	if strings.Contains(s, "additionalModelRequestFields") || strings.Contains(s, "unsigned") {
		t.Errorf("non-Anthropic model got Anthropic fields or unsigned reasoning:\n%s", s)
	}

	req.Model = "global.anthropic.claude-haiku-4-5-20251001-v1:0"
	req.Reasoning = nil
	body, _ = Dialect{}.EncodeRequest(req)
	if !strings.Contains(string(body), `"additionalModelRequestFields":{"top_k":40}`) {
		t.Errorf("top_k for Claude: %s", body)
	}
	req.Reasoning = &llm.Reasoning{Effort: "low"}
	req.MaxTokens = 1000
	body, _ = Dialect{}.EncodeRequest(req)
	if !strings.Contains(string(body), `"thinking":{"budget_tokens":2048,"type":"enabled"}`) || !strings.Contains(string(body), `"maxTokens":3048`) ||
		strings.Contains(string(body), `"temperature"`) {
		t.Errorf("thinking for Claude: %s", body)
	}

	// An image by http URL cannot go to Bedrock.
	req.Messages = []llm.Message{{Role: llm.RoleUser, Content: []llm.Part{{Type: llm.PartImage, Media: &llm.Media{MediaType: "image/png", URL: "https://example.com/a.png"}}}}}
	if _, err := (Dialect{}).EncodeRequest(req); err == nil {
		t.Error("http image URL accepted")
	}
}

func TestDocumentName(t *testing.T) {
	for in, want := range map[string]string{"Quarterly report": "Quarterly report", "a.pdf": "a pdf", "  x__y  ": "x y", "": "document-3", "!!!": "document-3"} {
		if got := documentName(in, 2); got != want {
			t.Errorf("%q: %q want %q", in, got, want)
		}
	}
}

// TestEncodeRequestBlanks: Converse rejects blank text and empty turns, so
// they never go out; roles still alternate.
func TestEncodeRequestBlanks(t *testing.T) {
	req := &llm.Request{Model: "amazon.nova-lite-v1:0", Messages: []llm.Message{
		{Role: llm.RoleUser, Content: []llm.Part{{Type: llm.PartText, Text: "call it"}}},
		{Role: llm.RoleAssistant, Content: []llm.Part{{Type: llm.PartText, Text: "  "},
			{Type: llm.PartToolCall, ToolCall: &llm.ToolCall{ID: "t1", Name: "f", Arguments: "not json"}}}},
		{Role: llm.RoleUser, Content: []llm.Part{{Type: llm.PartToolResult, ToolResult: &llm.ToolResult{CallID: "t1",
			Content: []llm.Part{{Type: llm.PartText, Text: ""}}}}}},
		{Role: llm.RoleAssistant, Content: []llm.Part{{Type: llm.PartText, Text: ""}}},
		{Role: llm.RoleUser, Content: []llm.Part{{Type: llm.PartText, Text: "thanks"}}},
	}}
	body, err := Dialect{}.EncodeRequest(req)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"messages":[{"role":"user","content":[{"text":"call it"}]},` +
		`{"role":"assistant","content":[{"toolUse":{"toolUseId":"t1","name":"f","input":{}}}]},` +
		`{"role":"user","content":[{"toolResult":{"toolUseId":"t1","content":[{"json":{}}],"status":"success"}},{"text":"thanks"}]}]}`
	if string(body) != want {
		t.Errorf("got  %s\nwant %s", body, want)
	}
	if _, err := (Dialect{}).DecodeRequest(body); err != nil {
		t.Error(err)
	}
}
