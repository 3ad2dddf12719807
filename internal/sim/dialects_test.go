package sim

import (
	"bytes"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/railyard-ai/railyard/internal/config"
	"github.com/railyard-ai/railyard/internal/dialect"
	"github.com/railyard-ai/railyard/internal/dialect/anthropic"
	"github.com/railyard-ai/railyard/internal/dialect/openai"
	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/sse"
	"github.com/tidwall/gjson"
)

var realDialects = map[string]dialect.Ingress{"openai": openai.Dialect{}, "anthropic": anthropic.Dialect{}}

// newRealServer serves the simulator with the real dialects and no latency.
func newRealServer(t *testing.T, cfg config.Sim) (*Server, *httptest.Server) {
	t.Helper()
	if cfg.Defaults.Latency == "" {
		cfg.Defaults.Latency = "off"
	}
	s := New(cfg, realDialects, nil)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return s, ts
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func postRaw(t *testing.T, url string, body []byte, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// streamSummary decodes a stream with the dialect's own client-side
// decoder: whole, one byte at a time and at random split points, and fails
// unless all agree. It returns the text per block and the final event.
func streamSummary(t *testing.T, d dialect.Egress, raw []byte) (map[int]string, llm.Event) {
	t.Helper()
	decode := func(r io.Reader) []llm.Event {
		dec := d.NewStreamDecoder()
		sd := sse.NewDecoder(r)
		var evs []llm.Event
		for {
			ev, err := sd.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if evs, err = dec.Decode(evs, ev); err != nil {
				t.Fatal(err)
			}
		}
		evs, err := dec.Close(evs)
		if err != nil {
			t.Fatal(err)
		}
		return evs
	}
	whole := decode(bytes.NewReader(raw))
	want, _ := json.Marshal(whole)
	for i, r := range []io.Reader{
		iotest.OneByteReader(bytes.NewReader(raw)),
		&chunkReader{b: raw, rng: rand.New(rand.NewPCG(1, 0))},
		&chunkReader{b: raw, rng: rand.New(rand.NewPCG(2, 0))},
	} {
		if got, _ := json.Marshal(decode(r)); !bytes.Equal(got, want) {
			t.Fatalf("reader %d decoded the stream differently", i)
		}
	}
	texts := map[int]string{}
	var final llm.Event
	for _, e := range whole {
		switch e.Type {
		case llm.EventBlockDelta:
			texts[e.Index] += e.Text
		case llm.EventMessageDelta:
			final = e
		}
	}
	return texts, final
}

func TestOpenAIDialect(t *testing.T) {
	tests := []struct {
		fixture string
		check   func(t *testing.T, body gjson.Result)
	}{
		{"chat-basic.json", func(t *testing.T, b gjson.Result) {
			if b.Get("object").String() != "chat.completion" || b.Get("model").String() != "gpt-5-nano" ||
				b.Get("choices.0.message.content").String() != "Hello!" || b.Get("choices.0.finish_reason").String() != "stop" {
				t.Fatalf("reply %s", b.Raw)
			}
			if b.Get("usage.prompt_tokens").Int() != 3 /* <user> Hello ! */ || b.Get("usage.completion_tokens").Int() != 2 {
				t.Fatalf("usage %s", b.Get("usage").Raw)
			}
		}},
		{"chat-tools.json", func(t *testing.T, b gjson.Result) {
			tc := b.Get("choices.0.message.tool_calls.0")
			if b.Get("choices.0.finish_reason").String() != "tool_calls" || tc.Get("function.name").String() != "get_current_weather" ||
				!strings.HasPrefix(tc.Get("id").String(), "call_") || !json.Valid([]byte(tc.Get("function.arguments").String())) {
				t.Fatalf("reply %s", b.Raw)
			}
		}},
		{"chat-multiturn.json", func(t *testing.T, b gjson.Result) {
			if b.Get("choices.0.message.content").String() != "Answer in up to 5 words: What's the weather like?" {
				t.Fatalf("reply %s", b.Raw)
			}
		}},
	}
	_, ts := newRealServer(t, config.Sim{})
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			resp, body := postRaw(t, ts.URL+"/v1/chat/completions", fixture(t, "openai/"+tt.fixture), nil)
			if resp.StatusCode != 200 || resp.Header.Get("x-request-id") == "" {
				t.Fatalf("%d %s", resp.StatusCode, body)
			}
			tt.check(t, gjson.ParseBytes(body))
		})
	}
}

func TestOpenAIDialectStream(t *testing.T) {
	_, ts := newRealServer(t, config.Sim{})
	// The fixture streams without include_usage; ask for it as SDKs do.
	body := []byte(strings.Replace(string(fixture(t, "openai/chat-streaming.json")), `"stream": true`, `"stream": true, "stream_options": {"include_usage": true}`, 1))
	resp, raw := postRaw(t, ts.URL+"/v1/chat/completions", body, nil)
	if resp.StatusCode != 200 || !bytes.HasSuffix(raw, []byte("data: [DONE]\n\n")) {
		t.Fatalf("%d %s", resp.StatusCode, raw)
	}
	texts, final := streamSummary(t, openai.Dialect{}, raw)
	if texts[0] != "Hello!" || final.StopReason != llm.StopEndTurn || final.Usage == nil || final.Usage.OutputTokens != 2 {
		t.Fatalf("texts %v final %+v", texts, final)
	}
}

func TestAnthropicDialect(t *testing.T) {
	tests := []struct {
		fixture string
		check   func(t *testing.T, body gjson.Result)
	}{
		{"basic.json", func(t *testing.T, b gjson.Result) {
			if b.Get("type").String() != "message" || !strings.HasPrefix(b.Get("id").String(), "msg_") ||
				b.Get("content.0.text").String() != "Hello, world" || b.Get("stop_reason").String() != "end_turn" ||
				b.Get("usage.output_tokens").Int() != 3 {
				t.Fatalf("reply %s", b.Raw)
			}
		}},
		{"tools.json", func(t *testing.T, b gjson.Result) {
			if b.Get("stop_reason").String() != "tool_use" || b.Get("content.0.type").String() != "tool_use" ||
				b.Get("content.0.input.location").String() != "sample location" || b.Get("content.0.input.unit").String() != "celsius" {
				t.Fatalf("reply %s", b.Raw)
			}
		}},
		{"tool_result.json", func(t *testing.T, b gjson.Result) {
			if b.Get("stop_reason").String() != "end_turn" || b.Get("content.0.text").String() != "15 degrees" {
				t.Fatalf("reply %s", b.Raw)
			}
		}},
		{"thinking.json", func(t *testing.T, b gjson.Result) {
			if b.Get("content.0.type").String() != "thinking" || b.Get("content.0.signature").String() == "" ||
				b.Get("content.1.type").String() != "text" || b.Get("usage.output_tokens").Int() != int64(16+CountTokens(b.Get("content.1.text").String())) {
				t.Fatalf("reply %s", b.Raw)
			}
		}},
	}
	_, ts := newRealServer(t, config.Sim{})
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			resp, body := postRaw(t, ts.URL+"/v1/messages", fixture(t, "anthropic/"+tt.fixture), nil)
			if resp.StatusCode != 200 || resp.Header.Get("request-id") == "" {
				t.Fatalf("%d %s", resp.StatusCode, body)
			}
			tt.check(t, gjson.ParseBytes(body))
		})
	}
}

func TestAnthropicCachingUsage(t *testing.T) {
	_, ts := newRealServer(t, config.Sim{})
	body := fixture(t, "anthropic/caching.json")
	_, first := postRaw(t, ts.URL+"/v1/messages", body, nil)
	_, second := postRaw(t, ts.URL+"/v1/messages", body, nil)
	u1, u2 := gjson.GetBytes(first, "usage"), gjson.GetBytes(second, "usage")
	written := u1.Get("cache_creation_input_tokens").Int()
	if written == 0 || written%BlockSize != 0 || u1.Get("cache_read_input_tokens").Int() != 0 {
		t.Fatalf("first usage %s", u1.Raw)
	}
	if u2.Get("cache_read_input_tokens").Int() != written || u2.Get("cache_creation_input_tokens").Int() != 0 ||
		u2.Get("input_tokens").Int() != u1.Get("input_tokens").Int() {
		// Anthropic's input_tokens counts only what was neither read nor written.
		t.Fatalf("second usage %s after %s", u2.Raw, u1.Raw)
	}
}

func TestAnthropicDialectStream(t *testing.T) {
	_, ts := newRealServer(t, config.Sim{})
	for _, name := range []string{"basic.json", "tools.json", "thinking.json"} {
		t.Run(name, func(t *testing.T) {
			var complete, streamed []byte
			_, complete = postRaw(t, ts.URL+"/v1/messages", fixture(t, "anthropic/"+name), nil)
			body := []byte(strings.Replace(string(fixture(t, "anthropic/"+name)), `"max_tokens"`, `"stream": true, "max_tokens"`, 1))
			resp, streamed := postRaw(t, ts.URL+"/v1/messages", body, nil)
			if resp.StatusCode != 200 {
				t.Fatalf("%d %s", resp.StatusCode, streamed)
			}
			texts, final := streamSummary(t, anthropic.Dialect{}, streamed)
			c := gjson.ParseBytes(complete)
			for i, block := range c.Get("content").Array() {
				want := block.Get("text").String()
				switch block.Get("type").String() {
				case "tool_use":
					want = block.Get("input").Raw
				case "thinking":
					want = block.Get("thinking").String()
				}
				if texts[i] != want {
					t.Fatalf("block %d streamed %q, complete %q", i, texts[i], want)
				}
			}
			if string(final.StopReason) != c.Get("stop_reason").String() || int64(final.Usage.OutputTokens) != c.Get("usage.output_tokens").Int() {
				t.Fatalf("final %+v vs %s", final, complete)
			}
		})
	}
}

func TestDialectErrors(t *testing.T) {
	_, ts := newRealServer(t, config.Sim{})
	tests := []struct {
		path, fixture, fault string
		status               int
		errType              string
	}{
		{"/v1/messages", "anthropic/basic.json", "529", 529, "overloaded_error"},
		{"/v1/messages", "anthropic/basic.json", "429", 429, "rate_limit_error"},
		{"/v1/chat/completions", "openai/chat-basic.json", "429", 429, "rate_limit_error"},
		{"/v1/chat/completions", "openai/chat-basic.json", "500", 500, ""},
	}
	for _, tt := range tests {
		resp, body := postRaw(t, ts.URL+tt.path, fixture(t, tt.fixture), map[string]string{"x-sim-fault": tt.fault})
		if resp.StatusCode != tt.status || !gjson.GetBytes(body, "error.message").Exists() {
			t.Errorf("%s %s: %d %s", tt.path, tt.fault, resp.StatusCode, body)
		}
		if tt.errType != "" && !strings.Contains(string(body), tt.errType) {
			t.Errorf("%s %s: body %s lacks %s", tt.path, tt.fault, body, tt.errType)
		}
	}
	resp, body := postRaw(t, ts.URL+"/v1/messages", []byte(`{"model":"x","messages":[]}`), nil)
	if resp.StatusCode != 400 || gjson.GetBytes(body, "type").String() != "error" {
		t.Errorf("invalid anthropic request: %d %s", resp.StatusCode, body)
	}
}
