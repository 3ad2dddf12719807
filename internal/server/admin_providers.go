package server

import (
	"math"
	"net/http"
	"time"

	"github.com/railyard-ai/railyard/internal/route"
)

// HealthSnapshotter reads the live state of the current routing table's
// targets (the gateway implements it).
type HealthSnapshotter interface {
	HealthSnapshot() []route.TargetHealth
}

// targetJSON is one target in GET /admin/api/providers.
type targetJSON struct {
	Model         string       `json:"model"`
	Policy        string       `json:"policy"`
	Provider      string       `json:"provider"`
	UpstreamModel string       `json:"upstream_model"`
	Tags          []string     `json:"tags"`
	Breaker       string       `json:"breaker"`
	TTFTEWMA      float64      `json:"ttft_ewma_ms"`
	TPOTEWMA      float64      `json:"tpot_ewma_ms"`
	ErrorRate     float64      `json:"error_rate"`
	InFlight      int          `json:"in_flight"`
	Capacity      capacityJSON `json:"capacity"`
	Used          capacityJSON `json:"used"`
}

type capacityJSON struct {
	Concurrency int `json:"concurrency"`
	RPM         int `json:"rpm"`
	TPM         int `json:"tpm"`
}

// providers serves GET /admin/api/providers: live health per route target
// on this replica.
func (a *admin) providers(w http.ResponseWriter, _ *http.Request) {
	if a.o.Health == nil {
		adminError(w, http.StatusNotFound, "not_found_error", "live health is not available")
		return
	}
	snap := a.o.Health.HealthSnapshot()
	out := make([]targetJSON, 0, len(snap))
	for _, t := range snap {
		tags := t.Tags
		if tags == nil {
			tags = []string{}
		}
		out = append(out, targetJSON{
			Model: t.Model, Policy: t.Policy, Provider: t.Provider, UpstreamModel: t.UpstreamModel, Tags: tags,
			Breaker: t.Breaker.String(), TTFTEWMA: millis(t.FirstByte), TPOTEWMA: millis(t.PerToken),
			ErrorRate: math.Round(t.ErrorRate*1e4) / 1e4, InFlight: t.InFlight,
			Capacity: capacityJSON(t.Capacity), Used: capacityJSON(t.Used),
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{"targets": out})
}

// millis renders d in milliseconds, to the microsecond.
func millis(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }
