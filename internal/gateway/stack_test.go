package gateway_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime/debug"
	"testing"
	"unsafe"

	"github.com/railyard-ai/railyard/internal/benchdata"
	"github.com/railyard-ai/railyard/internal/gateway"
)

// TestStreamStackBeforeFirstWait holds the deepest point a streamed
// request reaches on its goroutine before the stream's first wait for
// the upstream under a bound. Go grows a goroutine's stack by doubling
// and halves it only when a collection finds under a quarter in use, so
// a stream that once went past 8 KiB keeps a 16 KiB stack for its whole
// length, parked about 5 KB deep: at thousands of open streams that was
// 8 KiB of memory each (bench/proxy's open-streams scenario). What went
// that deep: encoding/json's reflection (the upstream request's encoding,
// message_start's decoding) and net/http's header write (a 2.8 KB frame
// that sorts the headers 1.1 KB below it) under the gateway's own frames.
//
// The depth is measured by painting: in the handler of a real net/http
// server, the connection goroutine's stack is grown well past what the
// request needs and the unused part below the handler filled with a
// pattern; when the upstream body is first read (where a real stream
// would wait), the lowest byte no longer holding the pattern is the
// deepest the request went.
func TestStreamStackBeforeFirstWait(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's instrumentation changes stack frames; the bound is for release builds (.ci/run also runs this test without -race)")
	}
	// 8 KiB, less the 928 bytes the runtime keeps as the stack's guard,
	// less about 1.3 KB of net/http's frames above the handler.
	const bound = 5900
	defer debug.SetGCPercent(debug.SetGCPercent(-1)) // no stack shrinking while painted
	head := benchAnthropicStream(1)
	head = head[:bytes.Index(head, []byte("event: content_block_stop"))]
	probe := &stackProbe{}
	// As when many streams are open (the lone stream here would write
	// its first bytes directly).
	h := benchServerWith(t, probeTransport{head: head, probe: probe}, func(o *gateway.Options) { o.SpareStacksFrom = -1 })
	depth := make(chan int, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		depth <- probe.measure(func() { h.ServeHTTP(w, r) })
	}))
	defer srv.Close()
	body := benchdata.ChatRequest("xlate", true)
	for i := range 2 { // the first call builds caches (encoding/json's, the route estimate's)
		resp, err := srv.Client().Post(srv.URL+"/v1/chat/completions", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !bytes.Contains(got, []byte(" token")) {
			t.Fatalf("status %d: %.300s", resp.StatusCode, got)
		}
		d := <-depth
		if i == 0 {
			continue
		}
		if d == 0 {
			t.Fatal("the probe did not run: the upstream body was never read")
		}
		t.Logf("deepest point before the stream's first wait: %d bytes below the handler", d)
		if d > bound {
			t.Errorf("a streamed request went %d bytes deep before its first wait, over %d: an open stream would keep a 16 KiB stack", d, bound)
		}
	}
}

// paintedBytes is how much of the stack below the caller is painted.
const paintedBytes = 24 << 10

// stackProbe measures how deep a call goes on the calling goroutine.
type stackProbe struct {
	base  uintptr // the caller's frame, set once the stack is grown
	depth int     // the deepest point, read by at()
}

// measure runs f with the stack below the caller painted and returns the
// depth at() found.
//
//go:noinline
func (p *stackProbe) measure(f func()) int {
	var top byte
	base := unsafe.Pointer(&top) // a pointer, so the runtime moves it with the stack
	growStack(32)                // past paintedBytes, so painting stays inside the stack
	p.base = uintptr(base)
	for off := paintedBytes; off > 1024; off-- {
		*(*byte)(unsafe.Add(base, -off)) = 0xA5
	}
	p.depth = 0
	f()
	p.base = 0
	return p.depth
}

// at records the deepest point reached so far; it runs from the upstream
// body's first read, deeper than the caller of measure.
func (p *stackProbe) at() {
	if p.base == 0 || p.depth != 0 {
		return
	}
	var here byte
	at := unsafe.Pointer(&here)
	up := int(p.base - uintptr(at)) // from here up to the caller of measure
	for off := paintedBytes; off > 1024; off-- {
		if *(*byte)(unsafe.Add(at, up-off)) != 0xA5 {
			p.depth = off
			return
		}
	}
}

//go:noinline
func growStack(n int) byte {
	var buf [1024]byte
	buf[n] = byte(n)
	if n == 0 {
		return buf[0]
	}
	return growStack(n-1) + buf[n]
}

// probeTransport answers with head as a stream body that calls the probe
// on the read after head (where a real upstream would keep the stream
// waiting), then ends.
type probeTransport struct {
	head  []byte
	probe *stackProbe
}

func (t probeTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	_, _ = io.Copy(io.Discard, r.Body)
	return &http.Response{StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"text/event-stream"}},
		Body:   &probeBody{rest: t.head, probe: t.probe}, ContentLength: -1, Request: r}, nil
}

type probeBody struct {
	rest  []byte
	probe *stackProbe
}

func (b *probeBody) Read(p []byte) (int, error) {
	if len(b.rest) > 0 {
		n := copy(p, b.rest)
		b.rest = b.rest[n:]
		return n, nil
	}
	b.probe.at()
	return 0, io.EOF
}

func (b *probeBody) Close() error { return nil }
