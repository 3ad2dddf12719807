package sim

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/railyard-ai/railyard/internal/config"
)

// FuzzHeaderFault: the x-sim-fault header is client input.
func FuzzHeaderFault(f *testing.F) {
	for _, s := range []string{"529", "429:3", "disconnect:2", "malformed", "slow_headers:1", "", ":", "9999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		got, ok := headerFault(v)
		if !ok && got.any() {
			t.Fatalf("rejected %q but returned %+v", v, got)
		}
		if got.status != nil && (got.status.Status < 400 || got.status.Status > 599) {
			t.Fatalf("%q: status %d", v, got.status.Status)
		}
	})
}

// FuzzServe sends arbitrary bodies through the real dialects and the whole
// simulator: it must never panic and must answer 200 or a 4xx.
func FuzzServe(f *testing.F) {
	paths, _ := filepath.Glob("testdata/*/*.json")
	for _, p := range paths {
		b, _ := os.ReadFile(p)
		f.Add(filepath.Base(filepath.Dir(p)) == "openai", b)
	}
	f.Add(true, []byte(`{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true,"max_tokens":1,"stop":["h"]}`))
	s := New(config.Sim{Defaults: config.SimModel{Latency: "off"}}, realDialects, nil)
	f.Fuzz(func(t *testing.T, openai bool, body []byte) {
		path := "/v1/messages"
		if openai {
			path = "/v1/chat/completions"
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body)))
		if rec.Code != 200 && (rec.Code < 400 || rec.Code > 499) {
			t.Fatalf("status %d: %s", rec.Code, rec.Body.Bytes())
		}
	})
}
