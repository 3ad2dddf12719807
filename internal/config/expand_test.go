package config

import (
	"strings"
	"testing"
)

func mapEnv(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestExpand(t *testing.T) {
	env := mapEnv(map[string]string{"A": "alpha", "EMPTY": "", "X": "a\nb: c", "DOLLAR": "p$ss${w}"})
	for _, tc := range []struct {
		in, want, unset, err string
	}{
		{in: "plain", want: "plain"},
		{in: "${A}", want: "alpha"},
		{in: "pre-${A}-post", want: "pre-alpha-post"},
		{in: "${A}${A}", want: "alphaalpha"},
		{in: "${MISSING}", want: "", unset: "MISSING"},
		{in: "${MISSING:-fallback}", want: "fallback"},
		{in: "${EMPTY:-fallback}", want: "fallback"},
		{in: "${A:-fallback}", want: "alpha"},
		{in: "${MISSING:-}", want: ""},
		{in: "${MISSING:-a:-b}", want: "a:-b"},
		{in: "$${A}", want: "${A}"},
		{in: "$$${A}", want: "$${A}"}, // scanned left to right: "$" then "$${"
		{in: "$A and $ and $$", want: "$A and $ and $$"},
		{in: "cost: 5$", want: "cost: 5$"},
		{in: "${DOLLAR}", want: "p$ss${w}"}, // values are not expanded again
		{in: "${X}", want: "a\nb: c"},
		{in: "${A", err: "unterminated"},
		{in: "${}", err: "invalid variable reference"},
		{in: "${1A}", err: "invalid variable reference"},
		{in: "${A-B}", err: "invalid variable reference"},
		{in: "${ A }", err: "invalid variable reference"},
	} {
		got, res, err := expand(tc.in, env)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("expand(%q) err = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("expand(%q): %v", tc.in, err)
			continue
		}
		if got != tc.want || strings.Join(res.Unset, ",") != tc.unset {
			t.Errorf("expand(%q) = %q unset %v, want %q unset %q", tc.in, got, res.Unset, tc.want, tc.unset)
		}
	}
}

// TestExpandNoInjection: a variable's value lands in one scalar and can
// never add keys, items or documents, whatever it contains.
func TestExpandNoInjection(t *testing.T) {
	const doc = `log:
  level: ${X}
providers:
  - name: p
    type: openai
    api_key: ${X}
    tags: ["${X}"]
`
	for _, x := range []string{
		"a\nb: c",
		"info\nformat: json",
		"k\n  - name: evil\n    type: sim",
		"x\n---\nlisten: 0.0.0.0:1",
		"}{][,: &a *a !!binary |",
		"${NESTED}",
	} {
		env := mapEnv(map[string]string{"X": x})
		c, err := Parse([]byte(doc), "t.yaml", env)
		if err == nil {
			// Only log.level can reject the value; everything else must
			// hold it verbatim.
			t.Fatalf("value %q accepted as a log level", x)
		}
		if !strings.Contains(err.Error(), "t.yaml:2: log.level: unknown log level") || strings.Count(err.Error(), "\n") != 0 {
			t.Errorf("value %q: error %v", x, err)
		}
		_ = c
		c, err = Parse([]byte(strings.Replace(doc, "level: ${X}", "level: info", 1)), "t.yaml", env)
		if err != nil {
			t.Fatalf("value %q: %v", x, err)
		}
		if len(c.Providers) != 1 || c.Providers[0].APIKey != x || len(c.Providers[0].Tags) != 1 || c.Providers[0].Tags[0] != x || c.Log.Format != "" || c.Listen != "" {
			t.Errorf("value %q changed the structure: %+v", x, c)
		}
	}
}

// TestExpandTyped: values are typed by the field they land in, so numbers,
// booleans and durations can come from the environment.
func TestExpandTyped(t *testing.T) {
	env := mapEnv(map[string]string{"N": "1024", "B": "true", "D": "90s", "W": "2"})
	c, err := Parse([]byte(`
server: {max_body_bytes: "${N}", idle_timeout: "${D}"}
log: {prompts: "${B}"}
providers: [{name: p, type: sim}]
models: [{name: m, targets: [{provider: p, model: m, weight: "${W}"}]}]
`), "t.yaml", env)
	if err != nil {
		t.Fatal(err)
	}
	if c.Server.MaxBodyBytes != 1024 || c.Server.IdleTimeout.String() != "1m30s" || !c.Log.Prompts || c.Models[0].Targets[0].Weight != 2 {
		t.Errorf("got %+v", c)
	}
}

// TestAPIKeyUnset: only a provider's api_key may name an unset variable;
// the provider is then left out with a warning.
func TestAPIKeyUnset(t *testing.T) {
	doc := `providers:
  - {name: a, type: openai, api_key: "${KEY_A}"}
  - {name: b, type: anthropic, api_key: "${KEY_B}"}
models:
  - {name: m, targets: [{provider: a, model: x}, {provider: b, model: y}]}
`
	c, err := Parse([]byte(doc), "t.yaml", mapEnv(map[string]string{"KEY_B": "kb"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Providers) != 1 || c.Providers[0].Name != "b" || len(c.Models[0].Targets) != 1 || c.Models[0].Targets[0].Provider != "b" {
		t.Errorf("providers %+v models %+v", c.Providers, c.Models)
	}
	if len(c.Warnings) != 1 || c.Warnings[0] != `t.yaml:2: providers[0].api_key: provider "a" disabled: ${KEY_A} is not set` {
		t.Errorf("warnings %q", c.Warnings)
	}
	// Set but empty is the user's choice, not a disabled provider.
	c, err = Parse([]byte(doc), "t.yaml", mapEnv(map[string]string{"KEY_A": "", "KEY_B": "kb"}))
	if err != nil || len(c.Providers) != 2 || len(c.Warnings) != 0 {
		t.Errorf("empty key: %v %+v %q", err, c.Providers, c.Warnings)
	}
}

func TestProviderAPIKeyIndex(t *testing.T) {
	for _, tc := range []struct {
		path string
		i    int
		ok   bool
	}{
		{"providers[0].api_key", 0, true},
		{"providers[12].api_key", 12, true},
		{"providers[0].base_url", 0, false},
		{"providers[x].api_key", 0, false},
		{"providers[-1].api_key", 0, false},
		{"models[0].api_key", 0, false},
		{"providers[0].headers.api_key", 0, false},
	} {
		i, ok := providerAPIKeyIndex(tc.path)
		if i != tc.i || ok != tc.ok {
			t.Errorf("%s: got %d %v", tc.path, i, ok)
		}
	}
}
