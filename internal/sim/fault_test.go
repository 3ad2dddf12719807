package sim

import (
	"math/rand/v2"
	"net/http"
	"testing"
	"time"

	"github.com/railyard-ai/railyard/internal/config"
	"github.com/railyard-ai/railyard/internal/llm"
)

func rate(r float64) *float64 { return &r }

func TestDrawFaultsDeterministic(t *testing.T) {
	list := []config.SimFault{
		{Kind: "status", Status: 529, Rate: rate(0.3)},
		{Kind: "disconnect", AfterTokens: 3, Rate: rate(0.2)},
	}
	draw := func(seed int64) []faults {
		var out []faults
		for seq := uint64(1); seq <= 200; seq++ {
			out = append(out, drawFaults(list, rand.New(rand.NewPCG(seedFor(seed, "model:m", seq), seq))))
		}
		return out
	}
	a, b, c := draw(7), draw(7), draw(8)
	same, status, cut := true, 0, 0
	for i := range a {
		if (a[i].status != nil) != (b[i].status != nil) || a[i].cut != b[i].cut {
			t.Fatalf("request %d: draws differ under the same seed", i)
		}
		if (a[i].status != nil) != (c[i].status != nil) || a[i].cut != c[i].cut {
			same = false
		}
		if a[i].status != nil {
			status++
		}
		if a[i].cut != "" {
			cut++
		}
	}
	if same {
		t.Error("a different seed gave the same 200 draws")
	}
	// Loose bounds on 200 draws; deterministic, so they cannot flake.
	if status < 30 || status > 90 || cut < 15 || cut > 70 {
		t.Errorf("status hits %d (rate .3), disconnect hits %d (rate .2) of 200", status, cut)
	}
}

func TestDrawFaultsPrecedence(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	f := drawFaults([]config.SimFault{
		{Kind: "slow_headers", Delay: time.Second},
		{Kind: "malformed", AfterTokens: 2},
		{Kind: "disconnect", AfterTokens: 5},
		{Kind: "status", Status: 429, RetryAfter: 2 * time.Second},
		{Kind: "status", Status: 500},
		{Kind: "status", Status: 503, Rate: rate(0)},
	}, rng)
	if f.slowHeaders != time.Second || f.cut != "malformed" || f.cutAfter != 2 {
		t.Fatalf("got %+v", f)
	}
	if f.status == nil || f.status.Status != 429 || f.status.Kind != llm.ErrRateLimit || f.status.RetryAfter != 2*time.Second {
		t.Fatalf("status %+v", f.status)
	}
}

func TestHeaderFault(t *testing.T) {
	tests := []struct {
		in   string
		ok   bool
		want faults
	}{
		{"529", true, faults{status: &llm.Error{Status: 529, Kind: llm.ErrOverloaded}}},
		{"429:3", true, faults{status: &llm.Error{Status: 429, Kind: llm.ErrRateLimit, RetryAfter: 3 * time.Second}}},
		{"disconnect:4", true, faults{cut: "disconnect", cutAfter: 4}},
		{"malformed", true, faults{cut: "malformed"}},
		{"slow_headers", true, faults{slowHeaders: time.Second}},
		{"slow_headers:0", true, faults{}},
		{"200", false, faults{}},
		{"teapot", false, faults{}},
		{"500:-1", false, faults{}},
	}
	for _, tt := range tests {
		got, ok := headerFault(tt.in)
		if ok != tt.ok || got.cut != tt.want.cut || got.cutAfter != tt.want.cutAfter || got.slowHeaders != tt.want.slowHeaders {
			t.Errorf("headerFault(%q) = %+v %v", tt.in, got, ok)
			continue
		}
		if (got.status == nil) != (tt.want.status == nil) {
			t.Errorf("headerFault(%q) status %+v", tt.in, got.status)
		} else if got.status != nil && (got.status.Status != tt.want.status.Status || got.status.Kind != tt.want.status.Kind || got.status.RetryAfter != tt.want.status.RetryAfter) {
			t.Errorf("headerFault(%q) status %+v", tt.in, got.status)
		}
	}
	if statusError(200, 0).Status != http.StatusInternalServerError {
		t.Error("a non-error status must become 500")
	}
}
