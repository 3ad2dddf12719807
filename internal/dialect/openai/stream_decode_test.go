package openai

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/railyard-ai/railyard/internal/llm"
)

// TestDecodeRecordedStreams replays the recorded api.openai.com streams
// whole, byte by byte and at random splits, into golden event lists.
func TestDecodeRecordedStreams(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		stop  llm.StopReason
		usage *llm.Usage
	}{
		{"chat-streaming", "", llm.StopEndTurn, nil},
		{"chat-streaming-web-search", "", llm.StopEndTurn, nil},
		{"chat-streaming-detailed-usage", "", llm.StopMaxTokens, &llm.Usage{InputTokens: 12, OutputTokens: 100, ReasoningTokens: 100}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			events, err := replayAllWays(t, Dialect{}, []byte(cassette(t, tt.name).Response.Body))
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "stream-"+tt.name, events)
			checkSequence(t, events)
			end := events[len(events)-2]
			if end.StopReason != tt.stop || !equalJSON(end.Usage, tt.usage) {
				t.Errorf("end: %s, want stop %s usage %+v", toJSON(end), tt.stop, tt.usage)
			}
		})
	}
	events, _ := replay(Dialect{}, strings.NewReader(cassette(t, "chat-streaming").Response.Body))
	if got := eventText(events, llm.PartText); !strings.HasPrefix(got, "Hi") || !strings.HasSuffix(got, "curious about.") {
		t.Errorf("chat-streaming text: %q", got)
	}
	if events[0].ID != "chatcmpl-C4HqHBe4xca0k0EzsCnf1t6V3YFXp" || events[0].Model != "gpt-5-nano-2025-08-07" {
		t.Errorf("message start: %s", toJSON(events[0]))
	}
}

// TestDecodeCompatStreams replays streams in the shapes compatible servers
// send.
func TestDecodeCompatStreams(t *testing.T) {
	tests := []struct {
		file      string
		reasoning string
		text      string
		tools     []llm.ToolCall
		stop      llm.StopReason
		usage     llm.Usage
	}{
		{"deepseek-reasoner", "Compare 9.11 and 9.8.", "9.8 is greater.", nil, llm.StopEndTurn,
			llm.Usage{InputTokens: 17, OutputTokens: 80, CacheReadTokens: 16, ReasoningTokens: 60}},
		{"openai-parallel-tools", "", "", []llm.ToolCall{
			{ID: "call_A", Name: "get_weather", Arguments: `{"location": "Paris"}`},
			{ID: "call_B", Name: "get_weather", Arguments: `{"location": "Tokyo"}`}}, llm.StopToolUse,
			llm.Usage{InputTokens: 80, OutputTokens: 40, CacheReadTokens: 64}},
		{"whole-tool-calls-no-done", "User wants two cities.", "", []llm.ToolCall{
			{ID: "call_x1", Name: "get_weather", Arguments: `{"city":"Paris"}`},
			{ID: "call_x2", Name: "get_weather", Arguments: `{"city":"Oslo"}`}}, llm.StopToolUse,
			llm.Usage{InputTokens: 150, OutputTokens: 38}},
		{"vllm-crlf", "", "Hello there", nil, llm.StopMaxTokens, llm.Usage{InputTokens: 9, OutputTokens: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", "streams", tt.file+".sse"))
			if err != nil {
				t.Fatal(err)
			}
			events, err := replayAllWays(t, Dialect{Compat: true}, b)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "stream-"+tt.file, events)
			checkSequence(t, events)
			if got := eventText(events, llm.PartReasoning); got != tt.reasoning {
				t.Errorf("reasoning %q, want %q", got, tt.reasoning)
			}
			if got := eventText(events, llm.PartText); got != tt.text {
				t.Errorf("text %q, want %q", got, tt.text)
			}
			if got := toolCalls(events); !equalJSON(got, tt.tools) {
				t.Errorf("tools %s, want %s", toJSON(got), toJSON(tt.tools))
			}
			end := events[len(events)-2]
			if end.StopReason != tt.stop || end.Usage == nil || *end.Usage != tt.usage {
				t.Errorf("end %s, want %s %+v", toJSON(end), tt.stop, tt.usage)
			}
		})
	}
}

// TestDecodeStreamFailures checks cut streams and in-band errors.
func TestDecodeStreamFailures(t *testing.T) {
	const chunk = `data: {"id":"c","model":"m","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}]}` + "\n\n"
	tests := []struct {
		name, stream string
		status       int
		kind         llm.ErrorKind
	}{
		{"cut without finish", chunk, 502, llm.ErrAPI},
		{"empty body", "", 502, llm.ErrAPI},
		{"done without chunks", "data: [DONE]\n\n", 502, llm.ErrAPI},
		{"malformed chunk", chunk + "data: {\"choices\":\n\n", 502, llm.ErrAPI},
		{"in-band error", chunk + `data: {"error":{"message":"The server had an error","type":"server_error","param":null,"code":null}}` + "\n\n", 502, llm.ErrAPI},
		{"vllm in-band error", chunk + `data: {"object":"error","error":{"message":"prompt too long","type":"BadRequestError","code":400}}` + "\n\n", 400, llm.ErrInvalidRequest},
		{"context length", `data: {"error":{"message":"too long","type":"invalid_request_error","code":"context_length_exceeded"}}` + "\n\n", 502, llm.ErrContextLength},
		{"error event text", "event: error\ndata: upstream exploded\n\n", 502, llm.ErrAPI},
		{"tool call resumed", `data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"a","function":{"name":"f","arguments":"{"}}]}}]}` + "\n\n" +
			`data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"b","function":{"name":"g","arguments":"{}"}}]}}]}` + "\n\n" +
			`data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"}"}}]}}]}` + "\n\n", 502, llm.ErrAPI},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := replayAllWays(t, Dialect{}, []byte(tt.stream))
			var e *llm.Error
			if !errors.As(err, &e) || e.Status != tt.status || e.Kind != tt.kind {
				t.Fatalf("got %v, want %d %s", err, tt.status, tt.kind)
			}
		})
	}
}

// TestDecodeStreamMissingIndex covers servers that omit tool_calls[].index.
func TestDecodeStreamMissingIndex(t *testing.T) {
	stream := `data: {"choices":[{"index":0,"delta":{"tool_calls":[{"id":"a","function":{"name":"f","arguments":"{\"x\":"}}]}}]}` + "\n\n" +
		`data: {"choices":[{"index":0,"delta":{"tool_calls":[{"function":{"arguments":"1}"}}]}}]}` + "\n\n" +
		`data: {"choices":[{"index":0,"delta":{"tool_calls":[{"id":"b","function":{"name":"g","arguments":"{}"}}]},"finish_reason":"tool_calls"}]}` + "\n\n" +
		"data: [DONE]\n\n"
	events, err := replayAllWays(t, Dialect{Compat: true}, []byte(stream))
	if err != nil {
		t.Fatal(err)
	}
	want := []llm.ToolCall{{ID: "a", Name: "f", Arguments: `{"x":1}`}, {ID: "b", Name: "g", Arguments: "{}"}}
	if got := toolCalls(events); !equalJSON(got, want) {
		t.Errorf("got %s", toJSON(got))
	}
}

// checkSequence asserts the canonical event grammar: MessageStart, blocks
// started once and stopped once, MessageDelta, MessageStop.
func checkSequence(t *testing.T, events []llm.Event) {
	t.Helper()
	n := len(events)
	if n < 3 || events[0].Type != llm.EventMessageStart || events[n-2].Type != llm.EventMessageDelta || events[n-1].Type != llm.EventMessageStop {
		t.Fatalf("bad frame: %s", toJSON(events))
	}
	open := map[int]bool{}
	next := 0
	for _, ev := range events[1 : n-2] {
		switch ev.Type {
		case llm.EventBlockStart:
			if ev.Index != next || ev.Part == nil {
				t.Fatalf("block %d started out of order", ev.Index)
			}
			open[ev.Index] = true
			next++
		case llm.EventBlockDelta:
			if !open[ev.Index] {
				t.Fatalf("delta for closed block %d", ev.Index)
			}
		case llm.EventBlockStop:
			if !open[ev.Index] {
				t.Fatalf("stop of closed block %d", ev.Index)
			}
			delete(open, ev.Index)
		default:
			t.Fatalf("unexpected event %s", toJSON(ev))
		}
	}
	if len(open) != 0 {
		t.Fatalf("blocks left open: %v", open)
	}
}

// toolCalls rebuilds the tool calls of a canonical stream.
func toolCalls(events []llm.Event) []llm.ToolCall {
	var out []llm.ToolCall
	at := map[int]int{}
	for _, ev := range events {
		switch {
		case ev.Type == llm.EventBlockStart && ev.Part.Type == llm.PartToolCall:
			at[ev.Index] = len(out)
			out = append(out, *ev.Part.ToolCall)
		case ev.Type == llm.EventBlockDelta:
			if i, ok := at[ev.Index]; ok {
				out[i].Arguments += ev.Text
			}
		}
	}
	return out
}
