package gateway_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/railyard-ai/railyard/internal/benchdata"
)

// BenchmarkStreamFirstByte is BenchmarkStream's request timed to the
// client writer's first flush (ns/first-flush): railyard's own work before
// a stream's first byte (decode, route, estimate, translate, send, decode
// the first upstream read, encode, write), without the network.
// BenchmarkBareStreamFirstByte is the same for an httputil.ReverseProxy
// over the same upstream, the floor to compare with.
//
//	go test -run '^$' -bench FirstByte -benchmem ./internal/gateway
func BenchmarkStreamFirstByte(b *testing.B) {
	benchFirstByte(b, benchServer(b, benchAnthropicStream(256)))
}

func BenchmarkBareStreamFirstByte(b *testing.B) {
	up, _ := url.Parse("http://upstream.local/an")
	rp := &httputil.ReverseProxy{
		Rewrite:       func(r *httputil.ProxyRequest) { r.SetURL(up) },
		Transport:     replyTransport(benchAnthropicStream(256)),
		FlushInterval: -1,
	}
	benchFirstByte(b, rp)
}

func benchFirstByte(b *testing.B, h http.Handler) {
	body := benchdata.ChatRequest("xlate", true)
	u, _ := url.Parse("http://railyard.local/v1/chat/completions")
	w := &firstFlushWriter{flushWriter: flushWriter{discardWriter: discardWriter{h: http.Header{}}}}
	var total time.Duration
	serve := func() {
		r := benchRequest(u, body)
		w.reset()
		w.first = 0
		w.start = time.Now()
		h.ServeHTTP(w, r)
		if w.status != http.StatusOK || w.first == 0 {
			b.Fatalf("status %d, first flush %v: %.300s", w.status, w.first, w.body.String())
		}
		total += w.first
	}
	serve()
	total = 0
	b.ReportAllocs()
	for b.Loop() {
		serve()
	}
	b.ReportMetric(float64(total.Nanoseconds())/float64(b.N), "ns/first-flush")
}

// firstFlushWriter notes how long after start the first flush came.
type firstFlushWriter struct {
	flushWriter
	start time.Time
	first time.Duration
}

func (w *firstFlushWriter) Flush() {
	if w.first == 0 {
		w.first = time.Since(w.start)
	}
	w.flushWriter.Flush()
}

// benchRequest is a client's POST of body to u, as net/http's server
// hands it to a handler.
func benchRequest(u *url.URL, body []byte) *http.Request {
	return &http.Request{Method: http.MethodPost, URL: u, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"application/json"}, "Content-Length": {strconv.Itoa(len(body))}},
		Body:   io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Host: u.Host, RequestURI: u.Path}
}
