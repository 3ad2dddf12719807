package server

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/railyard-ai/railyard/internal/catalog"
	"github.com/railyard-ai/railyard/internal/config"
	"github.com/railyard-ai/railyard/internal/dialect/anthropic"
	"github.com/railyard-ai/railyard/internal/dialect/openai"
	"github.com/railyard-ai/railyard/internal/gateway"
	"github.com/railyard-ai/railyard/internal/provider"
	"github.com/railyard-ai/railyard/internal/route"
)

func TestModelListCatalogFacts(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	d := provider.Dialects{"openai": openai.Dialect{}}
	p, err := provider.New(config.Provider{Name: "oa", Type: "openai", BaseURL: "https://api.openai.com/v1", Models: []string{"text-embedding-3-small"}}, d, http.DefaultClient, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	table, err := route.NewTable([]config.Model{
		{Name: "fast", Targets: []config.Target{{Provider: "oa", Model: "gpt-4.1-mini"}}},
		{Name: "mystery", Targets: []config.Target{{Provider: "oa", Model: "no-such-model"}}},
	}, []*provider.Provider{p})
	if err != nil {
		t.Fatal(err)
	}
	s := New(gateway.New(table, gateway.Options{}), Options{OpenAI: openai.Dialect{}, Anthropic: anthropic.Dialect{}, Catalog: cat})
	for _, hdr := range []map[string]string{nil, {"anthropic-version": "2023-06-01"}} {
		rec := do(s, http.MethodGet, "/v1/models", "", hdr)
		var list struct {
			Data []struct {
				ID            string   `json:"id"`
				Targets       []string `json:"targets"`
				ContextWindow int      `json:"context_window"`
				MaxOutput     int      `json:"max_output_tokens"`
				Capabilities  []string `json:"capabilities"`
				Pricing       *struct {
					Input, Output *float64
					Source        string
					AsOf          string `json:"as_of"`
				} `json:"pricing"`
			} `json:"data"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil || len(list.Data) != 3 {
			t.Fatalf("%v %s", err, rec.Body)
		}
		byID := map[string]int{}
		for i, m := range list.Data {
			byID[m.ID] = i
		}
		fast := list.Data[byID["fast"]]
		want, _ := cat.Lookup("gpt-4.1-mini")
		if fast.ContextWindow != want.ContextWindow || fast.MaxOutput != want.MaxOutput || fast.Pricing == nil ||
			*fast.Pricing.Input != want.Prices.Input.Rate.USDPerMTok() || fast.Pricing.Source == "" || fast.Pricing.AsOf == "" ||
			len(fast.Targets) != 1 || fast.Targets[0] != "oa/gpt-4.1-mini" || len(fast.Capabilities) == 0 {
			t.Errorf("fast: %+v", fast)
		}
		if m := list.Data[byID["mystery"]]; m.Pricing != nil || m.ContextWindow != 0 || m.Targets[0] != "oa/no-such-model" {
			t.Errorf("unknown model got facts: %+v", m)
		}
		emb := list.Data[byID["oa/text-embedding-3-small"]]
		if len(emb.Capabilities) != 1 || emb.Capabilities[0] != "embeddings" {
			t.Errorf("embedding model: %+v", emb)
		}
	}
}
