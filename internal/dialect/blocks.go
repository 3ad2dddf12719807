package dialect

// Blocks maps the block indexes of one stream to per-block state, for the
// stream decoders and encoders that track open content blocks. A stream
// has a handful of blocks, so they are kept in two short slices searched
// from the end (an event almost always belongs to the latest block) until
// there are smallBlocks of them, and in a map after that, so that an
// upstream sending thousands of blocks costs a map lookup per event, not
// a scan. Its zero value is empty and allocates nothing: a map from the
// first block had cost every open stream about 300 bytes per table.
type Blocks[T any] struct {
	keys []int
	vals []T
	many map[int]T
}

// smallBlocks is how many blocks the slices hold before the map takes over.
const smallBlocks = 16

// Get returns block i's state.
func (b *Blocks[T]) Get(i int) (T, bool) {
	if b.many != nil {
		v, ok := b.many[i]
		return v, ok
	}
	for j := len(b.keys) - 1; j >= 0; j-- {
		if b.keys[j] == i {
			return b.vals[j], true
		}
	}
	var zero T
	return zero, false
}

// Set stores block i's state.
func (b *Blocks[T]) Set(i int, v T) {
	if b.many != nil {
		b.many[i] = v
		return
	}
	for j := len(b.keys) - 1; j >= 0; j-- {
		if b.keys[j] == i {
			b.vals[j] = v
			return
		}
	}
	if len(b.keys) < smallBlocks {
		b.keys = append(b.keys, i)
		b.vals = append(b.vals, v)
		return
	}
	b.many = make(map[int]T, 2*smallBlocks)
	for j, k := range b.keys {
		b.many[k] = b.vals[j]
	}
	b.many[i] = v
	b.keys, b.vals = nil, nil
}

// Delete forgets block i.
func (b *Blocks[T]) Delete(i int) {
	if b.many != nil {
		delete(b.many, i)
		return
	}
	for j := len(b.keys) - 1; j >= 0; j-- {
		if b.keys[j] == i {
			b.keys = append(b.keys[:j], b.keys[j+1:]...)
			b.vals = append(b.vals[:j], b.vals[j+1:]...)
			return
		}
	}
}
