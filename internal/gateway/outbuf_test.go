package gateway

import (
	"strings"
	"testing"

	"github.com/railyard-ai/railyard/internal/bufpool"
)

// TestIdleStreamHoldsNoOutputBuffer: the relay's output buffer goes back
// to the pool before the relay waits on the upstream, whether the events
// of the last read produced bytes (written first) or none (a ping).
func TestIdleStreamHoldsNoOutputBuffer(t *testing.T) {
	s := &streamRelay{}
	s.takeOut()
	if s.outp == nil || cap(s.out) == 0 {
		t.Fatal("takeOut gave no buffer")
	}
	fr := &flushReader{r: strings.NewReader("x"), s: s}
	if _, err := fr.Read(make([]byte, 8)); err != nil {
		t.Fatal(err)
	}
	if s.outp != nil || s.out != nil {
		t.Fatal("the relay still holds its output buffer while reading the upstream")
	}

	s.takeOut()
	s.out = append(s.out, make([]byte, bufpool.MaxPooled+1)...) // one huge event
	s.returnOut()
	if s.outp != nil || s.out != nil {
		t.Fatal("returnOut kept the buffer")
	}
	s.takeOut()
	if cap(s.out) > bufpool.MaxPooled {
		t.Fatalf("a %d-byte buffer came back from the pool", cap(s.out))
	}
}
