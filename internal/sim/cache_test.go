package sim

import (
	"fmt"
	"testing"
)

func toks(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	return out
}

func TestBlockHashesChain(t *testing.T) {
	a := blockHashes("m", toks("t", 48))
	if len(a) != 3 {
		t.Fatalf("48 tokens: %d blocks, want 3", len(a))
	}
	if n := len(blockHashes("m", toks("t", 47))); n != 2 {
		t.Fatalf("47 tokens: %d blocks, want 2 (partial blocks are not cached)", n)
	}
	// Same second block after a different first block must hash apart.
	b := append(toks("x", 16), toks("t", 48)[16:]...)
	hb := blockHashes("m", b)
	if hb[1] == a[1] || hb[2] == a[2] {
		t.Fatal("block hashes do not chain: equal blocks under different prefixes collide")
	}
	if blockHashes("other", toks("t", 16))[0] == a[0] {
		t.Fatal("salt does not separate models")
	}
	// Token boundaries matter: "ab","c" differs from "a","bc".
	x := append([]string{"ab", "c"}, toks("p", 14)...)
	y := append([]string{"a", "bc"}, toks("p", 14)...)
	if blockHashes("m", x)[0] == blockHashes("m", y)[0] {
		t.Fatal("token boundaries are not hashed")
	}
}

func TestPrefixCache(t *testing.T) {
	type step struct {
		hashes      []uint64
		hit, stored int
	}
	tests := []struct {
		name     string
		capacity int
		steps    []step
		wantLen  int
	}{
		{"disabled", 0, []step{{[]uint64{1, 2}, 0, 0}, {[]uint64{1, 2}, 0, 0}}, 0},
		{"miss then hit", 8, []step{{[]uint64{1, 2, 3}, 0, 3}, {[]uint64{1, 2, 3}, 3, 0}}, 3},
		{"longer prompt extends", 8, []step{{[]uint64{1, 2}, 0, 2}, {[]uint64{1, 2, 3, 4}, 2, 2}}, 4},
		{"hit stops at first miss", 8, []step{{[]uint64{1, 2, 3}, 0, 3}, {[]uint64{1, 9, 3}, 1, 1}}, 4},
		{"lru evicts oldest", 3, []step{
			{[]uint64{1, 2}, 0, 2},
			{[]uint64{5}, 0, 1},
			{[]uint64{1}, 1, 0}, // 1 is now most recent; order 1,5,2
			{[]uint64{7}, 0, 1}, // evicts 2
			{[]uint64{1, 2}, 1, 1},
		}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newPrefixCache(tt.capacity)
			for i, s := range tt.steps {
				hit, stored := c.access(s.hashes)
				if hit != s.hit || stored != s.stored {
					t.Fatalf("step %d: hit %d stored %d, want %d %d", i, hit, stored, s.hit, s.stored)
				}
			}
			if c.len() != tt.wantLen {
				t.Fatalf("len %d, want %d", c.len(), tt.wantLen)
			}
		})
	}
	var nilCache *prefixCache
	if h, s := nilCache.access([]uint64{1}); h != 0 || s != 0 {
		t.Fatal("nil cache must hit and store nothing")
	}
}
