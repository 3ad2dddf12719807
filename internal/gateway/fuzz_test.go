package gateway

import (
	"io"
	"net/http"
	"testing"

	"github.com/tidwall/gjson"
)

const anthropicStream = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude\",\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}\n\n" +
	"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n" +
	"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n" +
	"event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n" +
	"event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":2}}\n\n" +
	"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"

// FuzzClientRequest throws arbitrary bodies at both client endpoints, with
// an upstream that always answers well. The gateway must never answer 5xx,
// and a request it refuses (4xx) must never have reached the upstream.
func FuzzClientRequest(f *testing.F) {
	f.Add(`{"model":"m","messages":[{"role":"user","content":"hi"}]}`)
	f.Add(`{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]}`)
	f.Add(`{"model":"m","messages":[{"role":"tool","tool_call_id":"x","content":"r"}]}`)
	f.Add(`{"model":"m","max_tokens":1,"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"a","name":"b","input":{}}]}]}`)
	f.Add(`{"model":"m","stream":true,"messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f"}}]}`)
	f.Add(`[]`)
	f.Add(`{"model":"nope","messages":[]}`)
	up := newUpstream(f, func(w http.ResponseWriter, r *http.Request, body []byte) {
		if gjson.GetBytes(body, "stream").Bool() {
			w.Header().Set("Content-Type", "text/event-stream")
			io.WriteString(w, anthropicStream)
			return
		}
		io.WriteString(w, anthropicReply)
	})
	g := newGatewayF(f, target{"a", "anthropic", up.URL, "claude"})
	f.Fuzz(func(t *testing.T, body string) {
		for _, serve := range []func(*Gateway, string) int{
			func(g *Gateway, b string) int { return serveOpenAI(g, b).Code },
			func(g *Gateway, b string) int { return serveAnthropic(g, b).Code },
		} {
			before := up.calls.Load()
			code := serve(g, body)
			if code >= 500 {
				t.Fatalf("status %d for %q", code, body)
			}
			if code >= 400 && up.calls.Load() != before {
				t.Fatalf("refused with %d but the upstream was called: %q", code, body)
			}
		}
	})
}
