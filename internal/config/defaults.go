package config

import "time"

// Defaults of the fields that ApplyDefaults fills; the field doc comments in
// config.go state the same values.
const (
	DefaultListen            = "127.0.0.1:4000"
	DefaultStore             = "sqlite://railyard.db"
	DefaultMaxBodyBytes      = 32 << 20
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
	DefaultUpstreamTimeout   = 10 * time.Minute
	DefaultFirstByteTimeout  = 60 * time.Second
	DefaultShutdownTimeout   = 30 * time.Second
	DefaultLogLevel          = "info"
	DefaultLogFormat         = "text"
	DefaultWeight            = 1
)

// ApplyDefaults fills every empty field that has a default, in place. It is
// kept apart from Parse so that what the user wrote and what runs can both
// be shown (railyard check, golden tests). Calling it twice changes nothing.
//
// The sim section keeps its own layered defaults (Sim.Model resolves them
// per model), so it is left as written.
//
// A target weight of 0 becomes 1: an int cannot tell "unset" from 0, and
// draining a target is done by removing it.
func (c *Config) ApplyDefaults() {
	setDefault(&c.Listen, DefaultListen)
	setDefault(&c.Store, DefaultStore)
	s := &c.Server
	if s.MaxBodyBytes == 0 {
		s.MaxBodyBytes = DefaultMaxBodyBytes
	}
	setDefault(&s.ReadHeaderTimeout, DefaultReadHeaderTimeout)
	setDefault(&s.IdleTimeout, DefaultIdleTimeout)
	setDefault(&s.UpstreamTimeout, DefaultUpstreamTimeout)
	setDefault(&s.FirstByteTimeout, DefaultFirstByteTimeout)
	setDefault(&s.ShutdownTimeout, DefaultShutdownTimeout)
	setDefault(&c.Log.Level, DefaultLogLevel)
	setDefault(&c.Log.Format, DefaultLogFormat)
	c.Routing.applyDefaults()
	for i := range c.Providers {
		p := &c.Providers[i]
		p.BaseURL = p.EffectiveBaseURL()
		p.Dialect = p.EffectiveDialect()
		p.applyKindDefaults()
		setDefault(&p.Timeout, s.UpstreamTimeout)
	}
	for i := range c.Models {
		m := &c.Models[i]
		setDefault(&m.Route, RouteFailover)
		for j := range m.Targets {
			setDefault(&m.Targets[j].Weight, DefaultWeight)
		}
	}
}

func setDefault[T comparable](p *T, v T) {
	var zero T
	if *p == zero {
		*p = v
	}
}
