package gateway

import "sync"

// outBufs recycles the stream relay's output buffers. The relay takes one
// when an upstream read brings events and gives it back once they are
// written, so a stream waiting on its upstream (most of a stream's life)
// holds no output buffer, and a new stream does not grow one from
// nothing (doubling up to a read's worth of translated events, ~30 KiB of
// allocation per stream before). A sync.Pool is a cache, not state: any
// buffer it hands out is empty.
var outBufs = sync.Pool{New: func() any {
	b := make([]byte, 0, 4<<10)
	return &b
}}

// maxPooledOut keeps a buffer grown by one huge event (a long tool call's
// arguments in one delta) from staying in the pool.
const maxPooledOut = 64 << 10

// takeOut gives the relay an output buffer if it has none.
func (s *streamRelay) takeOut() {
	if s.outp == nil {
		s.outp = outBufs.Get().(*[]byte)
		s.out = (*s.outp)[:0]
	}
}

// returnOut gives the output buffer back; its bytes must have been
// written.
func (s *streamRelay) returnOut() {
	if s.outp == nil {
		s.out = s.out[:0]
		return
	}
	if cap(s.out) <= maxPooledOut {
		*s.outp = s.out[:0]
		outBufs.Put(s.outp)
	}
	s.outp, s.out = nil, nil
}
