package sim

import (
	"unicode"
	"unicode/utf8"
)

// maxWordRunes splits long words, so that a base64 blob or a long
// identifier costs tokens roughly in proportion to its length as it would
// with a real BPE tokenizer.
const maxWordRunes = 16

// scan walks s and calls fn for each token: s[ws:start] is the whitespace
// before it and s[start:end] the token. A token is a run of letters and
// digits (at most maxWordRunes runes) or any single other non-space rune;
// an invalid UTF-8 byte is a token of its own. The rules are deliberately
// simple and deterministic: the simulator's token counts only need to be
// stable and exact for what it sent, not to match any real model.
func scan(s string, fn func(ws, start, end int)) {
	i := 0
	for i < len(s) {
		ws := i
		for i < len(s) {
			r, w := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && w == 1 || !unicode.IsSpace(r) {
				break
			}
			i += w
		}
		if i == len(s) {
			return
		}
		start := i
		r, w := utf8.DecodeRuneInString(s[i:])
		i += w
		if isWordRune(r, w) {
			n := 1
			for i < len(s) && n < maxWordRunes {
				r, w = utf8.DecodeRuneInString(s[i:])
				if !isWordRune(r, w) {
					break
				}
				i += w
				n++
			}
		}
		fn(ws, start, i)
	}
}

func isWordRune(r rune, w int) bool {
	if r == utf8.RuneError && w == 1 {
		return false
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// CountTokens is the number of tokens in s under the simulator's tokenizer.
func CountTokens(s string) int {
	n := 0
	scan(s, func(int, int, int) { n++ })
	return n
}

// Tokenize returns the tokens of s without whitespace.
func Tokenize(s string) []string {
	var out []string
	scan(s, func(_, start, end int) { out = append(out, s[start:end]) })
	return out
}

// pieces splits s into one piece per token, each carrying the whitespace
// before it; trailing whitespace joins the last piece. Concatenating the
// pieces gives s back whenever s holds a token, which is what lets a
// stream send one token per delta and still reproduce the text exactly.
func pieces(s string) []string {
	var out []string
	scan(s, func(ws, _, end int) { out = append(out, s[ws:end]) })
	if len(out) > 0 {
		last := 0
		for _, p := range out {
			last += len(p)
		}
		out[len(out)-1] += s[last:]
	}
	return out
}
