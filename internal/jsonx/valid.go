package jsonx

import "encoding/binary"

// Valid reports whether b is one JSON value, with json.Valid's exact
// answer (its grammar, its 10,000 levels of nesting at most, and, like it,
// any byte from 0x20 up inside strings, valid UTF-8 or not), at several
// times its speed: encoding/json's scanner calls a state function per
// byte, and checking a client's body was a tenth of the request decoder's
// time. A fuzz test holds it to json.Valid.
func Valid(b []byte) bool {
	v := validator{b: b}
	i := v.value(skipSpace(b, 0))
	return i >= 0 && skipSpace(b, i) == len(b)
}

// IsNumber reports whether b is exactly one JSON number, nothing around
// it: strconv's parsers also take forms JSON does not (hex, underscores,
// "inf", "1.", ".5", "+1", leading zeros).
func IsNumber(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	v := validator{b: b}
	return v.number(0) == len(b)
}

// maxDepth is encoding/json's nesting limit.
const maxDepth = 10000

// strByte marks the bytes a string's fast loop stops at: the closing
// quote, a backslash and the control characters JSON forbids raw.
var strByte = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

type validator struct {
	b     []byte
	depth int
}

// value checks the value at b[i] and returns the index past it, or -1.
func (v *validator) value(i int) int {
	b := v.b
	if i >= len(b) {
		return -1
	}
	switch c := b[i]; {
	case c == '"':
		return v.str(i)
	case c == '{':
		return v.object(i)
	case c == '[':
		return v.array(i)
	case c == '-' || c >= '0' && c <= '9':
		return v.number(i)
	case c == 't':
		return v.literal(i, "true")
	case c == 'f':
		return v.literal(i, "false")
	case c == 'n':
		return v.literal(i, "null")
	}
	return -1
}

func (v *validator) literal(i int, lit string) int {
	if len(v.b)-i < len(lit) || string(v.b[i:i+len(lit)]) != lit {
		return -1
	}
	return i + len(lit)
}

func (v *validator) object(i int) int {
	if v.depth++; v.depth > maxDepth {
		return -1
	}
	b := v.b
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		v.depth--
		return i + 1
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return -1
		}
		if i = v.str(i); i < 0 {
			return -1
		}
		i = skipSpace(b, i)
		if i >= len(b) || b[i] != ':' {
			return -1
		}
		if i = v.value(skipSpace(b, i+1)); i < 0 {
			return -1
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return -1
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			v.depth--
			return i + 1
		default:
			return -1
		}
	}
}

func (v *validator) array(i int) int {
	if v.depth++; v.depth > maxDepth {
		return -1
	}
	b := v.b
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		v.depth--
		return i + 1
	}
	for {
		if i = v.value(i); i < 0 {
			return -1
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return -1
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case ']':
			v.depth--
			return i + 1
		default:
			return -1
		}
	}
}

// str checks the string whose opening quote is b[i].
func (v *validator) str(i int) int {
	b := v.b
	for i++; i < len(b); {
		// Eight plain bytes at a time: most of a request is string text.
		for i+8 <= len(b) && !special8(binary.LittleEndian.Uint64(b[i:])) {
			i += 8
		}
		if i >= len(b) {
			break
		}
		c := b[i]
		if !strByte[c] {
			i++
			continue
		}
		switch {
		case c == '"':
			return i + 1
		case c < 0x20:
			return -1
		}
		// A backslash.
		if i+1 >= len(b) {
			return -1
		}
		switch b[i+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			i += 2
		case 'u':
			if len(b)-i < 6 || !isHex(b[i+2]) || !isHex(b[i+3]) || !isHex(b[i+4]) || !isHex(b[i+5]) {
				return -1
			}
			i += 6
		default:
			return -1
		}
	}
	return -1
}

// special8 reports whether any of the eight bytes in x is a quote, a
// backslash or a control character (the classic SWAR tests: a zero byte
// in x^quotes or x^backslashes, a byte below 0x20).
func special8(x uint64) bool {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	q := x ^ (ones * '"')
	s := x ^ (ones * '\\')
	return ((q-ones)&^q|(s-ones)&^s|(x-ones*0x20)&^x)&highs != 0
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// number checks -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? at b[i].
func (v *validator) number(i int) int {
	b := v.b
	if b[i] == '-' {
		i++
	}
	switch {
	case i >= len(b):
		return -1
	case b[i] == '0':
		i++
	case b[i] >= '1' && b[i] <= '9':
		i = digits(b, i+1)
	default:
		return -1
	}
	if i < len(b) && b[i] == '.' {
		j := digits(b, i+1)
		if j == i+1 {
			return -1
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(b, i)
		if j == i {
			return -1
		}
		i = j
	}
	return i
}

func digits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}
