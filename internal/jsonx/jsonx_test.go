package jsonx

import (
	"bytes"
	"encoding/json"
	"testing"
)

var samples = []string{
	"", "hello", " token", `quote " and \ backslash`, "<b>&amp;</b>", "tab\tnew\nline\r\b\f",
	"\x00\x01\x1f\x7f", "é ü 日本語 🚀", "\u2028\u2029", "bad \xff\xfe utf8", "\xe2\x80", "a/b",
}

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range samples {
		want, _ := json.Marshal(s)
		if got := AppendString(nil, s); !bytes.Equal(got, want) {
			t.Errorf("AppendString(%q) = %s, want %s", s, got, want)
		}
	}
}

// encodeNoHTML is what a json.Encoder with SetEscapeHTML(false) writes
// for s, without its trailing newline.
func encodeNoHTML(t testing.TB, s string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func TestAppendStringNoHTMLMatchesEncoder(t *testing.T) {
	for _, s := range samples {
		want := encodeNoHTML(t, s)
		if got := AppendStringNoHTML(nil, s); !bytes.Equal(got, want) {
			t.Errorf("AppendStringNoHTML(%q) = %s, want %s", s, got, want)
		}
	}
	// The two variants differ exactly in <, > and &.
	if got := string(AppendStringNoHTML([]byte("x"), "<a&b>\u2028")); got != `x"<a&b>\u2028"` {
		t.Errorf("AppendStringNoHTML appended %s", got)
	}
	if got := string(AppendString(nil, "<a&b>")); got != `"\u003ca\u0026b\u003e"` {
		t.Errorf("AppendString = %s", got)
	}
}

func TestCutString(t *testing.T) {
	tests := []struct {
		in, want, rest string
		ok             bool
	}{
		{`"plain"}`, "plain", "}", true},
		{`""`, "", "", true},
		{`"a\nb\"c\\d\/e\tf"x`, "a\nb\"c\\d/e\tf", "x", true},
		{`"日本"`, "日本", "", true},
		{`"\u00e9"`, "", "", false},            // \u escapes: the caller's fallback
		{"\"bad \xff\"", "", "", false},        // invalid UTF-8: json.Unmarshal rewrites it
		{"\"ctl \x01\"", "", "", false},        // control characters are invalid JSON
		{`"unterminated`, "", "", false},       //
		{`"trailing \`, "", "", false},         //
		{`x"`, "", "", false},                  //
		{`"esc \q"`, "", "", false},            // invalid escape
		{`"a\n` + "\xff" + `"`, "", "", false}, // invalid UTF-8 after an escape
	}
	for _, tt := range tests {
		got, rest, ok := CutString([]byte(tt.in))
		if ok != tt.ok || (ok && (got != tt.want || string(rest) != tt.rest)) {
			t.Errorf("CutString(%q) = %q, %q, %v; want %q, %q, %v", tt.in, got, rest, ok, tt.want, tt.rest, tt.ok)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range samples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := AppendString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("AppendString(%q) = %s, want %s", s, got, want)
		}
	})
}

func FuzzAppendStringNoHTML(f *testing.F) {
	for _, s := range samples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := encodeNoHTML(t, s)
		if got := AppendStringNoHTML(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("AppendStringNoHTML(%q) = %s, want %s", s, got, want)
		}
	})
}

// FuzzCutString: whenever CutString accepts a string, encoding/json reads
// the same value and the same rest.
func FuzzCutString(f *testing.F) {
	for _, s := range samples {
		b, _ := json.Marshal(s)
		f.Add(append(b, '}'))
	}
	f.Add([]byte(`"a\nb"`))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, rest, ok := CutString(b)
		if !ok {
			return
		}
		n := len(b) - len(rest)
		var want string
		if err := json.Unmarshal(b[:n], &want); err != nil {
			t.Fatalf("CutString accepted %q, encoding/json refuses it: %v", b[:n], err)
		}
		if got != want {
			t.Fatalf("CutString(%q) = %q, encoding/json reads %q", b, got, want)
		}
	})
}
