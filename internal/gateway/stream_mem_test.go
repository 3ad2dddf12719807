package gateway

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"

	"github.com/railyard-ai/railyard/internal/dialect/openai"
)

// TestOpenStreamKeepsNoPromptCopy holds streams open (a first delta sent,
// then the upstream silent) and checks what each costs in heap:
// connection state, but no copy of the prompt. Once a stream has
// committed (no failover after the first byte) neither the client's body
// nor the decoded request's content is needed: an open stream used to
// keep the client's body and the upstream body alive through the
// gateway's exchange and the transport's request (three copies), then the
// canonical request (one).
func TestOpenStreamKeepsNoPromptCopy(t *testing.T) {
	if testing.Short() {
		t.Skip("opens streams with large prompts")
	}
	const prompt = 900 << 10 // under newGatewayF's 1 MiB body limit
	const streams = 16
	hold := make(chan struct{})
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "event: message_start\n"+
			`data: {"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","model":"claude-haiku-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":10,"output_tokens":1}}}`+"\n\n"+
			"event: content_block_start\n"+`data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`+"\n\n"+
			"event: content_block_delta\n"+`data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}`+"\n\n")
		w.(http.Flusher).Flush()
		select {
		case <-hold:
		case <-r.Context().Done():
		}
	})
	g := newGatewayF(t, target{"a", "anthropic", up.URL, "claude-haiku-4-5"})
	srv := httptest.NewServer(g.Handler(openai.Dialect{}))
	defer srv.Close()
	body := `{"model":"m","stream":true,"messages":[{"role":"user","content":"` + strings.Repeat("lorem ipsum ", prompt/12) + `"}]}`

	// open starts a stream and returns once its first delta arrived; the
	// stream stays open until close.
	var closers []func()
	var mu sync.Mutex
	// release ends every open stream. It runs before srv.Close and the
	// upstream's Close on every way out of the test: both wait for their
	// handlers, which wait for hold or the client to leave, so a t.Fatal
	// with streams still open (one failed to open on a loaded machine)
	// used to hang the test binary until its -timeout.
	var releaseOnce sync.Once
	release := func() {
		releaseOnce.Do(func() {
			close(hold)
			mu.Lock()
			defer mu.Unlock()
			for _, c := range closers {
				c()
			}
		})
	}
	defer release()
	open := func() error {
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/v1/chat/completions", strings.NewReader(body))
		resp, err := srv.Client().Do(req)
		if err != nil {
			cancel()
			return err
		}
		br := bufio.NewReader(resp.Body)
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				cancel()
				return err
			}
			if strings.Contains(line, `"content":"Hi"`) {
				break
			}
		}
		mu.Lock()
		closers = append(closers, func() { cancel(); resp.Body.Close() })
		mu.Unlock()
		return nil
	}
	srv.Client().Transport.(*http.Transport).MaxIdleConnsPerHost = streams
	if err := open(); err != nil { // warm: estimator memo, pools
		t.Fatal(err)
	}
	before := heapLive()
	var wg sync.WaitGroup
	errs := make(chan error, streams)
	for range streams {
		wg.Go(func() { errs <- open() })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	per := (heapLive() - before) / streams
	release()
	t.Logf("heap per open stream with a %d KiB prompt: %d KiB", prompt>>10, per>>10)
	// Connection state on both sides of the test (about 70 KiB); one copy
	// of the prompt would make it over 900.
	if per > prompt/4 {
		t.Errorf("an open stream holds %d KiB of heap for a %d KiB prompt: a copy of it", per>>10, prompt>>10)
	}
}

// heapLive is the heap in live objects after a full collection.
func heapLive() int64 {
	runtime.GC()
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64())
}
