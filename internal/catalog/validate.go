package catalog

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// validate checks what Cost and Lookup rely on: unique ids and aliases
// (across ids too, case-insensitively, since Lookup is), a known family,
// input and output prices on every model, provenance on every price, and
// sane limits. Rates cannot be negative by construction (ParseRate), but a
// Model built in Go can hold anything, so the sign is checked here too.
func validate(models []Model) error {
	if len(models) == 0 {
		return errors.New("catalog: no models")
	}
	owner := make(map[string]string)
	var errs []error
	add := func(id, format string, args ...any) {
		errs = append(errs, fmt.Errorf("catalog: model %s: %s", id, fmt.Sprintf(format, args...)))
	}
	claim := func(id, name string) {
		k := key(name)
		if k == "" {
			add(id, "empty alias")
			return
		}
		if strings.ContainsAny(k, " \t\r\n") {
			add(id, "name %q contains whitespace", name)
		}
		if prev, ok := owner[k]; ok {
			add(id, "name %q is already used by %s", name, prev)
			return
		}
		owner[k] = id
	}
	for i, m := range models {
		id := m.ID
		if strings.TrimSpace(id) == "" {
			add(fmt.Sprintf("#%d", i), "missing id")
			continue
		}
		claim(id, id)
		for _, a := range m.Aliases {
			claim(id, a)
		}
		if !knownFamily(m.Family) {
			add(id, "unknown family %q", m.Family)
		}
		if m.ContextWindow < 0 || m.MaxOutput < 0 {
			add(id, "negative context_window or max_output")
		}
		if m.Prices.Input == nil {
			add(id, "no input price")
		}
		if m.Prices.Output == nil {
			add(id, "no output price (write 0 for embedding models)")
		}
		for _, e := range checkPrices(m.Prices) {
			add(id, "%v", e)
		}
		last := 0
		for _, t := range m.Tiers {
			if t.AboveInputTokens <= last {
				add(id, "tiers must have increasing above_input_tokens > 0")
			}
			last = t.AboveInputTokens
			for _, e := range checkPrices(t.Prices) {
				add(id, "tier above %d: %v", t.AboveInputTokens, e)
			}
		}
	}
	return errors.Join(errs...)
}

func checkPrices(p Prices) []error {
	var errs []error
	for _, f := range []struct {
		name string
		p    *Price
	}{
		{"input", p.Input}, {"output", p.Output}, {"cache_read", p.CacheRead},
		{"cache_write", p.CacheWrite}, {"cache_write_1h", p.CacheWrite1h}, {"reasoning", p.Reasoning},
	} {
		if f.p == nil {
			continue
		}
		if f.p.Rate < 0 || f.p.Rate > maxRate {
			errs = append(errs, fmt.Errorf("%s price %d out of range", f.name, f.p.Rate))
		}
		if err := checkSource(f.p.Source); err != nil {
			errs = append(errs, fmt.Errorf("%s price: %v", f.name, err))
		}
		if _, err := time.Parse(time.DateOnly, f.p.AsOf); err != nil {
			errs = append(errs, fmt.Errorf("%s price: as_of %q is not a YYYY-MM-DD date", f.name, f.p.AsOf))
		}
	}
	return errs
}

// checkSource accepts an https URL (the provider's own page or doc), the
// word "simulated", which marks the simulator's made-up prices so nobody
// mistakes them for real ones, "operator: NOTE" for a price an operator set
// in an override file (a negotiated rate, a GPU cost model), which has no
// public page, or "secondary: URL" for a price read in a reputable
// third-party price list because the provider's own page could not be read:
// the prefix keeps such a figure from ever passing for a first-party one.
func checkSource(s string) error {
	if s == "simulated" {
		return nil
	}
	if note, ok := strings.CutPrefix(s, "operator:"); ok && strings.TrimSpace(note) != "" {
		return nil
	}
	target, secondary := strings.CutPrefix(s, secondaryPrefix)
	if secondary {
		target = strings.TrimSpace(target)
	}
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("source %q is not an https URL, \"secondary: URL\", \"simulated\" or \"operator: NOTE\"", s)
	}
	return nil
}

// secondaryPrefix marks a source that is not the provider's own.
const secondaryPrefix = "secondary:"

// Secondary reports whether the price was read in a third-party price list
// rather than on the provider's own page ("secondary: URL" sources).
func (p Price) Secondary() bool { return strings.HasPrefix(p.Source, secondaryPrefix) }
