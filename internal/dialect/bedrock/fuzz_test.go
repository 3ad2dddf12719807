package bedrock

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/railyard-ai/railyard/internal/llm"
)

func addFixtures(f *testing.F, pattern string) {
	names, _ := filepath.Glob(filepath.Join("testdata", pattern))
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err == nil {
			f.Add(b)
		}
	}
}

// FuzzDecodeRequest: client bodies never panic, and every rejection is a
// 400 *llm.Error. Accepted requests encode to valid Converse JSON that
// decodes again.
func FuzzDecodeRequest(f *testing.F) {
	addFixtures(f, "request_*.json")
	f.Add([]byte(`{"messages":[{"role":"user","content":[{"document":{"name":"a","source":{"text":"x"}}},{"cachePoint":{"type":"default"}}]}]}`))
	f.Add([]byte(`{"messages":[{"role":"user","content":[{"image":{"format":"png","source":{"s3Location":{"uri":"s3://b/k"}}}}]}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := Dialect{}.DecodeRequest(body)
		if err != nil {
			var e *llm.Error
			if !errors.As(err, &e) || e.Status != 400 || e.Kind != llm.ErrInvalidRequest {
				t.Fatalf("err = %#v, want a 400 *llm.Error", err)
			}
			return
		}
		r.Model = "anthropic.claude-3-haiku-20240307-v1:0"
		out, err := Dialect{}.EncodeRequest(r)
		if err != nil {
			// Only a request of nothing but blank text cannot be sent.
			if e := llm.AsError(err); e.Status != 400 || !strings.Contains(e.Message, "no message with content") {
				t.Fatalf("EncodeRequest: %v", err)
			}
			return
		}
		if !json.Valid(out) {
			t.Fatalf("EncodeRequest produced invalid JSON %s", out)
		}
		if _, err := (Dialect{}).DecodeRequest(out); err != nil {
			t.Fatalf("re-decode of %s: %v", out, err)
		}
	})
}

// FuzzDecodeResponse: upstream replies never panic; failures are 502s;
// whatever decodes re-encodes as valid JSON.
func FuzzDecodeResponse(f *testing.F) {
	addFixtures(f, "response_*.json")
	addFixtures(f, "error_*.json")
	addFixtures(f, "embed_*.json")
	f.Fuzz(func(t *testing.T, body []byte) {
		if _, err := (Dialect{}).DecodeEmbedResponse(body); err != nil && llm.AsError(err).Status != 502 {
			t.Fatalf("DecodeEmbedResponse: %v", err)
		}
		r, err := Dialect{}.DecodeResponse(body)
		if err != nil {
			if e := llm.AsError(err); e.Status != 502 {
				t.Fatalf("err = %#v, want a 502", err)
			}
			return
		}
		out, err := Dialect{}.EncodeResponse(nil, r)
		if err != nil || !json.Valid(out) {
			t.Fatalf("EncodeResponse: %v %s", err, out)
		}
		Dialect{}.ResponseUsage(body)
		Dialect{}.DecodeError(400, nil, body)
	})
}

// FuzzEventStream: arbitrary bytes through the eventstream reader and the
// stream decoder never panic, never loop, and fail only with an error.
func FuzzEventStream(f *testing.F) {
	for _, n := range []string{"stream_text.jsonl", "stream_reasoning_tool.jsonl", "stream_throttled.jsonl"} {
		f.Add(capture(f, n))
	}
	f.Add(AppendException(nil, "validationException", []byte(`{"message":"x"}`)))
	addFixtures(f, "sdk-eventstream/*/*")
	f.Fuzz(func(t *testing.T, data []byte) {
		er := Dialect{}.NewEventReader(bytes.NewReader(data))
		sd := Dialect{}.NewStreamDecoder()
		var evs []llm.Event
		for i := 0; ; i++ {
			if i > len(data) {
				t.Fatal("more events than bytes")
			}
			ev, err := er.Next()
			if err == io.EOF {
				sd.Close(nil)
				return
			}
			if err != nil {
				return
			}
			if evs, err = sd.Decode(evs[:0], ev); err != nil {
				return
			}
		}
	})
}
