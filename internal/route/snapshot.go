package route

import (
	"math"
	"sort"
	"time"
)

// TargetHealth is one configured target's live state as an operator sees
// it: what the table says of it (model alias, policy, capacity) beside
// what Health has measured. Zero values mean not configured or not known
// yet.
type TargetHealth struct {
	Model         string // the configured model name (the alias clients ask for)
	Policy        string
	Provider      string
	UpstreamModel string
	Tags          []string // the provider's routing tags
	Breaker       BreakerState
	// FirstByte and PerToken are the latency averages routing uses
	// (Stats.FirstByte and Stats.PerToken), faded while idle.
	FirstByte, PerToken time.Duration
	ErrorRate           float64
	InFlight            int
	Samples             int
	Capacity            Capacity
	// Used is the capacity in use: requests in flight, and requests and
	// tokens over the last minute (counted only for a target with an rpm
	// or tpm bound).
	Used Capacity
}

// Routes returns the configured models' routes, sorted by name.
func (t *Table) Routes() []*Route {
	out := make([]*Route, 0, len(t.models))
	for _, r := range t.models {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Snapshot reads the live state of every target of t's configured models,
// in model then config order, then of the direct targets (a provider's
// model asked for by name, "provider/model") that have had traffic, by
// provider and model. It only reads: a configured target Health has not
// seen yet shows zeros and is not added.
func (h *Health) Snapshot(t *Table) []TargetHealth {
	now := h.opts.Now()
	h.mu.Lock()
	bs := h.opts.Breaker
	h.mu.Unlock()
	var out []TargetHealth
	configured := map[Key]bool{}
	for _, r := range t.Routes() {
		for _, tg := range r.Targets {
			configured[tg.key()] = true
			th := TargetHealth{Model: r.Name, Policy: r.Policy.Name(), Provider: tg.Provider.Name,
				UpstreamModel: tg.Model, Tags: tg.Provider.Tags, Capacity: tg.Capacity}
			h.mu.Lock()
			s := h.targets[tg.key()]
			h.mu.Unlock()
			if s != nil {
				s.snapshot(&th, now, bs, h.opts.Decay)
			}
			out = append(out, th)
		}
	}
	type seen struct {
		k Key
		s *targetState
	}
	var direct []seen
	h.mu.Lock()
	for k, s := range h.targets {
		if _, ok := t.providers[k.Provider]; ok && !configured[k] {
			direct = append(direct, seen{k, s})
		}
	}
	h.mu.Unlock()
	sort.Slice(direct, func(i, j int) bool {
		a, b := direct[i].k, direct[j].k
		return a.Provider < b.Provider || a.Provider == b.Provider && a.Model < b.Model
	})
	for _, d := range direct {
		p := t.providers[d.k.Provider]
		th := TargetHealth{Model: p.Name + "/" + d.k.Model, Policy: Failover{}.Name(), Provider: p.Name, UpstreamModel: d.k.Model, Tags: p.Tags}
		d.s.snapshot(&th, now, bs, h.opts.Decay)
		out = append(out, th)
	}
	return out
}

// snapshot fills th from s, fading the averages as Stats does. An open
// breaker whose cooldown has passed shows as half-open: the next request
// is its probe.
func (s *targetState) snapshot(th *TargetHealth, now time.Time, bs BreakerSettings, decay time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fade := 1.0
	if !s.last.IsZero() && s.inflight == 0 {
		fade = fadeFactor(now.Sub(s.last), decay)
	}
	th.FirstByte = time.Duration(s.firstByte * fade)
	th.PerToken = time.Duration(s.perToken * fade)
	th.ErrorRate = s.errRate * fade
	th.InFlight, th.Samples = s.inflight, s.samples
	th.Breaker = s.br.state
	if th.Breaker == BreakerOpen && now.Sub(s.br.openedAt) >= bs.Cooldown {
		th.Breaker = BreakerHalfOpen
	}
	reqs, toks := s.win.sum(now.Unix())
	th.Used = Capacity{Concurrency: s.inflight, RPM: int(reqs), TPM: int(toks)}
}

// fadeFactor is how much of an average is left after idle: e^-idle/decay.
func fadeFactor(idle, decay time.Duration) float64 {
	return math.Exp(-float64(idle) / float64(decay))
}
