package jsonx

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

type rawPair struct {
	Type     json.RawMessage `json:"type"`
	Function json.RawMessage `json:"function,omitempty"`
}

type notRaw struct {
	Name string `json:"name"`
}

var splitSamples = []string{
	`{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"a":{"type":"string","enum":["x","y}"]}}}}}`,
	` { "TYPE" : "a" , "type" : "b" } `, `{"Function":[1,2,{"x":"]"}]}`, `{"fun\u0063tion":1}`, `{}`, `[]`, `null`,
	`[1, "two", {"three": [3]}, null, true, -1.5e3]`, `"str"`, `12`, `true`, `{"type":"a\"b\\"}`, `[ ]`, `{ }`,
	`{"ſype":1}`, `{"type":1,"type":2}`, `"a\\"`, `"a\\\"b"`, `{"type":"x\\\\"}`, `"é \n"`,
}

func TestSplitIntoMatchesEncodingJSON(t *testing.T) {
	for _, s := range splitSamples {
		checkSplit(t, []byte(s))
	}
}

func TestSplitIntoLeavesOtherTypes(t *testing.T) {
	var n notRaw
	if handled, _ := SplitInto([]byte(`{"name":"x"}`), &n); handled {
		t.Error("handled a struct with a string field")
	}
	var m map[string]any
	if handled, _ := SplitInto([]byte(`{}`), &m); handled {
		t.Error("handled a map")
	}
}

func checkSplit(t *testing.T, b []byte) {
	t.Helper()
	if !json.Valid(b) {
		return
	}
	for _, mk := range []func() any{
		func() any { return new(rawPair) },
		func() any { return new([]json.RawMessage) },
		func() any { return new(string) },
	} {
		got, want := mk(), mk()
		handled, err := SplitInto(b, got)
		if !handled {
			continue
		}
		werr := json.Unmarshal(b, want)
		if (err != nil) != (werr != nil) {
			t.Fatalf("SplitInto(%s, %T) error %v, encoding/json %v", b, got, err, werr)
		}
		if err == nil && !equalRaw(got, want) {
			t.Fatalf("SplitInto(%s, %T) = %+v, encoding/json %+v", b, got, got, want)
		}
	}
}

// equalRaw compares decoded values, treating a nil and an empty raw
// message alike only when both are absent.
func equalRaw(a, b any) bool {
	if x, ok := a.(*[]json.RawMessage); ok {
		y := b.(*[]json.RawMessage)
		if (*x == nil) != (*y == nil) || len(*x) != len(*y) {
			return false
		}
		for i := range *x {
			if !bytes.Equal((*x)[i], (*y)[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

func FuzzSplitInto(f *testing.F) {
	for _, s := range splitSamples {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkSplit(t, b)
	})
}
