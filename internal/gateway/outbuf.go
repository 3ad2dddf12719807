package gateway

import "github.com/railyard-ai/railyard/internal/bufpool"

// The stream relay's output buffers come from bufpool. The relay takes
// one when an upstream read brings events and gives it back once they are
// written, so a stream waiting on its upstream (most of a stream's life)
// holds no output buffer, and a new stream does not grow one from
// nothing (doubling up to a read's worth of translated events, ~30 KiB of
// allocation per stream before). bufpool keeps a buffer grown by one huge
// event (a long tool call's arguments in one delta) out of the pool.

// takeOut gives the relay an output buffer if it has none.
func (s *streamRelay) takeOut() {
	if s.outp == nil {
		s.outp = bufpool.Get()
		s.out = s.outp.B
	}
}

// returnOut gives the output buffer back; its bytes must have been
// written.
func (s *streamRelay) returnOut() {
	if s.outp == nil {
		s.out = s.out[:0]
		return
	}
	s.outp.B = s.out
	bufpool.Put(s.outp)
	s.outp, s.out = nil, nil
}
