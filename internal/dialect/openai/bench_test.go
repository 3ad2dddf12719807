package openai

import (
	"testing"

	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/sse"
)

// Benchmarks of the pieces of the pipeline this dialect runs per request
// and per stream event, on recorded payloads; allocations are reported
// (go test -bench . -benchmem ./internal/dialect/...). bench/proxy measures
// the whole gateway; these locate its costs.

func benchRequest(b *testing.B) []byte {
	return []byte(cassette(b, "chat-tools").Request.Body)
}

func BenchmarkDecodeRequest(b *testing.B) {
	body := benchRequest(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := (Dialect{}).DecodeRequest(body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeRequest(b *testing.B) {
	req, err := Dialect{}.DecodeRequest(benchRequest(b))
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

// BenchmarkRewriteRequest is the fast path's only work on the request.
func BenchmarkRewriteRequest(b *testing.B) {
	body := benchRequest(b)
	req, err := Dialect{}.DecodeRequest(body)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (Dialect{}).RewriteRequest(body, "gpt-4o-mini", req); err != nil {
			b.Fatal(err)
		}
	}
}

func benchReply(b *testing.B) []byte {
	return []byte(cassette(b, "chat-tools").Response.Body)
}

func BenchmarkDecodeResponse(b *testing.B) {
	body := benchReply(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (Dialect{}).DecodeResponse(body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeResponse(b *testing.B) {
	resp, err := Dialect{}.DecodeResponse(benchReply(b))
	if err != nil {
		b.Fatal(err)
	}
	req := &llm.Request{Model: "gpt-4o-mini"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (Dialect{}).EncodeResponse(req, resp); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkResponseUsage is the fast path's only work on a reply.
func BenchmarkResponseUsage(b *testing.B) {
	body := benchReply(b)
	b.ReportAllocs()
	for b.Loop() {
		(Dialect{}).ResponseUsage(body)
	}
}

// BenchmarkStreamEncodeTextDelta: one canonical text delta to one
// chat.completion.chunk event.
func BenchmarkStreamEncodeTextDelta(b *testing.B) {
	enc := Dialect{}.NewStreamEncoder(&llm.Request{Model: "m", Stream: true, StreamUsage: true})
	buf := enc.Encode(nil, llm.Event{Type: llm.EventMessageStart, ID: "msg_01", Model: "claude-haiku-4-5"})
	buf = enc.Encode(buf, llm.Event{Type: llm.EventBlockStart, Index: 0, Part: &llm.Part{Type: llm.PartText}})
	ev := llm.Event{Type: llm.EventBlockDelta, Index: 0, Text: " token"}
	b.ReportAllocs()
	for b.Loop() {
		buf = enc.Encode(buf[:0], ev)
	}
}

// BenchmarkStreamDecodeTextDelta: one upstream chunk with a text delta to
// canonical events.
func BenchmarkStreamDecodeTextDelta(b *testing.B) {
	dec := Dialect{}.NewStreamDecoder()
	evs, err := dec.Decode(nil, sse.Event{Data: []byte(`{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}`)})
	if err != nil {
		b.Fatal(err)
	}
	ev := sse.Event{Data: []byte(`{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":" token"},"finish_reason":null}]}`)}
	b.ReportAllocs()
	for b.Loop() {
		if evs, err = dec.Decode(evs[:0], ev); err != nil {
			b.Fatal(err)
		}
	}
}
