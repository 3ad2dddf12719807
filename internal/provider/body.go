package provider

import (
	"errors"
	"io"
	"net/http"
	"sync"

	"github.com/railyard-ai/railyard/internal/bufpool"
)

// setBody gives req the upstream request body b so that the bytes are not
// kept for as long as the reply: the transport holds the request (and
// with it the body and its GetBody) until the response body is closed,
// and a streamed reply stays open for minutes, so an open stream used to
// keep the whole translated prompt alive. The body forgets b once read to
// the end; GetBody (the transport's rewind to resend on a keep-alive
// connection that turned out dead) works until the returned body's release,
// which Send calls once response headers came: nothing is resent after
// that.
//
// lent, when not nil, is the pooled buffer b lies in: it goes back to the
// pool once the body is released and every reading of it (the first and
// each rewind) has handed out its last byte. A reading the transport
// abandons halfway keeps it out of the pool for good (the collector frees
// it), since the transport may still be reading it on another goroutine
// after the response came (its write loop and RoundTrip run apart).
func setBody(req *http.Request, b []byte, lent *bufpool.Buffer) *sentBody {
	if len(b) == 0 {
		req.Body, req.GetBody, req.ContentLength = http.NoBody, noBody, 0
		bufpool.Put(lent)
		return nil
	}
	// One allocation for the body, its rewind and its release (three
	// closures and an atomic pointer to a heap copy of the slice took five).
	s := &sentBody{first: onceBody{b: b}, src: b}
	if lent != nil {
		s.lent, s.readings = lent, 1
		s.first.s = s
	}
	req.ContentLength = int64(len(b))
	req.Body = &s.first
	req.GetBody = s.rewind
	return s
}

func noBody() (io.ReadCloser, error) { return http.NoBody, nil }

// sentBody is an upstream request body: its first reading, and the bytes
// for a rewind until released.
type sentBody struct {
	first onceBody
	mu    sync.Mutex
	src   []byte // nil once released

	// For a lent buffer: the readings made and those read to the end.
	lent     *bufpool.Buffer
	readings int
	read     int
}

// rewind is the request's GetBody.
func (s *sentBody) rewind() (io.ReadCloser, error) {
	s.mu.Lock()
	b := s.src
	o := &onceBody{b: b}
	if b != nil && s.lent != nil {
		s.readings++
		o.s = s
	}
	s.mu.Unlock()
	if b == nil {
		return nil, errBodyReleased
	}
	return o, nil
}

// release ends rewinds: the request no longer keeps the bytes. It is a
// no-op on nil (an empty body).
func (s *sentBody) release() {
	if s == nil {
		return
	}
	s.mu.Lock()
	s.src = nil
	s.giveBack()
	s.mu.Unlock()
}

// readEnd records that a reading handed out its last byte. A reading
// calls it at most once.
func (s *sentBody) readEnd() {
	s.mu.Lock()
	s.read++
	s.giveBack()
	s.mu.Unlock()
}

// giveBack returns the lent buffer once released and every reading is
// done with it. s.mu is held.
func (s *sentBody) giveBack() {
	if s.lent != nil && s.src == nil && s.read == s.readings {
		bufpool.Put(s.lent)
		s.lent = nil
	}
}

var errBodyReleased = errors.New("provider: request body already sent and released")

// onceBody reads b once and then drops it.
type onceBody struct {
	b []byte
	s *sentBody // told when the last byte went out, for a lent buffer
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
		if s := o.s; s != nil {
			o.s = nil
			s.readEnd()
		}
	}
	return n, nil
}

// Close does nothing: the transport may close the body on another
// goroutine while its write loop still reads it.
func (o *onceBody) Close() error { return nil }
