package config

import (
	"fmt"
	"time"
)

// Sim configures the simulated model provider (`railyard sim`). Every
// SimModel field left out inherits from Defaults, and every field left out
// of Defaults takes the built-in default stated on the field, so an empty
// Sim is a sensible demo.
type Sim struct {
	// Listen is the address `railyard sim` serves on. Default 127.0.0.1:4001.
	Listen string `yaml:"listen"`
	// Seed makes every random choice (fault draws, lorem text, ids)
	// reproducible. Default 0, which is a seed like any other.
	Seed int64 `yaml:"seed"`
	// Defaults applies to every model, listed or not.
	Defaults SimModel `yaml:"defaults"`
	// Models override Defaults per model name. A request for a model that
	// no entry names is served with Defaults.
	Models []SimModel `yaml:"models"`
}

// SimModel is the behaviour of one simulated model. Pointer fields
// distinguish "absent" (inherit) from an explicit zero.
type SimModel struct {
	// Name is the model name clients send. Ignored in Defaults.
	Name string `yaml:"name"`
	// Latency set to "off" zeroes overhead, prefill and inter-token latency
	// (for benchmarks of the gateway itself). Default "on".
	Latency string `yaml:"latency"`
	// Overhead is the fixed part of the time to first token. Default 20ms.
	Overhead *time.Duration `yaml:"overhead"`
	// PrefillPerToken is the time to first token added per prompt token not
	// found in the prefix cache. Default 10µs (1ms per 100 tokens).
	PrefillPerToken *time.Duration `yaml:"prefill_per_token"`
	// InterTokenLatency is the time between two output tokens. Default 5ms.
	InterTokenLatency *time.Duration `yaml:"inter_token_latency"`
	// BatchSize is the number of requests the model runs at once; as the
	// running count approaches it, latencies stretch by LoadFactor.
	// Default 16.
	BatchSize *int `yaml:"batch_size"`
	// LoadFactor multiplies time to first token and inter-token latency
	// when BatchSize requests run: the factor is
	// 1 + (load_factor-1)*(running-1)/(batch_size-1). Default 1 (no effect).
	LoadFactor *float64 `yaml:"load_factor"`
	// Reply is how reply text is made: echo (the last user turn's text),
	// lorem (seeded lorem ipsum) or fixed (Text). Default echo.
	Reply string `yaml:"reply"`
	// Text is the reply for reply: fixed. Default empty.
	Text string `yaml:"text"`
	// OutputTokens is the length of an echo or lorem reply in tokens; the
	// request's max tokens caps it further (stop reason max_tokens).
	// Default 24.
	OutputTokens *int `yaml:"output_tokens"`
	// Tools is auto (call a tool when the request offers tools, allows
	// them and its last user turn is not tool results) or never. Default auto.
	Tools string `yaml:"tools"`
	// ParallelToolCalls is how many of the offered tools one reply calls at
	// most (when the request allows parallel calls). Default 1.
	ParallelToolCalls *int `yaml:"parallel_tool_calls"`
	// ReasoningTokens is the length of the reasoning part emitted first
	// when a request asks for reasoning; 0 never emits one. Default 16.
	ReasoningTokens *int `yaml:"reasoning_tokens"`
	// PrefixCacheBlocks is the prefix cache's capacity in blocks of 16
	// tokens, evicted least recently used; 0 disables it. Default 1024.
	PrefixCacheBlocks *int `yaml:"prefix_cache_blocks"`
	// Faults are injected failures, each drawn independently per request.
	// Default none. A model's list replaces the defaults' list when given,
	// so `faults: []` turns inherited faults off.
	Faults []SimFault `yaml:"faults"`
}

// SimFault is one injected failure.
type SimFault struct {
	// Kind is status (an error reply), disconnect (the connection is cut
	// after AfterTokens tokens), slow_headers (Delay before the response
	// headers) or malformed (a broken JSON event after AfterTokens tokens).
	Kind string `yaml:"kind"`
	// Status is the HTTP status of a status fault, such as 500, 429 or 529.
	// Default 500.
	Status int `yaml:"status"`
	// Rate is the probability (0..1) that the fault hits a request.
	// Default 1: every request.
	Rate *float64 `yaml:"rate"`
	// AfterTokens is how many output tokens a disconnect or malformed fault
	// lets through first. Default 0.
	AfterTokens int `yaml:"after_tokens"`
	// Delay is how long slow_headers waits. Default 1s.
	Delay time.Duration `yaml:"delay"`
	// RetryAfter, when set, is sent as Retry-After with a status fault.
	// Default none.
	RetryAfter time.Duration `yaml:"retry_after"`
}

// Simulator fault kinds.
const (
	SimFaultStatus      = "status"
	SimFaultDisconnect  = "disconnect"
	SimFaultSlowHeaders = "slow_headers"
	SimFaultMalformed   = "malformed"
)

// DefaultSimListen is the simulator's default listen address.
const DefaultSimListen = "127.0.0.1:4001"

// SimBuiltin returns the built-in defaults, every field set.
func SimBuiltin() SimModel {
	return SimModel{
		Latency:           "on",
		Overhead:          ptr(20 * time.Millisecond),
		PrefillPerToken:   ptr(10 * time.Microsecond),
		InterTokenLatency: ptr(5 * time.Millisecond),
		BatchSize:         ptr(16),
		LoadFactor:        ptr(1.0),
		Reply:             "echo",
		OutputTokens:      ptr(24),
		Tools:             "auto",
		ParallelToolCalls: ptr(1),
		ReasoningTokens:   ptr(16),
		PrefixCacheBlocks: ptr(1024),
		Faults:            []SimFault{},
	}
}

func ptr[T any](v T) *T { return &v }

// ListenAddr is Listen or its default.
func (s Sim) ListenAddr() string {
	if s.Listen == "" {
		return DefaultSimListen
	}
	return s.Listen
}

// Model returns the resolved settings for a model name: the entry of that
// name over Defaults over SimBuiltin, with every pointer set and latency
// zeroed when latency is off. Fault defaults are filled in too.
func (s Sim) Model(name string) SimModel {
	m := s.Defaults.Over(SimBuiltin())
	for _, e := range s.Models {
		if e.Name == name {
			m = e.Over(m)
			break
		}
	}
	m.Name = name
	if m.Latency == "off" {
		m.Overhead, m.PrefillPerToken, m.InterTokenLatency = ptr(time.Duration(0)), ptr(time.Duration(0)), ptr(time.Duration(0))
	}
	faults := make([]SimFault, len(m.Faults))
	for i, f := range m.Faults {
		if f.Kind == SimFaultStatus && f.Status == 0 {
			f.Status = 500
		}
		if f.Rate == nil {
			f.Rate = ptr(1.0)
		}
		if f.Kind == SimFaultSlowHeaders && f.Delay == 0 {
			f.Delay = time.Second
		}
		faults[i] = f
	}
	m.Faults = faults
	return m
}

// Over returns m with every field it leaves unset taken from base.
func (m SimModel) Over(base SimModel) SimModel {
	out := base
	if m.Name != "" {
		out.Name = m.Name
	}
	if m.Latency != "" {
		out.Latency = m.Latency
	}
	if m.Reply != "" {
		out.Reply = m.Reply
	}
	if m.Text != "" {
		out.Text = m.Text
	}
	if m.Tools != "" {
		out.Tools = m.Tools
	}
	if m.Faults != nil {
		out.Faults = m.Faults
	}
	setIf(&out.Overhead, m.Overhead)
	setIf(&out.PrefillPerToken, m.PrefillPerToken)
	setIf(&out.InterTokenLatency, m.InterTokenLatency)
	setIf(&out.BatchSize, m.BatchSize)
	setIf(&out.LoadFactor, m.LoadFactor)
	setIf(&out.OutputTokens, m.OutputTokens)
	setIf(&out.ParallelToolCalls, m.ParallelToolCalls)
	setIf(&out.ReasoningTokens, m.ReasoningTokens)
	setIf(&out.PrefixCacheBlocks, m.PrefixCacheBlocks)
	return out
}

func setIf[T any](dst **T, v *T) {
	if v != nil {
		*dst = v
	}
}

// Validate reports the first setting of s that the simulator cannot use.
func (s Sim) Validate() error {
	if err := s.Defaults.validate("sim.defaults"); err != nil {
		return err
	}
	seen := map[string]bool{}
	for i, m := range s.Models {
		where := fmt.Sprintf("sim.models[%d]", i)
		if m.Name == "" {
			return fmt.Errorf("%s: name is required", where)
		}
		if seen[m.Name] {
			return fmt.Errorf("%s: duplicate model name %q", where, m.Name)
		}
		seen[m.Name] = true
		if err := m.validate(where); err != nil {
			return err
		}
	}
	return nil
}

func (m SimModel) validate(where string) error {
	switch m.Latency {
	case "", "on", "off":
	default:
		return fmt.Errorf("%s.latency: %q is not on or off", where, m.Latency)
	}
	switch m.Reply {
	case "", "echo", "lorem", "fixed":
	default:
		return fmt.Errorf("%s.reply: %q is not echo, lorem or fixed", where, m.Reply)
	}
	switch m.Tools {
	case "", "auto", "never":
	default:
		return fmt.Errorf("%s.tools: %q is not auto or never", where, m.Tools)
	}
	for name, d := range map[string]*time.Duration{"overhead": m.Overhead, "prefill_per_token": m.PrefillPerToken, "inter_token_latency": m.InterTokenLatency} {
		if d != nil && *d < 0 {
			return fmt.Errorf("%s.%s: must not be negative", where, name)
		}
	}
	for name, n := range map[string]*int{"batch_size": m.BatchSize, "output_tokens": m.OutputTokens, "parallel_tool_calls": m.ParallelToolCalls, "reasoning_tokens": m.ReasoningTokens, "prefix_cache_blocks": m.PrefixCacheBlocks} {
		if n != nil && *n < 0 {
			return fmt.Errorf("%s.%s: must not be negative", where, name)
		}
	}
	if m.LoadFactor != nil && *m.LoadFactor < 1 {
		return fmt.Errorf("%s.load_factor: must be at least 1", where)
	}
	for i, f := range m.Faults {
		fw := fmt.Sprintf("%s.faults[%d]", where, i)
		switch f.Kind {
		case SimFaultStatus:
			if f.Status != 0 && (f.Status < 400 || f.Status > 599) {
				return fmt.Errorf("%s.status: %d is not an error status", fw, f.Status)
			}
		case SimFaultDisconnect, SimFaultSlowHeaders, SimFaultMalformed:
		default:
			return fmt.Errorf("%s.kind: %q is not status, disconnect, slow_headers or malformed", fw, f.Kind)
		}
		if f.Rate != nil && (*f.Rate < 0 || *f.Rate > 1) {
			return fmt.Errorf("%s.rate: %v is not between 0 and 1", fw, *f.Rate)
		}
		if f.AfterTokens < 0 || f.Delay < 0 || f.RetryAfter < 0 {
			return fmt.Errorf("%s: after_tokens, delay and retry_after must not be negative", fw)
		}
	}
	return nil
}
