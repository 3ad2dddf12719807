package route

import (
	"errors"
	"strings"
	"testing"

	"github.com/railyard-ai/railyard/internal/catalog"
	"github.com/railyard-ai/railyard/internal/config"
	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/provider"
)

func planTable(t testing.TB, models []config.Model) *Table {
	t.Helper()
	ps := []*provider.Provider{
		{Name: "cloud", Tags: []string{"cloud"}},
		{Name: "fleet", Tags: []string{"onprem"}},
		{Name: "edge", Tags: []string{"onprem", "edge"}},
	}
	tbl, err := NewTable(models, ps)
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

func userText(s string) []llm.Message {
	return []llm.Message{{Role: llm.RoleUser, Content: []llm.Part{{Type: llm.PartText, Text: s}}}}
}

func TestPlanRules(t *testing.T) {
	models := []config.Model{
		{Name: "smart", Route: "failover", Targets: []config.Target{
			{Provider: "cloud", Model: "claude-sonnet-4-5"}, {Provider: "fleet", Model: "qwen3-32b"}, {Provider: "edge", Model: "llama"},
		}, Rules: []config.Rule{
			{Name: "pii-onprem", When: `"pii" in tags`, OnlyTags: []string{"onprem"}},
			{Name: "eu-nowhere", When: `"eu" in tags`, OnlyTags: []string{"eu"}},
			{When: `metadata["team"] == "research"`, Route: "cost"},
			{Name: "big-to-long", When: `input_tokens > 50000`, Model: "long"},
		}},
		{Name: "long", Targets: []config.Target{{Provider: "cloud", Model: "claude-sonnet-4-5"}}},
	}
	tbl := planTable(t, models)
	pl := &Planner{}
	tests := []struct {
		name       string
		tags       []string
		meta       map[string]string
		prompt     string
		wantErr    string
		wantOrder  string
		wantRules  string
		wantPolicy string
	}{
		{name: "no rule", wantOrder: "cloud,fleet,edge", wantPolicy: "failover"},
		{name: "pii stays on prem", tags: []string{"pii"}, wantOrder: "fleet,edge", wantRules: "pii-onprem", wantPolicy: "failover"},
		{name: "no target left fails closed naming the rule", tags: []string{"eu"}, wantErr: `routing rule "eu-nowhere" leaves model "smart" no target`},
		{name: "metadata switches policy", meta: map[string]string{"team": "research"}, wantOrder: "cloud,fleet,edge", wantRules: "rules[2]", wantPolicy: "cost"},
		{name: "big prompt goes to another model", prompt: strings.Repeat("hello world ", 60000), wantOrder: "cloud", wantRules: "big-to-long", wantPolicy: "failover"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := &llm.Request{Model: "smart", Messages: userText("hi" + tc.prompt)}
			p, err := pl.Plan(tbl, Request{LLM: req, Tags: tc.tags, Metadata: tc.meta})
			if tc.wantErr != "" {
				var e *llm.Error
				if !errors.As(err, &e) || !strings.Contains(e.Message, tc.wantErr) || e.Status != 403 {
					t.Fatalf("err %v, want 403 containing %q", err, tc.wantErr)
				}
				for _, s := range p.Skipped {
					if !strings.Contains(s.Why, "excluded by rule") {
						t.Fatalf("skip reason %q", s.Why)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := names(p.Targets); got != tc.wantOrder {
				t.Errorf("targets %s, want %s", got, tc.wantOrder)
			}
			if got := strings.Join(p.Rules, ","); got != tc.wantRules {
				t.Errorf("rules %q, want %q", got, tc.wantRules)
			}
			if got := p.Policy.Name(); got != tc.wantPolicy {
				t.Errorf("policy %s, want %s", got, tc.wantPolicy)
			}
		})
	}
}

func TestRuleCompileErrors(t *testing.T) {
	for _, tc := range []struct{ when, want string }{
		{`tags +`, "Syntax error"},
		{`model`, "must be a bool expression"},
		{`nope == 1`, "undeclared reference"},
	} {
		_, err := NewTable([]config.Model{{Name: "m", Targets: []config.Target{{Provider: "p", Model: "x"}},
			Rules: []config.Rule{{Name: "r", When: tc.when, Route: "cost"}}}}, []*provider.Provider{{Name: "p"}})
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), `rule "r"`) {
			t.Errorf("when %q: err %v, want %q", tc.when, err, tc.want)
		}
	}
}

func TestPlanCapabilityFilters(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	models := []config.Model{{Name: "m", Targets: []config.Target{
		{Provider: "cloud", Model: "sim-fast"},  // tools, images, json schema; 128k window
		{Provider: "fleet", Model: "sim-smart"}, // + reasoning; 200k window
		{Provider: "edge", Model: "not-in-catalog"},
	}}}
	tbl := planTable(t, models)
	pl := &Planner{Catalog: cat}
	tests := []struct {
		name     string
		req      llm.Request
		want     string
		wantSkip string
	}{
		{"plain", llm.Request{}, "cloud,fleet,edge", ""},
		{"reasoning", llm.Request{Reasoning: &llm.Reasoning{Effort: "high"}}, "fleet,edge", "cloud: no reasoning"},
		{"reasoning disabled", llm.Request{Reasoning: &llm.Reasoning{Disabled: true}}, "cloud,fleet,edge", ""},
		{"window", llm.Request{MaxTokens: 150000}, "fleet,edge", "cloud: context window 128000 < 150008"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := tc.req
			req.Model, req.Messages = "m", userText("hi")
			p, err := pl.Plan(tbl, Request{LLM: &req})
			if err != nil {
				t.Fatal(err)
			}
			if got := names(p.Targets); got != tc.want {
				t.Errorf("targets %s, want %s", got, tc.want)
			}
			var skips []string
			for _, s := range p.Skipped {
				skips = append(skips, s.Target.Provider.Name+": "+s.Why)
			}
			if got := strings.Join(skips, "; "); got != tc.wantSkip {
				t.Errorf("skipped %q, want %q", got, tc.wantSkip)
			}
		})
	}
	// Nothing capable: a 400 that says why for each target.
	tbl = planTable(t, []config.Model{{Name: "m", Targets: []config.Target{{Provider: "cloud", Model: "sim-fast"}}}})
	_, err = pl.Plan(tbl, Request{LLM: &llm.Request{Model: "m", Messages: userText("hi"), Reasoning: &llm.Reasoning{Effort: "low"}}})
	var e *llm.Error
	if !errors.As(err, &e) || e.Status != 400 || !strings.Contains(e.Message, "cloud sim-fast: no reasoning") {
		t.Fatalf("err %v", err)
	}
}

func TestEstimatorUsesRealTokenizer(t *testing.T) {
	var e Estimator
	// o200k_base: "hello world, how are you?" is 7 tokens (a char/4 guess
	// would say 7 too, so also check text where they differ widely).
	if n := e.count("hello world, how are you?"); n != 7 {
		t.Errorf("count = %d, want 7", n)
	}
	if n := e.count(strings.Repeat("a", 400)); n >= 100 {
		t.Errorf("400 a's counted as %d tokens; BPE merges runs, chars/4 would say 100", n)
	}
	req := &llm.Request{System: []llm.Part{{Text: "be brief"}}, Messages: userText("hello world, how are you?")}
	if n := e.InputTokens(req); n < 10 || n > 20 {
		t.Errorf("InputTokens = %d", n)
	}
}
