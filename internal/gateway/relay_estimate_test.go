package gateway

import (
	"slices"
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

// TestReplyTextBufferSizes: a stream's text moves through the pooled
// sizes as it grows, keeping every byte, and a stream that follows a long
// one starts with the smallest buffer again, whatever the pools hold (one
// pool for all sizes had handed it the long reply's 16 KiB to wait with).
func TestReplyTextBufferSizes(t *testing.T) {
	var long replyText
	var all strings.Builder
	var caps []int
	for all.Len() < 2*replyTextMax {
		d := strings.Repeat("x", 1+all.Len()%37)
		long.add(d)
		all.WriteString(d)
		if c := cap(long.buf); len(caps) == 0 || caps[len(caps)-1] != c {
			caps = append(caps, c)
		}
	}
	if string(long.buf) != all.String()[:replyTextMax] || long.dropped != all.Len()-replyTextMax {
		t.Fatalf("kept %d bytes, dropped %d of %d", len(long.buf), long.dropped, all.Len())
	}
	if want := replyTextSizes[:]; !slices.Equal(caps, want) {
		t.Fatalf("buffer sizes %v, want %v", caps, want)
	}
	long.release()
	for range 3 {
		var next replyText
		next.add("Hi")
		if cap(next.buf) != replyTextSizes[0] {
			t.Fatalf("a new stream's buffer holds %d bytes, want %d", cap(next.buf), replyTextSizes[0])
		}
		defer next.release()
	}
}
