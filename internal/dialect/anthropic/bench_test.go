package anthropic

import (
	"testing"

	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/sse"
)

// Benchmarks of the pieces of the pipeline this dialect runs per request
// and per stream event, on the documented payloads under testdata;
// allocations are reported (go test -bench . -benchmem
// ./internal/dialect/...). bench/proxy measures the whole gateway; these
// locate its costs.

func BenchmarkDecodeRequest(b *testing.B) {
	body := fixture(b, "request_tools.json")
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := (Dialect{}).DecodeRequest(body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeRequest: the full translation's request side (a request
// decoded from any dialect, rendered for Anthropic).
func BenchmarkEncodeRequest(b *testing.B) {
	req, err := Dialect{}.DecodeRequest(fixture(b, "request_tools.json"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (Dialect{}).EncodeRequest(req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeResponse(b *testing.B) {
	body := fixture(b, "response_tool_use.json")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (Dialect{}).DecodeResponse(body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeResponse(b *testing.B) {
	resp, err := Dialect{}.DecodeResponse(fixture(b, "response_tool_use.json"))
	if err != nil {
		b.Fatal(err)
	}
	req := &llm.Request{Model: "claude-haiku-4-5"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (Dialect{}).EncodeResponse(req, resp); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStreamDecodeTextDelta: one content_block_delta event to
// canonical events.
func BenchmarkStreamDecodeTextDelta(b *testing.B) {
	dec := Dialect{}.NewStreamDecoder()
	var evs []llm.Event
	var err error
	for _, ev := range []sse.Event{
		{Event: "message_start", Data: []byte(`{"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","model":"claude-haiku-4-5","content":[],"usage":{"input_tokens":10,"output_tokens":1}}}`)},
		{Event: "content_block_start", Data: []byte(`{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`)},
	} {
		if evs, err = dec.Decode(evs[:0], ev); err != nil {
			b.Fatal(err)
		}
	}
	ev := sse.Event{Event: "content_block_delta", Data: []byte(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" token"}}`)}
	b.ReportAllocs()
	for b.Loop() {
		if evs, err = dec.Decode(evs[:0], ev); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStreamEncodeTextDelta: one canonical text delta to one
// content_block_delta event.
func BenchmarkStreamEncodeTextDelta(b *testing.B) {
	enc := Dialect{}.NewStreamEncoder(&llm.Request{Model: "m", Stream: true})
	buf := enc.Encode(nil, llm.Event{Type: llm.EventMessageStart, ID: "chatcmpl-1", Model: "gpt-4o-mini"})
	buf = enc.Encode(buf, llm.Event{Type: llm.EventBlockStart, Index: 0, Part: &llm.Part{Type: llm.PartText}})
	ev := llm.Event{Type: llm.EventBlockDelta, Index: 0, Text: " token"}
	b.ReportAllocs()
	for b.Loop() {
		buf = enc.Encode(buf[:0], ev)
	}
}
