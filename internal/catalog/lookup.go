package catalog

import (
	"strings"

	"github.com/railyard-ai/railyard/internal/llm"
)

// Lookup finds the entry for a model name as a client or provider spells it.
// Names are compared case-insensitively. The rules, tried in order on each
// candidate name until one matches:
//
//  1. The name itself.
//  2. The name without its provider prefixes: everything up to each "/" is
//     dropped in turn, so "anthropic/claude-haiku-4-5" and
//     "models/gemini-2.5-pro" resolve like "claude-haiku-4-5" and
//     "gemini-2.5-pro".
//  3. The name without a Bedrock cross-region inference prefix (us., eu.,
//     apac., global., us-gov., jp., au., ca.), so "us.amazon.nova-lite-v1:0"
//     resolves like "amazon.nova-lite-v1:0".
//
// For each candidate an exact id or alias wins; failing that, the longest
// id that is a prefix of the candidate followed only by a date suffix
// matches, so a snapshot the catalog does not list ("gpt-4.1-mini-2025-09-01")
// is priced like its base model. A date suffix is "-" or "@" then
// YYYY-MM-DD, YYYYMMDD or MMDD, optionally followed by a Bedrock version
// such as "-v1:0". Anything else ("o3-mini" against "o3") does not match:
// a different model must not borrow a price.
func (c *Catalog) Lookup(model string) (Model, bool) {
	if i, ok := c.index(model); ok {
		return c.models[i].clone(), true
	}
	return Model{}, false
}

// Entry finds the entry for model by the Lookup rules and returns the
// catalog's own copy instead of a clone: routing and governance look models
// up on every request, and a clone costs several allocations each time.
// The entry is shared by every caller and, like the Catalog, must never be
// modified (its slices and price pointers included); callers that keep or
// change an entry use Lookup.
func (c *Catalog) Entry(model string) (*Model, bool) {
	if i, ok := c.index(model); ok {
		return &c.models[i], true
	}
	return nil, false
}

// index is the position in c.models of model's entry by the Lookup rules.
func (c *Catalog) index(model string) (int, bool) {
	var buf [8]string
	for _, cand := range appendCandidates(buf[:0], key(model)) {
		if i, ok := c.byName[cand]; ok {
			return i, true
		}
		if i, ok := c.dated(cand); ok {
			return i, true
		}
	}
	return 0, false
}

// regionPrefixes are Bedrock's cross-region inference profile prefixes.
var regionPrefixes = [...]string{"us.", "eu.", "apac.", "global.", "us-gov.", "jp.", "au.", "ca."}

// appendCandidates appends the names to try for s to out, most specific
// first. Lookup and Cost pass a stack array, so that a per-request lookup
// allocates no list.
func appendCandidates(out []string, s string) []string {
	if s == "" {
		return out
	}
	out = append(out, s)
	for rest := s; ; {
		_, after, ok := strings.Cut(rest, "/")
		if !ok || after == "" {
			break
		}
		out = append(out, after)
		rest = after
	}
	n := len(out)
	for _, c := range out[:n] {
		for _, p := range regionPrefixes {
			if r, ok := strings.CutPrefix(c, p); ok && r != "" {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

// dated finds the longest id that name extends with a date suffix.
func (c *Catalog) dated(name string) (int, bool) {
	// Walk the separators from the right: each "-" or "@" splits name into
	// a possible id and a possible suffix; the first (rightmost) split whose
	// left side is an id and right side a date gives the longest id.
	for i := len(name) - 1; i > 0; i-- {
		if name[i] != '-' && name[i] != '@' {
			continue
		}
		id := name[:i]
		if c.ids[id] && isDateSuffix(name[i+1:]) {
			return c.byName[id], true
		}
	}
	return 0, false
}

// isDateSuffix reports whether s is YYYY-MM-DD, YYYYMMDD or MMDD, optionally
// followed by "-v<digits>" and ":<digits>".
func isDateSuffix(s string) bool {
	date, ver, hasVer := strings.Cut(s, "-v")
	switch {
	case len(date) == 10 && date[4] == '-' && date[7] == '-':
		if !allDigits(date[:4]) || !allDigits(date[5:7]) || !allDigits(date[8:]) {
			return false
		}
	case len(date) == 8 || len(date) == 4:
		if !allDigits(date) {
			return false
		}
	default:
		return false
	}
	if !hasVer {
		return true
	}
	num, minor, hasMinor := strings.Cut(ver, ":")
	if num == "" || !allDigits(num) {
		return false
	}
	return !hasMinor || (minor != "" && allDigits(minor))
}

// Cost prices usage of the named model, by the Lookup rules. ok is false
// when the catalog does not know the model: an unpriced reply carries no
// cost rather than a made-up one. It does not copy the entry.
func (c *Catalog) Cost(model string, u llm.Usage) (usd float64, ok bool) {
	if i, found := c.index(model); found {
		return c.models[i].Cost(u), true
	}
	return 0, false
}
