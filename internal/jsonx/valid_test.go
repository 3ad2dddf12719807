package jsonx

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var validSamples = []string{
	``, ` `, `null`, `true`, `false`, `nul`, `truex`, `0`, `-0`, `01`, `-`, `1.`, `1.5`, `.5`, `1e`, `1e+`, `1E-7`, `1e5.5`,
	`-12.5e+3`, `"`, `""`, `"a`, `"\u00e9"`, `"\u00g9"`, `"\u00e"`, `"\x"`, `"\/"`, "\"tab\there\"", "\"\xff\xfe\"",
	`[]`, `[,]`, `[1,]`, `[1 2]`, `[1,2]`, `{}`, `{,}`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{"a":1 "b":2}`, `{"a":1,"b":[{}]}`,
	`{1:2}`, ` {"a" : [ true , null ] } `, `{} {}`, `[]]`, `{"a":1}}`, "\t\r\n[\n]\n", `"a"x`, `nullnull`,
	`{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"max_tokens":5}`,
}

func TestValidMatchesEncodingJSON(t *testing.T) {
	for _, s := range validSamples {
		if got, want := Valid([]byte(s)), json.Valid([]byte(s)); got != want {
			t.Errorf("Valid(%q) = %v, json.Valid says %v", s, got, want)
		}
	}
}

func TestValidNestingLimit(t *testing.T) {
	for _, n := range []int{maxDepth - 1, maxDepth, maxDepth + 1} {
		s := strings.Repeat("[", n) + strings.Repeat("]", n)
		if got, want := Valid([]byte(s)), json.Valid([]byte(s)); got != want {
			t.Errorf("%d nested arrays: Valid = %v, json.Valid says %v", n, got, want)
		}
	}
}

// TestValidOnGoldenPayloads runs every recorded provider payload in the
// dialects' testdata through both.
func TestValidOnGoldenPayloads(t *testing.T) {
	files, _ := filepath.Glob("../dialect/*/testdata/*")
	if len(files) == 0 {
		t.Skip("no dialect testdata found")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if got, want := Valid(b), json.Valid(b); got != want {
			t.Errorf("%s: Valid = %v, json.Valid says %v", f, got, want)
		}
	}
}

func FuzzValid(f *testing.F) {
	for _, s := range validSamples {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := Valid(b), json.Valid(b); got != want {
			t.Fatalf("Valid(%q) = %v, json.Valid says %v", b, got, want)
		}
	})
}

func BenchmarkValid(b *testing.B) {
	body := []byte(`{"model":"gpt-4o","messages":[{"role":"system","content":"You are a helpful assistant for a travel booking company. Answer briefly and precisely."},{"role":"user","content":"Hi! I am planning a trip to Lisbon in the spring with my family. What is the weather usually like in April?"}],"tools":[{"type":"function","function":{"name":"search_flights","description":"Search scheduled flights between two cities on a date.","parameters":{"type":"object","properties":{"from":{"type":"string"},"to":{"type":"string"},"date":{"type":"string","description":"Date, YYYY-MM-DD"}},"required":["from","to","date"]}}}],"max_tokens":1024,"temperature":0.2}`)
	b.Run("jsonx", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			Valid(body)
		}
	})
	b.Run("encoding_json", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			json.Valid(body)
		}
	})
}

// TestValidSpecialAtEveryOffset puts a quote, a backslash escape, a
// control character or a high byte at every position of strings long
// enough for the eight-byte loop.
func TestValidSpecialAtEveryOffset(t *testing.T) {
	for n := range 40 {
		for pos := range n {
			for _, sp := range []string{`\"`, `\\`, "\x01", "\x1f", "\x7f", "\xc3\xa9", "\xff", `"`, `\u00e9`, `\x`} {
				s := `["` + strings.Repeat("a", pos) + sp + strings.Repeat("b", n-pos) + `"]`
				if got, want := Valid([]byte(s)), json.Valid([]byte(s)); got != want {
					t.Fatalf("Valid(%q) = %v, json.Valid says %v", s, got, want)
				}
			}
		}
	}
}

func TestIsNumber(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{"0", true}, {"-0", true}, {"12", true}, {"1.5", true}, {"-1e9", true}, {"2E+3", true}, {"1.0e-2", true},
		{"", false}, {"-", false}, {"01", false}, {"1.", false}, {".5", false}, {"+1", false}, {"1e", false},
		{"0x1", false}, {"1_000", false}, {"inf", false}, {" 1", false}, {"1 ", false}, {`"1"`, false}, {"true", false},
	} {
		if got := IsNumber([]byte(c.in)); got != c.want {
			t.Errorf("IsNumber(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}
