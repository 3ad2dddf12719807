// Package jsonx holds the hand-written JSON pieces of railyard's hot paths:
// appending a string exactly as encoding/json would write it, and reading
// one back when it needs no work. Encoders that write JSON by hand (the
// per-event stream encoders, where reflection would cost more than the
// rest of the event) go through here, and fuzz tests hold every function
// to encoding/json's own output, so a swap of codec is a change in one
// place.
package jsonx

import (
	"unicode/utf8"
)

const hex = "0123456789abcdef"

// safe reports the ASCII bytes encoding/json writes as they are, with its
// default HTML escaping on: everything printable but '"', '\\', '<', '>'
// and '&'. safeNoHTML is the same with HTML escaping off
// (Encoder.SetEscapeHTML(false)): '<', '>' and '&' are written as they are.
var safe, safeNoHTML = func() (t, n [utf8.RuneSelf]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = true
	}
	t['"'], t['\\'] = false, false
	n = t
	for _, b := range `<>&` {
		t[b] = false
	}
	return t, n
}()

// AppendString appends s as a JSON string, byte for byte what
// json.Marshal(s) writes: HTML characters as \u003c-style escapes, invalid
// UTF-8 as \ufffd, U+2028 and U+2029 escaped.
func AppendString(dst []byte, s string) []byte {
	return appendString(dst, s, &safe)
}

// AppendStringNoHTML appends s as a JSON string, byte for byte what a
// json.Encoder with SetEscapeHTML(false) writes for it: like AppendString
// but '<', '>' and '&' as they are (U+2028 and U+2029 are still escaped,
// invalid UTF-8 still becomes \ufffd).
func AppendStringNoHTML(dst []byte, s string) []byte {
	return appendString(dst, s, &safeNoHTML)
}

// appendString is AppendString with the table of bytes written unescaped.
func appendString(dst []byte, s string, safe *[utf8.RuneSelf]bool) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if safe[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// CutString reads the JSON string at the start of b (b[0] must be '"')
// when it is one that json.Unmarshal would decode to the same bytes with
// at most the short escapes (\" \\ \/ \b \f \n \r \t): valid UTF-8, no
// control characters, no \u escapes. It returns the decoded string and the
// rest of b after the closing quote; ok is false for anything else, and
// the caller then falls back to encoding/json.
func CutString(b []byte) (s string, rest []byte, ok bool) {
	if len(b) == 0 || b[0] != '"' {
		return "", nil, false
	}
	quoted := b
	b = b[1:]
	// The common case: no escapes at all.
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c == '"':
			if !utf8.Valid(b[:i]) {
				return "", nil, false
			}
			return string(b[:i]), b[i+1:], true
		case c == '\\':
			out, rest, ok := AppendCutString(make([]byte, 0, len(b)), quoted)
			if !ok {
				return "", nil, false
			}
			return string(out), rest, true
		case c < 0x20:
			return "", nil, false
		}
	}
	return "", nil, false
}
