package route

import (
	"slices"
	"testing"

	"github.com/railyard-ai/railyard/internal/config"
	"github.com/railyard-ai/railyard/internal/llm"
)

// FuzzPlanFacts feeds client-controlled facts (tags from x-railyard-tags,
// metadata, the model name, the prompt) through the rules and filters:
// planning never panics, and a rule's only_tags never lets a target
// without the tag through.
func FuzzPlanFacts(f *testing.F) {
	f.Add("pii", "team", "research", "smart", "hello")
	f.Add("", "", "", "long", "")
	f.Add("pii,eu", "a\x00b", "\xff", "smart", "x")
	models := []config.Model{
		{Name: "smart", Targets: []config.Target{{Provider: "cloud", Model: "claude-sonnet-4-5"}, {Provider: "fleet", Model: "qwen"}},
			Rules: []config.Rule{
				{Name: "pii", When: `"pii" in tags || metadata["class"] == "secret"`, OnlyTags: []string{"onprem"}},
				{Name: "team", When: `"team" in metadata && metadata["team"].startsWith("res")`, Route: "cost"},
				{Name: "big", When: `input_tokens > 3 && !has_images && !stream`, Model: "long"},
			}},
		{Name: "long", Targets: []config.Target{{Provider: "edge", Model: "llama"}},
			Rules: []config.Rule{{Name: "loop", When: `true`, Model: "smart"}}},
	}
	tbl := planTable(f, models)
	pl := &Planner{}
	f.Fuzz(func(t *testing.T, tag, key, val, model, prompt string) {
		req := &llm.Request{Model: model, Messages: userText(prompt)}
		p, err := pl.Plan(tbl, Request{LLM: req, Tags: []string{tag}, Metadata: map[string]string{key: val, "class": val}})
		if err != nil || p == nil {
			return
		}
		if tag == "pii" || val == "secret" {
			for _, tg := range p.Targets {
				if !slices.Contains(tg.Provider.Tags, "onprem") {
					t.Fatalf("pii request planned onto %s", tg.Provider.Name)
				}
			}
		}
	})
}
