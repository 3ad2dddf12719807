package openai

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/railyard-ai/railyard/internal/jsonx"
)

// TestKnownStringMatchesCutString: every constant knownString hands out is
// what reading the JSON string would give, and anything else (escaped
// forms, other values, stray bytes) is left to the reading.
func TestKnownStringMatchesCutString(t *testing.T) {
	for _, raw := range []string{`"user"`, `"assistant"`, `"system"`, `"developer"`, `"tool"`, `"function"`,
		`"text"`, `"image_url"`, `"auto"`, `"none"`, `"required"`, `"low"`, `"medium"`, `"high"`} {
		s, ok := knownString([]byte(raw))
		want, rest, cut := jsonx.CutString([]byte(raw))
		if !ok || !cut || len(rest) != 0 || s != want {
			t.Errorf("knownString(%s) = %q, %v; CutString gives %q", raw, s, ok, want)
		}
	}
	for _, raw := range []string{`"us\u0065r"`, `"User"`, `"user "`, `"user"x`, `user`, `""`, `"gpt-4o"`} {
		if s, ok := knownString([]byte(raw)); ok {
			t.Errorf("knownString(%s) = %q, want no match", raw, s)
		}
	}
	if s, err := optString([]byte(`"us\u0065r"`), "role"); err != nil || s != "user" {
		t.Errorf(`optString("us\u0065r") = %q, %v`, s, err)
	}
}

// FuzzReadScalar holds readScalar to json.Unmarshal: whatever it reads,
// encoding/json reads to the same value (the same bits for a float); it
// leaves the value alone when it declines; and it never declines a plain
// boolean or an in-range JSON integer.
func FuzzReadScalar(f *testing.F) {
	for _, s := range []string{"true", "false", "0", "-0", "1", "-12", "1.5", "1e3", "-1.25E-2", "1e400", "9223372036854775808",
		"0x10", "1_0", "inf", "NaN", "+1", "01", ".5", "1.", "-", "1e", "1e+", "null", `"1"`, " 1", "tru"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		checkReadScalar[bool](t, raw)
		checkReadScalar[float64](t, raw)
		checkReadScalar[int64](t, raw)
		checkReadScalar[int](t, raw)
		var n int64
		if json.Unmarshal(raw, &n) == nil && jsonx.IsNumber(raw) && !readScalar(raw, new(int64)) {
			t.Fatalf("readScalar declined integer %q", raw)
		}
	})
}

func checkReadScalar[T comparable](t *testing.T, raw []byte) {
	var got T
	ok := readScalar(raw, &got)
	var want T
	err := json.Unmarshal(raw, &want)
	if !ok {
		var zero T
		if got != zero {
			t.Fatalf("readScalar[%T](%q) declined but wrote %v", got, raw, got)
		}
		return
	}
	if err != nil {
		t.Fatalf("readScalar[%T](%q) = %v; json.Unmarshal fails: %v", got, raw, got, err)
	}
	if f, isFloat := any(got).(float64); isFloat {
		if math.Float64bits(f) != math.Float64bits(any(want).(float64)) {
			t.Fatalf("readScalar(%q) = %v, json.Unmarshal %v", raw, got, want)
		}
		return
	}
	if got != want {
		t.Fatalf("readScalar[%T](%q) = %v, json.Unmarshal %v", got, raw, got, want)
	}
}
