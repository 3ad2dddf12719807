package openai

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"go.yaml.in/yaml/v3"

	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/sse"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/golden")

// interaction is one recorded HTTP exchange of a go-vcr cassette.
type interaction struct {
	Request struct {
		Body string `yaml:"body"`
		URL  string `yaml:"url"`
	} `yaml:"request"`
	Response struct {
		Body    string              `yaml:"body"`
		Code    int                 `yaml:"code"`
		Headers map[string][]string `yaml:"headers"`
	} `yaml:"response"`
}

// cassette reads testdata/recorded/NAME.yaml and returns its first
// interaction (every recorded chat cassette holds one).
func cassette(t testing.TB, name string) interaction {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "recorded", name+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Interactions []interaction `yaml:"interactions"`
	}
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(c.Interactions) == 0 {
		t.Fatalf("%s: no interactions", name)
	}
	return c.Interactions[0]
}

// chatCassettes lists the recorded chat cassettes by name.
func chatCassettes(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "recorded", "*chat-*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no cassettes: %v", err)
	}
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(filepath.Base(f), ".yaml"))
	}
	return names
}

// golden compares got, as indented JSON, with testdata/golden/NAME.json,
// rewriting the file under -update.
func golden(t *testing.T, name string, got any) {
	t.Helper()
	b, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	path := filepath.Join("testdata", "golden", name+".json")
	if *update {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(b, want) {
		t.Errorf("%s differs from golden file:\n got: %s\nwant: %s", name, b, want)
	}
}

// replay feeds a raw SSE stream from r through sse.Decoder and a fresh
// StreamDecoder, Close included, and returns every canonical event.
func replay(d Dialect, r io.Reader) ([]llm.Event, error) {
	dec := sse.NewDecoder(r)
	sd := d.NewStreamDecoder()
	var out []llm.Event
	for {
		ev, err := dec.Next()
		if errors.Is(err, io.EOF) {
			return sd.Close(out)
		}
		if err != nil {
			return out, err
		}
		if out, err = sd.Decode(out, ev); err != nil {
			return out, err
		}
	}
}

// splitReader returns its bytes in pieces of random length.
type splitReader struct {
	b   []byte
	rnd *rand.Rand
}

func (s *splitReader) Read(p []byte) (int, error) {
	if len(s.b) == 0 {
		return 0, io.EOF
	}
	n := 1 + s.rnd.IntN(min(len(s.b), 64))
	n = copy(p, s.b[:min(n, len(p))])
	s.b = s.b[n:]
	return n, nil
}

// replayAllWays replays stream whole, one byte at a time and at random
// split points, fails unless all agree, and returns the events.
func replayAllWays(t *testing.T, d Dialect, stream []byte) ([]llm.Event, error) {
	t.Helper()
	want, wantErr := replay(d, bytes.NewReader(stream))
	readers := map[string]io.Reader{
		"one byte": iotest.OneByteReader(bytes.NewReader(stream)),
	}
	for seed := range uint64(5) {
		readers["random split "+string(rune('0'+seed))] = &splitReader{b: stream, rnd: rand.New(rand.NewPCG(seed, 42))}
	}
	for name, r := range readers {
		got, err := replay(d, r)
		if !equalJSON(got, want) || !equalJSON(err, wantErr) {
			t.Errorf("%s: replay differs from whole replay:\n got %s %v\nwant %s %v", name, toJSON(got), err, toJSON(want), wantErr)
		}
	}
	return want, wantErr
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func equalJSON(a, b any) bool { return toJSON(a) == toJSON(b) }

// text concatenates the text deltas of every block of kind in events.
func eventText(events []llm.Event, kind llm.PartType) string {
	kinds := map[int]llm.PartType{}
	var sb strings.Builder
	for _, ev := range events {
		switch ev.Type {
		case llm.EventBlockStart:
			kinds[ev.Index] = ev.Part.Type
		case llm.EventBlockDelta:
			if kinds[ev.Index] == kind {
				sb.WriteString(ev.Text)
			}
		}
	}
	return sb.String()
}
