package provider

import (
	"errors"
	"io"
	"net/http"
	"sync/atomic"
)

// setBody gives req the upstream request body b so that the bytes are not
// kept for as long as the reply: the transport holds the request (and
// with it the body and its GetBody) until the response body is closed,
// and a streamed reply stays open for minutes, so an open stream used to
// keep the whole translated prompt alive. The body forgets b once read to
// the end; GetBody (the transport's rewind to resend on a keep-alive
// connection that turned out dead) works until the returned release is
// called, which Send does once response headers came: nothing is resent
// after that.
func setBody(req *http.Request, b []byte) (release func()) {
	if len(b) == 0 {
		req.Body, req.GetBody, req.ContentLength = http.NoBody, func() (io.ReadCloser, error) { return http.NoBody, nil }, 0
		return func() {}
	}
	src := new(atomic.Pointer[[]byte])
	src.Store(&b)
	req.ContentLength = int64(len(b))
	req.Body = &onceBody{b: b}
	req.GetBody = func() (io.ReadCloser, error) {
		p := src.Load()
		if p == nil {
			return nil, errBodyReleased
		}
		return &onceBody{b: *p}, nil
	}
	return func() { src.Store(nil) }
}

var errBodyReleased = errors.New("provider: request body already sent and released")

// onceBody reads b once and then drops it.
type onceBody struct {
	b []byte
}

func (o *onceBody) Read(p []byte) (int, error) {
	if len(o.b) == 0 {
		o.b = nil
		return 0, io.EOF
	}
	n := copy(p, o.b)
	o.b = o.b[n:]
	if len(o.b) == 0 {
		o.b = nil // the last bytes went out: let the array go now
	}
	return n, nil
}

// Close does nothing: the transport may close the body on another
// goroutine while its write loop still reads it.
func (o *onceBody) Close() error { return nil }
