package bedrock

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/sse"
)

func TestStreamText(t *testing.T) {
	evs, err := replayAll(t, capture(t, "stream_text.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	types := []llm.EventType{}
	for _, e := range evs {
		types = append(types, e.Type)
	}
	want := []llm.EventType{llm.EventMessageStart, llm.EventBlockStart, llm.EventBlockDelta, llm.EventBlockDelta,
		llm.EventBlockDelta, llm.EventBlockStop, llm.EventMessageDelta, llm.EventMessageStop}
	if !reflect.DeepEqual(types, want) {
		t.Fatalf("types %v, want %v", types, want)
	}
	if got := text(evs, 0); got != "Hello, World! A hello world program prints a greeting." {
		t.Errorf("text %q", got)
	}
	d := evs[6]
	if d.StopReason != llm.StopEndTurn || *d.Usage != (llm.Usage{InputTokens: 21, OutputTokens: 15}) {
		t.Errorf("delta %+v usage %+v", d, d.Usage)
	}
}

func TestStreamReasoningTool(t *testing.T) {
	evs, err := replayAll(t, capture(t, "stream_reasoning_tool.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var starts []llm.Part
	var sig string
	for _, e := range evs {
		if e.Type == llm.EventBlockStart {
			starts = append(starts, *e.Part)
		}
		sig += e.Signature
	}
	if len(starts) != 3 || starts[0].Type != llm.PartReasoning || starts[1].Type != llm.PartText ||
		starts[2].Type != llm.PartToolCall || starts[2].ToolCall.ID != "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q" || starts[2].ToolCall.Name != "top_song" {
		t.Fatalf("starts %+v", starts)
	}
	if text(evs, 0) != "The user wants the top song on WZPZ. I should call top_song." || sig != "ErcBCkgIAhABGAIiQMuHSAbHgIl2LrjdyvJA1rq2xFEY" {
		t.Errorf("reasoning %q sig %q", text(evs, 0), sig)
	}
	if got := text(evs, 2); got != `{"sign": "WZPZ"}` {
		t.Errorf("arguments %q", got)
	}
	d := evs[len(evs)-2]
	// inputTokens excludes cached tokens; canonical input includes them.
	want := llm.Usage{InputTokens: 375 + 1024 + 256, OutputTokens: 88, CacheReadTokens: 1024, CacheWriteTokens: 256}
	if d.StopReason != llm.StopToolUse || *d.Usage != want {
		t.Errorf("delta %+v usage %+v", d, *d.Usage)
	}
}

func TestStreamException(t *testing.T) {
	evs, err := replayAll(t, capture(t, "stream_throttled.jsonl"))
	var e *llm.Error
	if !errors.As(err, &e) || e.Status != http.StatusTooManyRequests || e.Kind != llm.ErrRateLimit || e.Code != "throttlingException" {
		t.Fatalf("err %v", err)
	}
	if text(evs, 0) != "Hel" {
		t.Errorf("events before the exception %+v", evs)
	}
}

func TestStreamCutBeforeStop(t *testing.T) {
	data := capture(t, "stream_text.jsonl")
	// Cut after the fourth message: frames are whole, the stream is not.
	n := 0
	for range 4 {
		n += int(binary.BigEndian.Uint32(data[n:]))
	}
	_, err := replay(t, bytes.NewReader(data[:n]))
	if err == nil || llm.AsError(err).Status != http.StatusBadGateway {
		t.Fatalf("cut stream: %v", err)
	}
	// Cut inside a message.
	_, err = replay(t, bytes.NewReader(data[:n+7]))
	if !errors.Is(err, ErrTruncated) {
		t.Fatalf("cut inside a message: %v", err)
	}
}

func TestEventReaderRejectsBadFrames(t *testing.T) {
	good := AppendEvent(nil, "messageStart", []byte(`{"role":"assistant"}`))
	huge := bytes.Clone(good)
	binary.BigEndian.PutUint32(huge, MaxMessageSize+1)
	badLens := bytes.Clone(good)
	binary.BigEndian.PutUint32(badLens[4:], 1<<20)
	badCRC := bytes.Clone(good)
	badCRC[len(badCRC)-1] ^= 0xff
	// A correct prelude whose CRC matches but whose headers length exceeds
	// the total.
	liar := make([]byte, 16)
	binary.BigEndian.PutUint32(liar[0:], 16)
	binary.BigEndian.PutUint32(liar[4:], 8)
	binary.BigEndian.PutUint32(liar[8:], crc32.ChecksumIEEE(liar[:8]))
	for name, data := range map[string][]byte{"huge": huge, "lens": badLens, "crc": badCRC, "liar": liar} {
		_, err := Dialect{}.NewEventReader(bytes.NewReader(data)).Next()
		if err == nil || err == io.EOF {
			t.Errorf("%s: no error", name)
		}
		if name == "huge" && !errors.Is(err, sse.ErrEventTooLarge) {
			t.Errorf("huge: %v", err)
		}
	}
	if _, err := (Dialect{}).NewEventReader(bytes.NewReader(nil)).Next(); err != io.EOF {
		t.Errorf("empty: %v", err)
	}
}

// TestStreamEncoderRoundTrip writes canonical events with the stream
// encoder, reads the bytes back with the reader and decoder, and expects
// the same events, which is how the simulator and the gateway's Bedrock
// route talk to Bedrock clients.
func TestStreamEncoderRoundTrip(t *testing.T) {
	want, err := replay(t, bytes.NewReader(capture(t, "stream_reasoning_tool.jsonl")))
	if err != nil {
		t.Fatal(err)
	}
	enc := Dialect{}.NewStreamEncoder(&llm.Request{})
	var wire []byte
	for _, ev := range want {
		wire = enc.Encode(wire, ev)
	}
	got, err := replayAll(t, wire)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("round trip\n got %+v\nwant %+v", got, want)
	}
	// A mid-stream error becomes an exception the decoder maps back.
	wire = enc.EncodeError(nil, &llm.Error{Status: 429, Kind: llm.ErrRateLimit, Message: "slow down"})
	_, err = replay(t, bytes.NewReader(append(AppendEvent(nil, "messageStart", []byte(`{"role":"assistant"}`)), wire...)))
	if e := llm.AsError(err); e.Status != 429 || e.Code != "throttlingException" || e.Message != "slow down" {
		t.Fatalf("exception %+v", e)
	}
}

func TestStreamDecoderRejectsDisorder(t *testing.T) {
	cases := map[string][]sse.Event{
		"delta first":        {{Event: "contentBlockDelta", Data: []byte(`{"contentBlockIndex":0,"delta":{"text":"x"}}`)}},
		"tool input unknown": {{Event: "messageStart", Data: []byte(`{}`)}, {Event: "contentBlockDelta", Data: []byte(`{"contentBlockIndex":0,"delta":{"toolUse":{"input":"{"}}}`)}},
		"metadata first":     {{Event: "messageStart", Data: []byte(`{}`)}, {Event: "metadata", Data: []byte(`{"usage":{}}`)}},
		"bad json":           {{Event: "messageStart", Data: []byte(`{`)}},
		"mixed types": {{Event: "messageStart", Data: []byte(`{}`)},
			{Event: "contentBlockDelta", Data: []byte(`{"contentBlockIndex":0,"delta":{"text":"x"}}`)},
			{Event: "contentBlockDelta", Data: []byte(`{"contentBlockIndex":0,"delta":{"reasoningContent":{"text":"y"}}}`)}},
	}
	for name, evs := range cases {
		d := Dialect{}.NewStreamDecoder()
		var err error
		for _, ev := range evs {
			if _, err = d.Decode(nil, ev); err != nil {
				break
			}
		}
		if e := llm.AsError(err); err == nil || e.Status != http.StatusBadGateway {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestSDKEventstreamVectors runs the AWS SDK's own eventstream test
// vectors through the reader: the positive ones frame correctly (they are
// not Bedrock events, so they are refused only for lacking :message-type
// or carrying a non-event type), the corrupted ones fail in framing.
func TestSDKEventstreamVectors(t *testing.T) {
	for _, kind := range []string{"positive", "negative"} {
		names, _ := filepath.Glob(filepath.Join("testdata", "sdk-eventstream", kind, "*"))
		if len(names) == 0 {
			t.Fatalf("no %s vectors", kind)
		}
		for _, n := range names {
			data, err := os.ReadFile(n)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Dialect{}.NewEventReader(iotest.OneByteReader(bytes.NewReader(data))).Next()
			framed := err != nil && strings.Contains(err.Error(), "message of unknown type")
			if kind == "positive" && !framed {
				t.Errorf("%s: %v", n, err)
			}
			if kind == "negative" && (err == nil || framed) {
				t.Errorf("%s: corrupted message accepted: %v", n, err)
			}
		}
	}
}
