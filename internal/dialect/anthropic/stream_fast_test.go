package anthropic

import (
	"encoding/json"
	"testing"
)

func TestCutTextDelta(t *testing.T) {
	tests := []struct {
		in    string
		index int
		text  string
		ok    bool
	}{
		{`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}`, 0, "Hello", true},
		{`{"type":"content_block_delta","index":12,"delta":{"type":"text_delta","text":"a\nb"}}`, 12, "a\nb", true},
		{`{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":""}}`, 1, "", true},
		// Everything else is left to encoding/json.
		{`{"type":"content_block_delta","index":01,"delta":{"type":"text_delta","text":"x"}}`, 0, "", false},
		{`{"type":"content_block_delta","index":-1,"delta":{"type":"text_delta","text":"x"}}`, 0, "", false},
		{`{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{"}}`, 0, "", false},
		{`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"\u00e9"}}`, 0, "", false},
		{`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"},"extra":1}`, 0, "", false},
		{`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x","citations":[]}}`, 0, "", false},
		{`{"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "x"}}`, 0, "", false},
		{`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}} `, 0, "", false},
	}
	for _, tt := range tests {
		i, s, ok := cutTextDelta([]byte(tt.in))
		if ok != tt.ok || (ok && (i != tt.index || s != tt.text)) {
			t.Errorf("cutTextDelta(%s) = %d, %q, %v; want %d, %q, %v", tt.in, i, s, ok, tt.index, tt.text, tt.ok)
		}
	}
}

// FuzzCutTextDelta: whenever the hand-written reader accepts an event,
// encoding/json reads the same index and text from it.
func FuzzCutTextDelta(f *testing.F) {
	f.Add([]byte(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}`))
	f.Add([]byte(`{"type":"content_block_delta","index":3,"delta":{"type":"text_delta","text":"a\"b\\c\/\n"}}`))
	f.Add([]byte(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"\u00e9"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		i, s, ok := cutTextDelta(b)
		if !ok {
			return
		}
		var se streamEvent
		if err := json.Unmarshal(b, &se); err != nil {
			t.Fatalf("cutTextDelta accepted %s, encoding/json refuses it: %v", b, err)
		}
		if se.Type != "content_block_delta" || se.Index == nil || *se.Index != i || se.Delta == nil ||
			se.Delta.Type != "text_delta" || se.Delta.Text != s {
			t.Fatalf("cutTextDelta(%s) = %d, %q; encoding/json reads %+v", b, i, s, se)
		}
	})
}
