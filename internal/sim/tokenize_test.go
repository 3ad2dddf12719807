package sim

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTokenize(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"   \n\t", nil},
		{"Hello, world!", []string{"Hello", ",", "world", "!"}},
		{"  leading and trailing  ", []string{"leading", "and", "trailing"}},
		{`{"a":1}`, []string{"{", `"`, "a", `"`, ":", "1", "}"}},
		{"naïve café 日本語", []string{"naïve", "café", "日本語"}},
		{"abcdefghijklmnopqrstuvwxyz", []string{"abcdefghijklmnop", "qrstuvwxyz"}},
		{"a\xffb", []string{"a", "\xff", "b"}},
		{"x+y=z", []string{"x", "+", "y", "=", "z"}},
	}
	for _, tt := range tests {
		got := Tokenize(tt.in)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
			t.Errorf("Tokenize(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if n := CountTokens(tt.in); n != len(tt.want) {
			t.Errorf("CountTokens(%q) = %d, want %d", tt.in, n, len(tt.want))
		}
	}
}

func TestPiecesRebuildText(t *testing.T) {
	for _, s := range []string{"Hello, world!", "  two  spaces  ", "one", "a\n\nb\n"} {
		ps := pieces(s)
		if got := strings.Join(ps, ""); got != s {
			t.Errorf("pieces(%q) join = %q", s, got)
		}
		if len(ps) != CountTokens(s) {
			t.Errorf("pieces(%q) = %d pieces, %d tokens", s, len(ps), CountTokens(s))
		}
	}
}

// FuzzTokenize checks the tokenizer never panics on any input, that
// pieces rebuild the text exactly and that counts agree.
func FuzzTokenize(f *testing.F) {
	for _, s := range []string{"", "Hello, world!", "a\xffb", "日本語 テキスト", `{"k": [1, 2.5e3]}`, "\r\n\t "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		toks := Tokenize(s)
		if len(toks) != CountTokens(s) {
			t.Fatalf("Tokenize %d != CountTokens %d", len(toks), CountTokens(s))
		}
		ps := pieces(s)
		if len(ps) != len(toks) {
			t.Fatalf("pieces %d != tokens %d", len(ps), len(toks))
		}
		if len(ps) > 0 && strings.Join(ps, "") != s {
			t.Fatalf("pieces do not rebuild %q", s)
		}
		for _, tok := range toks {
			if tok == "" || strings.TrimSpace(tok) != tok && utf8.ValidString(tok) {
				t.Fatalf("bad token %q", tok)
			}
		}
	})
}
