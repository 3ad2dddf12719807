package provider

import (
	"net"
	"net/http"
	"time"
)

// TransportOptions tunes the shared upstream transport.
type TransportOptions struct {
	// FirstByteTimeout bounds the wait for response headers after the
	// request is written; an upstream that does not answer in time fails
	// over.
	FirstByteTimeout time.Duration
}

// NewClient returns the HTTP client every provider shares: keep-alive
// pools sized for a gateway (many requests to few hosts), HTTP/2 where the
// provider offers it, and bounded connect and TLS handshakes. It never
// follows redirects: an API that redirects a POST is misconfigured, and
// following would resend the credentials elsewhere.
func NewClient(opts TransportOptions) *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	t := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          1024,
		MaxIdleConnsPerHost:   256,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		ResponseHeaderTimeout: opts.FirstByteTimeout,
	}
	return &http.Client{Transport: t, CheckRedirect: NoRedirect}
}
