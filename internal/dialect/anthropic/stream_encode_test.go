package anthropic

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	sdk "github.com/anthropics/anthropic-sdk-go"
	"github.com/anthropics/anthropic-sdk-go/packages/ssestream"

	"github.com/railyard-ai/railyard/internal/llm"
)

func encodeAll(req *llm.Request, evs []llm.Event) []byte {
	enc := Dialect{}.NewStreamEncoder(req)
	var out []byte
	for _, ev := range evs {
		out = enc.Encode(out, ev)
	}
	return out
}

// sdkAccumulate decodes stream bytes the way anthropic-sdk-go does and
// folds them with Message.Accumulate.
func sdkAccumulate(t *testing.T, stream []byte) (sdk.Message, error) {
	t.Helper()
	res := &http.Response{
		StatusCode: 200,
		Header:     http.Header{"Content-Type": []string{"text/event-stream"}},
		Body:       io.NopCloser(bytes.NewReader(stream)),
	}
	s := ssestream.NewStream[sdk.MessageStreamEventUnion](ssestream.NewDecoder(res), nil)
	var msg sdk.Message
	for s.Next() {
		if err := msg.Accumulate(s.Current()); err != nil {
			t.Fatalf("Accumulate: %v", err)
		}
	}
	return msg, s.Err()
}

// openAIStyle is what an OpenAI upstream's decoder produces: no input
// counts until the end, parallel tool calls started while text is open,
// late BlockStops.
func openAIStyle() []llm.Event {
	return []llm.Event{
		{Type: llm.EventMessageStart, ID: "chatcmpl-abc", Model: "gpt-4.1", Usage: &llm.Usage{}},
		{Type: llm.EventBlockStart, Index: 0, Part: &llm.Part{Type: llm.PartText}},
		{Type: llm.EventBlockDelta, Index: 0, Text: "Checking "},
		{Type: llm.EventBlockDelta, Index: 0, Text: "<both> & cities."},
		{Type: llm.EventBlockStart, Index: 1, Part: &llm.Part{Type: llm.PartToolCall, ToolCall: &llm.ToolCall{ID: "call_1", Name: "get_weather"}}},
		{Type: llm.EventBlockDelta, Index: 1, Text: `{"city":`},
		{Type: llm.EventBlockDelta, Index: 1, Text: `"Paris"}`},
		{Type: llm.EventPing},
		{Type: llm.EventBlockStart, Index: 2, Part: &llm.Part{Type: llm.PartToolCall, ToolCall: &llm.ToolCall{ID: "call_2", Name: "get_weather"}}},
		{Type: llm.EventBlockDelta, Index: 2, Text: `{"city":"Rome"}`},
		{Type: llm.EventBlockStop, Index: 0},
		{Type: llm.EventBlockStop, Index: 1},
		{Type: llm.EventBlockStop, Index: 2},
		{Type: llm.EventMessageDelta, StopReason: llm.StopToolUse, Usage: &llm.Usage{InputTokens: 1200, CacheReadTokens: 1024, OutputTokens: 42}},
		{Type: llm.EventMessageStop},
	}
}

func TestStreamEncodeSDKOpenAIStyle(t *testing.T) {
	stream := encodeAll(&llm.Request{Model: "smart"}, openAIStyle())
	msg, err := sdkAccumulate(t, stream)
	if err != nil {
		t.Fatal(err)
	}
	if msg.ID != "msg_chatcmpl-abc" || msg.Model != "gpt-4.1" || msg.StopReason != "tool_use" {
		t.Errorf("id=%q model=%q stop=%q", msg.ID, msg.Model, msg.StopReason)
	}
	if len(msg.Content) != 3 {
		t.Fatalf("content = %+v", msg.Content)
	}
	if msg.Content[0].Type != "text" || msg.Content[0].Text != "Checking <both> & cities." {
		t.Errorf("text block = %+v", msg.Content[0])
	}
	for i, want := range []string{`{"city":"Paris"}`, `{"city":"Rome"}`} {
		b := msg.Content[i+1]
		if b.Type != "tool_use" || string(b.Input) != want || b.Name != "get_weather" {
			t.Errorf("tool block %d = %s %s %s", i, b.Type, b.Name, b.Input)
		}
	}
	u := msg.Usage
	if u.InputTokens != 176 || u.CacheReadInputTokens != 1024 || u.CacheCreationInputTokens != 0 || u.OutputTokens != 42 {
		t.Errorf("usage = %+v", u)
	}
	// Indexes are consecutive and each block is stopped before the next.
	if !strings.Contains(string(stream), `"index":2`) || strings.Count(string(stream), "event: content_block_stop") != 3 {
		t.Errorf("stream:\n%s", stream)
	}
}

func TestStreamEncodeSDKThinkingAndCache(t *testing.T) {
	evs := []llm.Event{
		{Type: llm.EventMessageStart, ID: "msg_01", Model: "claude-sonnet-4-5", Usage: &llm.Usage{InputTokens: 3010, CacheWriteTokens: 3000, OutputTokens: 1}},
		{Type: llm.EventBlockStart, Index: 0, Part: &llm.Part{Type: llm.PartReasoning}},
		{Type: llm.EventBlockDelta, Index: 0, Text: "Let me think."},
		{Type: llm.EventBlockDelta, Index: 0, Signature: "EqQBsig=="},
		{Type: llm.EventBlockStop, Index: 0},
		{Type: llm.EventBlockStart, Index: 1, Part: &llm.Part{Type: llm.PartReasoning, Redacted: "EmwKAhgBEgy3va3pzix"}},
		{Type: llm.EventBlockStop, Index: 1},
		{Type: llm.EventBlockStart, Index: 2, Part: &llm.Part{Type: llm.PartText}},
		{Type: llm.EventBlockDelta, Index: 2, Text: "42"},
		{Type: llm.EventBlockStop, Index: 2},
		{Type: llm.EventMessageDelta, StopReason: llm.StopSequence, StopSequence: "###", Usage: &llm.Usage{InputTokens: 3010, CacheWriteTokens: 3000, OutputTokens: 77}},
		{Type: llm.EventMessageStop},
	}
	stream := encodeAll(&llm.Request{Model: "x"}, evs)
	msg, err := sdkAccumulate(t, stream)
	if err != nil {
		t.Fatal(err)
	}
	if len(msg.Content) != 3 {
		t.Fatalf("content = %+v", msg.Content)
	}
	if c := msg.Content[0]; c.Type != "thinking" || c.Thinking != "Let me think." || c.Signature != "EqQBsig==" {
		t.Errorf("thinking = %+v", c)
	}
	if c := msg.Content[1]; c.Type != "redacted_thinking" || c.Data != "EmwKAhgBEgy3va3pzix" {
		t.Errorf("redacted = %+v", c)
	}
	if msg.Content[2].Text != "42" || msg.StopReason != "stop_sequence" || msg.StopSequence != "###" {
		t.Errorf("text=%q stop=%q seq=%q", msg.Content[2].Text, msg.StopReason, msg.StopSequence)
	}
	u := msg.Usage
	if u.InputTokens != 10 || u.CacheCreationInputTokens != 3000 || u.CacheReadInputTokens != 0 || u.OutputTokens != 77 {
		t.Errorf("usage = %+v", u)
	}
	// Input counts did not change, so message_delta leaves them to message_start.
	if strings.Contains(string(stream), `"usage":{"input_tokens":10,"cache_creation_input_tokens":3000,"cache_read_input_tokens":0,"output_tokens":77}`) {
		t.Errorf("message_delta repeated unchanged input counts:\n%s", stream)
	}
}

// TestStreamEncodeDecodeRoundTrip: Anthropic fixtures decoded to canonical
// events, re-encoded and decoded again give the same reply.
func TestStreamEncodeDecodeRoundTrip(t *testing.T) {
	for _, f := range []string{"stream_text.sse", "stream_text_tool.sse", "stream_thinking_tool.sse", "stream_refusal.sse"} {
		t.Run(f, func(t *testing.T) {
			evs, err := replay(t, bytes.NewReader(fixture(t, f)))
			if err != nil {
				t.Fatal(err)
			}
			want := collect(t, evs)
			again, err := replayAll(t, encodeAll(nil, evs))
			if err != nil {
				t.Fatal(err)
			}
			got := collect(t, again)
			if got.ID != want.ID || got.Model != want.Model || got.StopReason != want.StopReason {
				t.Errorf("got %+v, want %+v", got, want)
			}
			// Reasoning tokens have no place in Anthropic's stream usage.
			wu := want.Usage
			wu.ReasoningTokens = 0
			if got.Usage != wu {
				t.Errorf("usage %+v, want %+v", got.Usage, wu)
			}
			if len(got.Content) != len(want.Content) {
				t.Fatalf("content %+v, want %+v", got.Content, want.Content)
			}
			for i := range got.Content {
				if !equalPart(got.Content[i], want.Content[i]) {
					t.Errorf("content[%d] %+v, want %+v", i, got.Content[i], want.Content[i])
				}
			}
			// And the SDK agrees with the fixture itself.
			a, err := sdkAccumulate(t, fixture(t, f))
			if err != nil {
				t.Fatal(err)
			}
			b, err := sdkAccumulate(t, encodeAll(nil, evs))
			if err != nil {
				t.Fatal(err)
			}
			if a.Usage.InputTokens != b.Usage.InputTokens || a.Usage.OutputTokens != b.Usage.OutputTokens || len(a.Content) != len(b.Content) {
				t.Errorf("SDK view differs: fixture %+v, re-encoded %+v", a.Usage, b.Usage)
			}
			for i := range a.Content {
				x, y := a.Content[i], b.Content[i]
				if x.Text != y.Text || x.Thinking != y.Thinking || x.Signature != y.Signature || !jsonEq(x.Input, y.Input) {
					t.Errorf("SDK content[%d] differs: %+v vs %+v", i, x, y)
				}
			}
		})
	}
}

func jsonEq(a, b []byte) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return bytes.Equal(a, b)
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}

func TestStreamEncodeExactBytes(t *testing.T) {
	evs := []llm.Event{
		{Type: llm.EventMessageStart, ID: "msg_1", Model: "m", Usage: &llm.Usage{InputTokens: 5, OutputTokens: 1}},
		{Type: llm.EventBlockStart, Index: 0, Part: &llm.Part{Type: llm.PartToolCall, ToolCall: &llm.ToolCall{ID: "toolu_1", Name: "f"}}},
		{Type: llm.EventBlockDelta, Index: 0, Text: `{"a":1}`},
		{Type: llm.EventMessageDelta, StopReason: llm.StopContentFilter, Usage: &llm.Usage{InputTokens: 5, OutputTokens: 9}},
		{Type: llm.EventMessageStop},
		{Type: llm.EventBlockDelta, Index: 0, Text: "ignored after stop"},
	}
	want := "event: message_start\n" +
		`data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":5,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}}` + "\n\n" +
		"event: content_block_start\n" +
		`data: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":"f","input":{}}}` + "\n\n" +
		"event: content_block_delta\n" +
		`data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"a\":1}"}}` + "\n\n" +
		"event: content_block_stop\n" +
		`data: {"type":"content_block_stop","index":0}` + "\n\n" +
		"event: message_delta\n" +
		`data: {"type":"message_delta","delta":{"stop_reason":"refusal","stop_sequence":null},"usage":{"output_tokens":9}}` + "\n\n" +
		"event: message_stop\n" +
		`data: {"type":"message_stop"}` + "\n\n"
	if got := string(encodeAll(nil, evs)); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestStreamEncodeError(t *testing.T) {
	enc := Dialect{}.NewStreamEncoder(&llm.Request{Model: "m"})
	out := enc.Encode(nil, llm.Event{Type: llm.EventMessageStart, ID: "msg_1"})
	out = enc.EncodeError(out, &llm.Error{Status: 529, Kind: llm.ErrOverloaded, Message: "Overloaded"})
	if !bytes.HasSuffix(out, []byte("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n")) {
		t.Errorf("stream:\n%s", out)
	}
	_, err := sdkAccumulate(t, out)
	if err == nil || !strings.Contains(err.Error(), "overloaded_error") {
		t.Errorf("SDK error = %v", err)
	}
}

// TestStreamEncodeSynthesizes: a stream whose upstream skipped events still
// comes out as a sequence the SDK accepts.
func TestStreamEncodeSynthesizes(t *testing.T) {
	stream := encodeAll(&llm.Request{Model: "asked"}, []llm.Event{
		{Type: llm.EventBlockStart, Index: 3, Part: &llm.Part{Type: llm.PartText, Text: "hi"}},
		{Type: llm.EventBlockStart, Index: 4, Part: &llm.Part{Type: llm.PartImage}},
		{Type: llm.EventBlockDelta, Index: 4, Text: "dropped"},
		{Type: llm.EventMessageStop},
	})
	msg, err := sdkAccumulate(t, stream)
	if err != nil {
		t.Fatal(err)
	}
	if msg.Model != "asked" || !strings.HasPrefix(msg.ID, "msg_") || len(msg.Content) != 1 || msg.Content[0].Text != "hi" || msg.StopReason != "end_turn" {
		t.Errorf("msg = %+v\n%s", msg, stream)
	}
}
