package anthropic

import (
	"strconv"

	"github.com/railyard-ai/railyard/internal/jsonx"
)

// decodeResponseFast fills w from body as json.Unmarshal would, for the
// replies Anthropic actually sends (exact lowercase keys, strings without
// \u escapes, integer counts, the reply block types), at a fraction of the
// cost of reflection; the translated path decodes every reply. It returns
// false at anything else (then w holds partial data, and the caller resets
// it and uses encoding/json): invalid JSON, a type mismatch, a key that
// only case-folds to a known one, a repeated key, a null block, a request
// block field. A fuzz test holds it to json.Unmarshal.
func decodeResponseFast(body []byte, w *inResponse) bool {
	return jsonx.Valid(body) && response(body, w)
}

// response reads a Message object that Valid already accepted.
func response(body []byte, w *inResponse) bool {
	var seen uint32
	return jsonx.Members(body, func(k, v []byte) bool {
		switch string(k) {
		case "id":
			return once(&seen, 0) && str(v, &w.ID)
		case "type":
			return once(&seen, 1) && str(v, &w.Type)
		case "role":
			return once(&seen, 2) && str(v, &w.Role)
		case "model":
			return once(&seen, 3) && str(v, &w.Model)
		case "content":
			return once(&seen, 4) && blocks(v, &w.Content)
		case "stop_reason":
			return once(&seen, 5) && optStr(v, &w.StopReason)
		case "stop_sequence":
			return once(&seen, 6) && optStr(v, &w.StopSequence)
		case "usage":
			return once(&seen, 7) && usage(v, &w.Usage)
		}
		return !foldsTo(k, "id", "type", "role", "model", "content", "stop_reason", "stop_sequence", "usage")
	})
}

func blocks(v []byte, dst *[]inBlock) bool {
	if v[0] == 'n' {
		*dst = nil
		return true
	}
	out := []inBlock{}
	ok := jsonx.Elements(v, func(e []byte) bool {
		var b inBlock
		if !block(e, &b) {
			return false
		}
		out = append(out, b)
		return true
	})
	*dst = out
	return ok
}

// block reads a reply block: text, tool_use, thinking, redacted_thinking
// (and any type's fields among those); request-only fields bail out.
func block(v []byte, b *inBlock) bool {
	var seen uint32
	return jsonx.Members(v, func(k, v []byte) bool {
		switch string(k) {
		case "type":
			return once(&seen, 0) && str(v, &b.Type)
		case "text":
			return once(&seen, 1) && optStr(v, &b.Text)
		case "id":
			return once(&seen, 2) && str(v, &b.ID)
		case "name":
			return once(&seen, 3) && str(v, &b.Name)
		case "input":
			if !once(&seen, 4) || v[0] == 'n' {
				return false
			}
			b.Input = append([]byte(nil), v...)
			return true
		case "thinking":
			return once(&seen, 5) && optStr(v, &b.Thinking)
		case "signature":
			return once(&seen, 6) && optStr(v, &b.Signature)
		case "data":
			return once(&seen, 7) && optStr(v, &b.Data)
		}
		return !foldsTo(k, "type", "text", "id", "name", "input", "thinking", "signature", "data",
			"source", "title", "tool_use_id", "content", "is_error", "cache_control")
	})
}

func usage(v []byte, dst **inUsage) bool {
	if v[0] == 'n' {
		*dst = nil
		return true
	}
	u := &inUsage{}
	*dst = u
	var seen uint32
	return jsonx.Members(v, func(k, v []byte) bool {
		switch string(k) {
		case "input_tokens":
			return once(&seen, 0) && optInt(v, &u.InputTokens)
		case "output_tokens":
			return once(&seen, 1) && optInt(v, &u.OutputTokens)
		case "cache_creation_input_tokens":
			return once(&seen, 2) && optInt(v, &u.CacheCreationInputTokens)
		case "cache_read_input_tokens":
			return once(&seen, 3) && optInt(v, &u.CacheReadInputTokens)
		case "output_tokens_details":
			if !once(&seen, 4) {
				return false
			}
			if v[0] == 'n' {
				u.OutputTokensDetails = nil
				return true
			}
			d := &struct {
				ThinkingTokens *int `json:"thinking_tokens"`
			}{}
			u.OutputTokensDetails = d
			var dseen uint32
			return jsonx.Members(v, func(k, v []byte) bool {
				if string(k) == "thinking_tokens" {
					return once(&dseen, 0) && optInt(v, &d.ThinkingTokens)
				}
				return !foldsTo(k, "thinking_tokens")
			})
		}
		return !foldsTo(k, "input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens", "output_tokens_details")
	})
}

// once marks field bit of seen; false when it was already set (a repeated
// key, which encoding/json merges in ways not worth copying).
func once(seen *uint32, bit uint) bool {
	if *seen&(1<<bit) != 0 {
		return false
	}
	*seen |= 1 << bit
	return true
}

// str reads a string into a string field: null leaves it as it is.
func str(v []byte, dst *string) bool {
	if v[0] == 'n' {
		return true
	}
	s, rest, ok := jsonx.CutString(v)
	if !ok || len(rest) != 0 {
		return false
	}
	*dst = s
	return true
}

// optStr reads a string into a *string field: null makes it nil.
func optStr(v []byte, dst **string) bool {
	if v[0] == 'n' {
		*dst = nil
		return true
	}
	var s string
	if !str(v, &s) {
		return false
	}
	*dst = &s
	return true
}

// optInt reads an integer into an *int field: null makes it nil; a
// fraction, an exponent or an overflow is encoding/json's error to report.
func optInt(v []byte, dst **int) bool {
	if v[0] == 'n' {
		*dst = nil
		return true
	}
	n, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil || int64(int(n)) != n {
		return false
	}
	i := int(n)
	*dst = &i
	return true
}

// foldsTo reports whether key is one encoding/json could match to a field
// other than exactly: any non-ASCII key (Unicode case folding) or an ASCII
// case-insensitive match of one of names.
func foldsTo(key []byte, names ...string) bool {
	for _, c := range key {
		if c >= 0x80 {
			return true
		}
	}
	for _, n := range names {
		if len(n) == len(key) && asciiEqualFold(key, n) {
			return true
		}
	}
	return false
}

func asciiEqualFold(a []byte, b string) bool {
	for i := range a {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
