package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
)

// tlsFlags are serve's --tls-cert and --tls-key.
type tlsFlags struct{ cert, key string }

func (t tlsFlags) on() bool { return t.cert != "" || t.key != "" }

// scheme is the base URL's scheme.
func (t tlsFlags) scheme() string {
	if t.on() {
		return "https://"
	}
	return "http://"
}

// listener wraps ln in TLS when both flags are set (closing ln on error); the certificate is
// loaded up front so a bad pair fails at start, not at the first client.
func (t tlsFlags) listener(ln net.Listener, srv *http.Server) (net.Listener, error) {
	if !t.on() {
		return ln, nil
	}
	if t.cert == "" || t.key == "" {
		_ = ln.Close()
		return nil, errors.New("--tls-cert and --tls-key go together")
	}
	pair, err := tls.LoadX509KeyPair(t.cert, t.key)
	if err != nil {
		_ = ln.Close()
		return nil, fmt.Errorf("TLS certificate: %w", err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12, NextProtos: []string{"h2", "http/1.1"}}
	srv.TLSConfig = cfg
	return tls.NewListener(ln, cfg), nil
}
