package bedrock

import (
	"net/http"
	"strings"
	"testing"

	"github.com/railyard-ai/railyard/internal/llm"
)

func TestEmbedRequests(t *testing.T) {
	cases := []struct {
		model  string
		in     []string
		dims   int
		want   string
		errHas string
	}{
		{"amazon.titan-embed-text-v2:0", []string{"hello"}, 256, `{"dimensions":256,"inputText":"hello","normalize":true}`, ""},
		{"amazon.titan-embed-text-v1", []string{"hello"}, 0, `{"inputText":"hello"}`, ""},
		{"amazon.titan-embed-text-v2:0", []string{"a", "b"}, 0, "", "one input per request"},
		{"cohere.embed-english-v3", []string{"a", "b"}, 0, `{"embedding_types":["float"],"input_type":"search_document","texts":["a","b"]}`, ""},
		{"us.cohere.embed-v4:0", []string{"a"}, 512, `{"embedding_types":["float"],"input_type":"search_document","output_dimension":512,"texts":["a"]}`, ""},
		{"anthropic.claude-3-haiku-20240307-v1:0", []string{"a"}, 0, "", "not a Titan or Cohere"},
	}
	for _, tc := range cases {
		b, err := Dialect{}.EncodeEmbedRequest(&llm.EmbedRequest{Model: tc.model, Input: tc.in, Dimensions: tc.dims})
		if tc.errHas != "" {
			if e := llm.AsError(err); err == nil || e.Status != http.StatusBadRequest || !strings.Contains(e.Message, tc.errHas) {
				t.Errorf("%s: %v", tc.model, err)
			}
			continue
		}
		if err != nil || string(b) != tc.want {
			t.Errorf("%s: %s %v", tc.model, b, err)
		}
	}
	if p := (Dialect{}).EmbedPath("amazon.titan-embed-text-v2:0"); p != "/model/amazon.titan-embed-text-v2%3A0/invoke" {
		t.Errorf("path %s", p)
	}
}

func TestEmbedResponses(t *testing.T) {
	r, err := Dialect{}.DecodeEmbedResponse(fixture(t, "embed_titan_v2.json"))
	if err != nil || len(r.Vectors) != 1 || len(r.Vectors[0]) != 4 || r.Usage.InputTokens != 7 {
		t.Errorf("titan: %+v %v", r, err)
	}
	for _, f := range []string{"embed_cohere_by_type.json", "embed_cohere_floats.json"} {
		r, err := Dialect{}.DecodeEmbedResponse(fixture(t, f))
		if err != nil || len(r.Vectors) == 0 || len(r.Vectors[0]) != 3 || r.Vectors[0][0] != 0.0211 {
			t.Errorf("%s: %+v %v", f, r, err)
		}
	}
	for _, bad := range []string{`{`, `{}`, `{"embeddings":{"int8":[[1]]}}`, `{"embeddings":"x"}`} {
		if _, err := (Dialect{}).DecodeEmbedResponse([]byte(bad)); llm.AsError(err).Status != http.StatusBadGateway {
			t.Errorf("%s: %v", bad, err)
		}
	}
}
