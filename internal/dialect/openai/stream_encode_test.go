package openai

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/packages/ssestream"

	"github.com/railyard-ai/railyard/internal/llm"
)

// canonicalStream is a reply with reasoning, text and two tool calls, as a
// provider dialect's decoder would produce it.
func canonicalStream() []llm.Event {
	u := llm.Usage{InputTokens: 50, OutputTokens: 30, CacheReadTokens: 20, ReasoningTokens: 7}
	return []llm.Event{
		{Type: llm.EventMessageStart, ID: "chatcmpl-rt", Model: "gpt-x"},
		{Type: llm.EventBlockStart, Index: 0, Part: &llm.Part{Type: llm.PartReasoning}},
		{Type: llm.EventBlockDelta, Index: 0, Text: "Two cities"},
		{Type: llm.EventBlockDelta, Index: 0, Text: " needed."},
		{Type: llm.EventBlockStop, Index: 0},
		{Type: llm.EventBlockStart, Index: 1, Part: &llm.Part{Type: llm.PartText}},
		{Type: llm.EventBlockDelta, Index: 1, Text: "Checking "},
		{Type: llm.EventBlockDelta, Index: 1, Text: "both."},
		{Type: llm.EventBlockStop, Index: 1},
		{Type: llm.EventBlockStart, Index: 2, Part: &llm.Part{Type: llm.PartToolCall, ToolCall: &llm.ToolCall{ID: "call_1", Name: "weather"}}},
		{Type: llm.EventBlockDelta, Index: 2, Text: `{"city":`},
		{Type: llm.EventBlockDelta, Index: 2, Text: `"Paris"}`},
		{Type: llm.EventBlockStop, Index: 2},
		{Type: llm.EventBlockStart, Index: 3, Part: &llm.Part{Type: llm.PartToolCall, ToolCall: &llm.ToolCall{ID: "call_2", Name: "weather"}}},
		{Type: llm.EventBlockDelta, Index: 3, Text: `{"city":"Oslo"}`},
		{Type: llm.EventBlockStop, Index: 3},
		{Type: llm.EventMessageDelta, StopReason: llm.StopToolUse, Usage: &u},
		{Type: llm.EventMessageStop},
	}
}

func encodeAll(req *llm.Request, events []llm.Event) []byte {
	enc := Dialect{}.NewStreamEncoder(req)
	var out []byte
	for _, ev := range events {
		out = enc.Encode(out, ev)
	}
	return out
}

var createdRE = regexp.MustCompile(`"created":\d+`)

// TestStreamEncoderGolden pins the exact bytes written, created aside.
func TestStreamEncoderGolden(t *testing.T) {
	for _, usage := range []bool{false, true} {
		name := "stream-encode"
		if usage {
			name += "-usage"
		}
		t.Run(name, func(t *testing.T) {
			events := append([]llm.Event{{Type: llm.EventPing}}, canonicalStream()...)
			got := createdRE.ReplaceAll(encodeAll(&llm.Request{Model: "smart", StreamUsage: usage}, events), []byte(`"created":0`))
			path := filepath.Join("testdata", "golden", name+".sse")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
			if n := bytes.Count(got, []byte(`"choices":[]`)); n != map[bool]int{false: 0, true: 1}[usage] {
				t.Errorf("usage chunks: %d", n)
			}
		})
	}
}

// TestStreamRoundTrip encodes canonical events and decodes the bytes back:
// the events must survive unchanged, parallel tool calls included.
func TestStreamRoundTrip(t *testing.T) {
	want := canonicalStream()
	wire := encodeAll(&llm.Request{StreamUsage: true}, want)
	got, err := replayAllWays(t, Dialect{}, wire)
	if err != nil {
		t.Fatal(err)
	}
	if !equalJSON(got, want) {
		t.Errorf("round trip:\n got %s\nwant %s", toJSON(got), toJSON(want))
	}
}

// TestStreamEncoderDetails covers encoder rules the golden stream does not:
// a missing MessageStart, text carried on BlockStart, interleaved blocks,
// signature deltas, refusals and errors.
func TestStreamEncoderDetails(t *testing.T) {
	enc := Dialect{}.NewStreamEncoder(&llm.Request{Model: "smart"})
	var out []byte
	for _, ev := range []llm.Event{
		{Type: llm.EventBlockStart, Index: 0, Part: &llm.Part{Type: llm.PartText, Text: "A"}},
		{Type: llm.EventBlockStart, Index: 1, Part: &llm.Part{Type: llm.PartToolCall, ToolCall: &llm.ToolCall{ID: "t", Name: "f"}}},
		{Type: llm.EventBlockDelta, Index: 0, Text: "B"},
		{Type: llm.EventBlockDelta, Index: 1, Text: "{}"},
		{Type: llm.EventBlockDelta, Index: 0, Signature: "sig"},
		{Type: llm.EventBlockStart, Index: 2, Part: &llm.Part{Type: llm.PartRefusal}},
		{Type: llm.EventBlockDelta, Index: 2, Text: "no"},
		{Type: llm.EventBlockDelta, Index: 9, Text: "stray"},
		{Type: llm.EventMessageStop},
	} {
		out = enc.Encode(out, ev)
	}
	s := string(out)
	for _, want := range []string{
		`"model":"smart"`, `"id":"chatcmpl-`,
		`"delta":{"role":"assistant","content":""}`,
		`"delta":{"content":"A"}`, `"delta":{"content":"B"}`,
		`"tool_calls":[{"index":0,"id":"t","type":"function","function":{"name":"f","arguments":""}}]`,
		`"tool_calls":[{"index":0,"function":{"arguments":"{}"}}]`,
		`"delta":{"refusal":"no"}`,
		`"finish_reason":"stop"`, "data: [DONE]\n\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("missing %s in\n%s", want, s)
		}
	}
	if strings.Contains(s, "sig") || strings.Contains(s, "stray") || strings.Contains(s, `"usage"`) {
		t.Errorf("unexpected content:\n%s", s)
	}

	e := enc.EncodeError(nil, &llm.Error{Status: 502, Kind: llm.ErrOverloaded, Message: "upstream overloaded"})
	if string(e) != `data: {"error":{"message":"upstream overloaded","type":"server_error","param":null,"code":null}}`+"\n\n" {
		t.Errorf("error event: %s", e)
	}
}

// TestStreamAcceptedBySDK decodes the encoder's bytes with the official
// openai-go SSE stream and ChatCompletionAccumulator.
func TestStreamAcceptedBySDK(t *testing.T) {
	wire := encodeAll(&llm.Request{Model: "smart", StreamUsage: true}, canonicalStream())
	res := &http.Response{
		StatusCode: 200,
		Header:     http.Header{"Content-Type": []string{"text/event-stream"}},
		Body:       io.NopCloser(bytes.NewReader(wire)),
	}
	stream := ssestream.NewStream[openai.ChatCompletionChunk](ssestream.NewDecoder(res), nil)
	var acc openai.ChatCompletionAccumulator
	var reasoning strings.Builder
	chunks := 0
	for stream.Next() {
		chunk := stream.Current()
		chunks++
		if !acc.AddChunk(chunk) {
			t.Fatalf("accumulator rejected chunk %d: %s", chunks, chunk.RawJSON())
		}
		if len(chunk.Choices) > 0 {
			var d struct {
				ReasoningContent string `json:"reasoning_content"`
			}
			_ = json.Unmarshal([]byte(chunk.Choices[0].Delta.RawJSON()), &d)
			reasoning.WriteString(d.ReasoningContent)
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if len(acc.Choices) != 1 {
		t.Fatalf("choices: %d", len(acc.Choices))
	}
	c := acc.Choices[0]
	if c.Message.Content != "Checking both." || c.FinishReason != "tool_calls" || reasoning.String() != "Two cities needed." {
		t.Errorf("content %q finish %q reasoning %q", c.Message.Content, c.FinishReason, reasoning.String())
	}
	tc := c.Message.ToolCalls
	if len(tc) != 2 || tc[0].ID != "call_1" || tc[0].Function.Arguments != `{"city":"Paris"}` ||
		tc[1].ID != "call_2" || tc[1].Function.Name != "weather" || tc[1].Function.Arguments != `{"city":"Oslo"}` {
		t.Errorf("tool calls: %+v", tc)
	}
	u := acc.Usage
	if u.PromptTokens != 50 || u.CompletionTokens != 30 || u.TotalTokens != 80 ||
		u.PromptTokensDetails.CachedTokens != 20 || u.CompletionTokensDetails.ReasoningTokens != 7 {
		t.Errorf("usage: %+v", u)
	}
	if acc.ID == "" || acc.Model != "gpt-x" {
		t.Errorf("id %q model %q", acc.ID, acc.Model)
	}
}

// TestResponseAcceptedBySDK unmarshals EncodeResponse output into the
// SDK's ChatCompletion.
func TestResponseAcceptedBySDK(t *testing.T) {
	b, err := Dialect{}.EncodeResponse(&llm.Request{Model: "smart"}, &llm.Response{Model: "gpt-x", StopReason: llm.StopToolUse,
		Content: []llm.Part{{Type: llm.PartText, Text: "hi"}, {Type: llm.PartToolCall, ToolCall: &llm.ToolCall{ID: "c", Name: "f", Arguments: "{}"}}},
		Usage:   llm.Usage{InputTokens: 3, OutputTokens: 4, CacheReadTokens: 1}})
	if err != nil {
		t.Fatal(err)
	}
	var cc openai.ChatCompletion
	if err := json.Unmarshal(b, &cc); err != nil {
		t.Fatal(err)
	}
	if cc.Object != "chat.completion" || cc.Choices[0].Message.Content != "hi" || cc.Choices[0].FinishReason != "tool_calls" ||
		cc.Choices[0].Message.ToolCalls[0].Function.Name != "f" || cc.Usage.TotalTokens != 7 || cc.Usage.PromptTokensDetails.CachedTokens != 1 {
		t.Errorf("sdk view: %s", b)
	}
}
