package anthropic

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"testing/iotest"

	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/sse"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// splitReader returns its data in chunks cut at the given offsets.
type splitReader struct {
	data []byte
	cuts []int // ascending offsets
	pos  int
}

func (r *splitReader) Read(p []byte) (int, error) {
	if r.pos >= len(r.data) {
		return 0, io.EOF
	}
	end := len(r.data)
	for _, c := range r.cuts {
		if c > r.pos {
			end = c
			break
		}
	}
	n := copy(p, r.data[r.pos:end])
	r.pos += n
	return n, nil
}

// randomSplits returns a reader that cuts data at n random points.
func randomSplits(data []byte, seed uint64, n int) io.Reader {
	rng := rand.New(rand.NewPCG(seed, 0))
	cuts := make([]int, 0, n)
	for range n {
		cuts = append(cuts, rng.IntN(len(data)+1))
	}
	for i := range cuts { // insertion sort, n is small
		for j := i; j > 0 && cuts[j] < cuts[j-1]; j-- {
			cuts[j], cuts[j-1] = cuts[j-1], cuts[j]
		}
	}
	return &splitReader{data: data, cuts: cuts}
}

// replay decodes a whole upstream stream through sse.Decoder and the
// dialect's StreamDecoder, Close included.
func replay(t testing.TB, r io.Reader) ([]llm.Event, error) {
	t.Helper()
	dec := sse.NewDecoder(r)
	sd := Dialect{}.NewStreamDecoder()
	var out []llm.Event
	for {
		ev, err := dec.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return out, err
		}
		out, err = sd.Decode(out, ev)
		if err != nil {
			return out, err
		}
	}
	return sd.Close(out)
}

// replayAll replays data whole, one byte at a time and at random split
// points, and fails unless every way gives the same events and error.
func replayAll(t *testing.T, data []byte) ([]llm.Event, error) {
	t.Helper()
	want, wantErr := replay(t, bytes.NewReader(data))
	readers := map[string]io.Reader{"one-byte": iotest.OneByteReader(bytes.NewReader(data))}
	for seed := range uint64(20) {
		readers["random-"+string(rune('a'+seed))] = randomSplits(data, seed, 1+int(seed)*3)
	}
	for name, r := range readers {
		got, err := replay(t, r)
		if !equalErr(err, wantErr) {
			t.Fatalf("%s: error %v, whole stream gave %v", name, err, wantErr)
		}
		if !equalEvents(got, want) {
			t.Fatalf("%s: events differ from the whole stream's\n got %+v\nwant %+v", name, got, want)
		}
	}
	return want, wantErr
}

func equalErr(a, b error) bool {
	if a == nil || b == nil {
		return a == b
	}
	var ea, eb *llm.Error
	if errors.As(a, &ea) && errors.As(b, &eb) {
		return *ea == *eb
	}
	return a.Error() == b.Error()
}

func equalEvents(a, b []llm.Event) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if (x.Part == nil) != (y.Part == nil) || (x.Usage == nil) != (y.Usage == nil) {
			return false
		}
		if x.Part != nil && !equalPart(*x.Part, *y.Part) {
			return false
		}
		if x.Usage != nil && *x.Usage != *y.Usage {
			return false
		}
		x.Part, y.Part, x.Usage, y.Usage = nil, nil, nil, nil
		if x != y {
			return false
		}
	}
	return true
}

func equalPart(a, b llm.Part) bool {
	if (a.ToolCall == nil) != (b.ToolCall == nil) {
		return false
	}
	if a.ToolCall != nil && *a.ToolCall != *b.ToolCall {
		return false
	}
	a.ToolCall, b.ToolCall = nil, nil
	return a.Type == b.Type && a.Text == b.Text && a.Signature == b.Signature && a.Redacted == b.Redacted &&
		a.Media == nil && b.Media == nil && a.ToolResult == nil && b.ToolResult == nil
}

// collect folds canonical events into a Response, checking the sequence
// the IR promises on the way.
func collect(t testing.TB, evs []llm.Event) *llm.Response {
	t.Helper()
	resp := &llm.Response{}
	index := map[int]int{} // canonical block index -> Content position
	open := map[int]bool{}
	state := 0 // 0 before start, 1 in message, 2 after delta, 3 stopped
	for _, ev := range evs {
		switch ev.Type {
		case llm.EventMessageStart:
			if state != 0 {
				t.Fatalf("message_start in state %d", state)
			}
			state = 1
			resp.ID, resp.Model = ev.ID, ev.Model
		case llm.EventBlockStart:
			if state != 1 {
				t.Fatalf("block start in state %d", state)
			}
			if _, dup := index[ev.Index]; dup {
				t.Fatalf("block %d started twice", ev.Index)
			}
			if ev.Index != len(index) {
				t.Fatalf("block index %d, want %d", ev.Index, len(index))
			}
			index[ev.Index] = len(resp.Content)
			open[ev.Index] = true
			p := *ev.Part
			if p.ToolCall != nil {
				tc := *p.ToolCall
				p.ToolCall = &tc
			}
			resp.Content = append(resp.Content, p)
		case llm.EventBlockDelta:
			if !open[ev.Index] {
				t.Fatalf("delta for block %d that is not open", ev.Index)
			}
			p := &resp.Content[index[ev.Index]]
			if p.Type == llm.PartToolCall {
				p.ToolCall.Arguments += ev.Text
			} else {
				p.Text += ev.Text
			}
			p.Signature += ev.Signature
		case llm.EventBlockStop:
			if !open[ev.Index] {
				t.Fatalf("stop for block %d that is not open", ev.Index)
			}
			open[ev.Index] = false
		case llm.EventMessageDelta:
			if state != 1 && state != 2 {
				t.Fatalf("message_delta in state %d", state)
			}
			state = 2
			resp.StopReason, resp.StopSequence = ev.StopReason, ev.StopSequence
			if ev.Usage != nil {
				resp.Usage = *ev.Usage
			}
		case llm.EventMessageStop:
			if state != 2 {
				t.Fatalf("message_stop in state %d", state)
			}
			state = 3
		}
	}
	return resp
}

func sseEvent(name string) sse.Event {
	return sse.Event{Event: name, Data: []byte(`{"type":"` + name + `"}`)}
}
