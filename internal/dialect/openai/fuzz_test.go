package openai

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/sse"
)

// seedCassettes adds every recorded request or response body as a seed.
func seedCassettes(f *testing.F, response bool) {
	files, _ := filepath.Glob(filepath.Join("testdata", "recorded", "*chat-*.yaml"))
	for _, file := range files {
		c := cassette(f, strings.TrimSuffix(filepath.Base(file), ".yaml"))
		if response {
			f.Add([]byte(c.Response.Body))
		} else {
			f.Add([]byte(c.Request.Body))
		}
	}
}

// FuzzDecodeRequest: client input never panics; it is either a valid
// request (that the egress can encode) or a 400 *llm.Error.
func FuzzDecodeRequest(f *testing.F) {
	seedCassettes(f, false)
	f.Add([]byte(`{"model":"m","messages":[{"role":"tool","tool_call_id":"a","content":[{"type":"text","text":"x"}]},{"role":"assistant","reasoning_content":"r","tool_calls":[{"id":"c","function":{"name":"f","arguments":"{}"}}]}],"stop":"x","tool_choice":{"type":"function","function":{"name":"f"}}}`))
	f.Add([]byte(`{"model":"m","messages":[{"role":"user","content":[{"type":"file","file":{"file_data":"data:a/b;base64,AA=="}}]}],"response_format":{"type":"json_schema","json_schema":{"name":"n","schema":{}}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := Dialect{}.DecodeRequest(body)
		if err != nil {
			var e *llm.Error
			if !errors.As(err, &e) || e.Status != 400 || e.Kind != llm.ErrInvalidRequest {
				t.Fatalf("error is not a 400 *llm.Error: %#v", err)
			}
			return
		}
		if req.Model == "" {
			t.Fatal("accepted a request without a model")
		}
		for _, d := range []Dialect{{}, {Compat: true}} {
			if _, err := d.EncodeRequest(req); err != nil {
				var e *llm.Error
				if !errors.As(err, &e) {
					t.Fatalf("egress error is not an *llm.Error: %v", err)
				}
			}
		}
	})
}

// FuzzDecodeResponse: a provider reply never panics; it is a response or a
// *llm.Error, and a response can be encoded for the client.
func FuzzDecodeResponse(f *testing.F) {
	seedCassettes(f, true)
	f.Add([]byte(`{"choices":[{"message":{"content":[{"text":"a"}],"reasoning":"r","tool_calls":[{"id":"a","function":{"name":"f","arguments":"{}"}}]},"finish_reason":"length"}],"usage":{"prompt_tokens":1,"prompt_cache_hit_tokens":1}}`))
	f.Add([]byte(`{"error":{"message":"x","code":429}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		resp, err := Dialect{}.DecodeResponse(body)
		if err != nil {
			var e *llm.Error
			if !errors.As(err, &e) || e.Status < 400 {
				t.Fatalf("error is not an *llm.Error: %#v", err)
			}
			return
		}
		if _, err := (Dialect{}).EncodeResponse(&llm.Request{}, resp); err != nil {
			t.Fatal(err)
		}
		_, _ = Dialect{}.ResponseUsage(body)
		_ = Dialect{}.DecodeError(500, nil, body)
	})
}

// FuzzStreamDecoder: random SSE bytes through sse.Decoder and the stream
// decoder never panic; failures are *llm.Error; what decodes re-encodes.
func FuzzStreamDecoder(f *testing.F) {
	seedCassettes(f, true)
	streams, _ := filepath.Glob(filepath.Join("testdata", "streams", "*.sse"))
	for _, s := range streams {
		b, _ := os.ReadFile(s)
		f.Add(b)
	}
	f.Add([]byte("data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"function\":{\"arguments\":\"x\"}}]}}]}\n\ndata: [DONE]\n\n"))
	f.Fuzz(func(t *testing.T, stream []byte) {
		dec := sse.NewDecoder(bytes.NewReader(stream))
		sd := Dialect{}.NewStreamDecoder()
		enc := Dialect{}.NewStreamEncoder(&llm.Request{StreamUsage: true})
		var events []llm.Event
		var err error
		for err == nil {
			var ev sse.Event
			ev, err = dec.Next()
			if errors.Is(err, io.EOF) {
				events, err = sd.Close(events)
				if err == nil {
					err = io.EOF
				}
				break
			}
			if err != nil {
				return // framing errors belong to the sse package
			}
			events, err = sd.Decode(events, ev)
			_ = Dialect{}.ForwardEvent(&llm.Request{}, ev)
		}
		if err != nil && !errors.Is(err, io.EOF) {
			var e *llm.Error
			if !errors.As(err, &e) {
				t.Fatalf("error is not an *llm.Error: %v", err)
			}
		}
		var out []byte
		for _, ev := range events {
			out = enc.Encode(out, ev)
		}
	})
}
