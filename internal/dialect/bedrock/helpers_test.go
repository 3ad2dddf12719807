package bedrock

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"testing/iotest"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"

	"github.com/railyard-ai/railyard/internal/llm"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// capture turns a .jsonl capture into the binary eventstream bytes
// bedrock-runtime sends, using the AWS SDK's own Encoder (not this
// package's), so the reader is checked against the reference framing.
func capture(t testing.TB, name string) []byte {
	t.Helper()
	var out bytes.Buffer
	enc := eventstream.NewEncoder()
	sc := bufio.NewScanner(bytes.NewReader(fixture(t, name)))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var line struct {
			Event     string          `json:"event"`
			Exception string          `json:"exception"`
			Payload   json.RawMessage `json:"payload"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatal(err)
		}
		var hs eventstream.Headers
		if line.Exception != "" {
			hs.Set(":exception-type", eventstream.StringValue(line.Exception))
			hs.Set(":content-type", eventstream.StringValue("application/json"))
			hs.Set(":message-type", eventstream.StringValue("exception"))
		} else {
			hs.Set(":event-type", eventstream.StringValue(line.Event))
			hs.Set(":content-type", eventstream.StringValue("application/json"))
			hs.Set(":message-type", eventstream.StringValue("event"))
		}
		if err := enc.Encode(&out, eventstream.Message{Headers: hs, Payload: line.Payload}); err != nil {
			t.Fatal(err)
		}
	}
	return out.Bytes()
}

// replay decodes a whole stream through EventReader and the StreamDecoder,
// Close included.
func replay(t testing.TB, r io.Reader) ([]llm.Event, error) {
	t.Helper()
	er := Dialect{}.NewEventReader(r)
	sd := Dialect{}.NewStreamDecoder()
	var out []llm.Event
	for {
		ev, err := er.Next()
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

func randomSplits(data []byte, seed uint64, n int) io.Reader {
	rng := rand.New(rand.NewPCG(seed, 0))
	cuts := make([]int, 0, n)
	for range n {
		cuts = append(cuts, rng.IntN(len(data)+1))
	}
	for i := range cuts {
		for j := i; j > 0 && cuts[j] < cuts[j-1]; j-- {
			cuts[j], cuts[j-1] = cuts[j-1], cuts[j]
		}
	}
	return &splitReader{data: data, cuts: cuts}
}

// replayAll replays data whole, one byte at a time, split in two at every
// byte, and at random split points, and fails unless every way gives the
// same events and error.
func replayAll(t *testing.T, data []byte) ([]llm.Event, error) {
	t.Helper()
	want, wantErr := replay(t, bytes.NewReader(data))
	check := func(name string, r io.Reader) {
		t.Helper()
		got, err := replay(t, r)
		if !equalErr(err, wantErr) {
			t.Fatalf("%s: error %v, whole stream gave %v", name, err, wantErr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: events differ from the whole stream's\n got %+v\nwant %+v", name, got, want)
		}
	}
	check("one-byte", iotest.OneByteReader(bytes.NewReader(data)))
	for i := 0; i <= len(data); i++ {
		check("split", &splitReader{data: data, cuts: []int{i}})
	}
	for seed := range uint64(20) {
		check("random", randomSplits(data, seed, 1+int(seed)*3))
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

// text joins the deltas of block idx.
func text(evs []llm.Event, idx int) string {
	var s string
	for _, e := range evs {
		if e.Type == llm.EventBlockDelta && e.Index == idx {
			s += e.Text
		}
	}
	return s
}
