// Package bufpool lends the byte buffers an upstream request body is
// rendered into, so that translating or rewriting a request does not
// allocate a fresh copy of the prompt for every attempt. A buffer goes
// back to the pool only once nothing can read it any more; whoever holds
// it last (the provider's request body) returns it.
package bufpool

import "sync"

// Buffer is a byte slice lent by Get. B is the content; its array belongs
// to the pool again once Put.
type Buffer struct {
	B []byte
}

// initialSize covers a typical chat request, so that most renderings never
// grow the array.
const initialSize = 4 << 10

// maxPooled keeps a rare huge request's array out of the pool: it would
// otherwise be held for as long as the pool keeps it.
const maxPooled = 64 << 10

var pool = sync.Pool{New: func() any { return &Buffer{B: make([]byte, 0, initialSize)} }}

// Get returns an empty buffer.
func Get() *Buffer {
	b := pool.Get().(*Buffer)
	b.B = b.B[:0]
	return b
}

// Put returns b to the pool; b and every slice of its array must not be
// used afterwards. A nil b, or one grown past maxPooled, is dropped.
func Put(b *Buffer) {
	if b == nil || cap(b.B) > maxPooled {
		return
	}
	b.B = b.B[:0]
	pool.Put(b)
}
