package config

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestRedactedHidesEverySecret walks every string of the redacted copy and
// its printed forms for the secrets of the full fixture and the examples.
func TestRedactedHidesEverySecret(t *testing.T) {
	secrets := []string{"sk-test-openai", "sk-ant-test", "rk-master-test", "pg-secret", "redis-secret", "sk-deepseek-test", "sk-dashscope-test", "vllm-test", "hdr-secret", "qs-secret"}
	files := []string{"testdata/valid/full.yaml", "testdata/example-fleet.yaml", "testdata/example-anthropic.yaml", "testdata/example-deepseek.yaml"}
	extra := `providers:
  - name: h
    type: openai-compatible
    base_url: https://user:pg-secret@h.example.com/v1?api_key=qs-secret&region=eu
    headers: {api-key: hdr-secret, Authorization: "Bearer hdr-secret"}
`
	for _, f := range append(files, "inline") {
		var data []byte
		if f == "inline" {
			data = []byte(extra)
		} else {
			var err error
			if data, err = os.ReadFile(f); err != nil {
				t.Fatal(err)
			}
		}
		c, err := Parse(data, f, testEnv)
		if err != nil {
			t.Fatal(err)
		}
		c.ApplyDefaults()
		before := fmt.Sprintf("%+v", *c)
		r := c.Redacted()
		y, _ := yaml.Marshal(r)
		for _, out := range []string{fmt.Sprintf("%+v", *r), fmt.Sprintf("%#v", *r), string(y)} {
			for _, s := range secrets {
				if strings.Contains(out, s) {
					t.Errorf("%s: secret %q printed:\n%s", f, s, out)
				}
			}
		}
		walkStrings(reflect.ValueOf(r).Elem(), func(s string) {
			for _, sec := range secrets {
				if strings.Contains(s, sec) {
					t.Errorf("%s: secret %q in %q", f, sec, s)
				}
			}
		})
		if after := fmt.Sprintf("%+v", *c); after != before {
			t.Errorf("%s: Redacted changed the original", f)
		}
		if f == "inline" {
			p := r.Providers[0]
			if p.BaseURL != "https://user:[redacted]@h.example.com/v1?api_key=[redacted]&region=eu" {
				t.Errorf("base_url %q", p.BaseURL)
			}
		}
	}
	// Empty secrets stay empty so output shows what is unset.
	if r := (&Config{Providers: []Provider{{Name: "x"}}}).Redacted(); r.Providers[0].APIKey != "" || r.Auth.MasterKey != "" {
		t.Errorf("empty secret redacted: %+v", r)
	}
}

func walkStrings(v reflect.Value, fn func(string)) {
	switch v.Kind() {
	case reflect.String:
		fn(v.String())
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walkStrings(v.Elem(), fn)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			walkStrings(v.Field(i), fn)
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			walkStrings(v.Index(i), fn)
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			walkStrings(it.Key(), fn)
			walkStrings(it.Value(), fn)
		}
	}
}

func TestRedactURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"sqlite://railyard.db", "sqlite://railyard.db"},
		{"postgres://u:p@db/x?sslmode=require", "postgres://u:[redacted]@db/x?sslmode=require"},
		{"redis://:pw@cache:6379/0", "redis://:[redacted]@cache:6379/0"},
		{"https://token@h/v1", "https://[redacted]@h/v1"},
		{"https://h/v1?key=abc", "https://h/v1?key=[redacted]"},
		{"postgres://u:p%zz@db", "postgres://[redacted]@db"},
	} {
		if got := redactURL(tc.in); got != tc.want {
			t.Errorf("redactURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
