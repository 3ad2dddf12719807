package gateway

import (
	"strings"
	"testing"

	"github.com/railyard-ai/railyard/internal/route"
)

func TestReplyTextCountsWhatItKeptAndScalesTheRest(t *testing.T) {
	var e route.Estimator
	for _, tt := range []struct {
		name   string
		deltas []string
	}{
		{"none", nil},
		{"short", []string{"Hello", ",", " world", "!"}},
		{"grows past the pooled buffer", strings.Fields(strings.Repeat("the quick brown fox jumps ", 200))},
		{"multibyte", []string{"héllo ", "wörld ", "日本語のテキスト ", "🚂"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var rt replyText
			for _, d := range tt.deltas {
				rt.add(d)
			}
			want := e.TextTokens(strings.Join(tt.deltas, ""))
			if got := rt.tokens(&e); got != want {
				t.Errorf("tokens %d, want %d", got, want)
			}
			rt.release()
			if rt.tokens(&e) != 0 || rt.pooled != nil {
				t.Error("release kept the text")
			}
		})
	}

	// Beyond replyTextMax only the start is kept: the count is scaled by
	// the bytes, so a uniform text comes out within a percent.
	var rt replyText
	var all strings.Builder
	for i := 0; all.Len() < 4*replyTextMax; i++ {
		d := " lamp signal"
		rt.add(d)
		all.WriteString(d)
	}
	if len(rt.buf) != replyTextMax || cap(rt.buf) != replyTextMax {
		t.Fatalf("kept %d bytes (cap %d), want %d", len(rt.buf), cap(rt.buf), replyTextMax)
	}
	got, want := rt.tokens(&e), e.TextTokens(all.String())
	if d := got - want; d*100 > want || -d*100 > want {
		t.Errorf("scaled count %d, exact %d", got, want)
	}
	rt.release()
}
