package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/railyard-ai/railyard/internal/config"
	"github.com/railyard-ai/railyard/internal/dialect"
	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/sse"
)

// fakeIngress speaks the canonical IR as JSON, so the server's own logic
// can be tested apart from any real dialect.
type fakeIngress struct{}

func (fakeIngress) DecodeRequest(body []byte) (*llm.Request, error) {
	var r llm.Request
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, llm.BadRequest("bad json")
	}
	return &r, nil
}

func (fakeIngress) EncodeResponse(_ *llm.Request, resp *llm.Response) ([]byte, error) {
	return json.Marshal(resp)
}

func (fakeIngress) NewStreamEncoder(*llm.Request) dialect.StreamEncoder { return fakeEncoder{} }

func (fakeIngress) EncodeError(e *llm.Error) []byte {
	b, _ := json.Marshal(map[string]any{"status": e.Status, "kind": e.Kind, "message": e.Message})
	return b
}

type fakeEncoder struct{}

func (fakeEncoder) Encode(dst []byte, ev llm.Event) []byte {
	b, _ := json.Marshal(ev)
	return sse.AppendEvent(dst, strconv.Itoa(int(ev.Type)), b)
}

func (fakeEncoder) EncodeError(dst []byte, e *llm.Error) []byte {
	b, _ := json.Marshal(e)
	return sse.AppendEvent(dst, "error", b)
}

var fakeDialects = map[string]dialect.Ingress{"openai": fakeIngress{}, "anthropic": fakeIngress{}}

// recorder replaces the server's sleep: it records each wait and returns
// at once, so latency is checked by value, never by the clock.
type recorder struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (r *recorder) sleep(ctx context.Context, d time.Duration) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if d > 0 {
		r.waits = append(r.waits, d)
	}
	return ctx.Err()
}

func newTestServer(t *testing.T, cfg config.Sim) (*Server, *httptest.Server, *recorder) {
	t.Helper()
	s := New(cfg, fakeDialects, nil)
	rec := &recorder{}
	s.sleep = rec.sleep
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return s, ts, rec
}

func post(t *testing.T, url string, body any, header map[string]string) *http.Response {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// decodeEvents parses the fake encoder's stream; it fails the test on
// anything but a clean stream.
func decodeEvents(t *testing.T, r io.Reader) []llm.Event {
	t.Helper()
	d := sse.NewDecoder(r)
	var out []llm.Event
	for {
		ev, err := d.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		var e llm.Event
		if err := json.Unmarshal(ev.Data, &e); err != nil {
			t.Fatalf("event %q: %v", ev.Data, err)
		}
		out = append(out, e)
	}
}

// chunkReader returns the bytes in pieces of random lengths.
type chunkReader struct {
	b   []byte
	rng *rand.Rand
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.b) == 0 {
		return 0, io.EOF
	}
	n := min(1+c.rng.IntN(7), len(p), len(c.b))
	copy(p, c.b[:n])
	c.b = c.b[n:]
	return n, nil
}

// replayEverySplit decodes raw whole, one byte at a time and at random
// split points, and fails unless all give the same events.
func replayEverySplit(t *testing.T, raw []byte) []llm.Event {
	t.Helper()
	whole := decodeEvents(t, bytes.NewReader(raw))
	want, _ := json.Marshal(whole)
	readers := []io.Reader{iotest.OneByteReader(bytes.NewReader(raw))}
	for seed := range uint64(5) {
		readers = append(readers, &chunkReader{b: raw, rng: rand.New(rand.NewPCG(seed, 0))})
	}
	for i, r := range readers {
		got, _ := json.Marshal(decodeEvents(t, r))
		if !bytes.Equal(got, want) {
			t.Fatalf("reader %d decoded differently", i)
		}
	}
	return whole
}

func newHTTPServer(t *testing.T, h http.Handler) string {
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts.URL
}

// waitFor polls cond until it holds; it bounds the wait generously so a
// slow machine never flakes, and never asserts on elapsed time.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition never held")
		}
		time.Sleep(time.Millisecond)
	}
}
