package gateway_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/railyard-ai/railyard/internal/benchdata"
)

// BenchmarkStream serves one streamed request per iteration through the
// pieces `railyard serve` assembles (see benchServer): an Anthropic stream
// of 256 text deltas translated for an OpenAI client, the upstream body
// coming from memory in reads of at most 4 KiB (as a loopback upstream
// arrives), the client writer flushing into nothing. It is the A/B tool
// for bench/proxy's CPU per translated event without the loopback
// network's syscalls: ns/op / 256 is railyard's own work per event.
//
//	go test -run '^$' -bench Stream -benchmem ./internal/gateway
func BenchmarkStream(b *testing.B) {
	h := benchServer(b, benchAnthropicStream(256))
	body := benchdata.ChatRequest("xlate", true)
	u, _ := url.Parse("http://railyard.local/v1/chat/completions")
	w := &flushWriter{discardWriter: discardWriter{h: http.Header{}}}
	serve := func() {
		r := benchRequest(u, body)
		w.reset()
		w.flushes = 0
		h.ServeHTTP(w, r)
		if w.status != http.StatusOK || !bytes.HasSuffix(w.body.Bytes(), []byte("data: [DONE]\n\n")) {
			b.Fatalf("status %d: %.300s", w.status, w.body.String())
		}
	}
	serve()
	b.ReportAllocs()
	for b.Loop() {
		serve()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/256, "ns/event")
	b.ReportMetric(float64(w.flushes), "flushes/op")
}

// flushWriter is a discardWriter that can flush, as a streamed reply
// needs.
type flushWriter struct {
	discardWriter
	flushes int
}

func (w *flushWriter) Flush() { w.flushes++ }

// benchAnthropicStream is bench/proxy's upstream stream: n text deltas
// between the message and block events of the Messages API reference,
// served in reads of at most 4 KiB.
func benchAnthropicStream(n int) []byte {
	var b strings.Builder
	b.WriteString("event: message_start\n" +
		`data: {"type":"message_start","message":{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"claude-haiku-4-5-20251001","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":472,"output_tokens":1}}}` + "\n\n" +
		"event: content_block_start\n" +
		`data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}` + "\n\n")
	for range n {
		b.WriteString("event: content_block_delta\n" +
			`data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" token"}}` + "\n\n")
	}
	b.WriteString("event: content_block_stop\n" +
		`data: {"type":"content_block_stop","index":0}` + "\n\n" +
		"event: message_delta\n" +
		`data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":256}}` + "\n\n" +
		"event: message_stop\n" +
		`data: {"type":"message_stop"}` + "\n\n")
	return []byte(b.String())
}
