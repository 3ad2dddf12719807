package config

import (
	"fmt"
	"maps"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Validate checks a config that was built in code (FromEnv, tests) by the
// same rules Parse applies to a file. Empty fields are valid where a default
// exists, so it may run before or after ApplyDefaults.
func (c *Config) Validate() error {
	d := &decoder{lines: map[string]int{}, raw: map[string]string{}}
	d.validate(c)
	return d.errs.err()
}

// validate records every rule the config breaks, pointing at the line of
// the offending key where the file had one.
func (d *decoder) validate(c *Config) {
	at := func(path, format string, args ...any) {
		d.errorf(d.line(path), path, format, args...)
	}
	if c.Listen != "" {
		if err := checkListen(c.Listen, d.show("listen", c.Listen)); err != nil {
			at("listen", "%v", err)
		}
	}
	if c.Store != "" {
		if err := checkURL(c.Store, "sqlite", "postgres", "postgresql"); err != nil {
			at("store", "%v", err)
		}
	}
	if c.Redis != "" {
		if err := checkURL(c.Redis, "redis", "rediss"); err != nil {
			at("redis", "%v", err)
		}
	}
	d.validateServer(c, at)
	if c.Log.Level != "" && !oneOf(c.Log.Level, LogLevels()) {
		at("log.level", "unknown log level %s (valid: %s)", d.show("log.level", c.Log.Level), strings.Join(LogLevels(), ", "))
	}
	if c.Log.Format != "" && !oneOf(c.Log.Format, LogFormats()) {
		at("log.format", "unknown log format %s (valid: %s)", d.show("log.format", c.Log.Format), strings.Join(LogFormats(), ", "))
	}
	providers := d.validateProviders(c, at)
	d.validateModels(c, providers, at)
	d.validateRouting(c, at)
	if err := c.Sim.Validate(); err != nil {
		// Sim's errors start with the key path; point at its line.
		path, msg, ok := strings.Cut(err.Error(), ": ")
		if !ok || !strings.HasPrefix(path, "sim") {
			path, msg = "sim", err.Error()
		}
		at(path, "%s", msg)
	}
}

func (d *decoder) validateServer(c *Config, at func(string, string, ...any)) {
	s := c.Server
	if s.MaxBodyBytes < 0 {
		at("server.max_body_bytes", "must not be negative")
	}
	for _, f := range []struct {
		key string
		v   int64
	}{
		{"read_header_timeout", int64(s.ReadHeaderTimeout)},
		{"idle_timeout", int64(s.IdleTimeout)},
		{"upstream_timeout", int64(s.UpstreamTimeout)},
		{"first_byte_timeout", int64(s.FirstByteTimeout)},
		{"shutdown_timeout", int64(s.ShutdownTimeout)},
		{"drain_delay", int64(s.DrainDelay)},
	} {
		if f.v < 0 {
			at("server."+f.key, "must not be negative")
		}
	}
}

// validateProviders checks each provider and returns the set of names.
func (d *decoder) validateProviders(c *Config, at func(string, string, ...any)) map[string]bool {
	names := map[string]bool{}
	for i := range c.Providers {
		p := &c.Providers[i]
		path := fmt.Sprintf("providers[%d]", i)
		switch {
		case p.Name == "":
			at(path, "a provider needs a name")
		case strings.Contains(p.Name, "/"):
			at(path+".name", "provider name %q must not contain \"/\" (clients address provider/model)", clip(p.Name))
		case names[p.Name]:
			at(path+".name", "duplicate provider name %q", clip(p.Name))
		}
		names[p.Name] = true
		switch {
		case p.Type == "":
			at(path, "provider %q needs a type (one of %s)", clip(p.Name), strings.Join(ProviderTypes(), ", "))
		case !oneOf(p.Type, ProviderTypes()):
			at(path+".type", "unknown provider type %s (valid: %s)", d.show(path+".type", p.Type), strings.Join(ProviderTypes(), ", "))
		}
		if p.Type == TypeOpenAICompatible && p.BaseURL == "" {
			at(path, "provider %q of type openai-compatible needs a base_url (such as http://127.0.0.1:8000/v1)", clip(p.Name))
		}
		d.validateKind(p, path, at)
		d.validateAWS(p, path, at)
		if p.BaseURL != "" {
			if err := checkURL(p.BaseURL, "http", "https"); err != nil {
				at(path+".base_url", "%v", err)
			}
		}
		if p.Dialect != "" {
			switch {
			case !oneOf(p.Dialect, Dialects()):
				at(path+".dialect", "unknown dialect %s (valid: %s)", d.show(path+".dialect", p.Dialect), strings.Join(Dialects(), ", "))
			case (p.Type == TypeOpenAI || p.Type == TypeAnthropic) && p.Dialect != p.Type:
				at(path+".dialect", "a provider of type %s speaks only the %s dialect", p.Type, p.Type)
			}
		}
		for k := range p.Headers {
			if !validHeaderName(k) {
				at(path+".headers", "invalid header name %q", clip(k))
			}
		}
		if p.Timeout < 0 {
			at(path+".timeout", "must not be negative")
		}
	}
	return names
}

func (d *decoder) validateModels(c *Config, providers map[string]bool, at func(string, string, ...any)) {
	names := map[string]bool{}
	for i := range c.Models {
		m := &c.Models[i]
		path := fmt.Sprintf("models[%d]", i)
		switch {
		case m.Name == "":
			at(path, "a model needs a name (the name clients send)")
		case names[m.Name]:
			at(path+".name", "duplicate model name %q", clip(m.Name))
		}
		names[m.Name] = true
		if m.Route != "" && !oneOf(m.Route, Routes()) {
			at(path+".route", "unknown route %s (valid: %s)", d.show(path+".route", m.Route), strings.Join(Routes(), ", "))
		}
		if len(m.Targets) == 0 {
			at(path, "model %q needs at least one target", clip(m.Name))
		}
		for j, t := range m.Targets {
			tp := fmt.Sprintf("%s.targets[%d]", path, j)
			switch {
			case t.Provider == "":
				at(tp, "a target needs a provider")
			case !providers[t.Provider]:
				hint := "define it under providers"
				if s := suggest(t.Provider, slices.Collect(maps.Keys(providers))); s != "" {
					hint = fmt.Sprintf("did you mean %q?", s)
				}
				at(tp+".provider", "unknown provider %q (%s)", clip(t.Provider), hint)
			}
			if t.Model == "" {
				at(tp, "a target needs a model (the provider's model name)")
			}
			if t.Weight < 0 {
				at(tp+".weight", "weight must not be negative")
			}
			if _, set := d.lines[tp+".weight"]; set && t.Weight == 0 {
				d.warnf(c, tp+".weight", "weight 0 counts as the default 1; remove the target to drain it")
			}
		}
	}
}

// checkListen accepts host:port with a numeric port; the host may be empty
// (all interfaces).
func checkListen(s, shown string) error {
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		return fmt.Errorf("listen address %s is not host:port", shown)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("listen address %s has no valid port", shown)
	}
	return nil
}

// checkURL accepts s when it parses as a URL of one of the schemes and
// names a host (or, for sqlite, a file).
func checkURL(s string, schemes ...string) error {
	u, err := url.Parse(s)
	if err != nil || !oneOf(u.Scheme, schemes) {
		return fmt.Errorf("%q must be a URL starting with %s://", clip(redactURL(s)), strings.Join(schemes, ":// or "))
	}
	if u.Scheme == "sqlite" {
		if u.Host+u.Path+u.Opaque == "" {
			return fmt.Errorf("%q names no database file (such as sqlite://railyard.db)", clip(redactURL(s)))
		}
		return nil
	}
	if u.Host == "" {
		return fmt.Errorf("%q has no host", clip(redactURL(s)))
	}
	return nil
}

// validHeaderName reports whether s is an HTTP token (RFC 9110).
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}
