package config

import (
	"strconv"
	"strings"
	"time"
)

// Routing tunes resilience for every model: circuit breakers, retries and
// timeouts between stream events. Zero values take the defaults below.
type Routing struct {
	// BreakerFailures is how many consecutive failed attempts (server
	// errors, timeouts, broken connections, rate limits) open a target's
	// circuit breaker, once its last max(4×this, 20) outcomes are known and
	// 80% of them failed too (a partly failing target stays in service);
	// an open target is skipped. Default 5.
	BreakerFailures int `yaml:"breaker_failures"`
	// BreakerCooldown is how long an open breaker skips its target before
	// a half-open probe request may try it again; the probe's success
	// closes the breaker, its failure reopens it. Default 30s.
	BreakerCooldown time.Duration `yaml:"breaker_cooldown"`
	// RetryBackoff is the wait before the first retry round (see
	// Model.Retries); each further round doubles it, with full jitter.
	// Default 100ms.
	RetryBackoff time.Duration `yaml:"retry_backoff"`
	// RetryBackoffMax caps one backoff wait, and the Retry-After an
	// upstream asks for: a longer Retry-After ends the retries and is
	// passed on to the client instead. Default 5s.
	RetryBackoffMax time.Duration `yaml:"retry_backoff_max"`
	// StreamIdleTimeout bounds the wait between two events of an upstream
	// stream (and between header and first event); before the first byte
	// reaches the client the attempt fails over, after it the stream ends
	// with an error. Default 60s.
	StreamIdleTimeout time.Duration `yaml:"stream_idle_timeout"`
	// AssumedOutputTokens stands in for the output limit of a request that
	// sets none, when the cost policy prices it and the context-window
	// filter sizes it. Default 1024.
	AssumedOutputTokens int `yaml:"assumed_output_tokens"`
}

// Capacity is what one target may take at once; a target at its capacity
// is skipped until it has room. Zero fields do not bound.
type Capacity struct {
	// Concurrency caps requests in flight to the target. Default none.
	Concurrency int `yaml:"concurrency"`
	// RPM caps requests started in the last minute. Default none.
	RPM int `yaml:"rpm"`
	// TPM caps tokens (estimated prompt plus output limit, corrected by the
	// usage reported) of requests started in the last minute. Default none.
	TPM int `yaml:"tpm"`
}

// Rule changes how one model routes the requests its When matches. Rules
// are tried in order; every matching rule applies. A rule that leaves no
// target fails the request closed, naming the rule.
type Rule struct {
	// Name identifies the rule in errors and x-railyard-route. Default
	// "rules[N]".
	Name string `yaml:"name"`
	// When is a CEL expression that must be true for the rule to apply. It
	// sees: model (string), tags (list of string, from the x-railyard-tags
	// header), metadata (map of string to string, from the
	// x-railyard-metadata header's key=value pairs and the request's end
	// user as "user"), input_tokens (int, the estimated prompt size),
	// has_images, has_tools, stream (bool).
	// Required.
	When string `yaml:"when"`
	// OnlyTags keeps only targets whose provider has one of these tags,
	// such as [onprem] for data that must not leave the building.
	OnlyTags []string `yaml:"only_tags"`
	// Model sends the request to another models entry instead.
	Model string `yaml:"model"`
	// Route replaces the policy (failover, weighted, latency, cost,
	// spillover).
	Route string `yaml:"route"`
}

// Routing defaults.
const (
	DefaultBreakerFailures     = 5
	DefaultBreakerCooldown     = 30 * time.Second
	DefaultRetryBackoff        = 100 * time.Millisecond
	DefaultRetryBackoffMax     = 5 * time.Second
	DefaultStreamIdleTimeout   = 60 * time.Second
	DefaultAssumedOutputTokens = 1024
)

// applyDefaults fills Routing's empty fields.
func (r *Routing) applyDefaults() {
	setDefault(&r.BreakerFailures, DefaultBreakerFailures)
	setDefault(&r.BreakerCooldown, DefaultBreakerCooldown)
	setDefault(&r.RetryBackoff, DefaultRetryBackoff)
	setDefault(&r.RetryBackoffMax, DefaultRetryBackoffMax)
	setDefault(&r.StreamIdleTimeout, DefaultStreamIdleTimeout)
	setDefault(&r.AssumedOutputTokens, DefaultAssumedOutputTokens)
}

// validateRouting checks the routing section and each model's routing
// fields; rules' CEL is compiled by internal/route when the table is built.
func (d *decoder) validateRouting(c *Config, at func(string, string, ...any)) {
	r := c.Routing
	for _, f := range []struct {
		key string
		v   int64
	}{
		{"breaker_failures", int64(r.BreakerFailures)},
		{"breaker_cooldown", int64(r.BreakerCooldown)},
		{"retry_backoff", int64(r.RetryBackoff)},
		{"retry_backoff_max", int64(r.RetryBackoffMax)},
		{"stream_idle_timeout", int64(r.StreamIdleTimeout)},
		{"assumed_output_tokens", int64(r.AssumedOutputTokens)},
	} {
		if f.v < 0 {
			at("routing."+f.key, "must not be negative")
		}
	}
	for i := range c.Models {
		m := &c.Models[i]
		path := "models[" + strconv.Itoa(i) + "]"
		if m.Retries < 0 || m.Retries > 10 {
			at(path+".retries", "retries must be between 0 and 10")
		}
		for j, t := range m.Targets {
			if t.Capacity == nil {
				continue
			}
			tp := path + ".targets[" + strconv.Itoa(j) + "].capacity"
			if t.Capacity.Concurrency < 0 || t.Capacity.RPM < 0 || t.Capacity.TPM < 0 {
				at(tp, "capacity must not be negative")
			}
		}
		for j, rule := range m.Rules {
			rp := path + ".rules[" + strconv.Itoa(j) + "]"
			if rule.When == "" {
				at(rp, "a rule needs a when: expression")
			}
			if len(rule.OnlyTags) == 0 && rule.Model == "" && rule.Route == "" {
				at(rp, "a rule needs an action: only_tags, model or route")
			}
			if rule.Route != "" && !oneOf(rule.Route, Routes()) {
				at(rp+".route", "unknown route %s (valid: %s)", d.show(rp+".route", rule.Route), strings.Join(Routes(), ", "))
			}
			if rule.Model != "" && !modelNamed(c, rule.Model) {
				at(rp+".model", "rule sends to model %q, which no models entry names", clip(rule.Model))
			}
		}
	}
}

func modelNamed(c *Config, name string) bool {
	for _, m := range c.Models {
		if m.Name == name {
			return true
		}
	}
	return false
}
