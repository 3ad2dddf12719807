package anthropic

import "strings"

// textArena hands out a stream's text deltas as substrings of a few
// shared allocations instead of one string each. Most events of a stream
// are text deltas of a few bytes, and allocating each was the decoder's
// largest allocation count per stream (256 in bench/proxy's stream); the
// collector's work grows with what is allocated.
//
// It is safe to keep the strings for as long as one likes: a
// strings.Builder only ever appends after the bytes it has handed out
// (add writes only within the capacity it checked, so nothing is ever
// moved or overwritten), and when a chunk is full the arena starts a new
// one and leaves the old one to the strings that still point into it.
// Unlike a reused buffer, no consumer of the events (the relay's reply
// text for an early end's estimate, the client's encoder, a test that
// collects events) can see a string change under it.
//
// Chunks start small and double up to arenaMax, so that a stream held
// open after one delta keeps arenaFirst bytes and a long one allocates a
// few chunks; a text longer than arenaMax/4 gets its own string.
type textArena struct {
	b strings.Builder
}

const (
	arenaFirst = 64
	arenaMax   = 1024
)

// add returns p as a string.
func (a *textArena) add(p []byte) string {
	if len(p) == 0 {
		return ""
	}
	if len(p) > arenaMax/4 {
		return string(p)
	}
	if a.b.Cap()-a.b.Len() < len(p) {
		n := min(max(2*a.b.Cap(), arenaFirst), arenaMax)
		a.b.Reset() // the old chunk stays with the strings made from it
		a.b.Grow(n)
	}
	a.b.Write(p)
	s := a.b.String()
	return s[len(s)-len(p):]
}
