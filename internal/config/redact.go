package config

import (
	"net/url"
	"slices"
	"strings"
)

// Redaction replaces every secret in Redacted output.
const Redaction = "[redacted]"

// Redacted returns a deep copy of c that is safe to print or log: provider
// api keys, the master key, every provider header value (headers carry
// credentials such as api-key or Authorization) and passwords inside URLs
// (store, redis, base_url) are replaced by "[redacted]". Empty secrets stay
// empty so the output still shows what is unset. c is not changed.
func (c *Config) Redacted() *Config {
	out := *c
	out.Warnings = slices.Clone(c.Warnings)
	out.Auth.MasterKey = redactString(c.Auth.MasterKey)
	out.Store = redactURL(c.Store)
	out.Redis = redactURL(c.Redis)
	out.Providers = make([]Provider, len(c.Providers))
	for i, p := range c.Providers {
		p.APIKey = redactString(p.APIKey)
		p.AWS.SecretAccessKey = redactString(p.AWS.SecretAccessKey)
		p.AWS.SessionToken = redactString(p.AWS.SessionToken)
		p.BaseURL = redactURL(p.BaseURL)
		p.Tags = slices.Clone(p.Tags)
		p.Models = slices.Clone(p.Models)
		if p.Headers != nil {
			h := make(map[string]string, len(p.Headers))
			for k, v := range p.Headers {
				h[k] = redactString(v)
			}
			p.Headers = h
		}
		out.Providers[i] = p
	}
	if c.Providers == nil {
		out.Providers = nil
	}
	out.Models = make([]Model, len(c.Models))
	for i, m := range c.Models {
		m.Targets = slices.Clone(m.Targets)
		out.Models[i] = m
	}
	if c.Models == nil {
		out.Models = nil
	}
	// Sim holds no secrets; its slices are copied so edits to the copy's
	// lists do not reach c.
	out.Sim.Models = slices.Clone(c.Sim.Models)
	out.Sim.Defaults.Faults = slices.Clone(c.Sim.Defaults.Faults)
	return &out
}

func redactString(s string) string {
	if s == "" {
		return ""
	}
	return Redaction
}

// redactURL hides the password (or a lone user, which some URLs use as the
// token) and the query values whose names look like credentials (key,
// token, secret, password, sig, auth) of a URL. A string that does not parse has
// everything between "://" and the last "@" hidden.
func redactURL(s string) string {
	if s == "" {
		return s
	}
	u, err := url.Parse(s)
	if err != nil {
		scheme, rest, ok := strings.Cut(s, "://")
		if at := strings.LastIndexByte(rest, '@'); ok && at >= 0 {
			return scheme + "://" + Redaction + rest[at:]
		}
		if i := strings.IndexByte(s, '?'); i >= 0 {
			return s[:i+1] + Redaction
		}
		return s
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), Redaction)
		} else {
			u.User = url.User(Redaction)
		}
	}
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			if secretParam(k) {
				q[k] = []string{Redaction}
			}
		}
		u.RawQuery = q.Encode()
	}
	out := u.String()
	// url.String escapes the brackets; keep the marker readable.
	return strings.ReplaceAll(out, url.QueryEscape(Redaction), Redaction)
}

// secretParam reports whether a URL query parameter likely holds a
// credential.
func secretParam(name string) bool {
	n := strings.ToLower(name)
	for _, w := range []string{"key", "token", "secret", "pass", "pwd", "sig", "auth", "cred"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}
