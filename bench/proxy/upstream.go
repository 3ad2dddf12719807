package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
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
		openaiReply:    []byte(openaiReplyJSON),
		anthropicReply: []byte(anthropicReplyJSON),
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

// Replies from the providers' API references (the OpenAI chat completion
// object and the Anthropic Messages example), with realistic usage.
var openaiReplyJSON = strings.TrimSpace(`
{
  "id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
  "object": "chat.completion",
  "created": 1741570283,
  "model": "gpt-4o-mini-2024-07-18",
  "choices": [
    {
      "index": 0,
      "message": {
        "role": "assistant",
        "content": "The image shows a wooden boardwalk path running through a lush green field or meadow. The sky is bright blue with some scattered clouds, giving the scene a serene and peaceful atmosphere. Trees and shrubs are visible in the background.",
        "refusal": null,
        "annotations": []
      },
      "logprobs": null,
      "finish_reason": "stop"
    }
  ],
  "usage": {
    "prompt_tokens": 1117,
    "completion_tokens": 46,
    "total_tokens": 1163,
    "prompt_tokens_details": {
      "cached_tokens": 0,
      "audio_tokens": 0
    },
    "completion_tokens_details": {
      "reasoning_tokens": 0,
      "audio_tokens": 0,
      "accepted_prediction_tokens": 0,
      "rejected_prediction_tokens": 0
    }
  },
  "service_tier": "default",
  "system_fingerprint": "fp_fc9f1d7035"
}`)

var anthropicReplyJSON = strings.TrimSpace(`
{
  "id": "msg_013Zva2CMHLNnXjNJJKqJ2EF",
  "type": "message",
  "role": "assistant",
  "model": "claude-haiku-4-5-20251001",
  "content": [
    {
      "type": "text",
      "text": "The image shows a wooden boardwalk path running through a lush green field or meadow. The sky is bright blue with some scattered clouds, giving the scene a serene and peaceful atmosphere. Trees and shrubs are visible in the background."
    }
  ],
  "stop_reason": "end_turn",
  "stop_sequence": null,
  "usage": {
    "input_tokens": 1117,
    "cache_creation_input_tokens": 0,
    "cache_read_input_tokens": 0,
    "output_tokens": 46
  }
}`)

// requestBody is the client's OpenAI Chat Completions request: a system
// prompt, a short conversation and a tool, about 1.5 KB like a typical
// application call.
func requestBody(model string, stream bool) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"model":%q,"max_tokens":1024,"temperature":0.2,`, model)
	if stream {
		b.WriteString(`"stream":true,"stream_options":{"include_usage":true},`)
	}
	b.WriteString(`"messages":[` +
		`{"role":"system","content":"You are a helpful assistant for a travel booking company. Answer briefly and precisely. When the user asks about availability, call the search_flights tool with the cities and the date. Never invent flight numbers, prices or schedules; if the tool returns nothing, say so and suggest nearby dates."},` +
		`{"role":"user","content":"Hi! I am planning a trip to Lisbon in the spring with my family (two adults, two children). What is the weather usually like in April, and which neighbourhoods are good for families?"},` +
		`{"role":"assistant","content":"April in Lisbon is mild: days around 19-21°C, cool evenings, and some showers. For families, Belém (museums, gardens, the riverside), Parque das Nações (aquarium, open spaces) and Campo de Ourique (quiet, residential, good food) work well."},` +
		`{"role":"user","content":"Great, thanks. Can you check flights from Amsterdam to Lisbon on the 12th of April, morning departures preferred, and tell me which one is cheapest?"}],`)
	b.WriteString(`"tools":[{"type":"function","function":{"name":"search_flights","description":"Search scheduled flights between two cities on a date.","parameters":{"type":"object","properties":{"from":{"type":"string","description":"Departure city or IATA code"},"to":{"type":"string","description":"Arrival city or IATA code"},"date":{"type":"string","description":"Date, YYYY-MM-DD"},"time_of_day":{"type":"string","enum":["morning","afternoon","evening","any"]}},"required":["from","to","date"]}}}]}`)
	return b.Bytes()
}
