package route

import (
	"fmt"
	"slices"

	"github.com/google/cel-go/cel"

	"github.com/railyard-ai/railyard/internal/config"
)

// Rule is one compiled routing rule of a model.
type Rule struct {
	Name     string
	OnlyTags []string
	Model    string
	Policy   Policy // nil keeps the route's
	prg      cel.Program
}

// Facts are what a rule's when: expression sees of a request.
type Facts struct {
	Model       string
	Tags        []string
	Metadata    map[string]string
	InputTokens int
	HasImages   bool
	HasTools    bool
	Stream      bool
}

func (f Facts) vars() map[string]any {
	tags := f.Tags
	if tags == nil {
		tags = []string{}
	}
	meta := f.Metadata
	if meta == nil {
		meta = map[string]string{}
	}
	return map[string]any{
		"model": f.Model, "tags": tags, "metadata": meta,
		"input_tokens": int64(f.InputTokens),
		"has_images":   f.HasImages, "has_tools": f.HasTools, "stream": f.Stream,
	}
}

// celEnv declares the variables rules may use. Built per table, not held
// globally; it is cheap next to parsing a config.
func celEnv() (*cel.Env, error) {
	return cel.NewEnv(
		cel.Variable("model", cel.StringType),
		cel.Variable("tags", cel.ListType(cel.StringType)),
		cel.Variable("metadata", cel.MapType(cel.StringType, cel.StringType)),
		cel.Variable("input_tokens", cel.IntType),
		cel.Variable("has_images", cel.BoolType),
		cel.Variable("has_tools", cel.BoolType),
		cel.Variable("stream", cel.BoolType),
	)
}

// compileRule type-checks a rule's expression: it must be a bool. A bad
// expression fails the table, so a reload with one is refused.
func compileRule(env *cel.Env, i int, rc config.Rule) (*Rule, error) {
	name := rc.Name
	if name == "" {
		name = fmt.Sprintf("rules[%d]", i)
	}
	ast, iss := env.Compile(rc.When)
	if iss != nil && iss.Err() != nil {
		return nil, fmt.Errorf("rule %q: when: %w", name, iss.Err())
	}
	if ast.OutputType() != cel.BoolType {
		return nil, fmt.Errorf("rule %q: when: must be a bool expression, not %s", name, ast.OutputType())
	}
	prg, err := env.Program(ast, cel.CostLimit(100000))
	if err != nil {
		return nil, fmt.Errorf("rule %q: %w", name, err)
	}
	r := &Rule{Name: name, OnlyTags: rc.OnlyTags, Model: rc.Model, prg: prg}
	if rc.Route != "" {
		if r.Policy, err = policyFor(rc.Route); err != nil {
			return nil, fmt.Errorf("rule %q: %w", name, err)
		}
	}
	return r, nil
}

// Matches evaluates the rule on f. An evaluation error (a missing
// metadata key, say) counts as a match when the rule only restricts
// targets (only_tags), so restricted data fails closed; otherwise as no
// match.
func (r *Rule) Matches(vars map[string]any) (bool, error) {
	out, _, err := r.prg.Eval(vars)
	if err != nil {
		return len(r.OnlyTags) > 0, fmt.Errorf("rule %q: %w", r.Name, err)
	}
	b, ok := out.Value().(bool)
	return ok && b, nil
}

// allows reports whether t passes the rule's only_tags.
func (r *Rule) allows(t Target) bool {
	if len(r.OnlyTags) == 0 {
		return true
	}
	for _, tag := range t.Provider.Tags {
		if slices.Contains(r.OnlyTags, tag) {
			return true
		}
	}
	return false
}
