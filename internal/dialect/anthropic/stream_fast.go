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
// that). The text is one of arena's strings, or its own allocation when
// arena is nil.
func cutTextDelta(b []byte, arena *textArena) (index int, text string, ok bool) {
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
	// Most texts need no decoding: their bytes go straight to the arena.
	// Those with escapes decode on the stack first (if short).
	raw, after, ok := jsonx.CutPlainString(rest)
	if !ok {
		var buf [128]byte
		raw, after, ok = jsonx.AppendCutString(buf[:0], rest)
	}
	if !ok || string(after) != "}}" {
		return 0, "", false
	}
	if arena == nil {
		return index, string(raw), true
	}
	return index, arena.add(raw), true
}

// decodeEventFast fills se from an event's data as json.Unmarshal would,
// for the events Anthropic sends other than text deltas (message_start,
// content_block_start and _stop, the other deltas, message_delta,
// message_stop), and returns false at anything it does not handle, as
// decodeResponseFast does (then se holds partial data; the caller resets
// it and uses encoding/json). Beside the CPU, it keeps encoding/json's
// reflection off the stream's goroutine: decoding message_start by
// reflection took that goroutine's stack past 8 KiB before the stream's
// first wait, and an open stream kept the 16 KiB stack it grew to for its
// whole length. A fuzz test holds it to json.Unmarshal.
func decodeEventFast(data []byte, se *streamEvent) bool {
	if !jsonx.Valid(data) {
		return false
	}
	var seen uint32
	return jsonx.Members(data, func(k, v []byte) bool {
		switch string(k) {
		case "type":
			return once(&seen, 0) && str(v, &se.Type)
		case "message":
			return once(&seen, 1) && optObject(v, &se.Message, response)
		case "index":
			return once(&seen, 2) && optInt(v, &se.Index)
		case "content_block":
			return once(&seen, 3) && optObject(v, &se.ContentBlock, block)
		case "delta":
			return once(&seen, 4) && optObject(v, &se.Delta, delta)
		case "usage":
			return once(&seen, 5) && usage(v, &se.Usage)
		}
		return !foldsTo(k, "type", "message", "index", "content_block", "delta", "usage")
	})
}

// optObject reads an object into a pointer field as json.Unmarshal does:
// null makes it nil, an object a new value that read fills.
func optObject[T any](v []byte, dst **T, read func([]byte, *T) bool) bool {
	if v[0] == 'n' {
		*dst = nil
		return true
	}
	*dst = new(T)
	return read(v, *dst)
}

// delta reads the delta object of content_block_delta or message_delta.
func delta(v []byte, d *streamDelta) bool {
	var seen uint32
	return jsonx.Members(v, func(k, v []byte) bool {
		switch string(k) {
		case "type":
			return once(&seen, 0) && str(v, &d.Type)
		case "text":
			return once(&seen, 1) && str(v, &d.Text)
		case "partial_json":
			return once(&seen, 2) && str(v, &d.PartialJSON)
		case "thinking":
			return once(&seen, 3) && str(v, &d.Thinking)
		case "signature":
			return once(&seen, 4) && str(v, &d.Signature)
		case "stop_reason":
			return once(&seen, 5) && optStr(v, &d.StopReason)
		case "stop_sequence":
			return once(&seen, 6) && optStr(v, &d.StopSequence)
		}
		return !foldsTo(k, "type", "text", "partial_json", "thinking", "signature", "stop_reason", "stop_sequence")
	})
}
