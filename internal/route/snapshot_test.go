package route

import (
	"testing"
	"time"

	"github.com/railyard-ai/railyard/internal/config"
	"github.com/railyard-ai/railyard/internal/provider"
)

func TestSnapshotReadsLiveStateOfTheCurrentTable(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	h := NewHealth(HealthOptions{Now: func() time.Time { return now }, Breaker: BreakerSettings{Cooldown: time.Minute}})
	a, b := target("a", "ma"), target("b", "mb")
	a.Provider.Tags = []string{"eu"}
	tbl := &Table{providers: map[string]*provider.Provider{"a": a.Provider, "b": b.Provider}, models: map[string]*Route{
		"zeta":  {Name: "zeta", Policy: Failover{}, Targets: []Target{b}},
		"alpha": {Name: "alpha", Policy: Failover{}, Targets: []Target{{Provider: a.Provider, Model: "ma", Capacity: Capacity{Concurrency: 2, RPM: 100, TPM: 5000}}, b}},
	}}
	if got := h.Snapshot(tbl); len(got) != 3 || got[0].Samples != 0 || len(h.targets) != 0 {
		t.Fatalf("before traffic: %+v, tracking %d: a snapshot must not add targets", got, len(h.targets))
	}
	capA := tbl.models["alpha"].Targets[0]
	for range 20 { // a full breaker window of failures opens it
		l, _ := h.Acquire(capA, 100)
		l.Done(Outcome{Failed: true})
	}
	l, _ := h.Acquire(b, 0)
	l.Done(Outcome{FirstByte: 40 * time.Millisecond, Total: 140 * time.Millisecond, OutputTokens: 11})
	held, _ := h.Acquire(b, 0)
	defer held.Done(Outcome{})

	got := h.Snapshot(tbl)
	if len(got) != 3 || got[0].Model != "alpha" || got[2].Model != "zeta" {
		t.Fatalf("order: %+v", got)
	}
	sa, sb := got[0], got[1]
	if sa.Provider != "a" || sa.UpstreamModel != "ma" || sa.Policy != "failover" || sa.Tags[0] != "eu" || sa.Breaker != BreakerOpen ||
		sa.ErrorRate != 1 || sa.Capacity.RPM != 100 || sa.Used.RPM != 20 || sa.Used.TPM != 2000 || sa.InFlight != 0 {
		t.Errorf("failing target: %+v", sa)
	}
	if sb.Breaker != BreakerClosed || sb.FirstByte != 40*time.Millisecond || sb.PerToken != 10*time.Millisecond || sb.InFlight != 1 || sb.Used.Concurrency != 1 {
		t.Errorf("healthy target: %+v", sb)
	}
	direct := Target{Provider: b.Provider, Model: "other"}
	l, _ = h.Acquire(direct, 0)
	l.Done(Outcome{FirstByte: time.Millisecond, Total: time.Millisecond})
	h.Stats(target("gone", "x")) // a provider no longer in the table
	if got := h.Snapshot(tbl); len(got) != 4 || got[3].Model != "b/other" || got[3].Provider != "b" || got[3].UpstreamModel != "other" || got[3].FirstByte != time.Millisecond {
		t.Errorf("direct targets with traffic follow the configured ones: %+v", got)
	}
	now = now.Add(2 * time.Minute)
	if got := h.Snapshot(tbl)[0]; got.Breaker != BreakerHalfOpen || got.ErrorRate >= 1 || got.Used.RPM != 0 {
		t.Errorf("after the cooldown the next request probes: %+v", got)
	}
}

func TestRoutesSorted(t *testing.T) {
	p := &provider.Provider{Name: "p"}
	tbl, err := NewTable([]config.Model{{Name: "b", Targets: []config.Target{{Provider: "p", Model: "x"}}}, {Name: "a", Targets: []config.Target{{Provider: "p", Model: "y"}}}}, []*provider.Provider{p})
	if err != nil {
		t.Fatal(err)
	}
	if rs := tbl.Routes(); len(rs) != 2 || rs[0].Name != "a" || rs[1].Name != "b" {
		t.Errorf("routes %v", rs)
	}
}
