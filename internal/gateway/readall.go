package gateway

import (
	"errors"
	"io"
)

// maxSizeHint bounds the buffer a declared Content-Length reserves before
// its bytes arrive, so that a client or upstream announcing a huge body
// and sending little cannot make railyard allocate much.
const maxSizeHint = 1 << 20

// readAll is io.ReadAll with the buffer sized from the Content-Length the
// sender declared (hint; <= 0 when unknown): one allocation for a body of
// the declared size instead of io.ReadAll's growth from 512 bytes, which
// cost four or five allocations and twice the body's size per request and
// per upstream reply.
func readAll(r io.Reader, hint int64) ([]byte, error) {
	if hint <= 0 || hint > maxSizeHint {
		return io.ReadAll(r)
	}
	// One byte more than declared, so that the read that finds EOF has
	// room and the buffer never grows for an honest sender.
	b := make([]byte, 0, hint+1)
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = nil
			}
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // more than declared: grow as ReadAll does
		}
	}
}
