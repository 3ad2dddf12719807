package gateway

import (
	"errors"
	"io"
)

// flushReader is the upstream stream body as the relay reads it: before
// each read from the upstream, which may block, it writes and flushes what
// the relay has translated so far. So an event never waits in railyard
// while railyard waits for the upstream (streams are not buffered), yet
// the events of one upstream read go to the client in one write and one
// flush instead of one each: a write+flush is a syscall, the largest cost
// per event when an upstream sends many small events at once.
type flushReader struct {
	r io.Reader
	s *streamRelay
}

// errClientWrite stops the upstream read when the client write failed;
// the relay returns streamRelay.werr instead.
var errClientWrite = errors.New("client write failed")

func (f *flushReader) Read(p []byte) (int, error) {
	if f.s.sent && len(f.s.out) > 0 {
		if ae := f.s.flush(); ae != nil {
			f.s.werr = ae
			return 0, errClientWrite
		}
	} else if len(f.s.out) == 0 {
		f.s.returnOut() // events with nothing to send (pings) took one
	}
	return f.r.Read(p)
}
