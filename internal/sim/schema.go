package sim

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/tidwall/gjson"
)

// maxSchemaDepth bounds recursion into nested schemas, so a hostile or
// self-similar schema cannot blow the stack or the reply size.
const maxSchemaDepth = 8

// argumentsFor returns deterministic JSON arguments that satisfy the common
// parts of a JSON Schema: every declared property in declared order, each
// value taken from const, else the first enum value, else default, else a
// stand-in for its type (strings name their property, numbers use the
// minimum or 1, booleans are true, arrays hold one item). $ref and
// unsupported keywords yield an empty object or null.
func argumentsFor(schema []byte) string {
	if len(bytes.TrimSpace(schema)) == 0 || !gjson.ValidBytes(schema) {
		return "{}"
	}
	var b []byte
	b = genValue(b, gjson.ParseBytes(schema), "value", 0)
	if len(b) == 0 || b[0] != '{' {
		// Tool arguments are always an object.
		return "{}"
	}
	return string(b)
}

func genValue(b []byte, s gjson.Result, name string, depth int) []byte {
	if depth > maxSchemaDepth || !s.IsObject() {
		return append(b, "null"...)
	}
	if c := s.Get("const"); c.Exists() {
		return appendRaw(b, c.Raw)
	}
	if e := s.Get("enum"); e.IsArray() {
		if first := e.Get("0"); first.Exists() {
			return appendRaw(b, first.Raw)
		}
	}
	if d := s.Get("default"); d.Exists() {
		return appendRaw(b, d.Raw)
	}
	for _, k := range []string{"anyOf", "oneOf", "allOf"} {
		if alts := s.Get(k); alts.IsArray() {
			if first := alts.Get("0"); first.Exists() {
				return genValue(b, first, name, depth+1)
			}
		}
	}
	switch schemaType(s) {
	case "object":
		return genObject(b, s, depth)
	case "array":
		b = append(b, '[')
		b = genValue(b, s.Get("items"), name, depth+1)
		return append(b, ']')
	case "string":
		return genString(b, s, name)
	case "integer":
		if m := s.Get("minimum"); m.Exists() {
			return strconv.AppendInt(b, m.Int(), 10)
		}
		return append(b, '1')
	case "number":
		if m := s.Get("minimum"); m.Exists() {
			return strconv.AppendFloat(b, m.Float(), 'g', -1, 64)
		}
		return append(b, "1.5"...)
	case "boolean":
		return append(b, "true"...)
	default:
		if s.Get("properties").Exists() {
			return genObject(b, s, depth)
		}
		return append(b, "null"...)
	}
}

// schemaType is the schema's type, the first non-null one when it lists
// several.
func schemaType(s gjson.Result) string {
	t := s.Get("type")
	if t.IsArray() {
		for _, v := range t.Array() {
			if v.String() != "null" {
				return v.String()
			}
		}
		return "null"
	}
	return t.String()
}

func genObject(b []byte, s gjson.Result, depth int) []byte {
	b = append(b, '{')
	first := true
	s.Get("properties").ForEach(func(k, v gjson.Result) bool {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendString(b, k.String())
		b = append(b, ':')
		b = genValue(b, v, k.String(), depth+1)
		return true
	})
	return append(b, '}')
}

func genString(b []byte, s gjson.Result, name string) []byte {
	switch s.Get("format").String() {
	case "date-time":
		return append(b, `"2025-01-01T00:00:00Z"`...)
	case "date":
		return append(b, `"2025-01-01"`...)
	case "email":
		return append(b, `"user@example.com"`...)
	case "uri", "url":
		return append(b, `"https://example.com/"`...)
	case "uuid":
		return append(b, `"00000000-0000-4000-8000-000000000000"`...)
	}
	return appendString(b, "sample "+name)
}

func appendString(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // a string always marshals
	return append(b, q...)
}

// appendRaw appends a JSON value from the schema in compact form.
func appendRaw(b []byte, raw string) []byte {
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(raw)); err != nil {
		return append(b, "null"...)
	}
	return append(b, buf.Bytes()...)
}
