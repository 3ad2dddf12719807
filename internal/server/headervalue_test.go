package server

import (
	"net/http"
	"testing"
)

// TestClientKeyHeaders: the key comes from whichever header a client SDK
// sends, however the client spelled the header's name (net/http stores
// them canonical).
func TestClientKeyHeaders(t *testing.T) {
	for _, c := range []struct {
		name, value, want string
	}{
		{"authorization", "Bearer  sk-1 ", "sk-1"},
		{"Authorization", "Basic abc", ""},
		{"x-api-key", " sk-2", "sk-2"},
		{"X-API-KEY", "sk-3", "sk-3"},
		{"x-goog-api-key", "sk-4", "sk-4"},
		{"x-other", "sk-5", ""},
	} {
		r, _ := http.NewRequest(http.MethodPost, "http://x/v1/chat/completions", nil)
		r.Header.Set(c.name, c.value)
		if got := clientKey(r); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
		if got, want := headerValue(r.Header, http.CanonicalHeaderKey(c.name)), r.Header.Get(c.name); got != want {
			t.Errorf("headerValue(%s) = %q, Get = %q", c.name, got, want)
		}
	}
}
