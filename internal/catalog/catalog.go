// Package catalog knows what models cost and what they can do: prices per
// million tokens (input, output, cache read, cache write, reasoning), context
// window, output limit and capabilities, for every model railyard can route
// to. The data ships inside the binary (data/models.yaml, go:embed) so a
// fresh install prices replies with no network and no config; config can
// later replace or add entries with Override.
//
// Every price carries the URL it was taken from and the date it was checked,
// because prices change and an operator must be able to tell a stale number
// from a wrong one. A price taken from a third-party list rather than the
// provider's own page says so in its source ("secondary: URL"). Models whose
// price could not be confirmed are left out rather than guessed: an unknown
// model has no cost, which is visible, while a guessed cost is silently
// wrong.
//
// A Catalog is immutable after Load or Override, so it is safe for
// concurrent use and a config reload swaps in a new one.
package catalog

import (
	_ "embed"
	"fmt"
	"os"
	"sort"
	"strings"
)

// embedded is the built-in catalog. It is the only package-level state and
// is never written.
//
//go:embed data/models.yaml
var embedded []byte

// Family is the provider family whose price list a model belongs to.
type Family string

// The families the embedded catalog covers.
const (
	FamilyOpenAI    Family = "openai"
	FamilyAnthropic Family = "anthropic"
	FamilyBedrock   Family = "bedrock"
	FamilyGemini    Family = "gemini"
	FamilyDeepSeek  Family = "deepseek"
	FamilyQwen      Family = "qwen"
	FamilyMistral   Family = "mistral"
	FamilySim       Family = "sim"
	// FamilySelfHosted is for entries an operator adds for its own fleet
	// (a GPU cost model); the embedded catalog has none.
	FamilySelfHosted Family = "self-hosted"
)

// Families lists every known family, in a stable order.
func Families() []Family {
	return []Family{FamilyOpenAI, FamilyAnthropic, FamilyBedrock, FamilyGemini,
		FamilyDeepSeek, FamilyQwen, FamilyMistral, FamilySim, FamilySelfHosted}
}

func knownFamily(f Family) bool {
	for _, k := range Families() {
		if f == k {
			return true
		}
	}
	return false
}

// Capabilities says what a model accepts or does. A false value means "not
// supported or not known to be"; routing should treat it as unsupported.
type Capabilities struct {
	Tools      bool
	Images     bool
	JSONSchema bool
	Reasoning  bool
	Embeddings bool
}

// Price is one rate with its provenance.
type Price struct {
	Rate Rate
	// Source is the URL of the provider's pricing page or model doc the rate
	// was read from; "secondary: URL" for a rate read in a third-party price
	// list because the provider's own page could not be (see Secondary);
	// "operator: NOTE" for an operator's override; or "simulated" for the
	// built-in simulator's nominal prices.
	Source string
	// AsOf is the date (YYYY-MM-DD) the rate was checked against Source.
	AsOf string
}

// Prices are a model's rates. A nil field means the provider publishes no
// separate rate for it; Cost then falls back as documented there.
type Prices struct {
	Input  *Price
	Output *Price
	// CacheRead is the rate for prompt tokens served from the cache
	// (OpenAI "cached input", Anthropic "cache hits", Gemini "context
	// caching", DeepSeek "cache hit").
	CacheRead *Price
	// CacheWrite is the rate for prompt tokens written to the cache; for
	// Anthropic it is the 5-minute write, the default TTL.
	CacheWrite *Price
	// CacheWrite1h is Anthropic's 1-hour cache write. llm.Usage does not
	// split writes by TTL, so Cost does not use it; it is kept so the
	// ledger can once it does.
	CacheWrite1h *Price
	// Reasoning is set only where reasoning tokens are billed differently
	// from other output tokens.
	Reasoning *Price
}

// Tier replaces some of a model's rates when a call's prompt is long, as
// Gemini 2.5 Pro does above 200k tokens. The whole call is billed at the
// tier's rates, as those providers bill it; fields a tier leaves nil keep
// the base rate.
type Tier struct {
	// AboveInputTokens: the tier applies when llm.Usage.InputTokens (cache
	// reads and writes included) is greater than this.
	AboveInputTokens int
	Prices           Prices
}

// Model is one catalog entry.
type Model struct {
	// ID is the provider's model name, e.g. "gpt-4.1-mini".
	ID string
	// Aliases are other exact names for the same model and price: dated
	// snapshots ("gpt-4.1-mini-2025-04-14") and Bedrock model ids.
	Aliases []string
	Family  Family
	// ContextWindow and MaxOutput are token limits; 0 means unknown.
	ContextWindow int
	MaxOutput     int
	Capabilities  Capabilities
	Prices        Prices
	// Tiers are long-prompt rates, ordered by AboveInputTokens ascending.
	Tiers []Tier
	// Note records caveats about the entry (retired on some platforms, a
	// price tier not modelled). It is for people, never parsed.
	Note string
}

// Catalog is a validated, indexed set of models.
type Catalog struct {
	models []Model         // sorted by ID
	byName map[string]int  // lower-cased id or alias -> index in models
	ids    map[string]bool // lower-cased ids, for the date-suffix fallback
}

// Load parses and validates the embedded catalog.
func Load() (*Catalog, error) { return Parse(embedded) }

// Parse parses and validates catalog data in the embedded file's format.
// It is exported so config can load a whole replacement file and so tests
// can feed bad data; errors name the entry and field at fault.
func Parse(data []byte) (*Catalog, error) {
	models, err := decode(data)
	if err != nil {
		return nil, err
	}
	return build(models)
}

// build validates models and indexes them.
func build(models []Model) (*Catalog, error) {
	if err := validate(models); err != nil {
		return nil, err
	}
	c := &Catalog{
		models: make([]Model, len(models)),
		byName: make(map[string]int),
		ids:    make(map[string]bool),
	}
	for i := range models {
		c.models[i] = models[i].clone()
	}
	sort.Slice(c.models, func(i, j int) bool { return c.models[i].ID < c.models[j].ID })
	for i, m := range c.models {
		c.byName[key(m.ID)] = i
		c.ids[key(m.ID)] = true
		for _, a := range m.Aliases {
			c.byName[key(a)] = i
		}
	}
	return c, nil
}

// Models returns a copy of every entry, sorted by ID.
func (c *Catalog) Models() []Model {
	out := make([]Model, len(c.models))
	for i, m := range c.models {
		out[i] = m.clone()
	}
	return out
}

// Len is the number of entries.
func (c *Catalog) Len() int { return len(c.models) }

// Override returns a new catalog in which each of entries replaces the entry
// with the same ID, or is added if there is none; c itself is unchanged, so
// requests already holding it keep a consistent view during a config
// reload. The result is validated like the embedded data: an alias that
// another remaining entry already claims is an error, not a silent steal.
func (c *Catalog) Override(entries []Model) (*Catalog, error) {
	merged := make([]Model, 0, len(c.models)+len(entries))
	replaced := make(map[string]bool, len(entries))
	for _, e := range entries {
		replaced[key(e.ID)] = true
	}
	for _, m := range c.models {
		if !replaced[key(m.ID)] {
			merged = append(merged, m)
		}
	}
	merged = append(merged, entries...)
	return build(merged)
}

func key(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// clone copies the slices and pointers of m so callers cannot change a
// catalog through a returned Model.
func (m Model) clone() Model {
	m.Aliases = append([]string(nil), m.Aliases...)
	m.Prices = m.Prices.clone()
	if m.Tiers != nil {
		tiers := make([]Tier, len(m.Tiers))
		for i, t := range m.Tiers {
			tiers[i] = Tier{AboveInputTokens: t.AboveInputTokens, Prices: t.Prices.clone()}
		}
		m.Tiers = tiers
	}
	return m
}

// clone copies the prices into one allocation (Lookup clones on every
// call, and routing and governance look a model up per request).
func (p Prices) clone() Prices {
	ptrs := [...]**Price{&p.Input, &p.Output, &p.CacheRead, &p.CacheWrite, &p.CacheWrite1h, &p.Reasoning}
	n := 0
	for _, x := range ptrs {
		if *x != nil {
			n++
		}
	}
	if n == 0 {
		return p
	}
	all := make([]Price, 0, n) // exact capacity: the pointers below stay valid
	for _, x := range ptrs {
		if *x != nil {
			all = append(all, **x)
			*x = &all[len(all)-1]
		}
	}
	return p
}

// LoadWithOverrides is the embedded catalog with the entries of the file at
// path (the embedded file's format) replacing or adding entries by ID: how
// an operator prices a negotiated rate or a model the catalog lacks. An
// empty path is the embedded catalog alone.
func LoadWithOverrides(path string) (*Catalog, error) {
	c, err := Load()
	if err != nil || path == "" {
		return c, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("catalog overrides: %w", err)
	}
	models, err := decode(data)
	if err != nil {
		return nil, fmt.Errorf("catalog overrides %s: %w", path, err)
	}
	out, err := c.Override(models)
	if err != nil {
		return nil, fmt.Errorf("catalog overrides %s: %w", path, err)
	}
	return out, nil
}
