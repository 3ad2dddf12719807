package anthropic

import (
	"errors"
	"strings"
	"testing"

	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/sse"
)

func TestStreamDecodeFixtures(t *testing.T) {
	const sig = "EsQDCkYICBgCKkBr9+FTcKs+la0OlmRVB4HF/bTERKj+hr9pp9uxwdet2/P99iNZh/vwxm7Cd5wrZD0FnPkUz3DEqXv+ZoIL2fAoEgxOEzQepAptMFJiFJcaDM2L2wJzGec9170N1SIwHhl0DW0hXYbwHTRAR6w9biU0HwUh00oLghjeBusiv40ctsJB4tO/WyOR2f0iH7pZKqsC3UTE2b7nqQUmYP8dEDfnfNdbr24zEaWiZ2QMbwv9ZrwtUy0Wo/ot3n9JMpocHUSwtyKzB4GsMsgr/xtGEl9541AMSFhR1G8y3Ffn22e6pXV7dakwU/vxcBTvdwfBplrBxxJ1zT/ieuQUrdemKCRZS4QVmaVijUpYQMaQF7iCJJPKYI+wBhxT0y0yOoVqORKg2AuRmbkTpMfKZJ5xRBLAeydMhloeKfYswDDisWIChmJlclIro0Jr80OhpohTcQGayY4fjn0A/ir+9PYzLzjGitR3a+/lfHvuTmPC9AnWv3Sp87mddUuJ10jqO9QWXNTnAVdehLiN/heJVjOMkXCstWLVUycEgnfwXEqlNMMFuRAfOwTte0Ls9qHkl3Fzo8ompJiqxF879rSwcSEYAQ=="
	tests := []struct {
		file      string
		id, model string
		content   []llm.Part
		stop      llm.StopReason
		usage     llm.Usage
		startIn   int
		pings     int
	}{
		{
			file: "stream_text.sse", id: "msg_013robXNGqrQ66iDpnRyejiu", model: "claude-sonnet-4-20250514",
			content: []llm.Part{{Type: llm.PartText, Text: "The current weather in Florence, Italy is 40°C (104°F). That's quite hot! It appears to be a very warm day there."}},
			stop:    llm.StopEndTurn, usage: llm.Usage{InputTokens: 557, OutputTokens: 35}, startIn: 557, pings: 1,
		},
		{
			file: "stream_text_tool.sse", id: "msg_01P7nF1bmxyzFZjF8zwbUDBM", model: "claude-3-7-sonnet-20250219",
			content: []llm.Part{
				{Type: llm.PartText, Text: "I'd be happy to check the weather in San Francisco for you. Let me get that information for you right away."},
				{Type: llm.PartToolCall, ToolCall: &llm.ToolCall{ID: "toolu_017QoD96fYwGzCWvLfaPADWg", Name: "get_weather", Arguments: `{"city": "San Francisco"}`}},
			},
			stop: llm.StopToolUse, usage: llm.Usage{InputTokens: 394, OutputTokens: 79}, startIn: 394, pings: 1,
		},
		{
			file: "stream_thinking_tool.sse", id: "msg_01WBeG2NaYQ8w99747S3n8MZ", model: "claude-sonnet-4-20250514",
			content: []llm.Part{
				{Type: llm.PartReasoning, Signature: sig, Text: `The user is asking for weather information for Florence, Italy. I have access to a weather function that takes a "location" parameter. The user has provided the location as "Florence, Italy" which is clear and specific. I have all the required parameters to make this function call.`},
				{Type: llm.PartToolCall, ToolCall: &llm.ToolCall{ID: "toolu_0171KFcBwn1Z64XzvQfz3sZS", Name: "weather", Arguments: `{"location": "Florence, Italy"}`}},
			},
			stop: llm.StopToolUse, usage: llm.Usage{InputTokens: 423, OutputTokens: 119}, startIn: 423, pings: 1,
		},
		{
			file: "stream_refusal.sse", id: "msg_primary", model: "primary-model",
			content: []llm.Part{
				{Type: llm.PartReasoning, Text: "Simple educational question. Benign.", Signature: "sig-thinking-a"},
				{Type: llm.PartText, Text: "Hi"},
			},
			stop: llm.StopRefusal, usage: llm.Usage{InputTokens: 28, OutputTokens: 106, ReasoningTokens: 67}, startIn: 28, pings: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			evs, err := replayAll(t, fixture(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			pings := 0
			for _, ev := range evs {
				if ev.Type == llm.EventPing {
					pings++
				}
			}
			if pings != tt.pings {
				t.Errorf("pings = %d, want %d", pings, tt.pings)
			}
			if evs[0].Type != llm.EventMessageStart || evs[0].Usage.InputTokens != tt.startIn {
				t.Errorf("first event %+v, want message start with %d input tokens", evs[0], tt.startIn)
			}
			resp := collect(t, evs)
			if resp.ID != tt.id || resp.Model != tt.model || resp.StopReason != tt.stop || resp.Usage != tt.usage {
				t.Errorf("got id=%q model=%q stop=%q usage=%+v", resp.ID, resp.Model, resp.StopReason, resp.Usage)
			}
			if len(resp.Content) != len(tt.content) {
				t.Fatalf("content %+v", resp.Content)
			}
			for i := range tt.content {
				if !equalPart(resp.Content[i], tt.content[i]) {
					t.Errorf("content[%d] = %+v %+v, want %+v %+v", i, resp.Content[i], resp.Content[i].ToolCall, tt.content[i], tt.content[i].ToolCall)
				}
			}
		})
	}
}

func TestStreamDecodeErrorEvent(t *testing.T) {
	evs, err := replayAll(t, fixture(t, "stream_error.sse"))
	var e *llm.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want *llm.Error", err)
	}
	if e.Status != 529 || e.Kind != llm.ErrOverloaded || e.Message != "Overloaded" {
		t.Errorf("error = %+v", e)
	}
	if len(evs) != 1 || evs[0].Type != llm.EventMessageStart {
		t.Errorf("events before the error = %+v", evs)
	}
}

func TestStreamDecodeBroken(t *testing.T) {
	start := "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"m\",\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}\n\n"
	tests := []struct {
		name, stream, want string
	}{
		{"truncated", start + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n", "before message_stop"},
		{"empty", "", "before message_stop"},
		{"delta before start", "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"}}\n\n", "before message_start"},
		{"bad json", start + "event: message_delta\ndata: {nope\n\n", "malformed"},
		{"unknown block", start + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":4,\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"}}\n\n", "unknown block"},
		{"in-band error", start + "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"Internal server error\"}}\n\n", "Internal server error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := replayAll(t, []byte(tt.stream))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
			var e *llm.Error
			if !errors.As(err, &e) {
				t.Fatalf("err %T is not *llm.Error", err)
			}
		})
	}
}

// TestStreamDecodeTolerant: what Anthropic documents as possible (unknown
// event types, server tool blocks, citations) is skipped, not an error.
func TestStreamDecodeTolerant(t *testing.T) {
	stream := "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"m\",\"usage\":{\"input_tokens\":10,\"cache_read_input_tokens\":90,\"cache_creation_input_tokens\":5,\"output_tokens\":1}}}\n\n" +
		"event: brand_new_event\ndata: {\"type\":\"brand_new_event\"}\n\n" +
		"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"server_tool_use\",\"id\":\"srvtoolu_1\",\"name\":\"web_search\",\"input\":{}}}\n\n" +
		"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{}\"}}\n\n" +
		"event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n" +
		"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n" +
		"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"citations_delta\",\"citation\":{}}}\n\n" +
		"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\"ok\"}}\n\n" +
		"event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}\n\n" +
		"event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":7}}\n\n" +
		"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
	evs, err := replayAll(t, []byte(stream))
	if err != nil {
		t.Fatal(err)
	}
	resp := collect(t, evs)
	if len(resp.Content) != 1 || resp.Content[0].Text != "ok" {
		t.Errorf("content = %+v", resp.Content)
	}
	want := llm.Usage{InputTokens: 105, OutputTokens: 7, CacheReadTokens: 90, CacheWriteTokens: 5}
	if resp.Usage != want {
		t.Errorf("usage = %+v, want %+v (message_start's input counts kept)", resp.Usage, want)
	}
}

func TestStreamDecodeWithoutEventLines(t *testing.T) {
	d := Dialect{}.NewStreamDecoder()
	var evs []llm.Event
	var err error
	for _, data := range []string{
		`{"type":"message_start","message":{"id":"msg_1","model":"m","usage":{"input_tokens":1,"output_tokens":1}}}`,
		`{"type":"ping"}`,
		`{"type":"message_stop"}`,
	} {
		if evs, err = d.Decode(evs, sse.Event{Data: []byte(data)}); err != nil {
			t.Fatal(err)
		}
	}
	if evs, err = d.Close(evs); err != nil {
		t.Fatal(err)
	}
	got := []llm.EventType{}
	for _, e := range evs {
		got = append(got, e.Type)
	}
	want := []llm.EventType{llm.EventMessageStart, llm.EventPing, llm.EventMessageDelta, llm.EventMessageStop}
	if len(got) != len(want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("events %v, want %v", got, want)
		}
	}
}
