package gateway

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestStreamEventsNeverWaitForTheUpstream: the relay batches the events of
// one upstream read into one write, but an event must reach the client
// before railyard blocks on the upstream again. The upstream here sends
// two events in one write, then waits until the client has seen the
// second one's text before it ends the stream.
func TestStreamEventsNeverWaitForTheUpstream(t *testing.T) {
	seen := make(chan struct{})
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		w.Header().Set("Content-Type", "text/event-stream")
		rc := http.NewResponseController(w)
		w.Write([]byte("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-haiku-4-5\",\"content\":[],\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}\n\n" +
			"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"))
		rc.Flush()
		w.Write([]byte("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"one\"}}\n\n" +
			"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"two\"}}\n\n"))
		rc.Flush()
		select {
		case <-seen:
		case <-time.After(5 * time.Second):
			return // the test fails below: the stream is cut short
		}
		w.Write([]byte("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n" +
			"event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":2}}\n\n" +
			"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"))
	})
	g := newGatewayF(t, target{"a", "anthropic", up.URL, "claude-haiku-4-5"})
	srv := httptest.NewServer(g.Handler(testDialects["openai"]))
	defer srv.Close()

	resp, err := http.Post(srv.URL, "application/json", strings.NewReader(`{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	var got []string
	for sc.Scan() {
		line := sc.Text()
		got = append(got, line)
		if strings.Contains(line, `"content":"two"`) {
			close(seen)
		}
	}
	all := strings.TrimSpace(strings.Join(got, "\n"))
	if !strings.Contains(all, `"content":"one"`) || !strings.Contains(all, `"finish_reason":"stop"`) || !strings.HasSuffix(all, "data: [DONE]") {
		t.Fatalf("the second delta was held back until the upstream spoke again, or the stream is incomplete:\n%s", all)
	}
}
