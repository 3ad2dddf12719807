package openai

import (
	"bytes"

	"github.com/railyard-ai/railyard/internal/llm"
)

// fastResponseUsage is ResponseUsage for the replies upstreams actually send:
// one pass over the top-level object that reads "model" and the integer
// fields of "usage" and skips everything else without copying it (two
// gjson lookups scan the reply twice and copy the usage object and the
// model). ok is false at anything unusual — invalid or lenient JSON, an
// escaped key or model, a duplicate key it reads, a count that is not a
// plain non-negative integer or null, nesting deeper than maxUsageDepth —
// and the caller then uses gjson, so the result is always gjson's:
// FuzzResponseUsageFast holds the two to the same answers.
func fastResponseUsage(body []byte) (u llm.Usage, model string, ok bool) {
	s := usageScanner{b: body}
	s.ws()
	if !s.eat('{') {
		return llm.Usage{}, "", false
	}
	var sawModel, sawUsage bool
	var hit int
	s.ws()
	if !s.eat('}') {
		for {
			s.ws()
			key, ok := s.key()
			if !ok {
				return llm.Usage{}, "", false
			}
			s.ws()
			switch string(key) {
			case "model":
				if sawModel {
					return llm.Usage{}, "", false
				}
				sawModel = true
				if model, ok = s.modelValue(); !ok {
					return llm.Usage{}, "", false
				}
			case "usage":
				if sawUsage {
					return llm.Usage{}, "", false
				}
				sawUsage = true
				if u, hit, ok = s.usage(); !ok {
					return llm.Usage{}, "", false
				}
			default:
				if !s.skip(0) {
					return llm.Usage{}, "", false
				}
			}
			s.ws()
			if s.eat('}') {
				break
			}
			if !s.eat(',') {
				return llm.Usage{}, "", false
			}
		}
	}
	s.ws()
	if s.i != len(s.b) {
		return llm.Usage{}, "", false
	}
	if u.CacheReadTokens == 0 {
		u.CacheReadTokens = hit
	}
	return u, model, true
}

// maxUsageDepth bounds the nesting the scanner skips; deeper replies go to
// gjson.
const maxUsageDepth = 64

// usageScanner is a strict JSON reader over b from position i. Every
// method reports false instead of guessing.
type usageScanner struct {
	b []byte
	i int
}

func (s *usageScanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *usageScanner) eat(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// str consumes a string and returns its raw contents; esc says whether it
// holds a backslash escape (the contents are then not its value).
func (s *usageScanner) str() (raw []byte, esc, ok bool) {
	if !s.eat('"') {
		return nil, false, false
	}
	start := s.i
	for {
		// IndexByte is vectorised: a reply's text is mostly long strings.
		q := bytes.IndexByte(s.b[s.i:], '"')
		if q < 0 {
			return nil, false, false
		}
		end := s.i + q
		bs := bytes.IndexByte(s.b[s.i:end], '\\')
		if bs < 0 {
			s.i = end + 1
			return s.b[start:end], esc, true
		}
		// An escape: step over it and look again.
		esc = true
		s.i += bs + 2
		if s.i > len(s.b) {
			return nil, false, false
		}
	}
}

// key consumes an unescaped key and its colon. The key stays bytes of the
// body: callers compare string(key) with constants, which copies nothing.
func (s *usageScanner) key() ([]byte, bool) {
	raw, esc, ok := s.str()
	if !ok || esc {
		return nil, false
	}
	s.ws()
	if !s.eat(':') {
		return nil, false
	}
	s.ws()
	return raw, true
}

// modelValue reads an unescaped string or null.
func (s *usageScanner) modelValue() (string, bool) {
	if s.lit("null") {
		return "", true
	}
	raw, esc, ok := s.str()
	if !ok || esc {
		return "", false
	}
	return string(raw), true
}

func (s *usageScanner) lit(word string) bool {
	if len(s.b)-s.i >= len(word) && string(s.b[s.i:s.i+len(word)]) == word {
		s.i += len(word)
		return true
	}
	return false
}

// count reads a plain non-negative integer of at most 18 digits, or null
// (0): what gjson's Int reads the same way.
func (s *usageScanner) count() (int, bool) {
	if s.lit("null") {
		return 0, true
	}
	start, n := s.i, 0
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		n = n*10 + int(s.b[s.i]-'0')
		s.i++
	}
	digits := s.i - start
	if digits == 0 || digits > 18 || (digits > 1 && s.b[start] == '0') {
		return 0, false
	}
	if s.i < len(s.b) {
		switch s.b[s.i] {
		case '.', 'e', 'E', '-', '+':
			return 0, false
		}
	}
	return n, true
}

// usage reads the usage object or null. hit is DeepSeek's
// prompt_cache_hit_tokens, used when there is no cached_tokens count.
func (s *usageScanner) usage() (u llm.Usage, hit int, ok bool) {
	if s.lit("null") {
		return u, 0, true
	}
	var seen [6]bool // the fields below, each read once
	ok = s.object(func(key []byte) bool {
		var f int
		var dst *int
		switch string(key) {
		case "prompt_tokens":
			f, dst = 0, &u.InputTokens
		case "completion_tokens":
			f, dst = 1, &u.OutputTokens
		case "cache_creation_input_tokens":
			f, dst = 2, &u.CacheWriteTokens
		case "prompt_cache_hit_tokens":
			f, dst = 3, &hit
		case "prompt_tokens_details":
			f = 4
			if seen[f] {
				return false
			}
			seen[f] = true
			return s.detail("cached_tokens", &u.CacheReadTokens)
		case "completion_tokens_details":
			f = 5
			if seen[f] {
				return false
			}
			seen[f] = true
			return s.detail("reasoning_tokens", &u.ReasoningTokens)
		default:
			return s.skip(1)
		}
		if seen[f] {
			return false
		}
		seen[f] = true
		n, ok := s.count()
		*dst = n
		return ok
	})
	return u, hit, ok
}

// detail reads a details object (or null) for its one count named name.
func (s *usageScanner) detail(name string, dst *int) bool {
	if s.lit("null") {
		return true
	}
	seen := false
	return s.object(func(key []byte) bool {
		if string(key) != name {
			return s.skip(2)
		}
		if seen {
			return false
		}
		seen = true
		n, ok := s.count()
		*dst = n
		return ok
	})
}

// object consumes an object, calling field at each value with its key.
func (s *usageScanner) object(field func(key []byte) bool) bool {
	if !s.eat('{') {
		return false
	}
	s.ws()
	if s.eat('}') {
		return true
	}
	for {
		s.ws()
		key, ok := s.key()
		if !ok || !field(key) {
			return false
		}
		s.ws()
		if s.eat('}') {
			return true
		}
		if !s.eat(',') {
			return false
		}
	}
}

// skip consumes one value of any kind.
func (s *usageScanner) skip(depth int) bool {
	if s.i >= len(s.b) || depth > maxUsageDepth {
		return false
	}
	switch c := s.b[s.i]; {
	case c == '"':
		_, _, ok := s.str()
		return ok
	case c == '{':
		s.i++
		s.ws()
		if s.eat('}') {
			return true
		}
		for {
			s.ws()
			if _, _, ok := s.str(); !ok {
				return false
			}
			s.ws()
			if !s.eat(':') {
				return false
			}
			s.ws()
			if !s.skip(depth + 1) {
				return false
			}
			s.ws()
			if s.eat('}') {
				return true
			}
			if !s.eat(',') {
				return false
			}
		}
	case c == '[':
		s.i++
		s.ws()
		if s.eat(']') {
			return true
		}
		for {
			s.ws()
			if !s.skip(depth + 1) {
				return false
			}
			s.ws()
			if s.eat(']') {
				return true
			}
			if !s.eat(',') {
				return false
			}
		}
	case c == 't':
		return s.lit("true")
	case c == 'f':
		return s.lit("false")
	case c == 'n':
		return s.lit("null")
	case c == '-' || c >= '0' && c <= '9':
		start := s.i
		for s.i < len(s.b) && isNumberByte(s.b[s.i]) {
			s.i++
		}
		return s.i > start
	}
	return false
}

func isNumberByte(d byte) bool {
	return d >= '0' && d <= '9' || d == '-' || d == '+' || d == '.' || d == 'e' || d == 'E'
}
