package sim

import (
	"container/list"
	"encoding/binary"
	"hash"
	"hash/fnv"
	"io"
	"sync"
)

// BlockSize is the number of tokens in one prefix-cache block, as in vLLM
// and llm-d-inference-sim.
const BlockSize = 16

// digest consumes prompt tokens one at a time and keeps only what the
// simulator needs from them: their count, the chained hash of every whole
// block of BlockSize tokens (each block's hash covers its parent's hash and
// its own tokens, so equal hashes mean equal prefixes, not just equal
// blocks) and a hash of the whole prompt. It never holds the tokens, so a
// 32 MiB prompt costs one uint64 per 16 tokens.
type digest struct {
	count   int
	hashes  []uint64
	parent  uint64
	block   hash.Hash64
	inBlock int
	all     hash.Hash64
}

// newDigest starts a digest; salt separates models that share one LRU.
func newDigest(salt string) *digest {
	d := &digest{block: fnv.New64a(), all: fnv.New64a()}
	d.block.Write([]byte(salt))
	d.parent = d.block.Sum64()
	d.all.Write([]byte(salt))
	d.startBlock()
	return d
}

func (d *digest) startBlock() {
	var buf [8]byte
	d.block.Reset()
	binary.LittleEndian.PutUint64(buf[:], d.parent)
	d.block.Write(buf[:])
	d.inBlock = 0
}

var zero = []byte{0}

// add consumes one token.
func (d *digest) add(tok string) {
	d.count++
	// A separator keeps ["ab","c"] and ["a","bc"] apart.
	io.WriteString(d.block, tok)
	d.block.Write(zero)
	io.WriteString(d.all, tok)
	d.all.Write(zero)
	d.inBlock++
	if d.inBlock == BlockSize {
		d.parent = d.block.Sum64()
		d.hashes = append(d.hashes, d.parent)
		d.startBlock()
	}
}

// addText consumes the tokens of s.
func (d *digest) addText(s string) {
	scan(s, func(_, start, end int) { d.add(s[start:end]) })
}

// sum is the hash of the whole prompt.
func (d *digest) sum() uint64 { return d.all.Sum64() }

// blockHashes is the block hashes of a token list.
func blockHashes(salt string, tokens []string) []uint64 {
	d := newDigest(salt)
	for _, t := range tokens {
		d.add(t)
	}
	return d.hashes
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
