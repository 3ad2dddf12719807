package sse

import (
	"bytes"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

type got struct {
	Event, Data, ID string
}

func decodeAll(t testing.TB, r io.Reader) ([]got, error) {
	t.Helper()
	d := NewDecoder(r)
	defer d.Release() // every test then decodes with pooled, used buffers
	var out []got
	for {
		ev, err := d.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, got{ev.Event, string(ev.Data), ev.ID})
		// A caller may append to Data: that must not write over the
		// bytes still to be read (Data may point into the read buffer).
		_ = append(ev.Data, "\n\ndata: injected\n\n"...)
	}
}

func TestDecoder(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []got
	}{
		{"lf", "data: a\n\ndata: b\n\n", []got{{"", "a", ""}, {"", "b", ""}}},
		{"crlf", "event: x\r\ndata: a\r\n\r\n", []got{{"x", "a", ""}}},
		{"lone cr", "data: a\r\rdata: b\r\r", []got{{"", "a", ""}, {"", "b", ""}}},
		{"multi-line data", "data: a\ndata: b\n\n", []got{{"", "a\nb", ""}}},
		{"comment", ": ping\n\ndata: a\n\n", []got{{"", "a", ""}}},
		{"no space", "data:a\n\n", []got{{"", "a", ""}}},
		{"two spaces keeps one", "data:  a\n\n", []got{{"", " a", ""}}},
		{"field without colon", "data\n\n", []got{{"", "", ""}}},
		{"id", "id: 7\ndata: a\n\n", []got{{"", "a", "7"}}},
		{"unterminated last event", "data: a\n\ndata: b", []got{{"", "a", ""}, {"", "b", ""}}},
		{"event without data", "event: ping\n\n", []got{{"ping", "", ""}}},
		{"blank lines only", "\n\n\r\n", nil},
		{"openai done", "data: {\"x\":1}\n\ndata: [DONE]\n\n", []got{{"", `{"x":1}`, ""}, {"", "[DONE]", ""}}},
		{"anthropic", "event: message_start\ndata: {}\n\nevent: ping\ndata: {\"type\": \"ping\"}\n\n",
			[]got{{"message_start", "{}", ""}, {"ping", `{"type": "ping"}`, ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			readers := map[string]io.Reader{
				"whole":    strings.NewReader(tt.in),
				"one byte": iotest.OneByteReader(strings.NewReader(tt.in)),
				"half":     iotest.HalfReader(strings.NewReader(tt.in)),
			}
			for rn, r := range readers {
				out, err := decodeAll(t, r)
				if err != nil {
					t.Fatalf("%s: %v", rn, err)
				}
				if !equal(out, tt.want) {
					t.Fatalf("%s: got %q want %q", rn, out, tt.want)
				}
			}
		})
	}
}

func equal(a, b []got) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// chunkReader returns its input in the given chunk sizes.
type chunkReader struct {
	data  []byte
	sizes []int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := len(c.data)
	if len(c.sizes) > 0 {
		n = min(n, c.sizes[0])
		c.sizes = c.sizes[1:]
	}
	n = min(n, len(p))
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

func TestDecoderRandomSplits(t *testing.T) {
	var b []byte
	for i := range 200 {
		b = AppendEvent(b, "e", []byte(strings.Repeat("x", i)+"\nline2"))
	}
	want, err := decodeAll(t, bytes.NewReader(b))
	if err != nil || len(want) != 200 {
		t.Fatalf("baseline: %d %v", len(want), err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 50 {
		var sizes []int
		for range 2000 {
			sizes = append(sizes, 1+rng.IntN(64))
		}
		out, err := decodeAll(t, &chunkReader{data: b, sizes: sizes})
		if err != nil || !equal(out, want) {
			t.Fatalf("split mismatch: %v", err)
		}
	}
}

func TestAppendEventRoundTrip(t *testing.T) {
	for _, data := range []string{"", "a", "a\nb", "a\r\nb", "a\rb\n", "{\"k\":\"v\"}"} {
		b := AppendEvent(nil, "name", []byte(data))
		out, err := decodeAll(t, bytes.NewReader(b))
		if err != nil || len(out) != 1 {
			t.Fatalf("%q: %v %v", data, out, err)
		}
		want := strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(data)
		if out[0].Data != want || out[0].Event != "name" {
			t.Fatalf("%q: got %q", data, out[0].Data)
		}
	}
}

func TestEventTooLarge(t *testing.T) {
	d := NewDecoder(strings.NewReader("data: " + strings.Repeat("x", 10000) + "\n\n"))
	d.MaxEventSize = 1000
	if _, err := d.Next(); err != ErrEventTooLarge {
		t.Fatalf("got %v", err)
	}
}

func FuzzDecoder(f *testing.F) {
	f.Add([]byte("event: a\ndata: b\n\n"), uint8(1))
	f.Add([]byte("data: a\r\n\r\ndata: [DONE]\r\r"), uint8(3))
	f.Add([]byte(": c\nid: 1\nretry: 5\ndata\n\n"), uint8(7))
	f.Fuzz(func(t *testing.T, in []byte, split uint8) {
		whole, err1 := decodeAll(t, bytes.NewReader(in))
		parts, err2 := decodeAll(t, &chunkReader{data: in, sizes: []int{int(split%17) + 1, 1, 2, 3, 5, 8, 13}})
		if (err1 == nil) != (err2 == nil) || !equal(whole, parts) {
			t.Fatalf("split changed the result: %q vs %q (%v, %v)", whole, parts, err1, err2)
		}
		// Re-encoding what was decoded must decode to the same events.
		var b []byte
		for _, ev := range whole {
			b = AppendEvent(b, ev.Event, []byte(ev.Data))
		}
		again, err := decodeAll(t, bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		for i := range again {
			if i < len(whole) && (again[i].Data != whole[i].Data) {
				t.Fatalf("round trip changed data %q -> %q", whole[i].Data, again[i].Data)
			}
		}
	})
}

// TestDecoderShrinksAfterLargeEvent: a large event grows the read buffer
// and the data buffer; once it is consumed the decoder goes back to its
// usual sizes, so a stream does not wait holding the largest event it saw.
func TestDecoderShrinksAfterLargeEvent(t *testing.T) {
	big := strings.Repeat("x", 100<<10)
	in := "data: " + big + "\n\ndata: small\n\ndata: after\n\n"
	d := NewDecoder(iotest.HalfReader(strings.NewReader(in)))
	for i, want := range []string{big, "small", "after"} {
		ev, err := d.Next()
		if err != nil || string(ev.Data) != want {
			t.Fatalf("event %d: %.20q, %v", i, ev.Data, err)
		}
	}
	// The next read (here the end of the stream; in a live stream, the
	// wait for the upstream) happens with the usual buffers.
	if _, err := d.Next(); err != io.EOF {
		t.Fatalf("end: %v", err)
	}
	if len(d.buf) > readSize || cap(d.data) > keepData {
		t.Fatalf("after the large event: read buffer %d bytes, data buffer %d", len(d.buf), cap(d.data))
	}
}

// oneEventReader hands out one event per Read, as a live upstream that
// flushes every event does when the reader keeps up.
type oneEventReader struct{ events []string }

func (r *oneEventReader) Read(p []byte) (int, error) {
	if len(r.events) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.events[0])
	if r.events[0] = r.events[0][n:]; r.events[0] == "" {
		r.events = r.events[1:]
	}
	return n, nil
}

// TestDecoderBufferGrowsOnlyForBursts: a stream whose reads each bring an
// event or two keeps the small first buffer (what an open stream holds
// while it waits); the first read that fills it (the upstream had more at
// once) takes the decoder to the full read size, so bursts are still read
// in few calls.
func TestDecoderBufferGrowsOnlyForBursts(t *testing.T) {
	ev := "event: content_block_delta\ndata: " + `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" token"}}` + "\n\n"
	trickle := &oneEventReader{}
	for range 100 {
		trickle.events = append(trickle.events, ev)
	}
	d := NewDecoder(trickle)
	for range 100 {
		if _, err := d.Next(); err != nil {
			t.Fatal(err)
		}
	}
	if len(d.buf) != firstRead {
		t.Fatalf("events one per read: buffer grew to %d bytes, want %d", len(d.buf), firstRead)
	}
	d = NewDecoder(strings.NewReader(strings.Repeat(ev, 100)))
	for range 100 {
		if _, err := d.Next(); err != nil {
			t.Fatal(err)
		}
	}
	if len(d.buf) != readSize {
		t.Fatalf("a burst: buffer %d bytes, want %d", len(d.buf), readSize)
	}
}

// TestRelease: a released decoder's buffer goes back to the pool, the
// decoder refuses to go on, and a decoder given a used buffer decodes as
// one given a new one (the fuzz target's decodeAll releases too).
func TestRelease(t *testing.T) {
	in := strings.Repeat("event: e\ndata: "+strings.Repeat("z", 300)+"\n\n", 40)
	d := NewDecoder(strings.NewReader(in))
	for range 3 {
		if _, err := d.Next(); err != nil {
			t.Fatal(err)
		}
	}
	if len(d.buf) != readSize {
		t.Fatalf("buffer %d bytes, want %d", len(d.buf), readSize)
	}
	d.Release()
	d.Release()
	if _, err := d.Next(); err == nil {
		t.Fatal("Next after Release: no error")
	}
	for range 20 {
		out, err := decodeAll(t, iotest.HalfReader(strings.NewReader("data: a\r\n\r\nevent: b\ndata: c\n\n")))
		if err != nil || !equal(out, []got{{"", "a", ""}, {"b", "c", ""}}) {
			t.Fatalf("with a used buffer: %q, %v", out, err)
		}
	}
}

// TestDecoderAllocs: a stream's read buffers come from the pools, so a
// burst that grows the buffer allocates only the event data.
func TestDecoderAllocs(t *testing.T) {
	ev := "event: content_block_delta\ndata: " + `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" token"}}` + "\n\n"
	in := strings.Repeat(ev, 100)
	r := strings.NewReader(in)
	run := func() {
		r.Reset(in)
		d := NewDecoder(r)
		for {
			if _, err := d.Next(); err != nil {
				break
			}
		}
		d.Release()
	}
	run()
	// The decoder itself: the read buffers are pooled, and events of one
	// data line are dispatched from the read buffer (a collection during
	// the run may empty the pool: allow one more).
	if n := testing.AllocsPerRun(100, run); n > 2 {
		t.Fatalf("%v allocations per stream, want at most 2", n)
	}
}

// TestDataFromReadBuffer: an event of one data line is dispatched from
// the read buffer; one whose data must outlive a buffer move (a read
// ended inside it) or that joins several lines comes from the data
// buffer; both read the same.
func TestDataFromReadBuffer(t *testing.T) {
	d := NewDecoder(strings.NewReader("event: a\ndata: one\n\ndata: x\ndata: y\n\n"))
	defer d.Release()
	ev, err := d.Next()
	if err != nil || string(ev.Data) != "one" || !d.inBuf || cap(d.data) != 0 {
		t.Fatalf("one line: %q, %v, from the read buffer %v, data buffer %d", ev.Data, err, d.inBuf, cap(d.data))
	}
	if ev, err = d.Next(); err != nil || string(ev.Data) != "x\ny" || d.inBuf {
		t.Fatalf("two lines: %q, %v, from the read buffer %v", ev.Data, err, d.inBuf)
	}
	split := &chunkReader{data: []byte("data: " + strings.Repeat("p", 600) + "\n"), sizes: []int{1 << 20}}
	d2 := NewDecoder(io.MultiReader(split, strings.NewReader("\ndata: next\n\n")))
	defer d2.Release()
	if ev, err = d2.Next(); err != nil || string(ev.Data) != strings.Repeat("p", 600) || d2.inBuf {
		t.Fatalf("split before the blank line: %.20q, %v, from the read buffer %v", ev.Data, err, d2.inBuf)
	}
	if ev, err = d2.Next(); err != nil || string(ev.Data) != "next" {
		t.Fatalf("after: %q, %v", ev.Data, err)
	}
}

// sizeReader is oneEventReader noting the size of every read it is given.
type sizeReader struct {
	oneEventReader
	sizes []int
}

func (r *sizeReader) Read(p []byte) (int, error) {
	r.sizes = append(r.sizes, len(p))
	return r.oneEventReader.Read(p)
}

// TestWaitHoldsNoBuffer: with nothing unread, as when a stream waits for
// its upstream, the decoder reads one byte into itself and holds no read
// buffer; the rest of what came is read into a pooled buffer of the size
// the stream had.
func TestWaitHoldsNoBuffer(t *testing.T) {
	ev := "event: content_block_delta\ndata: " + `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" token"}}` + "\n\n"
	r := &sizeReader{}
	for range 10 {
		r.events = append(r.events, ev)
	}
	d := NewDecoder(r)
	defer d.Release()
	if d.buf != nil {
		t.Fatal("a new decoder holds a buffer")
	}
	for i := range 10 {
		e, err := d.Next()
		if err != nil || string(e.Data) != `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" token"}}` {
			t.Fatalf("event %d: %q, %v", i, e.Data, err)
		}
	}
	if _, err := d.Next(); err != io.EOF {
		t.Fatalf("end: %v", err)
	}
	// Each event: a wait (one byte), then the rest into a 1 KiB buffer;
	// then the wait that finds the end.
	var want []int
	for range 10 {
		want = append(want, 1, firstRead-1)
	}
	want = append(want, 1)
	if !slices.Equal(r.sizes, want) {
		t.Fatalf("read sizes %v, want %v", r.sizes, want)
	}
}
