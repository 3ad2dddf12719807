package jsonx

import "bytes"

// Members calls fn with each member of the JSON object raw, which must be
// valid JSON (Valid said so), in order: the key as it is written between
// its quotes, and the value's bytes exactly. It returns false, having
// stopped, when raw is not an object, a key holds an escape (the caller
// cannot compare it as written), or fn returns false. Hand-written
// decoders of hot payloads walk objects with it and fall back to
// encoding/json whenever they meet something they do not handle.
func Members(raw []byte, fn func(key, val []byte) bool) bool {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return false
	}
	i = skipSpace(raw, i+1)
	if i < len(raw) && raw[i] == '}' {
		return true
	}
	for i < len(raw) && raw[i] == '"' {
		kend := stringEnd(raw, i)
		if kend < 0 {
			return false
		}
		key := raw[i+1 : kend-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			return false
		}
		i = skipSpace(raw, kend)
		if i >= len(raw) || raw[i] != ':' {
			return false
		}
		i = skipSpace(raw, i+1)
		end := valueEnd(raw, i)
		if end < 0 || !fn(key, raw[i:end:end]) {
			return false
		}
		i = skipSpace(raw, end)
		if i >= len(raw) {
			return false
		}
		if raw[i] == '}' {
			return true
		}
		if raw[i] != ',' {
			return false
		}
		i = skipSpace(raw, i+1)
	}
	return false
}

// Elements calls fn with each element of the JSON array raw, which must be
// valid JSON, in order; it returns false, having stopped, when raw is not
// an array or fn returns false.
func Elements(raw []byte, fn func(val []byte) bool) bool {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '[' {
		return false
	}
	i = skipSpace(raw, i+1)
	if i < len(raw) && raw[i] == ']' {
		return true
	}
	for i < len(raw) {
		end := valueEnd(raw, i)
		if end < 0 || !fn(raw[i:end:end]) {
			return false
		}
		i = skipSpace(raw, end)
		if i >= len(raw) {
			return false
		}
		if raw[i] == ']' {
			return true
		}
		if raw[i] != ',' {
			return false
		}
		i = skipSpace(raw, i+1)
	}
	return false
}
