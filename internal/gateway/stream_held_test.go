package gateway_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"sync"
	"testing"

	"github.com/railyard-ai/railyard/internal/benchdata"
)

// TestOpenStreamHeld measures what railyard holds per open stream, as
// bench/proxy's open-streams scenario does (an Anthropic upstream, an
// OpenAI client, one text delta each, then held), in process and without
// the sockets: heldStreams streams go through benchServer's handler, each
// on its own goroutine as net/http serves it, with an upstream body that
// gives its first events and then blocks until the request ends. It logs
// the live heap and the stacks per stream after a full collection (the
// collector's headroom doubles what is held, so each byte counts twice in
// the process's memory); with RAILYARD_HELD_PROFILE=path it writes an
// inuse_space heap profile of the held streams, every allocation sampled:
//
//	RAILYARD_HELD_PROFILE=/tmp/held.out go test -run TestOpenStreamHeld -v ./internal/gateway
//	go tool pprof -sample_index=inuse_space -top /tmp/held.out
//
// The bound only catches a gross regression (a prompt copy, a grown
// buffer per stream); the log is the measurement.
func TestOpenStreamHeld(t *testing.T) {
	profile := os.Getenv("RAILYARD_HELD_PROFILE")
	if profile != "" {
		defer func(r int) { runtime.MemProfileRate = r }(runtime.MemProfileRate)
		runtime.MemProfileRate = 1
	}
	const heldStreams = 200
	h := benchServerWith(t, holdTransport(holdEvents))
	body := benchdata.ChatRequest("xlate", true)
	u, _ := url.Parse("http://railyard.local/v1/chat/completions")
	var wg sync.WaitGroup
	var cancels []context.CancelFunc
	defer func() {
		for _, c := range cancels {
			c()
		}
		wg.Wait()
	}()
	open := func() {
		ctx, cancel := context.WithCancel(context.Background())
		cancels = append(cancels, cancel)
		r := (&http.Request{Method: http.MethodPost, URL: u, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: http.Header{"Content-Type": {"application/json"}, "Content-Length": {strconv.Itoa(len(body))}},
			Body:   io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Host: u.Host, RequestURI: u.Path}).WithContext(ctx)
		w := &holdWriter{h: http.Header{}, delta: make(chan struct{})}
		wg.Go(func() { h.ServeHTTP(w, r) })
		<-w.delta
	}
	open() // warm: pools, the estimator's memo, the routing state
	before := heldMem()
	for range heldStreams {
		open()
	}
	after := heldMem()
	heap := (int64(after.HeapAlloc) - int64(before.HeapAlloc)) / heldStreams
	inuse := (int64(after.HeapInuse) - int64(before.HeapInuse)) / heldStreams
	stack := (int64(after.StackInuse) - int64(before.StackInuse)) / heldStreams
	t.Logf("per open stream (%d held): live heap %d B, heap in use %d B, stack %d B", heldStreams, heap, inuse, stack)
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
			t.Fatal(err)
		}
	}
	if heap > 32<<10 {
		t.Errorf("an open stream holds %d B of live heap", heap)
	}
}

func heldMem() runtime.MemStats {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m
}

// holdEvents is what the upstream sends before it goes silent:
// message_start, the text block's start and one delta.
var holdEvents = []byte("event: message_start\n" +
	`data: {"type":"message_start","message":{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"claude-haiku-4-5-20251001","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":472,"output_tokens":1}}}` + "\n\n" +
	"event: content_block_start\n" +
	`data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}` + "\n\n" +
	"event: content_block_delta\n" +
	`data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}` + "\n\n")

// holdTransport answers every upstream call with a stream that gives its
// bytes and then waits for the request to end.
type holdTransport []byte

func (t holdTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	return &http.Response{StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"text/event-stream"}},
		Body:          &holdBody{data: t, ctx: r.Context()},
		ContentLength: -1, Request: r}, nil
}

type holdBody struct {
	data []byte
	ctx  context.Context
}

func (b *holdBody) Read(p []byte) (int, error) {
	if len(b.data) > 0 {
		n := copy(p, b.data)
		b.data = b.data[n:]
		return n, nil
	}
	<-b.ctx.Done()
	return 0, b.ctx.Err()
}

func (b *holdBody) Close() error { return nil }

// holdWriter is the client's side: it keeps nothing it is sent, and
// closes delta once the first text delta has been written.
type holdWriter struct {
	h      http.Header
	delta  chan struct{}
	closed bool
}

func (w *holdWriter) Header() http.Header { return w.h }
func (w *holdWriter) WriteHeader(int)     {}
func (w *holdWriter) Flush()              {}

func (w *holdWriter) Write(p []byte) (int, error) {
	if !w.closed && bytes.Contains(p, []byte(`"content":"Hi"`)) {
		w.closed = true
		close(w.delta)
	}
	return len(p), nil
}
