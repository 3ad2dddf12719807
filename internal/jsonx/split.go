package jsonx

import (
	"bytes"
	"encoding/json"
	"reflect"
	"sync"
)

// Decoders that read a request field by field (to name each field in its
// errors) unmarshal the same bytes once per level of nesting, and
// encoding/json validates and re-scans all of them every time: a tool's
// JSON schema was scanned five times. SplitInto splits JSON that is
// already known to be valid (a json.RawMessage that a successful
// json.Unmarshal produced) into its members with one plain byte loop,
// into the same values encoding/json would produce, and reports when it
// cannot, so the caller falls back to encoding/json. A fuzz test holds it
// to encoding/json's results.

// SplitInto decodes valid JSON raw into dst when dst is a *[]json.RawMessage
// or a pointer to a struct whose fields are all json.RawMessage, as
// json.Unmarshal would. handled is false when it did not try (another
// destination type, escaped object keys, anything unexpected); err is
// non-nil when json.Unmarshal would fail with a type error.
func SplitInto(raw []byte, dst any) (handled bool, err error) {
	raw = raw[skipSpace(raw, 0):] // bytes.TrimLeft built a cutset per call
	if len(raw) == 0 {
		return false, nil
	}
	switch d := dst.(type) {
	case *[]json.RawMessage:
		return splitArray(raw, d)
	case *string:
		if str, rest, ok := CutString(raw); ok && skipSpace(rest, 0) == len(rest) {
			*d = str
			return true, nil
		}
		return false, nil
	}
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return false, nil
	}
	p := planFor(rv.Elem().Type())
	if p == nil {
		return false, nil
	}
	return splitObject(raw, rv.Elem(), p)
}

var errType = &json.UnmarshalTypeError{Value: "value"}

func splitArray(raw []byte, dst *[]json.RawMessage) (bool, error) {
	switch raw[0] {
	case 'n':
		*dst = nil // json.Unmarshal sets a slice to nil on null
		return true, nil
	case '[':
	default:
		return true, errType
	}
	out := (*dst)[:0]
	i := skipSpace(raw, 1)
	if i < len(raw) && raw[i] == ']' {
		*dst = []json.RawMessage{}
		return true, nil
	}
	for i < len(raw) {
		end := valueEnd(raw, i)
		if end < 0 {
			return false, nil
		}
		out = append(out, json.RawMessage(raw[i:end:end]))
		i = skipSpace(raw, end)
		if i >= len(raw) {
			return false, nil
		}
		if raw[i] == ']' {
			*dst = out
			return true, nil
		}
		if raw[i] != ',' {
			return false, nil
		}
		i = skipSpace(raw, i+1)
	}
	return false, nil
}

// plan is a struct type's JSON field names, by field index.
type plan struct{ names []string }

var plans sync.Map // reflect.Type -> *plan (nil: not a struct of raw messages)

var rawType = reflect.TypeFor[json.RawMessage]()

func planFor(t reflect.Type) *plan {
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	p := &plan{}
	for i := range t.NumField() {
		f := t.Field(i)
		name := f.Tag.Get("json")
		if j := bytes.IndexByte([]byte(name), ','); j >= 0 {
			name = name[:j]
		}
		if f.Type != rawType || !f.IsExported() || name == "" || name == "-" || f.Anonymous {
			p = nil
			break
		}
		p.names = append(p.names, name)
	}
	plans.Store(t, p)
	return p
}

func splitObject(raw []byte, v reflect.Value, p *plan) (bool, error) {
	switch raw[0] {
	case 'n':
		return true, nil // null leaves a struct as it is
	case '{':
	default:
		return true, errType
	}
	// Members go into a scratch copy first: nothing of dst changes unless
	// the whole object could be split. The scratch lives on the stack for
	// the structs railyard splits (at most 24 fields).
	var valsBuf [24]json.RawMessage
	var setBuf [24]bool
	n := len(p.names)
	vals, set := valsBuf[:min(n, len(valsBuf))], setBuf[:min(n, len(setBuf))]
	if n > len(valsBuf) {
		vals, set = make([]json.RawMessage, n), make([]bool, n)
	}
	i := skipSpace(raw, 1)
	if i < len(raw) && raw[i] == '}' {
		return true, nil
	}
	for i < len(raw) {
		if raw[i] != '"' {
			return false, nil
		}
		kend := valueEnd(raw, i)
		if kend < 0 {
			return false, nil
		}
		key := raw[i+1 : kend-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			return false, nil // escaped keys: leave them to encoding/json
		}
		i = skipSpace(raw, kend)
		if i >= len(raw) || raw[i] != ':' {
			return false, nil
		}
		i = skipSpace(raw, i+1)
		end := valueEnd(raw, i)
		if end < 0 {
			return false, nil
		}
		if f := p.match(key); f >= 0 {
			vals[f], set[f] = raw[i:end:end], true
		}
		i = skipSpace(raw, end)
		if i >= len(raw) {
			return false, nil
		}
		if raw[i] == '}' {
			for f := range vals {
				if set[f] {
					v.Field(f).SetBytes(vals[f])
				}
			}
			return true, nil
		}
		if raw[i] != ',' {
			return false, nil
		}
		i = skipSpace(raw, i+1)
	}
	return false, nil
}

// match finds the field for key as encoding/json does: an exact match
// first, else a case-insensitive one.
func (p *plan) match(key []byte) int {
	for f, n := range p.names {
		if string(key) == n {
			return f
		}
	}
	for f, n := range p.names {
		if bytes.EqualFold(key, []byte(n)) {
			return f
		}
	}
	return -1
}

func skipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}

// valueEnd returns the index just past the JSON value starting at b[i],
// or -1 when b does not hold one there (it does not validate: b is valid).
func valueEnd(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = stringEnd(b, i)
				if i < 0 {
					return -1
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return -1
	default:
		start := i
		for i < len(b) {
			switch b[i] {
			case ',', '}', ']', ' ', '\t', '\r', '\n':
				if i == start {
					return -1
				}
				return i
			}
			i++
		}
		if i == start {
			return -1
		}
		return i
	}
}

// stringEnd returns the index just past the string starting at b[i]: the
// first quote not escaped by an odd run of backslashes.
func stringEnd(b []byte, i int) int {
	start := i + 1
	for i = start; i < len(b); {
		j := bytes.IndexByte(b[i:], '"')
		if j < 0 {
			return -1
		}
		q := i + j
		n := 0
		for k := q - 1; k >= start && b[k] == '\\'; k-- {
			n++
		}
		if n%2 == 0 {
			return q + 1
		}
		i = q + 1
	}
	return -1
}
