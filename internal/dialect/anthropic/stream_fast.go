package anthropic

import (
	"bytes"

	"github.com/railyard-ai/railyard/internal/jsonx"
)

// cutTextDelta reads a text delta event in the exact layout Anthropic
// writes it,
//
//	{"type":"content_block_delta","index":N,"delta":{"type":"text_delta","text":"..."}}
//
// without encoding/json: most events of a stream are these, and decoding
// them by reflection cost more than everything else the gateway does per
// event. Anything else (other key orders, whitespace, \u escapes, extra
// fields) reports ok false and goes through encoding/json, so the result
// is always what json.Unmarshal would have read (a fuzz test holds it to
// that).
func cutTextDelta(b []byte) (index int, text string, ok bool) {
	const head = `{"type":"content_block_delta","index":`
	const mid = `,"delta":{"type":"text_delta","text":`
	rest, found := bytes.CutPrefix(b, []byte(head))
	if !found {
		return 0, "", false
	}
	n := 0
	for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
		n++
	}
	if n == 0 || n > 9 || (n > 1 && rest[0] == '0') {
		return 0, "", false
	}
	for _, c := range rest[:n] {
		index = index*10 + int(c-'0')
	}
	if rest, found = bytes.CutPrefix(rest[n:], []byte(mid)); !found {
		return 0, "", false
	}
	text, rest, ok = jsonx.CutString(rest)
	if !ok || string(rest) != "}}" {
		return 0, "", false
	}
	return index, text, true
}
