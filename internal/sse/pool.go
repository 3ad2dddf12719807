package sse

import (
	"errors"
	"sync"
)

// The decoder's read buffers come from two pools, one per size it uses
// (firstRead to start, readSize once a read filled that), and go back to
// them when the stream waits for its upstream (wait), is done (Release)
// or the buffer is replaced. A stream used to allocate both, 5 KiB of
// garbage per stream, and the collector's work (and its pauses of every
// stream's events) grows with the bytes allocated. A buffer still starts
// at firstRead bytes and grows only on a full read. A sync.Pool is a cache, not state: a buffer's old bytes are never
// read, the decoder reads only what it has written to buf[start:end].
var (
	smallBufs = sync.Pool{New: func() any { return new([firstRead]byte) }}
	readBufs  = sync.Pool{New: func() any { return new([readSize]byte) }}
)

// errReleased is the error of a decoder used after Release.
var errReleased = errors.New("sse: decoder used after Release")

// getBuf returns a buffer of n bytes, pooled when n is one of the pooled
// sizes.
func getBuf(n int) []byte {
	switch n {
	case firstRead:
		return smallBufs.Get().(*[firstRead]byte)[:]
	case readSize:
		return readBufs.Get().(*[readSize]byte)[:]
	}
	return make([]byte, n)
}

// putBuf gives b back to its pool when it is of a pooled size; the caller
// must hold no other reference to it. Every buffer of those capacities
// the decoder holds starts its array (getBuf or make), so the conversion
// takes the whole array.
func putBuf(b []byte) {
	switch cap(b) {
	case firstRead:
		smallBufs.Put((*[firstRead]byte)(b[:firstRead]))
	case readSize:
		readBufs.Put((*[readSize]byte)(b[:readSize]))
	}
}

// Release gives the decoder's read buffer back for other streams to use,
// once the stream is done. Neither the decoder nor any Event it returned
// may be used after it (Next then returns an error). Calling it twice is
// harmless.
func (d *Decoder) Release() {
	if d.released {
		return
	}
	d.released = true
	putBuf(d.buf)
	d.buf, d.data, d.r = nil, nil, nil
	d.start, d.end = 0, 0
}

// grow moves the unread bytes into a buffer of n bytes and gives the old
// buffer back to its pool (line's slices into it are dead by then: every
// caller of fill takes its lines again from d.buf).
func (d *Decoder) grow(n int) {
	nb := getBuf(n)
	copy(nb, d.buf[:d.end])
	putBuf(d.buf)
	d.buf = nb
}
