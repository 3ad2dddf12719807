package bufpool

import "testing"

func TestGetIsEmpty(t *testing.T) {
	b := Get()
	b.B = append(b.B, "hello"...)
	Put(b)
	for range 10 {
		c := Get()
		if len(c.B) != 0 {
			t.Fatalf("Get returned %d bytes, want an empty buffer", len(c.B))
		}
		Put(c)
	}
}

func TestPutDropsHugeAndNil(t *testing.T) {
	Put(nil) // no panic
	b := &Buffer{B: make([]byte, 0, MaxPooled+1)}
	Put(b)
	for range 10 {
		if c := Get(); cap(c.B) > MaxPooled {
			t.Fatalf("Get returned a %d-byte array; Put must drop arrays over %d", cap(c.B), MaxPooled)
		}
	}
}
