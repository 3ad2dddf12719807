package openai

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/railyard-ai/railyard/internal/llm"
)

// The embeddings fixtures are requests and replies recorded from
// api.openai.com (the openai-go SDK's test recordings, Apache-2.0).
func readEmbedFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/embeddings/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestEmbeddingsRecorded(t *testing.T) {
	for _, tt := range []struct {
		name     string
		inputs   int
		base64   bool
		tokens   int
		dims     int
		firstVal float32
	}{
		{"basic", 1, false, 7, 1536, 0.017608326},
		{"mixed-batch-base64", 5, true, 79, 1536, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req, err := Dialect{}.DecodeEmbedRequest(readEmbedFixture(t, tt.name+".request.json"))
			if err != nil {
				t.Fatal(err)
			}
			if req.Model != "text-embedding-3-small" || len(req.Input) != tt.inputs || req.Base64 != tt.base64 {
				t.Fatalf("%+v", req)
			}
			resp, err := Dialect{}.DecodeEmbedResponse(readEmbedFixture(t, tt.name+".response.json"))
			if err != nil {
				t.Fatal(err)
			}
			if len(resp.Vectors) != tt.inputs || len(resp.Vectors[0]) != tt.dims || resp.Usage.InputTokens != tt.tokens || resp.Model == "" {
				t.Fatalf("%d vectors of %d, usage %+v model %q", len(resp.Vectors), len(resp.Vectors[0]), resp.Usage, resp.Model)
			}
			if tt.firstVal != 0 && resp.Vectors[0][0] != tt.firstVal {
				t.Errorf("first value %v", resp.Vectors[0][0])
			}
			// Re-encoded for a client in the format it asked for, the
			// vectors come back bit for bit.
			out, err := Dialect{}.EncodeEmbedResponse(req, resp)
			if err != nil {
				t.Fatal(err)
			}
			back, err := Dialect{}.DecodeEmbedResponse(out)
			if err != nil {
				t.Fatal(err)
			}
			for i := range resp.Vectors {
				for j := range resp.Vectors[i] {
					if back.Vectors[i][j] != resp.Vectors[i][j] {
						t.Fatalf("vector %d[%d]: %v != %v", i, j, back.Vectors[i][j], resp.Vectors[i][j])
					}
				}
			}
			if tt.base64 != strings.Contains(string(out), `"embedding":"`) {
				t.Errorf("encoding format not honoured: %.200s", out)
			}
			// Upstream requests always ask for floats, input as an array.
			up, _ := Dialect{}.EncodeEmbedRequest(req)
			var w map[string]any
			if json.Unmarshal(up, &w) != nil || w["encoding_format"] != "float" || len(w["input"].([]any)) != tt.inputs {
				t.Errorf("upstream request %s", up)
			}
		})
	}
}

func TestEmbeddingsRejects(t *testing.T) {
	for _, tt := range []struct{ body, param string }{
		{`{"input":"x"}`, "model"},
		{`{"model":"m","input":[1,2,3]}`, "input"},
		{`{"model":"m","input":[]}`, "input"},
		{`{"model":"m","input":["a",""]}`, "input"},
		{`{"model":"m","input":"a","dimensions":0}`, "dimensions"},
		{`{"model":"m","input":"a","encoding_format":"int8"}`, "encoding_format"},
	} {
		_, err := Dialect{}.DecodeEmbedRequest([]byte(tt.body))
		if e := llm.AsError(err); err == nil || e.Status != 400 || e.Param != tt.param {
			t.Errorf("%s: %v", tt.body, err)
		}
	}
}

func FuzzEmbedRequest(f *testing.F) {
	f.Add([]byte(`{"model":"m","input":["a","b"],"dimensions":8,"encoding_format":"base64"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := Dialect{}.DecodeEmbedRequest(body)
		if err != nil {
			if llm.AsError(err).Status != 400 {
				t.Fatal(err)
			}
			return
		}
		if _, err := (Dialect{}).EncodeEmbedRequest(req); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzEmbedResponse(f *testing.F) {
	f.Add([]byte(`{"object":"list","data":[{"object":"embedding","index":0,"embedding":"AACAPw=="}],"model":"m","usage":{"prompt_tokens":1,"total_tokens":1}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if r, err := (Dialect{}).DecodeEmbedResponse(body); err == nil {
			_, _ = Dialect{}.EncodeEmbedResponse(&llm.EmbedRequest{Base64: len(body)%2 == 0}, r)
		}
	})
}
