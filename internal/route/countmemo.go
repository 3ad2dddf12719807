package route

import (
	"hash/maphash"
	"sync"
)

// Counting tokens with the BPE tokenizer costs about 70µs per KB of text
// (its pre-tokenizing regular expression dominates), more than the rest of
// the gateway's work on a request. Most of a request's text is the same
// from one request to the next: an application sends its system prompt,
// its tool definitions and the earlier turns of a conversation again with
// every call. So the Estimator remembers the counts of long strings,
// keyed by a 64-bit hash of their bytes (a collision would only misjudge
// one estimate), and counts only text it has not seen.

// memoMin is the shortest string whose count is remembered: every
// non-empty one. Even "hi" costs the tokenizer ~0.8µs and eight
// allocations, a tool's name ~2µs, a lookup tens of nanoseconds; short
// strings that never repeat only age the memo's generations sooner.
const memoMin = 1

// memoGeneration bounds the memo: when the current generation holds this
// many counts it becomes the old one and the one before is dropped, so
// the strings in use stay (a hit in the old generation moves to the
// current one) and the memo never exceeds twice this many entries.
const memoGeneration = 4096

// countMemo is safe for concurrent use; its zero value is ready.
type countMemo struct {
	once     sync.Once
	seed     maphash.Seed
	mu       sync.Mutex
	cur, old map[uint64]int
}

// count returns s's token count, from the memo when s is long and known.
func (e *Estimator) count(s string) int {
	if len(s) < memoMin {
		return e.countBPE(s)
	}
	h := e.memo.hash(s)
	if n, ok := e.memo.get(h); ok {
		return n
	}
	n := e.countBPE(s)
	e.memo.put(h, n)
	return n
}

func (m *countMemo) hash(s string) uint64 {
	m.once.Do(func() { m.seed = maphash.MakeSeed() })
	return maphash.String(m.seed, s)
}

func (m *countMemo) get(h uint64) (int, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if n, ok := m.cur[h]; ok {
		return n, true
	}
	if n, ok := m.old[h]; ok {
		m.putLocked(h, n)
		return n, true
	}
	return 0, false
}

func (m *countMemo) put(h uint64, n int) {
	m.mu.Lock()
	m.putLocked(h, n)
	m.mu.Unlock()
}

func (m *countMemo) putLocked(h uint64, n int) {
	if m.cur == nil || len(m.cur) >= memoGeneration {
		m.old, m.cur = m.cur, make(map[uint64]int)
	}
	m.cur[h] = n
}
