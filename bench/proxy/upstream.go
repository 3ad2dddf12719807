package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/railyard-ai/railyard/internal/benchdata"
)

// The upstream is a minimal fixed-reply server, not the simulator: the
// simulator tokenizes prompts and renders replies, and that CPU would be
// charged to the same two cores the proxies run on. Every reply is
// pre-rendered bytes shaped like the providers' API references, so the
// upstream costs the same under every proxy.
//
// Paths (the part before /v1 selects the behaviour, so each scenario is a
// provider base URL):
//
//	/oa/v1/chat/completions   OpenAI chat completion (JSON)
//	/an/v1/messages           Anthropic message (JSON)
//	/ans/v1/messages          Anthropic stream of N text deltas, each flushed
//	/hold/v1/messages         Anthropic stream: one delta, then held open
//	                          until the client goes away
type upstream struct {
	openaiReply    []byte
	anthropicReply []byte
	streamHead     []byte
	streamDelta    []byte
	streamTail     []byte
}

func newUpstream() *upstream {
	return &upstream{
		openaiReply:    []byte(benchdata.OpenAIReply),
		anthropicReply: []byte(benchdata.AnthropicReply),
		streamHead: []byte("event: message_start\n" +
			`data: {"type":"message_start","message":{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"claude-haiku-4-5-20251001","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":472,"output_tokens":1}}}` + "\n\n" +
			"event: content_block_start\n" +
			`data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}` + "\n\n"),
		streamDelta: []byte("event: content_block_delta\n" +
			`data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" token"}}` + "\n\n"),
		streamTail: []byte("event: content_block_stop\n" +
			`data: {"type":"content_block_stop","index":0}` + "\n\n" +
			"event: message_delta\n" +
			`data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":256}}` + "\n\n" +
			"event: message_stop\n" +
			`data: {"type":"message_stop"}` + "\n\n"),
	}
}

func (u *upstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	switch {
	case strings.HasPrefix(r.URL.Path, "/oa/"):
		writeJSON(w, u.openaiReply)
	case strings.HasPrefix(r.URL.Path, "/an/"):
		writeJSON(w, u.anthropicReply)
	case strings.HasPrefix(r.URL.Path, "/ans/"):
		u.stream(w, r, streamEvents, false)
	case strings.HasPrefix(r.URL.Path, "/hold/"):
		u.stream(w, r, 1, true)
	default:
		http.NotFound(w, r)
	}
}

func writeJSON(w http.ResponseWriter, b []byte) {
	h := w.Header()
	h["Content-Type"] = []string{"application/json"}
	h["Content-Length"] = []string{fmt.Sprint(len(b))}
	_, _ = w.Write(b)
}

// streamEvents is the number of text deltas per streamed reply; set by the
// parent through the environment.
var streamEvents = 256

func (u *upstream) stream(w http.ResponseWriter, r *http.Request, n int, hold bool) {
	h := w.Header()
	h["Content-Type"] = []string{"text/event-stream"}
	h["Cache-Control"] = []string{"no-cache"}
	rc := http.NewResponseController(w)
	_, _ = w.Write(u.streamHead)
	for range n {
		_, _ = w.Write(u.streamDelta)
		if rc.Flush() != nil {
			return
		}
	}
	if hold {
		<-r.Context().Done()
		return
	}
	_, _ = w.Write(u.streamTail)
}

// runUpstream serves until killed, after printing its address on stdout.
func runUpstream() error {
	if v := os.Getenv("BENCH_EVENTS"); v != "" {
		_, _ = fmt.Sscan(v, &streamEvents)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Println(ln.Addr().String())
	srv := &http.Server{Handler: newUpstream(), ReadHeaderTimeout: 10 * time.Second}
	return srv.Serve(ln)
}
