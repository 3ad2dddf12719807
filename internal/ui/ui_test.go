package ui

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func get(h http.Handler, method, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec
}

func TestAssets(t *testing.T) {
	h := Handler(Options{MasterKey: master})
	index, err := distFS.ReadFile("dist/index.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		method, path string
		status       int
		ctype, cache string
		index        bool // the body is index.html
	}{
		{"GET", "/ui/", 200, "text/html", "no-cache", true},
		{"HEAD", "/ui/", 200, "text/html", "no-cache", false},
		{"GET", "/ui/index.html", 200, "text/html", "no-cache", true},
		{"GET", "/ui/keys", 200, "text/html", "no-cache", true},           // client route
		{"GET", "/ui/usage/by-model", 200, "text/html", "no-cache", true}, // nested client route
		{"GET", "/ui/app.js", 200, "text/javascript", "no-cache", false},
		{"GET", "/ui/app.css", 200, "text/css", "no-cache", false},
		{"GET", "/ui/missing.js", 404, "text/plain", "", false},
		{"GET", "/ui/../../etc/passwd", 307, "text/html", "", false}, // the mux redirects to the cleaned path, outside /ui/
		{"POST", "/ui/keys", 405, "text/plain", "", false},
		{"GET", "/ui/api/nothing", 404, "text/plain", "", false},
	} {
		rec := get(h, tc.method, tc.path)
		hd := rec.Header()
		if rec.Code != tc.status || !strings.HasPrefix(hd.Get("Content-Type"), tc.ctype) || hd.Get("Cache-Control") != tc.cache {
			t.Errorf("%s %s: %d %q %q", tc.method, tc.path, rec.Code, hd.Get("Content-Type"), hd.Get("Cache-Control"))
		}
		if tc.index && rec.Body.String() != string(index) {
			t.Errorf("%s %s: body is not index.html", tc.method, tc.path)
		}
		if tc.status == 200 {
			if hd.Get("Content-Security-Policy") != csp || hd.Get("X-Content-Type-Options") != "nosniff" || hd.Get("Referrer-Policy") != "no-referrer" {
				t.Errorf("%s %s: security headers %v", tc.method, tc.path, hd)
			}
		}
	}
	if rec := get(h, "GET", "/ui"); rec.Code != http.StatusMovedPermanently || rec.Header().Get("Location") != "/ui/" {
		t.Errorf("/ui: %d %v", rec.Code, rec.Header())
	}
}

func TestConsoleOff(t *testing.T) {
	h := Handler(Options{})
	for _, p := range []string{"/ui/", "/ui/keys", "/ui/app.js"} {
		rec := get(h, "GET", p)
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), "auth.master_key") || rec.Header().Get("Content-Security-Policy") != csp {
			t.Errorf("%s: %d %s", p, rec.Code, rec.Body)
		}
	}
	for _, p := range []string{"/ui/api/login", "/ui/api/logout"} {
		req := httptest.NewRequest("POST", p, strings.NewReader(`{"key":"anything"}`))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 404 || rec.Header().Get("Set-Cookie") != "" {
			t.Errorf("%s without a master key: %d", p, rec.Code)
		}
	}
}

func TestCacheControl(t *testing.T) {
	for name, want := range map[string]string{
		"app.js":                     "no-cache",
		"app-3f2a9c1d.js":            "public, max-age=31536000, immutable",
		"chunk.0123456789abcdef.css": "public, max-age=31536000, immutable",
		"app-3f2a9c.js":              "no-cache", // too short to be a hash
		"logo-settings.svg":          "no-cache",
		"index.html":                 "no-cache",
	} {
		if got := cacheControl(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
}

func TestRevalidation(t *testing.T) {
	h := Handler(Options{MasterKey: master})
	for _, p := range []string{"/ui/", "/ui/keys", "/ui/app.js"} {
		first := get(h, "GET", p)
		etag := first.Header().Get("ETag")
		if len(etag) != 26 || etag[0] != '"' {
			t.Fatalf("%s: ETag %q", p, etag)
		}
		req := httptest.NewRequest("GET", p, nil)
		req.Header.Set("If-None-Match", etag)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
			t.Errorf("%s revalidated: %d, %d bytes", p, rec.Code, rec.Body.Len())
		}
	}
	if get(h, "GET", "/ui/").Header().Get("ETag") == get(h, "GET", "/ui/app.js").Header().Get("ETag") {
		t.Error("index.html and app.js share an ETag")
	}
}
