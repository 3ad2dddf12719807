package anthropic

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

var fastReplies = []string{
	`{"id":"msg_1","type":"message","role":"assistant","model":"claude","content":[{"type":"text","text":"Hi"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":10,"cache_creation_input_tokens":4,"cache_read_input_tokens":6,"output_tokens":3}}`,
	`{"type":"message","content":[{"type":"tool_use","id":"toolu_1","name":"get","input":{"a": [1, 2]}},{"type":"thinking","thinking":"hm","signature":"sig"},{"type":"redacted_thinking","data":"xyz"}],"usage":{"output_tokens":5,"output_tokens_details":{"thinking_tokens":2},"service_tier":"standard"}}`,
	`{"type":"message","content":[],"usage":null,"stop_reason":null}`,
	`{"type":"message","content":null}`,
	`{"type":"message","content":[null]}`,
	`{"type":"message","Type":"x"}`,
	`{"type":"message","type":"message"}`,
	`{"type":"message","usage":{"input_tokens":1.5}}`,
	`{"type":"message","usage":{"input_tokens":"1"}}`,
	`{"type":"message","usage":{"input_tokens":99999999999999999999}}`,
	`{"type":"message","content":[{"type":"text","text":"\u00e9"}]}`,
	`{"type":"message","content":[{"type":"text","text":"a","citations":[{"x":1}]}]}`,
	`{"type":"message","content":[{"type":"tool_result","content":"x"}]}`,
	`{"id":5}`, `[]`, `null`, `{"type":"message"`, ``,
}

// TestDecodeResponseFastMatchesJSON: wherever the fast decoder answers, it
// answers what json.Unmarshal does; the recorded replies take the fast way.
func TestDecodeResponseFastMatchesJSON(t *testing.T) {
	for _, s := range fastReplies {
		checkFastDecode(t, []byte(s))
	}
	names, _ := filepath.Glob(filepath.Join("testdata", "response_*.json"))
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		if !checkFastDecode(t, b) {
			t.Errorf("%s: the fast decoder fell back to encoding/json", n)
		}
	}
}

func checkFastDecode(t testing.TB, body []byte) bool {
	t.Helper()
	var fast, slow inResponse
	ok := decodeResponseFast(body, &fast)
	err := json.Unmarshal(body, &slow)
	if !ok {
		return false
	}
	if err != nil {
		t.Fatalf("fast decoder accepted %q, json.Unmarshal fails: %v", body, err)
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("fast decoder read %q as\n%+v\njson.Unmarshal as\n%+v", body, fast, slow)
	}
	return true
}

func FuzzDecodeResponseFast(f *testing.F) {
	for _, s := range fastReplies {
		f.Add([]byte(s))
	}
	addFixtures(f, "response_*.json")
	f.Fuzz(func(t *testing.T, body []byte) {
		checkFastDecode(t, body)
	})
}
