package route

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/railyard-ai/railyard/internal/catalog"
	"github.com/railyard-ai/railyard/internal/llm"
)

// Planner turns a request into the ordered targets to try: resolve the
// model, apply its rules, drop targets that cannot take the request, and
// let the policy order the rest. It holds what outlives a config reload
// (live health, the catalog, the tokenizer); the table comes per call.
type Planner struct {
	Health *Health
	// Catalog gives context windows, capabilities and prices; nil skips
	// the capability filters and leaves the cost policy in config order.
	Catalog *catalog.Catalog
	// AssumedOutput stands in for the output limit of a request that sets
	// none. Default 1024.
	AssumedOutput int
	Estimator     Estimator
}

// Skip is one target left out of a plan, and why.
type Skip struct {
	Target Target
	Why    string
}

// Plan is the decision for one request.
type Plan struct {
	// Route is the route that serves, after any rule's model change.
	Route  *Route
	Policy Policy
	// Targets are the candidates in the order to try.
	Targets []Target
	// Skipped are the targets filters and rules left out.
	Skipped []Skip
	// Rules names the rules that matched, in order.
	Rules []string
	// InputTokens is the estimated prompt; MaxOutput the output limit or
	// the assumed one.
	InputTokens, MaxOutput int
}

// Request is what the planner needs to know of a client request beyond
// its body.
type Request struct {
	LLM      *llm.Request
	Tags     []string
	Metadata map[string]string
}

// maxRuleHops bounds chains of rules that send to another model.
const maxRuleHops = 4

// Plan decides how to route one request. The error is an *llm.Error for
// the client: unknown model, a rule that leaves no target (403, naming the
// rule), or no target able to take the request (400 saying why).
func (pl *Planner) Plan(t *Table, rq Request) (*Plan, error) {
	req := rq.LLM
	rt, err := t.Resolve(req.Model)
	if err != nil {
		return nil, err
	}
	p := &Plan{Route: rt, Policy: rt.Policy, InputTokens: pl.Estimator.InputTokens(req), MaxOutput: req.MaxTokens}
	if p.MaxOutput <= 0 {
		p.MaxOutput = pl.AssumedOutput
		if p.MaxOutput <= 0 {
			p.MaxOutput = 1024
		}
	}
	facts := Facts{Model: req.Model, Tags: rq.Tags, Metadata: rq.Metadata, InputTokens: p.InputTokens,
		HasImages: req.HasImages(), HasTools: len(req.Tools) > 0, Stream: req.Stream}
	var vars map[string]any // built for the first rule: most models have none
	var restrict []*Rule
	for hop := 0; ; hop++ {
		next := ""
		for _, r := range rt.Rules {
			if vars == nil {
				vars = facts.vars()
			}
			ok, _ := r.Matches(vars)
			if !ok {
				continue
			}
			p.Rules = append(p.Rules, r.Name)
			if len(r.OnlyTags) > 0 {
				restrict = append(restrict, r)
			}
			if r.Policy != nil {
				p.Policy = r.Policy
			}
			if r.Model != "" && next == "" {
				next = r.Model
			}
		}
		if next == "" || hop >= maxRuleHops {
			break
		}
		nrt, ok := t.models[next]
		if !ok {
			return nil, &llm.Error{Status: http.StatusInternalServerError, Kind: llm.ErrAPI,
				Message: fmt.Sprintf("routing rule sends model %q to %q, which is not configured", rt.Name, next)}
		}
		rt, p.Route, p.Policy = nrt, nrt, nrt.Policy
	}

	// Rules first: a target a rule excludes must never be tried, whatever
	// else happens.
	var kept []Target
	for _, tg := range rt.Targets {
		if r := firstExcluding(restrict, tg); r != nil {
			p.Skipped = append(p.Skipped, Skip{tg, "excluded by rule " + r.Name})
			continue
		}
		kept = append(kept, tg)
	}
	if len(kept) == 0 {
		return p, &llm.Error{Status: http.StatusForbidden, Kind: llm.ErrPermission,
			Message: fmt.Sprintf("routing rule %q leaves model %q no target (only providers tagged %s may serve this request)",
				restrict[len(restrict)-1].Name, req.Model, strings.Join(restrict[len(restrict)-1].OnlyTags, ", "))}
	}
	var capable []Target
	var whys []string
	for _, tg := range kept {
		if why := pl.cannot(tg, req, p.InputTokens, req.MaxTokens); why != "" {
			p.Skipped = append(p.Skipped, Skip{tg, why})
			whys = append(whys, tg.Provider.Name+" "+tg.Model+": "+why)
			continue
		}
		capable = append(capable, tg)
	}
	if len(capable) == 0 {
		return p, &llm.Error{Status: http.StatusBadRequest, Kind: llm.ErrInvalidRequest,
			Message: fmt.Sprintf("no target of model %q can take this request (%s)", req.Model, strings.Join(whys, "; "))}
	}
	p.Targets = p.Policy.Order(&Pick{Targets: capable, Health: pl.Health,
		InputTokens: p.InputTokens, MaxOutput: p.MaxOutput, Price: pl.price})
	return p, nil
}

func firstExcluding(rules []*Rule, t Target) *Rule {
	for _, r := range rules {
		if !r.allows(t) {
			return r
		}
	}
	return nil
}

// cannot says why t cannot take req, or "". Only what the catalog knows
// filters: a model it does not list is assumed able. The context window
// counts the output the client asked for (none assumed when it set none).
func (pl *Planner) cannot(t Target, req *llm.Request, input, maxOut int) string {
	if pl.Catalog == nil {
		return ""
	}
	m, ok := pl.Catalog.Entry(t.Model)
	if !ok {
		return ""
	}
	c := m.Capabilities
	switch {
	case len(req.Tools) > 0 && !c.Tools:
		return "no tool use"
	case req.HasImages() && !c.Images:
		return "no image input"
	case req.ResponseFormat != nil && req.ResponseFormat.Type == llm.FormatJSONSchema && !c.JSONSchema:
		return "no JSON schema output"
	case req.Reasoning != nil && !req.Reasoning.Disabled && !c.Reasoning:
		return "no reasoning"
	case m.ContextWindow > 0 && input+max(maxOut, 0) > m.ContextWindow:
		return fmt.Sprintf("context window %d < %d", m.ContextWindow, input+max(maxOut, 0))
	}
	return ""
}

// ContextWindow is t's context window from the catalog, 0 when unknown.
func (pl *Planner) ContextWindow(t Target) int {
	if pl.Catalog == nil {
		return 0
	}
	if m, ok := pl.Catalog.Entry(t.Model); ok {
		return m.ContextWindow
	}
	return 0
}

// price estimates t's charge for input prompt tokens and output tokens.
func (pl *Planner) price(t Target, input, output int) (float64, bool) {
	if pl.Catalog == nil {
		return 0, false
	}
	m, ok := pl.Catalog.Entry(t.Model)
	if !ok || m.Prices.Input == nil {
		return 0, false
	}
	return m.Cost(llm.Usage{InputTokens: input, OutputTokens: output}), true
}
