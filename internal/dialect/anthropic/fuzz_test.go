package anthropic

import (
	"bytes"
	"encoding/json"
	"errors"
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
// 400 *llm.Error. Accepted requests encode to valid Anthropic JSON.
func FuzzDecodeRequest(f *testing.F) {
	addFixtures(f, "request_*.json")
	f.Add([]byte(`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"x","content":[{"type":"image","source":{"type":"url","url":"u"}}]}]}]}`))
	f.Add([]byte(`{"model":"m","max_tokens":1,"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"a","name":"b","input":{"a":`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := Dialect{}.DecodeRequest(body)
		if err != nil {
			var e *llm.Error
			if !errors.As(err, &e) || e.Status != 400 || e.Kind != llm.ErrInvalidRequest {
				t.Fatalf("err = %#v, want a 400 *llm.Error", err)
			}
			return
		}
		out, err := Dialect{}.EncodeRequest(r)
		if err != nil {
			t.Fatalf("EncodeRequest: %v", err)
		}
		if !json.Valid(out) {
			t.Fatalf("EncodeRequest produced invalid JSON %s", out)
		}
	})
}

// FuzzDecodeResponse: upstream replies never panic; failures are 502s;
// whatever decodes re-encodes as valid JSON.
func FuzzDecodeResponse(f *testing.F) {
	addFixtures(f, "response_*.json")
	addFixtures(f, "error_*.json")
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := Dialect{}.DecodeResponse(body)
		if err != nil {
			var e *llm.Error
			if !errors.As(err, &e) || e.Status != 502 {
				t.Fatalf("err = %#v, want a 502 *llm.Error", err)
			}
			return
		}
		out, err := Dialect{}.EncodeResponse(nil, r)
		if err != nil || !json.Valid(out) {
			t.Fatalf("EncodeResponse: %v %s", err, out)
		}
		_ = Dialect{}.DecodeError(500, nil, body)
		_, _ = Dialect{}.ResponseUsage(body)
	})
}

// FuzzStreamDecoder: upstream streams never panic, every split of the
// bytes gives the same result, errors are *llm.Error, and the canonical
// events re-encode into a stream the decoder accepts.
func FuzzStreamDecoder(f *testing.F) {
	addFixtures(f, "*.sse")
	f.Fuzz(func(t *testing.T, data []byte) {
		whole, err := replay(t, bytes.NewReader(data))
		halves, err2 := replay(t, randomSplits(data, uint64(len(data)), 3))
		if !equalErr(err, err2) || !equalEvents(whole, halves) {
			t.Fatalf("split changed the result: %v / %v", err, err2)
		}
		if err != nil {
			var e *llm.Error
			if !errors.As(err, &e) && !strings.HasPrefix(err.Error(), "sse:") {
				t.Fatalf("err = %#v, want *llm.Error", err)
			}
			return
		}
		enc := encodeAll(nil, whole)
		if _, err := replay(t, bytes.NewReader(enc)); err != nil {
			t.Fatalf("re-encoded stream does not decode: %v\n%s", err, enc)
		}
	})
}
