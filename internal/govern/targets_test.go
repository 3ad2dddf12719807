package govern

import (
	"net/http"
	"testing"

	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/provider"
	"github.com/railyard-ai/railyard/internal/route"
)

// TestAdmissionTargetModel: a reply is priced by the model of its
// provider's first target, past the two kept inline too; a provider the
// route did not have prices nothing.
func TestAdmissionTargetModel(t *testing.T) {
	tg := func(p, m string) route.Target { return route.Target{Provider: &provider.Provider{Name: p}, Model: m} }
	g := New(Options{})
	r, _ := http.NewRequest(http.MethodPost, "http://x/v1/chat/completions", nil)
	adm, err := g.Admit(r, &llm.Request{Model: "m"}, nil, []route.Target{
		tg("a", "a-1"), tg("b", "b-1"), tg("a", "a-2"), tg("c", "c-1"), tg("b", "b-2"), tg("d", "d-1"),
	})
	if err != nil {
		t.Fatal(err)
	}
	a := adm.(*admission)
	for p, want := range map[string]string{"a": "a-1", "b": "b-1", "c": "c-1", "d": "d-1", "e": ""} {
		if got := a.targetModel(p); got != want {
			t.Errorf("targetModel(%q) = %q, want %q", p, got, want)
		}
	}
	if len(a.Header()) != 0 {
		t.Errorf("no limits: rate headers %v", a.Header())
	}
}
