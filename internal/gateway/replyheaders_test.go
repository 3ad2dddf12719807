package gateway

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestSetReplyHeaders: the headers are those Header.Set gave, each value
// its own slice (an append to one leaves the others alone), empty values
// left out.
func TestSetReplyHeaders(t *testing.T) {
	for _, cost := range []string{"", "0.000123"} {
		w := httptest.NewRecorder()
		x := &exchange{w: w, cost: cost, provider: "earlier"}
		x.trace.policy = "failover"
		x.trace.add("a", "529")
		x.trace.add("b", "ok")
		setReplyHeaders(x, "", "gpt-x", 1234)
		want := http.Header{}
		want.Set(HeaderProvider, "earlier")
		want.Set(HeaderModel, "gpt-x")
		want.Set(HeaderRoute, "failover: a 529 -> b ok")
		if cost != "" {
			want.Set(HeaderCost, cost)
		}
		want.Set("Content-Type", "application/json")
		want.Set("Content-Length", "1234")
		got := w.Header()
		if len(got) != len(want) {
			t.Fatalf("cost %q: headers %v, want %v", cost, got, want)
		}
		for k := range want {
			if g := got[k]; len(g) != 1 || g[0] != want.Get(k) {
				t.Fatalf("cost %q: %s = %q, want %q", cost, k, g, want.Get(k))
			}
		}
		got.Add(HeaderProvider, "extra")
		if got.Get(HeaderModel) != "gpt-x" || len(got[HeaderModel]) != 1 {
			t.Fatalf("an append to one header changed another: %v", got)
		}
	}
}

// TestRouteTraceString: the rendering is the policy and the steps joined
// as before, re-rendered when a step is added.
func TestRouteTraceString(t *testing.T) {
	var tr routeTrace
	if tr.String() != "" {
		t.Fatal("no policy: want empty")
	}
	tr.policy = "latency"
	if tr.String() != "latency" {
		t.Fatalf("no steps: %q", tr.String())
	}
	var want []string
	for i, s := range []traceStep{{"a", "529"}, {"b", "timeout"}, {"c", "skipped: needs openai"}, {"d", "ok"}} {
		tr.add(s.provider, s.outcome)
		want = append(want, s.provider+" "+s.outcome)
		if got, w := tr.String(), "latency: "+strings.Join(want, " -> "); got != w {
			t.Fatalf("step %d: %q, want %q", i, got, w)
		}
	}
}
