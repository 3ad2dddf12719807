package provider

import (
	"context"
	"net/http"
	"reflect"
	"testing"
)

// TestNewRequestMatchesParse: the request newRequest builds from the
// parsed base URL is the one http.NewRequestWithContext builds by parsing
// BaseURL+path, for plain and unusual base URLs and paths alike.
func TestNewRequestMatchesParse(t *testing.T) {
	bases := []string{
		"http://upstream.local/oa/v1", "https://api.openai.com/v1", "https://api.anthropic.com",
		"http://127.0.0.1:8080/v1", "http://[::1]:9000/x", "http://h:/v1", "https://user:pw@h/v1",
		"https://h/v1?api-version=2024", "https://h/a%2Fb", "https://h/v1#frag", "https://H.example.COM/V1",
		"https://h/v1/", "http://h",
	}
	paths := []string{
		"/chat/completions", "/v1/messages", "", "/models/gemini-2.5-flash:generateContent",
		"/models/m:streamGenerateContent?alt=sse", "/deployments/my%20dep/chat", "/a b", "/x#y", "/~u/@v",
		"relative",
	}
	for _, b := range []string{"http://upstream.local/oa/v1", "https://api.anthropic.com", "http://[::1]:9000/x"} {
		if parseBase(b) == nil {
			t.Fatalf("parseBase(%q) = nil: plain base URLs must take the fast way", b)
		}
	}
	ctx := context.Background()
	for _, b := range bases {
		p := &Provider{BaseURL: b}
		p.base, p.baseFor = parseBase(b), b
		for _, path := range paths {
			want, werr := http.NewRequestWithContext(ctx, http.MethodPost, b+path, nil)
			got, gerr := p.newRequest(ctx, path)
			if (werr == nil) != (gerr == nil) {
				t.Fatalf("%q + %q: error %v, want %v", b, path, gerr, werr)
			}
			if werr != nil {
				continue
			}
			if !reflect.DeepEqual(got.URL, want.URL) || got.Host != want.Host || got.URL.String() != want.URL.String() {
				t.Errorf("%q + %q: URL %#v host %q, want %#v host %q", b, path, got.URL, got.Host, want.URL, want.Host)
			}
		}
	}
	// A Provider whose BaseURL changed after New parses the new one.
	p := &Provider{BaseURL: "http://a/v1"}
	p.base, p.baseFor = parseBase(p.BaseURL), p.BaseURL
	p.BaseURL = "http://b/v2"
	if req, _ := p.newRequest(ctx, "/x"); req.URL.String() != "http://b/v2/x" || req.Host != "b" {
		t.Fatalf("after a BaseURL change: %s host %s", req.URL, req.Host)
	}
}

// TestSendWithHeaders: SendWith's headers land after the provider's fixed
// ones, as Send's extra headers do.
func TestSendWithHeaders(t *testing.T) {
	var got http.Header
	p := &Provider{Name: "p", BaseURL: "http://upstream.local/v1",
		header: http.Header{"Authorization": {"Bearer k"}, "X-Fixed": {"fixed"}, "Content-Type": {"application/json"}},
		client: &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			got = r.Header.Clone()
			return &http.Response{StatusCode: 200, Body: http.NoBody, Request: r}, nil
		})}}
	p.base, p.baseFor = parseBase(p.BaseURL), p.BaseURL
	extra := http.Header{"X-Request-Id": {"req_1"}, "X-Fixed": {"override"}}
	resp, err := p.Send(context.Background(), "/chat/completions", []byte(`{}`), extra)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	viaSend := got
	resp, err = p.SendWith(context.Background(), "/chat/completions", []byte(`{}`), func(h http.Header) {
		for k, v := range extra {
			h[k] = v
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !reflect.DeepEqual(got, viaSend) || got.Get("X-Fixed") != "override" || got.Get("Authorization") != "Bearer k" {
		t.Fatalf("SendWith headers %v, Send's %v", got, viaSend)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
