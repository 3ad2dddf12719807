package provider

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestDirectMatchesClientDo: a provider whose client never follows
// redirects calls its transport directly, and gets what Client.Do gave:
// the same replies, the same errors, word for word.
func TestDirectMatchesClientDo(t *testing.T) {
	const nilBody = "<nil>"
	reply := func(status int, h http.Header, body string, cl int64) func(*http.Request) (*http.Response, error) {
		return func(r *http.Request) (*http.Response, error) {
			if h == nil {
				h = http.Header{}
			}
			resp := &http.Response{StatusCode: status, Header: h, ContentLength: cl, Request: r}
			if body != nilBody {
				resp.Body = io.NopCloser(strings.NewReader(body))
			}
			return resp, nil
		}
	}
	var tlsErr tls.RecordHeaderError
	copy(tlsErr.RecordHeader[:], "HTTP/")
	cases := map[string]func(*http.Request) (*http.Response, error){
		"ok":                  reply(200, nil, `{}`, 2),
		"error status":        reply(529, nil, `{}`, 2),
		"redirect":            reply(302, http.Header{"Location": {"https://elsewhere/v1"}}, "", 0),
		"307 relative":        reply(307, http.Header{"Location": {"/v2/chat"}}, "", 0),
		"redirect bad target": reply(308, http.Header{"Location": {"http://[::1"}}, "", 0),
		"redirect no target":  reply(301, nil, "", 0),
		"nil body":            reply(200, nil, nilBody, 0),
		"nil body, length":    reply(200, nil, nilBody, 10),
		"nil reply":           func(*http.Request) (*http.Response, error) { return nil, nil },
		"transport error":     func(*http.Request) (*http.Response, error) { return nil, errors.New("dial tcp: refused") },
		"deadline":            func(*http.Request) (*http.Response, error) { return nil, context.DeadlineExceeded },
		"http to https":       func(*http.Request) (*http.Response, error) { return nil, tlsErr },
	}
	for name, rt := range cases {
		t.Run(name, func(t *testing.T) {
			send := func(c *http.Client) (string, error) {
				p := &Provider{Name: "p", BaseURL: "https://api.example.com/v1", client: c, direct: directTransport(c), header: http.Header{}}
				p.base, p.baseFor = parseBase(p.BaseURL), p.BaseURL
				resp, err := p.Send(context.Background(), "/chat/completions", []byte(`{"model":"m"}`), nil)
				if err != nil {
					return "", err
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return resp.Status + " " + resp.Header.Get("Location") + " " + string(b), nil
			}
			direct := &http.Client{Transport: roundTripFunc(rt), CheckRedirect: NoRedirect}
			if directTransport(direct) == nil {
				t.Fatal("a NoRedirect client is not called directly")
			}
			// A policy that is not NoRedirect but acts like it: Client.Do.
			viaDo := &http.Client{Transport: roundTripFunc(rt), CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			}}
			if directTransport(viaDo) != nil {
				t.Fatal("a client with another redirect policy is called directly")
			}
			got, gerr := send(direct)
			want, werr := send(viaDo)
			if got != want || (gerr == nil) != (werr == nil) || gerr != nil && gerr.Error() != werr.Error() {
				t.Fatalf("direct: %q, %v\nClient.Do: %q, %v", got, gerr, want, werr)
			}
			if werr != nil && errors.Is(werr, context.DeadlineExceeded) != errors.Is(gerr, context.DeadlineExceeded) {
				t.Fatalf("direct error %v unwraps differently from %v", gerr, werr)
			}
		})
	}
	for _, c := range []*http.Client{
		{Transport: http.DefaultTransport},
		{Transport: http.DefaultTransport, CheckRedirect: NoRedirect, Timeout: 1},
		{CheckRedirect: NoRedirect},
	} {
		if directTransport(c) != nil {
			t.Errorf("client %+v: called directly", c)
		}
	}
	if directTransport(NewClient(TransportOptions{})) == nil {
		t.Error("NewClient's client is not called directly")
	}
}
