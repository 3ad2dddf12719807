package server

import (
	"github.com/railyard-ai/railyard/internal/catalog"
)

// Catalog supplies model facts (limits, prices, capabilities) for the
// model list; *catalog.Catalog implements it.
type Catalog interface {
	Lookup(model string) (catalog.Model, bool)
}

// modelFacts are railyard's extra fields on a model list entry: what the
// name routes to and, from the catalog, the first target's limits, prices
// and capabilities. Clients that do not know them ignore them.
type modelFacts struct {
	Targets       []string      `json:"targets,omitempty"`
	ContextWindow int           `json:"context_window,omitempty"`
	MaxOutput     int           `json:"max_output_tokens,omitempty"`
	Capabilities  []string      `json:"capabilities,omitempty"`
	Pricing       *modelPricing `json:"pricing,omitempty"`
}

// modelPricing is in US dollars per million tokens.
type modelPricing struct {
	Input      *float64 `json:"input,omitempty"`
	Output     *float64 `json:"output,omitempty"`
	CacheRead  *float64 `json:"cache_read,omitempty"`
	CacheWrite *float64 `json:"cache_write,omitempty"`
	Reasoning  *float64 `json:"reasoning,omitempty"`
	Source     string   `json:"source,omitempty"`
	AsOf       string   `json:"as_of,omitempty"`
}

// facts describes name: its targets, and the catalog entry of the first
// target model the catalog knows.
func (s *Server) facts(name string) modelFacts {
	var f modelFacts
	rt, err := s.gw.Table().Resolve(name)
	if err != nil {
		return f
	}
	var entry *catalog.Model
	for _, t := range rt.Targets {
		f.Targets = append(f.Targets, t.Provider.Name+"/"+t.Model)
		if entry != nil || s.opts.Catalog == nil {
			continue
		}
		if m, ok := s.opts.Catalog.Lookup(t.Model); ok {
			entry = &m
		}
	}
	if entry == nil {
		return f
	}
	f.ContextWindow, f.MaxOutput = entry.ContextWindow, entry.MaxOutput
	c := entry.Capabilities
	for _, cap := range []struct {
		on   bool
		name string
	}{{c.Tools, "tools"}, {c.Images, "images"}, {c.JSONSchema, "json_schema"}, {c.Reasoning, "reasoning"}, {c.Embeddings, "embeddings"}} {
		if cap.on {
			f.Capabilities = append(f.Capabilities, cap.name)
		}
	}
	p := entry.Prices
	mp := &modelPricing{Input: usd(p.Input), Output: usd(p.Output), CacheRead: usd(p.CacheRead), CacheWrite: usd(p.CacheWrite), Reasoning: usd(p.Reasoning)}
	if p.Input != nil {
		mp.Source, mp.AsOf = p.Input.Source, p.Input.AsOf
	}
	if mp.Input != nil || mp.Output != nil {
		f.Pricing = mp
	}
	return f
}

func usd(p *catalog.Price) *float64 {
	if p == nil {
		return nil
	}
	v := p.Rate.USDPerMTok()
	return &v
}
