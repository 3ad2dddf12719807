package gateway

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

func TestReadAllMatchesIOReadAll(t *testing.T) {
	body := bytes.Repeat([]byte("0123456789"), 300)
	for _, tt := range []struct {
		name string
		n    int
		hint int64
	}{
		{"no hint", 3000, -1},
		{"exact", 3000, 3000},
		{"declared more", 1000, 3000},
		{"declared less", 3000, 100},
		{"empty", 0, 0},
		{"hint too large to trust", 3000, maxSizeHint + 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, r := range []io.Reader{bytes.NewReader(body[:tt.n]), iotest.OneByteReader(bytes.NewReader(body[:tt.n])), iotest.HalfReader(bytes.NewReader(body[:tt.n]))} {
				got, err := readAll(r, tt.hint)
				if err != nil || !bytes.Equal(got, body[:tt.n]) {
					t.Fatalf("readAll = %d bytes, %v; want %d bytes", len(got), err, tt.n)
				}
			}
		})
	}
}

func TestReadAllError(t *testing.T) {
	boom := errors.New("boom")
	got, err := readAll(io.MultiReader(bytes.NewReader([]byte("abc")), iotest.ErrReader(boom)), 10)
	if !errors.Is(err, boom) || string(got) != "abc" {
		t.Fatalf("readAll = %q, %v; want abc, boom", got, err)
	}
}

func TestReadAllOneAllocationWhenSized(t *testing.T) {
	body := bytes.Repeat([]byte("x"), 1500)
	allocs := testing.AllocsPerRun(100, func() {
		_, _ = readAll(bytes.NewReader(body), int64(len(body)))
	})
	if allocs > 2 { // the buffer, and the bytes.Reader escaping through io.Reader
		t.Fatalf("readAll made %v allocations, want at most 2", allocs)
	}
}
