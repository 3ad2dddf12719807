package gemini

import (
	"bytes"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/sse"
)

func seeds(f *testing.F, names ...string) {
	for _, n := range names {
		b, err := os.ReadFile("testdata/" + n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzRequest: any client body is a request or a 400, never a panic, and
// what is accepted can be encoded for Gemini.
func FuzzRequest(f *testing.F) {
	seeds(f, "request_function_response.json")
	f.Add([]byte(`{"contents":[{"parts":[{"text":"x"}]}],"generationConfig":{"responseMimeType":"application/json","responseSchema":{"type":"OBJECT"}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest("POST", "/v1beta/models/m:streamGenerateContent?alt=sse", bytes.NewReader(body))
		req, err := Dialect{}.DecodeHTTPRequest(r, body)
		if err != nil {
			if e := llm.AsError(err); e.Status != 400 {
				t.Fatalf("status %d: %v", e.Status, err)
			}
			return
		}
		_, _ = Dialect{}.EncodeRequest(req)
	})
}

// FuzzResponse: any upstream reply decodes or fails with an error.
func FuzzResponse(f *testing.F) {
	seeds(f, "response_function_call.json", "blocked_prompt.json", "error_429.json")
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := Dialect{}.DecodeResponse(body)
		if err == nil {
			_, _ = Dialect{}.EncodeResponse(&llm.Request{}, r)
		}
		_ = Dialect{}.DecodeError(500, nil, body)
		_, _ = Dialect{}.ResponseUsage(body)
	})
}

// FuzzStream: any upstream stream decodes or fails, never panics.
func FuzzStream(f *testing.F) {
	seeds(f, "stream_function_call.sse", "stream_text.sse")
	f.Fuzz(func(t *testing.T, raw []byte) {
		rd := sse.NewDecoder(bytes.NewReader(raw))
		d := Dialect{}.NewStreamDecoder()
		enc := Dialect{}.NewStreamEncoder(&llm.Request{})
		var evs []llm.Event
		for {
			ev, err := rd.Next()
			if err != nil {
				break
			}
			if evs, err = d.Decode(evs, ev); err != nil {
				return
			}
		}
		evs, _ = d.Close(evs)
		var out []byte
		for _, ev := range evs {
			out = enc.Encode(out, ev)
		}
	})
}

// FuzzEmbedResponse: any batchEmbedContents reply decodes or fails.
func FuzzEmbedResponse(f *testing.F) {
	f.Add([]byte(`{"embeddings":[{"values":[0.1,-0.2]}],"usageMetadata":{"promptTokenCount":3}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		_, _ = Dialect{}.DecodeEmbedResponse(body)
	})
}
