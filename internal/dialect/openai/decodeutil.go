package openai

import (
	"encoding/json"
	"strconv"

	"github.com/railyard-ai/railyard/internal/jsonx"
	"github.com/railyard-ai/railyard/internal/llm"
)

// Helpers for decoding a client request field by field, so that every type
// error names its field the way OpenAI does ("messages[2].content").

// badParam is a 400 invalid_request error about one request field.
func badParam(param, format string, args ...any) *llm.Error {
	e := llm.BadRequest(format, args...)
	e.Param = param
	return e
}

// isNull reports whether a field is absent or JSON null; OpenAI treats both
// as "not set".
func isNull(raw json.RawMessage) bool {
	return len(raw) == 0 || string(raw) == "null"
}

// jsonKind names the JSON type of raw for error messages.
func jsonKind(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	default:
		return "a number"
	}
}

// decodeAs unmarshals raw into dst or fails with OpenAI's type error text.
// raw is always part of the body DecodeRequest validated, so objects and
// arrays split into raw fields go through jsonx.SplitInto (one byte loop)
// instead of encoding/json (which validates and scans them again at every
// level of nesting); the result is the same.
func decodeAs(raw json.RawMessage, param, want string, dst any) error {
	handled, err := jsonx.SplitInto(raw, dst)
	if !handled {
		err = json.Unmarshal(raw, dst)
	}
	if err != nil {
		return badParam(param, "Invalid type for '%s': expected %s, but got %s instead.", param, want, jsonKind(raw))
	}
	return nil
}

// opt decodes an optional field; it returns nil when the field is absent or
// null.
func opt[T any](raw json.RawMessage, param, want string) (*T, error) {
	if isNull(raw) {
		return nil, nil
	}
	v := new(T)
	if readScalar(raw, v) {
		return v, nil
	}
	if err := decodeAs(raw, param, want, v); err != nil {
		return nil, err
	}
	return v, nil
}

// readScalar reads a plain boolean or number the way json.Unmarshal does,
// without its trip through reflection (and its allocations) for every
// stream flag, token limit and temperature. It reports false, leaving v
// alone, for anything else, which then goes to decodeAs: strings, nulls,
// a non-integer for an integer, a number out of range, not JSON.
func readScalar[T any](raw []byte, v *T) bool {
	switch p := any(v).(type) {
	case *bool:
		switch string(raw) {
		case "true":
			*p = true
			return true
		case "false":
			*p = false
			return true
		}
	case *float64:
		if jsonx.IsNumber(raw) {
			if f, err := strconv.ParseFloat(string(raw), 64); err == nil {
				*p = f
				return true
			}
		}
	case *int64:
		if jsonx.IsNumber(raw) {
			if n, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
				*p = n
				return true
			}
		}
	case *int:
		if jsonx.IsNumber(raw) {
			if n, err := strconv.ParseInt(string(raw), 10, strconv.IntSize); err == nil {
				*p = int(n)
				return true
			}
		}
	}
	return false
}

// optString decodes an optional string field ("" when absent).
func optString(raw json.RawMessage, param string) (string, error) {
	if len(raw) > 0 && raw[0] == '"' {
		if s, ok := knownString(raw); ok {
			return s, nil
		}
		// The common case, read in place: no allocation for a pointer
		// and no trip through SplitInto's type switch.
		if s, rest, ok := jsonx.CutString(raw); ok && len(rest) == 0 {
			return s, nil
		}
	}
	s, err := opt[string](raw, param, "a string")
	if s == nil {
		return "", err
	}
	return *s, nil
}

// reqString decodes a required, non-empty string field.
func reqString(raw json.RawMessage, param string) (string, error) {
	if isNull(raw) {
		return "", badParam(param, "Missing required parameter: '%s'.", param)
	}
	s, err := optString(raw, param)
	if err != nil {
		return "", err
	}
	if s == "" {
		return "", badParam(param, "Invalid '%s': empty string. Expected a string with minimum length 1.", param)
	}
	return s, nil
}

// optRange decodes an optional number and checks it lies in [lo, hi].
func optRange(raw json.RawMessage, param string, lo, hi float64) (*float64, error) {
	v, err := opt[float64](raw, param, "a number")
	if err != nil || v == nil {
		return v, err
	}
	if *v < lo || *v > hi {
		return nil, badParam(param, "Invalid '%s': %v is out of range. Expected a value between %v and %v.", param, *v, lo, hi)
	}
	return v, nil
}

// index formats an array element's param name.
func index(param string, i int) string { return param + "[" + strconv.Itoa(i) + "]" }

// knownString returns the values every request repeats (roles, part and
// tool types, tool_choice modes) as constants when raw is exactly one of
// them, unescaped, instead of a fresh copy each: about six allocations
// per request. (The switch on string(raw) compares in place.)
func knownString(raw []byte) (string, bool) {
	switch string(raw) {
	case `"user"`:
		return "user", true
	case `"assistant"`:
		return "assistant", true
	case `"system"`:
		return "system", true
	case `"developer"`:
		return "developer", true
	case `"tool"`:
		return "tool", true
	case `"function"`:
		return "function", true
	case `"text"`:
		return "text", true
	case `"image_url"`:
		return "image_url", true
	case `"auto"`:
		return "auto", true
	case `"none"`:
		return "none", true
	case `"required"`:
		return "required", true
	case `"low"`:
		return "low", true
	case `"medium"`:
		return "medium", true
	case `"high"`:
		return "high", true
	}
	return "", false
}
