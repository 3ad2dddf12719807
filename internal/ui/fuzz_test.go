package ui

import (
	"strings"
	"testing"
	"time"
)

// FuzzDecodeLogin: any login body yields a key or an error, never a panic,
// and a key only from a well-formed body.
func FuzzDecodeLogin(f *testing.F) {
	for _, s := range []string{`{"key":"mk"}`, `{"key":""}`, `{"key":1}`, `{}`, `null`, `[]`, `{"key":"a"}{"key":"b"}`,
		`{"key":"\u0000"}`, `{"key":"a","x":1}`, "", `{"key":"` + strings.Repeat("a", 5000) + `"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		key, err := DecodeLogin(strings.NewReader(body))
		if err == nil && key == "" {
			t.Fatalf("%q: no error and no key", body)
		}
		if err != nil && key != "" {
			t.Fatalf("%q: a key with an error", body)
		}
		if err != nil && strings.Contains(err.Error(), body) && len(body) > 8 {
			t.Fatalf("error quotes the body: %v", err)
		}
	})
}

// FuzzSessionCheck: any cookie value is checked without a panic, and only
// tokens this master issued pass.
func FuzzSessionCheck(f *testing.F) {
	s := NewSessions(master)
	now := time.Unix(1_800_000_000, 0)
	valid := s.Issue(now)
	for _, v := range []string{valid, "", ".", "1.", ".x", "1.x", "-1.abc", "99999999999999999999.a", valid + "=", strings.ToUpper(valid)} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, token string) {
		err := s.Check(token, now)
		if err == nil && token != valid {
			// Another valid token must be for a different expiry, signed
			// with the same key: only Issue makes those.
			exp, _, _ := strings.Cut(token, ".")
			if token != exp+"."+s.sign(exp) {
				t.Fatalf("forged token %q accepted", token)
			}
		}
	})
}
