package jsonx

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestAppendCutString(t *testing.T) {
	for _, in := range []string{
		`"plain"}`, `""`, `"a\nb\"c\\d\/e\tf\rg\bh\fi"rest`, `"é日本"`, `"\u00e9"`, `"a` + "\x01" + `b"`,
		`"unterminated`, `"bad \x escape"`, `"trailing \`, "\"\xff\"", `x"no quote"`, ``,
	} {
		s, rest, ok := CutString([]byte(in))
		dst := []byte("prefix:")
		out, rest2, ok2 := AppendCutString(dst, []byte(in))
		if ok != ok2 || !bytes.Equal(rest, rest2) || string(out) != "prefix:"+s {
			t.Errorf("AppendCutString(%q) = %q, %q, %v; CutString: %q, %q, %v", in, out, rest2, ok2, s, rest, ok)
		}
	}
}

// FuzzAppendCutString holds AppendCutString to CutString (which decodes
// an escaped string with it, and which FuzzCutString holds to
// encoding/json): the same acceptance, string and rest, and dst's own
// bytes untouched.
func FuzzAppendCutString(f *testing.F) {
	for _, s := range samples {
		b, _ := json.Marshal(s)
		f.Add(append(b, '}'), "p")
	}
	f.Add([]byte(`"a\nb\"c\u00e9"`), "")
	f.Fuzz(func(t *testing.T, b []byte, prefix string) {
		want, wantRest, wantOK := CutString(b)
		dst := append(make([]byte, 0, len(prefix)+4), prefix...)
		out, rest, ok := AppendCutString(dst, b)
		if ok != wantOK || !bytes.Equal(rest, wantRest) {
			t.Fatalf("AppendCutString(%q) = %q, %v; CutString: %q, %v", b, rest, ok, wantRest, wantOK)
		}
		if string(out[:min(len(out), len(prefix))]) != prefix || (ok && string(out[len(prefix):]) != want) || (!ok && len(out) != len(prefix)) {
			t.Fatalf("AppendCutString(%q, %q) = %q; CutString: %q, %v", prefix, b, out, want, ok)
		}
	})
}

// FuzzCutPlainString holds CutPlainString to CutString: whatever it
// accepts CutString reads the same, and it accepts every string CutString
// accepts that has no backslash.
func FuzzCutPlainString(f *testing.F) {
	for _, s := range samples {
		b, _ := json.Marshal(s)
		f.Add(append(b, '}'))
	}
	f.Add([]byte("\"caf\xc3\xa9\"x"))
	f.Add([]byte("\"bad \xff\""))
	f.Fuzz(func(t *testing.T, b []byte) {
		want, wantRest, wantOK := CutString(b)
		s, rest, ok := CutPlainString(b)
		if ok && (!wantOK || string(s) != want || !bytes.Equal(rest, wantRest)) {
			t.Fatalf("CutPlainString(%q) = %q, %q; CutString: %q, %q, %v", b, s, rest, want, wantRest, wantOK)
		}
		if !ok && wantOK && !bytes.Contains(b[:len(b)-len(wantRest)], []byte(`\`)) {
			t.Fatalf("CutPlainString refused %q, which CutString reads as %q", b, want)
		}
	})
}
