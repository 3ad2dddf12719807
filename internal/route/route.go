// Package route decides which provider models may serve a request and in
// what order to try them. The table (what the config says) is kept apart
// from policies (how to order), so live state added later survives reloads.
package route

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/google/cel-go/cel"

	"github.com/railyard-ai/railyard/internal/config"
	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/provider"
)

// Target is one provider model that can serve a request.
type Target struct {
	Provider *provider.Provider
	Model    string
	Weight   int
	// Capacity bounds what the target takes; zero bounds nothing.
	Capacity Capacity
}

// Route is the resolved plan for a model name: a policy and its targets.
type Route struct {
	// Name is the model name the client asked for.
	Name    string
	Policy  Policy
	Targets []Target
	// Rules adjust routing per request, in order.
	Rules []*Rule
	// Retries is how many more rounds over the targets may follow.
	Retries int
}

// Policy orders a route's targets for one request. Policies are small,
// one-method types; live state (health, latency) is passed in, never kept
// in the policy, so a config reload loses none of it.
type Policy interface {
	// Name is the policy as written in config and in x-railyard-route.
	Name() string
	// Order returns the targets to try, first choice first.
	Order(p *Pick) []Target
}

// Failover tries targets in the order the config lists them.
type Failover struct{}

var _ Policy = Failover{}

// Name implements Policy.
func (Failover) Name() string { return "failover" }

// Order implements Policy.
func (Failover) Order(p *Pick) []Target { return p.Targets }

// Table maps model names to routes.
type Table struct {
	models    map[string]*Route
	providers map[string]*provider.Provider
	order     []string // provider names in config order
	res       Resilience
}

// NewTable builds the routing table from config and built providers.
func NewTable(models []config.Model, providers []*provider.Provider) (*Table, error) {
	t := &Table{models: make(map[string]*Route), providers: make(map[string]*provider.Provider)}
	for _, p := range providers {
		t.providers[p.Name] = p
		t.order = append(t.order, p.Name)
	}
	var env *cel.Env // built when the first rule needs it
	for _, m := range models {
		policy, err := policyFor(m.Route)
		if err != nil {
			return nil, fmt.Errorf("model %q: %w", m.Name, err)
		}
		r := &Route{Name: m.Name, Policy: policy, Retries: m.Retries}
		for _, tc := range m.Targets {
			p, ok := t.providers[tc.Provider]
			if !ok {
				return nil, fmt.Errorf("model %q: target provider %q is not defined", m.Name, tc.Provider)
			}
			tg := Target{Provider: p, Model: tc.Model, Weight: tc.Weight}
			if c := tc.Capacity; c != nil {
				tg.Capacity = Capacity{Concurrency: c.Concurrency, RPM: c.RPM, TPM: c.TPM}
			}
			r.Targets = append(r.Targets, tg)
		}
		for i, rc := range m.Rules {
			if env == nil {
				if env, err = celEnv(); err != nil {
					return nil, fmt.Errorf("rules: %w", err)
				}
			}
			rule, err := compileRule(env, i, rc)
			if err != nil {
				return nil, fmt.Errorf("model %q: %w", m.Name, err)
			}
			r.Rules = append(r.Rules, rule)
		}
		if len(r.Targets) == 0 {
			return nil, fmt.Errorf("model %q has no targets", m.Name)
		}
		t.models[m.Name] = r
	}
	return t, nil
}

// policyFor builds a fresh policy by name. Each route gets its own, so the
// weighted policy's rotation is per model.
func policyFor(name string) (Policy, error) {
	switch name {
	case "", config.RouteFailover:
		return Failover{}, nil
	case config.RouteWeighted:
		return &Weighted{}, nil
	case config.RouteLatency:
		return NewLatency(uint64(time.Now().UnixNano())), nil
	case config.RouteCost:
		return Cost{}, nil
	case config.RouteSpillover:
		return Spillover{}, nil
	}
	return nil, fmt.Errorf("unknown route policy %q (have: %s)", name, strings.Join(config.Routes(), ", "))
}

// Resolve finds the route for a model name: a configured model first, then
// provider/model for a provider that serves it, then a bare name that
// exactly one provider lists. An unknown name is a 404 *llm.Error.
func (t *Table) Resolve(model string) (*Route, error) {
	if r, ok := t.models[model]; ok {
		return r, nil
	}
	if name, upstream, ok := strings.Cut(model, "/"); ok {
		if p, ok := t.providers[name]; ok && upstream != "" && p.Serves(upstream) {
			return &Route{Name: model, Policy: Failover{}, Targets: []Target{{Provider: p, Model: upstream, Weight: 1}}}, nil
		}
	}
	var targets []Target
	for _, name := range t.order {
		p := t.providers[name]
		if len(p.Models) > 0 && p.Serves(model) {
			targets = append(targets, Target{Provider: p, Model: model, Weight: 1})
		}
	}
	if len(targets) > 0 {
		return &Route{Name: model, Policy: Failover{}, Targets: targets}, nil
	}
	return nil, &llm.Error{
		Status:  http.StatusNotFound,
		Kind:    llm.ErrNotFound,
		Param:   "model",
		Message: fmt.Sprintf("model %q is not served here; GET /v1/models lists what is", model),
	}
}

// ModelNames lists every name a client may ask for: configured models, then
// provider/model for each model a provider lists, sorted within each group.
func (t *Table) ModelNames() []string {
	var names []string
	for n := range t.models {
		names = append(names, n)
	}
	sort.Strings(names)
	var direct []string
	for _, pn := range t.order {
		for _, m := range t.providers[pn].Models {
			direct = append(direct, pn+"/"+m)
		}
	}
	sort.Strings(direct)
	return append(names, direct...)
}

// Providers returns the providers in config order.
func (t *Table) Providers() []*provider.Provider {
	out := make([]*provider.Provider, 0, len(t.order))
	for _, n := range t.order {
		out = append(out, t.providers[n])
	}
	return out
}

// Resilience are the table-wide retry, breaker and timeout settings.
type Resilience struct {
	Breaker BreakerSettings
	// RetryBackoff is the first retry round's base wait; it doubles each
	// round, jittered, capped by RetryBackoffMax (which also caps the
	// Retry-After railyard is willing to wait for).
	RetryBackoff, RetryBackoffMax time.Duration
	// StreamIdleTimeout bounds the silence between upstream bytes.
	StreamIdleTimeout time.Duration
}

// WithDefaults fills zero fields with config's defaults.
func (r Resilience) WithDefaults() Resilience {
	r.Breaker = r.Breaker.withDefaults()
	if r.RetryBackoff <= 0 {
		r.RetryBackoff = config.DefaultRetryBackoff
	}
	if r.RetryBackoffMax <= 0 {
		r.RetryBackoffMax = config.DefaultRetryBackoffMax
	}
	if r.StreamIdleTimeout <= 0 {
		r.StreamIdleTimeout = config.DefaultStreamIdleTimeout
	}
	return r
}

// ResilienceFrom reads the routing section of a config.
func ResilienceFrom(c config.Routing) Resilience {
	return Resilience{
		Breaker:         BreakerSettings{Failures: c.BreakerFailures, Cooldown: c.BreakerCooldown},
		RetryBackoff:    c.RetryBackoff,
		RetryBackoffMax: c.RetryBackoffMax, StreamIdleTimeout: c.StreamIdleTimeout,
	}.WithDefaults()
}

// SetResilience sets the table's resilience settings; call it before the
// table serves.
func (t *Table) SetResilience(r Resilience) { t.res = r.WithDefaults() }

// Resilience returns the table's settings, defaults filled.
func (t *Table) Resilience() Resilience {
	if t.res == (Resilience{}) {
		return Resilience{}.WithDefaults()
	}
	return t.res
}
