package provider

import (
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
)

// NoRedirect is the redirect policy of every provider client (NewClient):
// an API that redirects a POST is misconfigured, and following would
// resend the credentials elsewhere; the 3xx reply is the response.
func NoRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

var noRedirectPC = reflect.ValueOf(NoRedirect).Pointer()

// directTransport returns c's transport when calling it directly is what
// c.Do would do for a provider's request: no cookie jar, no client
// timeout, redirects never followed (NoRedirect). Client.Do spends six
// allocations a request (a copy of the headers and the redirect
// bookkeeping) that such a client never uses. nil means use c.Do.
func directTransport(c *http.Client) http.RoundTripper {
	if c == nil || c.Transport == nil || c.Jar != nil || c.Timeout != 0 || c.CheckRedirect == nil ||
		reflect.ValueOf(c.CheckRedirect).Pointer() != noRedirectPC {
		return nil
	}
	return c.Transport
}

// roundTrip is c.Do(req) for a client directTransport accepted and a
// request with a URL without user info, returning what Do returns: the
// same response, the same errors (wrapped in *url.Error with Do's Op and
// URL), a 3xx whose Location does not parse failed as Do fails it.
func roundTrip(rt http.RoundTripper, req *http.Request) (*http.Response, error) {
	uerr := func(u *url.URL, err error) error {
		return &url.Error{Op: urlErrorOp(req.Method), URL: u.String(), Err: err}
	}
	resp, err := rt.RoundTrip(req)
	if err != nil {
		if tlsErr, ok := err.(tls.RecordHeaderError); ok && string(tlsErr.RecordHeader[:]) == "HTTP/" {
			err = http.ErrSchemeMismatch
		}
		return nil, uerr(req.URL, err)
	}
	if resp == nil {
		return nil, uerr(req.URL, fmt.Errorf("http: RoundTripper implementation (%T) returned a nil *Response with a nil error", rt))
	}
	if resp.Body == nil {
		if resp.ContentLength > 0 && req.Method != http.MethodHead {
			return nil, uerr(req.URL, fmt.Errorf("http: RoundTripper implementation (%T) returned a *Response with content length %d but a nil Body", rt, resp.ContentLength))
		}
		resp.Body = io.NopCloser(strings.NewReader(""))
	}
	switch resp.StatusCode {
	case 301, 302, 303, 307, 308:
		// Do parses the Location of a redirect before asking the policy.
		if loc := resp.Header.Get("Location"); loc != "" {
			if _, err := req.URL.Parse(loc); err != nil {
				resp.Body.Close()
				u := req.URL
				if resp.Request != nil {
					u = resp.Request.URL
				}
				return nil, uerr(u, fmt.Errorf("failed to parse Location header %q: %v", loc, err))
			}
		}
	}
	return resp, nil
}

// urlErrorOp is net/http's Op for a method in a *url.Error: "Post".
func urlErrorOp(method string) string {
	if method == "" {
		return "Get"
	}
	return method[:1] + strings.ToLower(method[1:])
}
