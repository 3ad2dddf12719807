package anthropic

import (
	"bytes"
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/railyard-ai/railyard/internal/llm"
)

// checkSameAsMarshal holds appendRequest to marshal for w: whenever it
// succeeds the bytes are marshal's, it fails wherever marshal does, and
// with fast set it must not fall back where marshal succeeds. encodeRequest
// (the path EncodeRequest and AppendRequest take) gives marshal's answer
// either way.
func checkSameAsMarshal(t *testing.T, w outRequest, fast bool) {
	t.Helper()
	want, werr := marshal(w)
	got, gerr := appendRequest(nil, &w)
	switch {
	case gerr == nil && werr != nil:
		t.Fatalf("appendRequest wrote %s where marshal fails: %v", got, werr)
	case gerr == nil && !bytes.Equal(got, want):
		t.Fatalf("appendRequest differs from marshal\n got %s\nwant %s", got, want)
	case gerr != nil && werr == nil && fast:
		t.Fatalf("appendRequest fell back (%v) on %s", gerr, want)
	}
	enc, eerr := encodeRequest(nil, &w)
	if (eerr != nil) != (werr != nil) || !bytes.Equal(enc, want) {
		t.Fatalf("encodeRequest = %s, %v; marshal = %s, %v", enc, eerr, want, werr)
	}
}

func fptr(f float64) *float64 { return &f }

// newOutRequest is the wire value EncodeRequest builds for req.
func newOutRequest(req *llm.Request) outRequest {
	var w outRequest
	buildRequest(&w, req)
	return w
}

func TestAppendRequestMatchesMarshal(t *testing.T) {
	topK := 40
	tests := []struct {
		name string
		w    outRequest
		// want: substrings of the output (empty: only the comparison).
		want []string
		// slow: appendRequest is expected to leave it to encoding/json.
		slow bool
	}{
		{name: "zero value", w: outRequest{}, want: []string{`{"model":"","max_tokens":0,"messages":null}`}},
		{name: "empty messages", w: outRequest{Model: "m", MaxTokens: 1, Messages: []outMessage{}},
			want: []string{`"messages":[]}`}},
		{name: "nil content", w: outRequest{Messages: []outMessage{{Role: "user"}}},
			want: []string{`"messages":[{"role":"user","content":null}]`}},
		{name: "html and separators", w: outRequest{Model: "<m>&", Messages: []outMessage{{Role: "user",
			Content: []any{textBlock{Type: "text", Text: "a<b>&c\u2028\u2029\x01\xff\"\\/\n"}}}}},
			want: []string{`"model":"<m>&"`, `"text":"a<b>&c\u2028\u2029\u0001\ufffd\"\\/\n"`}},
		{name: "floats", w: outRequest{Temperature: fptr(1e-7), TopP: fptr(1e21), TopK: &topK},
			want: []string{`"temperature":1e-7,"top_p":1e+21,"top_k":40`}},
		{name: "float edges", w: outRequest{Temperature: fptr(1e-6), TopP: fptr(math.Copysign(0, -1))},
			want: []string{`"temperature":0.000001,"top_p":-0`}},
		{name: "small float", w: outRequest{Temperature: fptr(5e-324), TopP: fptr(123456789.125)},
			want: []string{`"temperature":5e-324,"top_p":123456789.125`}},
		{name: "everything", w: outRequest{
			Model: "claude", MaxTokens: 9000, Stream: true,
			System: []textBlock{{Type: "text", Text: "sys", CacheControl: &wireCache{Type: "ephemeral", TTL: "1h"}}},
			Messages: []outMessage{
				{Role: "user", Content: []any{
					imageBlock{Type: "image", Source: outSource{Type: "url", URL: "https://x/a.png?a=1&b=2"}},
					imageBlock{Type: "image", Source: outSource{Type: "base64", MediaType: "image/png", Data: "iVBO"},
						CacheControl: &wireCache{Type: "ephemeral"}},
					documentBlock{Type: "document", Source: outSource{Type: "text", MediaType: "text/plain", Data: "doc"}, Title: "T"},
				}},
				{Role: "assistant", Content: []any{
					thinkingBlock{Type: "thinking", Thinking: "hmm", Signature: "sig"},
					redactedThinkingBlock{Type: "redacted_thinking", Data: "xyz"},
					toolUseBlock{Type: "tool_use", ID: "tu_1", Name: "f", Input: json.RawMessage(` { "a" : [1, 2 , "x y\"} "] } `)},
				}},
				{Role: "user", Content: []any{
					toolResultBlock{Type: "tool_result", ToolUseID: "tu_1", IsError: true, Content: []any{
						textBlock{Type: "text", Text: "r"},
						imageBlock{Type: "image", Source: outSource{Type: "url", URL: "u"}},
					}},
					toolResultBlock{Type: "tool_result", ToolUseID: "tu_2", Content: []any{}},
				}},
			},
			Tools: []outTool{
				{Name: "f", Description: "d", InputSchema: json.RawMessage(`{"type":"object"}`), CacheControl: &wireCache{Type: "ephemeral"}},
				{Name: "g", InputSchema: json.RawMessage("{\n\t\"type\": \"object\"\r\n}")},
			},
			ToolChoice:    &outToolChoice{Type: "tool", Name: "f", DisableParallelToolUse: true},
			StopSequences: []string{"</end>", ""},
			Metadata:      &outMetadata{UserID: "u&1"},
			Thinking:      &outThinking{Type: "enabled", BudgetTokens: 2048},
		}, want: []string{
			`"input":{"a":[1,2,"x y\"} "]}`,
			`"input_schema":{"type":"object"}}`,
			`"content":[{"type":"text","text":"r"}`,
			`{"type":"tool_result","tool_use_id":"tu_2"}`,
			`"stop_sequences":["</end>",""]`,
			`"tool_choice":{"type":"tool","name":"f","disable_parallel_tool_use":true}`,
			`"thinking":{"type":"enabled","budget_tokens":2048},"stream":true}`,
		}},
		{name: "thinking disabled", w: outRequest{Thinking: &outThinking{Type: "disabled"}, ToolChoice: &outToolChoice{Type: "none"}},
			want: []string{`"tool_choice":{"type":"none"},"thinking":{"type":"disabled"}}`}},
		{name: "nil raw and nil block", w: outRequest{Messages: []outMessage{{Role: "assistant", Content: []any{nil,
			toolUseBlock{Type: "tool_use"}}}}},
			want: []string{`"content":[null,{"type":"tool_use","id":"","name":"","input":null}]`}},
		// What appendRequest leaves to encoding/json.
		{name: "pointer block", w: outRequest{Messages: []outMessage{{Role: "user", Content: []any{&textBlock{Type: "text"}}}}}, slow: true},
		{name: "foreign block", w: outRequest{Messages: []outMessage{{Role: "user", Content: []any{map[string]any{"type": "x"}}}}}, slow: true},
		{name: "NaN", w: outRequest{Temperature: fptr(math.NaN())}, slow: true},
		{name: "infinity", w: outRequest{TopP: fptr(math.Inf(-1))}, slow: true},
		{name: "invalid raw", w: outRequest{Tools: []outTool{{Name: "f", InputSchema: json.RawMessage(`{"a":`)}}}, slow: true},
		{name: "empty raw", w: outRequest{Tools: []outTool{{Name: "f", InputSchema: json.RawMessage{}}}}, slow: true},
		{name: "deep tool results", w: outRequest{Messages: []outMessage{{Role: "user", Content: nestResults(maxBlockDepth + 1)}}}, slow: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkSameAsMarshal(t, tt.w, !tt.slow)
			got, err := appendRequest(nil, &tt.w)
			if tt.slow != (err != nil) {
				t.Fatalf("appendRequest error = %v, want fallback %v", err, tt.slow)
			}
			for _, s := range tt.want {
				if !strings.Contains(string(got), s) {
					t.Errorf("output lacks %s\n%s", s, got)
				}
			}
		})
	}
}

// nestResults returns a tool_result nested n deep.
func nestResults(n int) []any {
	content := []any{textBlock{Type: "text", Text: "leaf"}}
	for range n {
		content = []any{toolResultBlock{Type: "tool_result", ToolUseID: "t", Content: content}}
	}
	return content
}

// TestEncodeRequestFixturesTakeFastPath: every recorded request, decoded
// and rendered for Anthropic, is written by appendRequest (no fallback),
// byte for byte as marshal writes it.
func TestEncodeRequestFixturesTakeFastPath(t *testing.T) {
	names, err := filepath.Glob(filepath.Join("testdata", "request_*.json"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no request fixtures: %v", err)
	}
	for _, name := range names {
		t.Run(filepath.Base(name), func(t *testing.T) {
			req := mustDecode(t, fixture(t, filepath.Base(name)))
			for _, stream := range []bool{false, true} {
				req.Stream = stream
				checkSameAsMarshal(t, newOutRequest(req), true)
			}
		})
	}
}

// TestEncodeRequestIRPartsFast: the parts Anthropic ingress cannot
// express (images by URL, text documents, thinking with effort, a JSON
// schema instruction, tool results with images) take the fast path too.
func TestEncodeRequestIRPartsFast(t *testing.T) {
	parallel := false
	req := &llm.Request{
		Model: "m", Temperature: fptr(0.5), TopP: fptr(0.99), User: "<u>",
		Stop:              []string{"\u2028"},
		ResponseFormat:    &llm.ResponseFormat{Type: llm.FormatJSONSchema, Name: "s", Schema: json.RawMessage(`{"type":"object"}`)},
		Reasoning:         &llm.Reasoning{Effort: "low"},
		System:            []llm.Part{{Type: llm.PartText, Text: "sys", Cache: &llm.CacheControl{TTL: "1h"}}},
		Tools:             []llm.Tool{{Name: "f", Parameters: json.RawMessage(` {"type": "object"} `)}, {Name: "g", Parameters: json.RawMessage(`[]`)}},
		ParallelToolCalls: &parallel,
		Messages: []llm.Message{
			{Role: llm.RoleUser, Content: []llm.Part{
				{Type: llm.PartImage, Media: &llm.Media{URL: "https://x/i.png"}},
				{Type: llm.PartImage, Media: &llm.Media{MediaType: "image/png", Data: "iVBO"}},
				{Type: llm.PartDocument, Media: &llm.Media{MediaType: "text/plain", Data: "aGk8Pg==", Title: "t"}},
				{Type: llm.PartDocument, Media: &llm.Media{MediaType: "application/pdf", Data: "JVBE"}},
			}},
			{Role: llm.RoleAssistant, Content: []llm.Part{
				{Type: llm.PartReasoning, Text: "think", Signature: "sig"},
				{Type: llm.PartReasoning, Redacted: "red"},
				{Type: llm.PartToolCall, ToolCall: &llm.ToolCall{ID: "c1", Name: "f", Arguments: `{"x": 1}`}},
			}},
			{Role: llm.RoleUser, Content: []llm.Part{
				{Type: llm.PartToolResult, ToolResult: &llm.ToolResult{CallID: "c1", IsError: true, Content: []llm.Part{
					{Type: llm.PartText, Text: "ok"},
					{Type: llm.PartImage, Media: &llm.Media{URL: "u"}},
				}}},
			}},
		},
	}
	checkSameAsMarshal(t, newOutRequest(req), true)
}

// checkAppendRequest: AppendRequest appends exactly EncodeRequest's bytes
// after whatever dst holds, and leaves those alone.
func checkAppendRequest(t *testing.T, req *llm.Request) {
	t.Helper()
	want, werr := Dialect{}.EncodeRequest(req)
	prefix := []byte("prefix")
	dst := append(make([]byte, 0, 8), prefix...)
	got, err := Dialect{}.AppendRequest(dst, req)
	if (err != nil) != (werr != nil) {
		t.Fatalf("AppendRequest error %v, EncodeRequest error %v", err, werr)
	}
	if err != nil {
		if err.Error() != werr.Error() {
			t.Fatalf("AppendRequest error %v, EncodeRequest error %v", err, werr)
		}
		return
	}
	if string(got) != string(prefix)+string(want) {
		t.Fatalf("AppendRequest wrote\n%s\nwant\n%s%s", got, prefix, want)
	}
}

func TestAppendRequestMatchesEncodeRequest(t *testing.T) {
	names, _ := filepath.Glob(filepath.Join("testdata", "request_*.json"))
	if len(names) == 0 {
		t.Fatal("no request fixtures")
	}
	for _, name := range names {
		req, err := Dialect{}.DecodeRequest(fixture(t, filepath.Base(name)))
		if err != nil {
			continue // fixtures of requests ingress refuses
		}
		checkAppendRequest(t, req)
	}
	r := &llm.Request{Model: "m", Messages: []llm.Message{{Role: llm.RoleUser, Content: []llm.Part{{Type: llm.PartText, Text: "hi"}}}}}
	checkAppendRequest(t, r)
}
