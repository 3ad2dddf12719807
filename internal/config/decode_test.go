package config

import (
	"strings"
	"testing"
	"time"
)

// TestParseErrors covers decoder rules one line at a time; the golden
// files cover whole configs.
func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"header map duplicate", "providers: [{name: p, type: sim, headers: {a: 1, a: 2}}]", `t.yaml:1: providers[0].headers: duplicate key "a"`},
		{"non-scalar key", "{[a]: 1}", `t.yaml:1: a key must be a plain name, got a list`},
		{"x- only at top level", "log: {x-note: hi}", `t.yaml:1: log: unknown key "x-note"`},
		{"list for string", "listen: [a]", `t.yaml:1: listen: expected a string, got a list`},
		{"mapping for list", "providers: {a: 1}", `t.yaml:1: providers: expected a list, got a mapping`},
		{"int overflow", "server: {max_body_bytes: 99999999999999999999}", `t.yaml:1: server.max_body_bytes: expected an integer, got "99999999999999999999"`},
		{"bare number duration", "server: {idle_timeout: 30}", `expected a duration such as 30s or 10m, got "30"`},
		{"merge of a list of scalars", "log: {<<: [1]}", `expected a mapping to merge with <<, got "1"`},
		{"alias bomb", aliasBomb(), "too many aliases"},
		{"sim float", "sim: {defaults: {load_factor: lots}}", `t.yaml:1: sim.defaults.load_factor: expected a number, got "lots"`},
		{"sim validation line", "sim:\n  defaults:\n    latency: sometimes\n", `t.yaml:3: sim.defaults.latency: "sometimes" is not on or off`},
		{"unknown anchor", "listen: *nope", `t.yaml: invalid YAML: unknown anchor 'nope' referenced`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.doc), "t.yaml", nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}

// aliasBomb nests aliases so that expanding them all would take 10^9 nodes.
func aliasBomb() string {
	var b strings.Builder
	b.WriteString("x-a0: &a0 [lol]\n")
	for i := 1; i <= 9; i++ {
		b.WriteString("x-a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [")
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(",")
			}
			b.WriteString("*a" + string(rune('0'+i-1)))
		}
		b.WriteString("]\n")
	}
	b.WriteString("providers:\n")
	for j := 0; j < 2000; j++ {
		b.WriteString("  - {name: p, type: sim, tags: *a1}\n")
	}
	return b.String()
}

func TestParseValues(t *testing.T) {
	c, err := Parse([]byte(`
listen: :8080
store: sqlite:///var/lib/railyard/railyard.db
server:
  max_body_bytes: 0x100000
  read_header_timeout: ~
auth:
log: {level: warn, prompts: TRUE}
x-defaults: &d {type: openai-compatible, base_url: "http://h:1/v1", timeout: 1m}
providers:
  - {<<: *d, name: a, tags: [1, true, "x"]}
  - {<<: *d, name: b, type: sim, base_url: "https://sim.example/v1"}
  - {<<: [*d, {name: never, dialect: anthropic}], name: c}
models:
  - name: 1234
    targets: [{provider: a, model: 7}]
`), "t.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Server.MaxBodyBytes != 1<<20 || c.Server.ReadHeaderTimeout != 0 || c.Log.Level != "warn" || !c.Log.Prompts {
		t.Errorf("values: %+v %+v", c.Server, c.Log)
	}
	a, b, cc := c.Provider("a"), c.Provider("b"), c.Provider("c")
	if a == nil || a.Type != TypeOpenAICompatible || a.Timeout != time.Minute || strings.Join(a.Tags, ",") != "1,true,x" {
		t.Errorf("a: %+v", a)
	}
	if b == nil || b.Type != TypeSim || b.BaseURL != "https://sim.example/v1" {
		t.Errorf("b (explicit keys override merged): %+v", b)
	}
	if cc == nil || cc.Dialect != DialectAnthropic || cc.BaseURL != "http://h:1/v1" {
		t.Errorf("c (merge list): %+v", cc)
	}
	if c.Models[0].Name != "1234" || c.Models[0].Targets[0].Model != "7" {
		t.Errorf("numbers as names: %+v", c.Models)
	}
}

func TestSuggest(t *testing.T) {
	names := []string{"name", "type", "base_url", "api_key", "dialect", "tags", "headers", "models", "timeout"}
	for _, tc := range []struct{ in, want string }{
		{"api_keys", "api_key"},
		{"apikey", "api_key"},
		{"API_KEY", "api_key"},
		{"baseurl", "base_url"},
		{"modles", "models"},
		{"tpye", "type"},
		{"zzz", ""},
		{"x", ""},
		{"completely_unrelated", ""},
	} {
		if got := suggest(tc.in, names); got != tc.want {
			t.Errorf("suggest(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestProviderEffective(t *testing.T) {
	for _, tc := range []struct {
		p                Provider
		dialect, baseURL string
	}{
		{Provider{Type: TypeOpenAI}, DialectOpenAI, DefaultOpenAIBaseURL},
		{Provider{Type: TypeAnthropic}, DialectAnthropic, DefaultAnthropicBaseURL},
		{Provider{Type: TypeAnthropic, BaseURL: "https://proxy/"}, DialectAnthropic, "https://proxy/"},
		{Provider{Type: TypeOpenAICompatible, BaseURL: "http://h/v1"}, DialectOpenAI, "http://h/v1"},
		{Provider{Type: TypeOpenAICompatible, BaseURL: "http://h/anthropic", Dialect: DialectAnthropic}, DialectAnthropic, "http://h/anthropic"},
		{Provider{Type: TypeSim}, DialectOpenAI, ""},
		{Provider{Type: TypeSim, Dialect: DialectAnthropic}, DialectAnthropic, ""},
	} {
		if d, u := tc.p.EffectiveDialect(), tc.p.EffectiveBaseURL(); d != tc.dialect || u != tc.baseURL {
			t.Errorf("%+v: %s %s, want %s %s", tc.p, d, u, tc.dialect, tc.baseURL)
		}
	}
}

func TestApplyDefaults(t *testing.T) {
	c := &Config{
		Server:    Server{UpstreamTimeout: time.Minute},
		Providers: []Provider{{Name: "a", Type: TypeAnthropic}, {Name: "o", Type: TypeOpenAI, Timeout: time.Second}},
		Models:    []Model{{Name: "m", Targets: []Target{{Provider: "a", Model: "x"}, {Provider: "o", Model: "y", Weight: 5}}}},
	}
	c.ApplyDefaults()
	if c.Listen != "127.0.0.1:4000" || c.Store != "sqlite://railyard.db" || c.Server.MaxBodyBytes != 32<<20 ||
		c.Server.ReadHeaderTimeout != 10*time.Second || c.Server.IdleTimeout != 120*time.Second ||
		c.Server.UpstreamTimeout != time.Minute || c.Server.FirstByteTimeout != 60*time.Second ||
		c.Server.ShutdownTimeout != 30*time.Second || c.Log.Level != "info" || c.Log.Format != "text" {
		t.Errorf("server/log defaults: %+v %+v", c.Server, c.Log)
	}
	a, o := c.Providers[0], c.Providers[1]
	if a.BaseURL != DefaultAnthropicBaseURL || a.Dialect != DialectAnthropic || a.Timeout != time.Minute || o.Timeout != time.Second || o.Dialect != DialectOpenAI {
		t.Errorf("provider defaults: %+v %+v", a, o)
	}
	if m := c.Models[0]; m.Route != RouteFailover || m.Targets[0].Weight != 1 || m.Targets[1].Weight != 5 {
		t.Errorf("model defaults: %+v", m)
	}
	before := *c
	c.ApplyDefaults()
	if c.Listen != before.Listen || c.Providers[0].Timeout != before.Providers[0].Timeout {
		t.Error("ApplyDefaults is not idempotent")
	}
	if err := c.Validate(); err != nil {
		t.Error(err)
	}
}

func TestErrorFormat(t *testing.T) {
	for _, tc := range []struct {
		e    Error
		want string
	}{
		{Error{File: "f.yaml", Line: 3, Path: "a.b", Msg: "bad"}, "f.yaml:3: a.b: bad"},
		{Error{File: "f.yaml", Msg: "bad"}, "f.yaml: bad"},
		{Error{Line: 2, Msg: "bad"}, "line 2: bad"},
		{Error{Path: "p", Msg: "bad"}, "p: bad"},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("%q, want %q", got, tc.want)
		}
	}
}

// TestErrorsHideEnvValues: a message about a value that came from the
// environment shows the reference as written, never the value (it may be
// a secret that landed in the wrong field).
func TestErrorsHideEnvValues(t *testing.T) {
	env := mapEnv(map[string]string{"S": "sk-secret-value"})
	for _, doc := range []string{
		`server: {max_body_bytes: "${S}"}`,
		`server: {idle_timeout: "${S}"}`,
		`log: {level: "${S}", prompts: "${S}"}`,
		`listen: "${S}"`,
		`store: "mysql://u:${S}@h/db"`,
		`providers: [{name: p, type: "${S}"}]`,
		`providers: [{name: p, type: sim, base_url: "ftp://${S}@h"}]`,
	} {
		_, err := Parse([]byte(doc), "t.yaml", env)
		if err == nil {
			t.Errorf("%s: no error", doc)
			continue
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: error shows the value: %v", doc, err)
		}
	}
}
