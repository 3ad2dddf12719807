package openai

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/railyard-ai/railyard/internal/llm"
)

// checkAppendRewrite: AppendRewrite appends exactly RewriteRequest's
// bytes (or fails where it fails) after what dst holds.
func checkAppendRewrite(t *testing.T, body []byte, model string, req *llm.Request) {
	t.Helper()
	orig := bytes.Clone(body)
	want, werr := Dialect{}.RewriteRequest(body, model, req)
	prefix := []byte("prefix")
	dst := append(make([]byte, 0, 16), prefix...)
	got, gerr := Dialect{}.AppendRewrite(dst, body, model, req)
	if (werr != nil) != (gerr != nil) {
		t.Fatalf("body %q model %q: RewriteRequest error %v, AppendRewrite error %v", body, model, werr, gerr)
	}
	if werr == nil && !bytes.Equal(got, append(prefix, want...)) {
		t.Fatalf("body %q model %q:\nAppendRewrite %q\nwant          %q", body, model, got, append(prefix, want...))
	}
	if !bytes.Equal(body, orig) {
		t.Fatalf("AppendRewrite changed the client's body: %q -> %q", orig, body)
	}
}

var rewriteModels = []string{"gpt-4o-mini", "", "a\"b", "naïve", "x\\y", "<&>", "tab\t"}

func rewriteRequests(body []byte) []*llm.Request {
	return []*llm.Request{nil, {Stream: false}, {Stream: true}, {Stream: true, StreamUsage: true}}
}

func TestAppendRewriteMatchesRewriteRequest(t *testing.T) {
	bodies := [][]byte{
		[]byte(`{"model":"gpt-4o","messages":[]}`),
		[]byte(`{"messages":[],"model" : "m" ,"stream":true}`),
		[]byte(`{"messages":[]}`),
		[]byte(`{"model":"a","model":"b"}`),
		[]byte(`{"stream":true,"stream_options":null,"model":"m"}`),
		[]byte(`{"stream":true,"stream_options":{"include_usage":false},"model":"m"}`),
		[]byte(`{"stream":true,"stream_options":{"include_usage":true},"model":"m"}`),
		[]byte(`{"m\u006fdel":"x","model":1}`),
		[]byte(`{"model":{"model":"x"},"n":1}`),
		[]byte(` {"model":null}`),
	}
	names, _ := filepath.Glob(filepath.Join("testdata", "request_*.json"))
	for _, n := range names {
		if b, err := os.ReadFile(n); err == nil {
			bodies = append(bodies, b)
		}
	}
	for _, b := range bodies {
		for _, m := range rewriteModels {
			for _, r := range rewriteRequests(b) {
				checkAppendRewrite(t, b, m, r)
			}
		}
	}
}

func FuzzAppendRewrite(f *testing.F) {
	f.Add([]byte(`{"model":"gpt-4o","messages":[],"stream":true}`), uint8(0))
	f.Add([]byte(`{"stream":true,"stream_options":null,"model":"m"}`), uint8(2))
	f.Add([]byte(`{"model":"a","model":"b"}`), uint8(5))
	f.Fuzz(func(t *testing.T, body []byte, sel uint8) {
		m := rewriteModels[int(sel)%len(rewriteModels)]
		r := rewriteRequests(body)[int(sel>>4)%4]
		checkAppendRewrite(t, body, m, r)
	})
}
