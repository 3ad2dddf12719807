package anthropic

import (
	"encoding/json"
	"strings"
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
	var arena textArena
	for _, tt := range tests {
		for _, a := range []*textArena{nil, &arena} {
			i, s, ok := cutTextDelta([]byte(tt.in), a)
			if ok != tt.ok || (ok && (i != tt.index || s != tt.text)) {
				t.Errorf("cutTextDelta(%s, arena %v) = %d, %q, %v; want %d, %q, %v", tt.in, a != nil, i, s, ok, tt.index, tt.text, tt.ok)
			}
		}
	}
}

// FuzzCutTextDelta: whenever the hand-written reader accepts an event,
// encoding/json reads the same index and text from it.
func FuzzCutTextDelta(f *testing.F) {
	f.Add([]byte(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}`))
	f.Add([]byte(`{"type":"content_block_delta","index":3,"delta":{"type":"text_delta","text":"a\"b\\c\/\n"}}`))
	f.Add([]byte(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"\u00e9"}}`))
	var arena textArena // shared by the inputs, as by a stream's events
	var kept []string   // every text the arena gave: none may change
	var want []string
	f.Fuzz(func(t *testing.T, b []byte) {
		i, s, ok := cutTextDelta(b, nil)
		ai, as, aok := cutTextDelta(b, &arena)
		if ok != aok || ai != i || as != s {
			t.Fatalf("cutTextDelta(%s): %d, %q, %v; with the arena %d, %q, %v", b, i, s, ok, ai, as, aok)
		}
		if !ok {
			return
		}
		if len(kept) < 1000 {
			kept, want = append(kept, as), append(want, strings.Clone(s))
		}
		for k := range kept {
			if kept[k] != want[k] {
				t.Fatalf("an earlier text changed: %q, was %q", kept[k], want[k])
			}
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

// TestTextArena: the arena's strings stay what they were however many
// follow (chunks fill, new ones start, long texts get their own), and a
// stream's text deltas cost a few allocations, not one each.
func TestTextArena(t *testing.T) {
	var a textArena
	var got, want []string
	for i := range 2000 {
		p := []byte(strings.Repeat(string(rune('a'+i%26)), 1+i%7))
		if i%97 == 0 {
			p = []byte(strings.Repeat("L", arenaMax/4+1+i%50))
		}
		got, want = append(got, a.add(p)), append(want, string(p))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("string %d changed: %q, was %q", i, got[i], want[i])
		}
	}
	if a.add(nil) != "" {
		t.Fatal("empty text")
	}
	delta := []byte(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" token"}}`)
	n := testing.AllocsPerRun(10, func() {
		var a textArena
		for range 256 {
			if _, s, ok := cutTextDelta(delta, &a); !ok || s != " token" {
				t.Fatal(s, ok)
			}
		}
	})
	if n > 6 {
		t.Fatalf("256 text deltas: %v allocations, want at most 6", n)
	}
}
