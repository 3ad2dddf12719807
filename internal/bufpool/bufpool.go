// Package bufpool lends byte buffers for the request path's renderings:
// the upstream request body a request is translated or rewritten into
// (so that no attempt allocates a fresh copy of the prompt), and the
// stream relay's output per upstream read. A buffer goes back to the pool
// only once nothing can read it any more; whoever holds it last (the
// provider's request body, the relay once it has written) returns it.
package bufpool

import "sync"

// Buffer is a byte slice lent by Get. B is the content; its array belongs
// to the pool again once Put.
type Buffer struct {
	B []byte
}

// initialSize covers a typical chat request or a read's worth of
// translated stream events, so that most renderings never grow the array.
const initialSize = 4 << 10

// MaxPooled is the largest capacity Put keeps: a rare huge request's
// array (or one grown by a huge stream event) would otherwise be held for
// as long as the pool keeps it.
const MaxPooled = 64 << 10

var pool = sync.Pool{New: func() any { return &Buffer{B: make([]byte, 0, initialSize)} }}

// Get returns an empty buffer.
func Get() *Buffer {
	b := pool.Get().(*Buffer)
	b.B = b.B[:0]
	return b
}

// Put returns b to the pool; b and every slice of its array must not be
// used afterwards. A nil b, or one grown past MaxPooled, is dropped.
func Put(b *Buffer) {
	if b == nil || cap(b.B) > MaxPooled {
		return
	}
	b.B = b.B[:0]
	pool.Put(b)
}
