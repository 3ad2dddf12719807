package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"
)

// fileWire is the data file's shape. Provenance is written once per model
// (source, as_of) and inherited by each price, because one pricing page
// usually covers all of a model's rates; a price written as a mapping
// ({usd, source, as_of}) overrides either.
type fileWire struct {
	Models []modelWire `yaml:"models"`
}

type modelWire struct {
	ID            string     `yaml:"id"`
	Family        string     `yaml:"family"`
	Aliases       []string   `yaml:"aliases"`
	ContextWindow int        `yaml:"context_window"`
	MaxOutput     int        `yaml:"max_output"`
	Capabilities  []string   `yaml:"capabilities"`
	Source        string     `yaml:"source"`
	AsOf          string     `yaml:"as_of"`
	Prices        pricesWire `yaml:"prices"`
	Tiers         []tierWire `yaml:"tiers"`
	Note          string     `yaml:"note"`
}

type pricesWire struct {
	Input        *priceWire `yaml:"input"`
	Output       *priceWire `yaml:"output"`
	CacheRead    *priceWire `yaml:"cache_read"`
	CacheWrite   *priceWire `yaml:"cache_write"`
	CacheWrite1h *priceWire `yaml:"cache_write_1h"`
	Reasoning    *priceWire `yaml:"reasoning"`
}

type tierWire struct {
	AboveInputTokens int        `yaml:"above_input_tokens"`
	Prices           pricesWire `yaml:"prices"`
}

// priceWire is a price as written: a bare number (dollars per million
// tokens) or a mapping with its own provenance.
type priceWire struct {
	USD    string
	Source string
	AsOf   string
	line   int
}

func (p *priceWire) UnmarshalYAML(n *yaml.Node) error {
	p.line = n.Line
	switch n.Kind {
	case yaml.ScalarNode:
		p.USD = n.Value
		return nil
	case yaml.MappingNode:
		var m struct {
			USD    string `yaml:"usd"`
			Source string `yaml:"source"`
			AsOf   string `yaml:"as_of"`
		}
		if err := decodeStrict(n, &m); err != nil {
			return err
		}
		p.USD, p.Source, p.AsOf = m.USD, m.Source, m.AsOf
		return nil
	}
	return fmt.Errorf("line %d: a price is a number or {usd, source, as_of}", n.Line)
}

// decodeStrict decodes a node rejecting unknown keys, which yaml.Node.Decode
// alone does not.
func decodeStrict(n *yaml.Node, v any) error {
	out, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	d := yaml.NewDecoder(bytes.NewReader(out))
	d.KnownFields(true)
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("line %d: %v", n.Line, err)
	}
	return nil
}

// decode turns the data file into models, resolving inherited provenance.
// Unknown keys are errors so a typo ("cache_reads") cannot silently drop a
// price.
func decode(data []byte) ([]Model, error) {
	d := yaml.NewDecoder(bytes.NewReader(data))
	d.KnownFields(true)
	var f fileWire
	if err := d.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("catalog: empty data")
		}
		return nil, fmt.Errorf("catalog: %v", err)
	}
	var extra any
	if err := d.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, errors.New("catalog: data holds more than one YAML document")
	}
	models := make([]Model, 0, len(f.Models))
	for i, w := range f.Models {
		m, err := w.model()
		if err != nil {
			name := w.ID
			if name == "" {
				name = fmt.Sprintf("#%d", i)
			}
			return nil, fmt.Errorf("catalog: model %s: %v", name, err)
		}
		models = append(models, m)
	}
	return models, nil
}

func (w modelWire) model() (Model, error) {
	m := Model{
		ID:            strings.TrimSpace(w.ID),
		Aliases:       w.Aliases,
		Family:        Family(w.Family),
		ContextWindow: w.ContextWindow,
		MaxOutput:     w.MaxOutput,
		Note:          w.Note,
	}
	for _, c := range w.Capabilities {
		switch c {
		case "tools":
			m.Capabilities.Tools = true
		case "images":
			m.Capabilities.Images = true
		case "json_schema":
			m.Capabilities.JSONSchema = true
		case "reasoning":
			m.Capabilities.Reasoning = true
		case "embeddings":
			m.Capabilities.Embeddings = true
		default:
			return Model{}, fmt.Errorf("unknown capability %q (want tools, images, json_schema, reasoning, embeddings)", c)
		}
	}
	var err error
	if m.Prices, err = w.Prices.prices(w.Source, w.AsOf); err != nil {
		return Model{}, err
	}
	for _, t := range w.Tiers {
		p, err := t.Prices.prices(w.Source, w.AsOf)
		if err != nil {
			return Model{}, fmt.Errorf("tier above %d: %v", t.AboveInputTokens, err)
		}
		m.Tiers = append(m.Tiers, Tier{AboveInputTokens: t.AboveInputTokens, Prices: p})
	}
	return m, nil
}

func (w pricesWire) prices(source, asOf string) (Prices, error) {
	var p Prices
	for _, f := range []struct {
		name string
		in   *priceWire
		out  **Price
	}{
		{"input", w.Input, &p.Input},
		{"output", w.Output, &p.Output},
		{"cache_read", w.CacheRead, &p.CacheRead},
		{"cache_write", w.CacheWrite, &p.CacheWrite},
		{"cache_write_1h", w.CacheWrite1h, &p.CacheWrite1h},
		{"reasoning", w.Reasoning, &p.Reasoning},
	} {
		if f.in == nil {
			continue
		}
		r, err := ParseRate(f.in.USD)
		if err != nil {
			return Prices{}, fmt.Errorf("%s (line %d): %v", f.name, f.in.line, err)
		}
		pr := &Price{Rate: r, Source: source, AsOf: asOf}
		if f.in.Source != "" {
			pr.Source = f.in.Source
		}
		if f.in.AsOf != "" {
			pr.AsOf = f.in.AsOf
		}
		*f.out = pr
	}
	return p, nil
}
