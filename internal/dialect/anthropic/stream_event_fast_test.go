package anthropic

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/railyard-ai/railyard/internal/sse"
)

var fastEvents = []string{
	`{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":472,"output_tokens":1}}}`,
	`{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"get","input":{}}}`,
	`{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}`,
	`{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"a\": 1"}}`,
	`{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQB"}}`,
	`{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hm"}}`,
	`{"type":"content_block_stop","index":0}`,
	`{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}}`,
	`{"type":"message_delta","delta":{"stop_reason":"stop_sequence","stop_sequence":"###"},"usage":{"output_tokens":15,"cache_read_input_tokens":4,"output_tokens_details":{"thinking_tokens":3}}}`,
	`{"type":"message_stop"}`,
	`{"type":"message_start","message":null}`,
	`{"type":"message_start","message":5}`,
	`{"type":"message_start","Message":{}}`,
	`{"type":"content_block_start","index":1.0,"content_block":null}`,
	`{"type":"content_block_start","index":-1,"content_block":{"type":"text","text":null}}`,
	`{"type":"content_block_delta","index":0,"delta":null,"delta":{}}`,
	`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"\u00e9","Text":"x"}}`,
	`{"type":"message_delta","delta":{"stop_reason":5}}`,
	`{"type":"message_delta","usage":{"output_tokens":"1"}}`,
	` {"type" : "message_stop" } `,
	`{"type":"message_stop"`, `[]`, `null`, ``,
}

// TestDecodeEventFastMatchesJSON: wherever the fast decoder answers, it
// answers what json.Unmarshal does, and every event of the recorded
// streams (other than the text deltas cutTextDelta reads) takes the fast
// way.
func TestDecodeEventFastMatchesJSON(t *testing.T) {
	for _, s := range fastEvents {
		checkFastEvent(t, []byte(s))
	}
	names, _ := filepath.Glob(filepath.Join("testdata", "stream_*.sse"))
	if len(names) == 0 {
		t.Fatal("no recorded streams")
	}
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		d := sse.NewDecoder(bytes.NewReader(b))
		for {
			ev, err := d.Next()
			if err != nil {
				break
			}
			if ev.Event == "error" || ev.Event == "ping" {
				continue
			}
			if !checkFastEvent(t, ev.Data) {
				t.Errorf("%s: %s event fell back to encoding/json: %s", n, ev.Event, ev.Data)
			}
		}
	}
}

func checkFastEvent(t testing.TB, data []byte) bool {
	t.Helper()
	var fast, slow streamEvent
	ok := decodeEventFast(data, &fast)
	err := json.Unmarshal(data, &slow)
	if !ok {
		return false
	}
	if err != nil {
		t.Fatalf("fast decoder accepted %q, json.Unmarshal fails: %v", data, err)
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("fast decoder read %q as\n%#v\njson.Unmarshal as\n%#v", data, fast, slow)
	}
	return true
}

func FuzzDecodeEventFast(f *testing.F) {
	for _, s := range fastEvents {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkFastEvent(t, data)
	})
}
