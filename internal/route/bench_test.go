package route

import (
	"fmt"
	"strings"
	"testing"

	"github.com/railyard-ai/railyard/internal/catalog"
	"github.com/railyard-ai/railyard/internal/config"
	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/provider"
)

// Benchmarks of the route decision (go test -bench . -benchmem
// ./internal/route): a whole Plan, and the prompt estimate inside it,
// warm (text seen before, as system prompts and tool definitions are) and
// cold (text never seen).

// benchRequest is an application call: a system prompt, a few turns and a
// tool, about 1.5 KB; salt makes the last user turn unique.
func benchRequest(salt string) *llm.Request {
	text := func(s string) []llm.Part { return []llm.Part{{Type: llm.PartText, Text: s}} }
	return &llm.Request{
		Model:     "smart",
		MaxTokens: 1024,
		System:    text("You are a helpful assistant for a travel booking company. Answer briefly and precisely. When the user asks about availability, call the search_flights tool with the cities and the date. Never invent flight numbers, prices or schedules; if the tool returns nothing, say so and suggest nearby dates."),
		Messages: []llm.Message{
			{Role: llm.RoleUser, Content: text("Hi! I am planning a trip to Lisbon in the spring with my family (two adults, two children). What is the weather usually like in April, and which neighbourhoods are good for families?")},
			{Role: llm.RoleAssistant, Content: text("April in Lisbon is mild: days around 19-21°C, cool evenings, and some showers. For families, Belém (museums, gardens, the riverside), Parque das Nações (aquarium, open spaces) and Campo de Ourique (quiet, residential, good food) work well.")},
			{Role: llm.RoleUser, Content: text("Great, thanks. Can you check flights from Amsterdam to Lisbon on the 12th of April, morning departures preferred, and tell me which one is cheapest? " + salt)},
		},
		Tools: []llm.Tool{{Name: "search_flights", Description: "Search scheduled flights between two cities on a date.",
			Parameters: []byte(`{"type":"object","properties":{"from":{"type":"string","description":"Departure city or IATA code"},"to":{"type":"string","description":"Arrival city or IATA code"},"date":{"type":"string","description":"Date, YYYY-MM-DD"},"time_of_day":{"type":"string","enum":["morning","afternoon","evening","any"]}},"required":["from","to","date"]}`)}},
	}
}

func benchPlanner(b *testing.B) (*Planner, *Table) {
	cat, err := catalog.Load()
	if err != nil {
		b.Fatal(err)
	}
	models := []config.Model{{Name: "smart", Route: "failover", Targets: []config.Target{
		{Provider: "cloud", Model: "claude-sonnet-4-5"}, {Provider: "fleet", Model: "qwen3-32b"},
	}}}
	tbl, err := NewTable(models, []*provider.Provider{{Name: "cloud"}, {Name: "fleet"}})
	if err != nil {
		b.Fatal(err)
	}
	pl := &Planner{Health: NewHealth(HealthOptions{}), Catalog: cat}
	pl.Estimator.Warm()
	return pl, tbl
}

// BenchmarkPlan: one route decision for a request whose text has been
// seen before but for its last turn.
func BenchmarkPlan(b *testing.B) {
	pl, tbl := benchPlanner(b)
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		i++
		if _, err := pl.Plan(tbl, Request{LLM: benchRequest(fmt.Sprint(i))}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInputTokensCold: the estimate of a request none of whose text
// was seen before (the tokenizer's full cost).
func BenchmarkInputTokensCold(b *testing.B) {
	var e Estimator
	e.Warm()
	reqs := make([]*llm.Request, 0, 1<<12)
	for i := range cap(reqs) {
		r := benchRequest("")
		salt := fmt.Sprint(" #", i)
		r.System[0].Text += salt
		for m := range r.Messages {
			r.Messages[m].Content[0].Text += salt
		}
		r.Tools[0].Parameters = []byte(strings.Replace(string(r.Tools[0].Parameters), "Departure", "Departure"+salt, 1))
		reqs = append(reqs, r)
	}
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		e.InputTokens(reqs[i%len(reqs)])
		i++
	}
}

// BenchmarkInputTokensWarm: the same request's estimate again, but for a
// new last turn.
func BenchmarkInputTokensWarm(b *testing.B) {
	var e Estimator
	e.Warm()
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		i++
		e.InputTokens(benchRequest(fmt.Sprint(i)))
	}
}
