package dialect

import (
	"math/rand/v2"
	"testing"
)

// TestBlocksActsAsAMap drives Blocks and a plain map with the same random
// operations, across the switch from slices to a map, and checks every
// answer agrees.
func TestBlocksActsAsAMap(t *testing.T) {
	for _, span := range []int{4, smallBlocks, 3 * smallBlocks} {
		var b Blocks[string]
		want := map[int]string{}
		rng := rand.New(rand.NewPCG(uint64(span), 1))
		for n := range 5000 {
			i := rng.IntN(span)
			switch rng.IntN(3) {
			case 0:
				v := string(rune('a' + n%26))
				b.Set(i, v)
				want[i] = v
			case 1:
				b.Delete(i)
				delete(want, i)
			}
			got, ok := b.Get(i)
			w, wok := want[i]
			if got != w || ok != wok {
				t.Fatalf("span %d, op %d: Get(%d) = %q, %v; want %q, %v", span, n, i, got, ok, w, wok)
			}
		}
		if span > smallBlocks && b.many == nil {
			t.Errorf("span %d: never moved to a map", span)
		}
	}
}

func TestBlocksZeroValueAllocatesNothing(t *testing.T) {
	var b Blocks[int]
	if n := testing.AllocsPerRun(100, func() { b.Get(3); b.Delete(3) }); n != 0 {
		t.Fatalf("%v allocations on an empty table", n)
	}
}
