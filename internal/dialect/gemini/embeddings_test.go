package gemini

import (
	"testing"

	"github.com/railyard-ai/railyard/internal/llm"
)

func TestEmbeddings(t *testing.T) {
	d := Dialect{}
	if p := d.EmbedPath("gemini-embedding-001"); p != "/models/gemini-embedding-001:batchEmbedContents" {
		t.Fatal(p)
	}
	body, err := d.EncodeEmbedRequest(&llm.EmbedRequest{Model: "gemini-embedding-001", Input: []string{"a", "b"}, Dimensions: 768})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"requests":[{"model":"models/gemini-embedding-001","content":{"parts":[{"text":"a"}]},"outputDimensionality":768},{"model":"models/gemini-embedding-001","content":{"parts":[{"text":"b"}]},"outputDimensionality":768}]}`
	if string(body) != want {
		t.Fatalf("got  %s\nwant %s", body, want)
	}
	// The reply shape of the API reference's batchEmbedContents example.
	r, err := d.DecodeEmbedResponse([]byte(`{"embeddings":[{"values":[0.013168523,-0.008711934,-0.046782676]},{"values":[0.5,-0.25,0.125]}]}`))
	if err != nil || len(r.Vectors) != 2 || r.Vectors[0][1] != -0.008711934 || r.Usage.InputTokens != 0 {
		t.Fatalf("%v %+v", err, r)
	}
	if _, err := d.DecodeEmbedResponse([]byte(`{"embeddings":[{"values":"x"}]}`)); err == nil {
		t.Fatal("malformed reply accepted")
	}
}

func TestEmbeddingsServerSide(t *testing.T) {
	d := Dialect{}
	body, _ := d.EncodeEmbedRequest(&llm.EmbedRequest{Model: "m", Input: []string{"a", "b"}, Dimensions: 4})
	req, err := d.DecodeEmbedRequest(body)
	if err != nil || req.Model != "m" || len(req.Input) != 2 || req.Input[1] != "b" || req.Dimensions != 4 {
		t.Fatalf("%v %+v", err, req)
	}
	for _, bad := range []string{`{}`, `{"requests":[{"model":"models/a","content":{"parts":[]}}]}`,
		`{"requests":[{"model":"models/a","content":{"parts":[{"text":"x"}]}},{"model":"models/b","content":{"parts":[{"text":"y"}]}}]}`} {
		if _, err := d.DecodeEmbedRequest([]byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
	out, _ := d.EncodeEmbedResponse(req, &llm.EmbedResponse{Vectors: [][]float32{{1, 0}, {0.5, 0.25}}})
	back, err := d.DecodeEmbedResponse(out)
	if err != nil || len(back.Vectors) != 2 || back.Vectors[1][1] != 0.25 {
		t.Fatalf("%v %s", err, out)
	}
}
