package config

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse: any input either parses into a config that validates after
// defaults, or fails with an ErrorList of located problems; it never
// panics.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*.yaml")
	examples, _ := filepath.Glob("testdata/example-*.yaml")
	for _, p := range append(files, examples...) {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("listen: ${A:-x}\nproviders: [{name: p, type: sim, api_key: \"${U}\"}]"))
	f.Add([]byte("a: &a [*a]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		env := mapEnv(map[string]string{"A": "1", "B": "a\nb: c", "OPENAI_API_KEY": "sk"})
		c, err := Parse(data, "f.yaml", env)
		if err != nil {
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("error %T %v is not a non-empty ErrorList", err, err)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("errors.As *Error failed for %v", err)
			}
			return
		}
		if c == nil {
			t.Fatal("nil config without error")
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("parsed config fails Validate: %v", err)
		}
		c.ApplyDefaults()
		if err := c.Validate(); err != nil {
			t.Fatalf("defaulted config fails Validate: %v", err)
		}
		_ = c.Redacted()
	})
}

// FuzzExpand: expansion never panics, and text without "${" is unchanged.
func FuzzExpand(f *testing.F) {
	for _, s := range []string{"${A}", "$${A}", "${A:-d}", "${", "$", "a${B}c${C:-}", "${A:-${B}}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		env := mapEnv(map[string]string{"A": "x", "B": "${A}"})
		out, _, err := expand(s, env)
		if err == nil && !containsRef(s) && out != s {
			t.Fatalf("expand(%q) = %q without any reference", s, out)
		}
	})
}

func containsRef(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '$' && s[i+1] == '{' {
			return true
		}
	}
	return false
}
