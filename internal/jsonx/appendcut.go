package jsonx

import "unicode/utf8"

// AppendCutString is CutString appending the decoded string to dst instead
// of allocating it: it accepts exactly the strings CutString accepts (then
// it returns dst with the decoded bytes appended, the rest of b after the
// closing quote, and true) and refuses the same ones (then dst unchanged,
// nil, false). A caller that keeps many short strings (a stream's text
// deltas) decodes into a buffer of its own this way, one allocation for
// many strings instead of one each.
func AppendCutString(dst, b []byte) (out, rest []byte, ok bool) {
	if len(b) == 0 || b[0] != '"' {
		return dst, nil, false
	}
	b = b[1:]
	n := len(dst)
	start := 0 // b[start:i] is a run of bytes to copy as they are
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == '"':
			dst = append(dst, b[start:i]...)
			if !utf8.Valid(dst[n:]) {
				return dst[:n], nil, false
			}
			return dst, b[i+1:], true
		case c < 0x20:
			return dst[:n], nil, false
		case c != '\\':
			i++
			continue
		}
		if i+1 >= len(b) {
			return dst[:n], nil, false
		}
		dst = append(dst, b[start:i]...)
		switch e := b[i+1]; e {
		case '"', '\\', '/':
			dst = append(dst, e)
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		default: // \u and anything invalid
			return dst[:n], nil, false
		}
		i += 2
		start = i
	}
	return dst[:n], nil, false
}

// CutPlainString returns the contents of the JSON string at the start of
// b when they need no decoding at all (no escapes, no control characters,
// valid UTF-8): the string's bytes as a slice of b, and the rest after
// the closing quote. ok is false for anything else, even strings CutString
// accepts (those with short escapes). It is CutString without the copy,
// for a caller that copies the bytes where it wants them, and it skips
// the UTF-8 check for an all-ASCII string, as most are.
func CutPlainString(b []byte) (s, rest []byte, ok bool) {
	if len(b) == 0 || b[0] != '"' {
		return nil, nil, false
	}
	var high byte // the OR of every byte: bit 7 set if any is not ASCII
	for i := 1; i < len(b); i++ {
		c := b[i]
		if c == '"' {
			if high >= utf8.RuneSelf && !utf8.Valid(b[1:i]) {
				return nil, nil, false
			}
			return b[1:i], b[i+1:], true
		}
		if c == '\\' || c < 0x20 {
			return nil, nil, false
		}
		high |= c
	}
	return nil, nil, false
}
