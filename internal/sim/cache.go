package sim

import (
	"container/list"
	"encoding/binary"
	"hash/fnv"
	"sync"
)

// BlockSize is the number of tokens in one prefix-cache block, as in vLLM
// and llm-d-inference-sim.
const BlockSize = 16

// blockHashes returns the chained hash of every whole block of tokens: each
// block's hash covers its parent's hash and its own tokens, so equal hashes
// mean equal prefixes, not just equal blocks. salt separates the caches of
// models that share one LRU.
func blockHashes(salt string, tokens []string) []uint64 {
	n := len(tokens) / BlockSize
	out := make([]uint64, 0, n)
	h := fnv.New64a()
	h.Write([]byte(salt))
	parent := h.Sum64()
	var buf [8]byte
	for b := 0; b < n; b++ {
		h.Reset()
		binary.LittleEndian.PutUint64(buf[:], parent)
		h.Write(buf[:])
		for _, t := range tokens[b*BlockSize : (b+1)*BlockSize] {
			// A separator keeps ["ab","c"] and ["a","bc"] apart.
			h.Write([]byte(t))
			h.Write([]byte{0})
		}
		parent = h.Sum64()
		out = append(out, parent)
	}
	return out
}

// prefixCache is an LRU set of block hashes with a fixed capacity. It is
// safe for concurrent use.
type prefixCache struct {
	mu       sync.Mutex
	capacity int
	order    *list.List // front = most recently used; values are uint64
	blocks   map[uint64]*list.Element
}

func newPrefixCache(capacity int) *prefixCache {
	return &prefixCache{capacity: capacity, order: list.New(), blocks: make(map[uint64]*list.Element)}
}

// access looks up the longest cached prefix of hashes, marks it recently
// used, stores the remaining blocks (evicting the least recently used) and
// returns how many blocks were hits and how many were newly stored. A nil
// or zero-capacity cache hits and stores nothing.
func (c *prefixCache) access(hashes []uint64) (hit, stored int) {
	if c == nil || c.capacity <= 0 {
		return 0, 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, h := range hashes {
		e, ok := c.blocks[h]
		if !ok {
			break
		}
		c.order.MoveToFront(e)
		hit++
	}
	for _, h := range hashes[hit:] {
		if e, ok := c.blocks[h]; ok {
			// Present deeper in the chain only if a hash collided; refresh it.
			c.order.MoveToFront(e)
			continue
		}
		for c.order.Len() >= c.capacity {
			old := c.order.Back()
			c.order.Remove(old)
			delete(c.blocks, old.Value.(uint64))
		}
		c.blocks[h] = c.order.PushFront(h)
		stored++
	}
	return hit, stored
}

// len is the number of blocks held.
func (c *prefixCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
