package server

import (
	"context"
	"errors"
	"testing"

	"github.com/railyard-ai/railyard/internal/access"
	"github.com/railyard-ai/railyard/internal/store/sqlite"
)

// FuzzSeriesQuery: whatever by, since and filters a client sends, the
// series is a client error or a bounded report, never a panic.
func FuzzSeriesQuery(f *testing.F) {
	for _, s := range [][2]string{{"", "24h"}, {"model", "1h"}, {"key", "90d"}, {"team", "2026-11-23T10:00:00Z"}, {"day", "7d"},
		{"provider", "1e400h"}, {"", "-5m"}, {"model", "0d"}, {"", "2160h0m1s"}, {"", "99999d"}, {"", "1ns"}} {
		f.Add(s[0], s[1], "k1", "")
	}
	st, err := sqlite.Open(context.Background(), ":memory:")
	if err != nil {
		f.Fatal(err)
	}
	defer st.Close()
	if err := st.AppendLedger(context.Background(), seriesRows()); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, by, since, key, model string) {
		rep, err := BuildSeries(context.Background(), st, by, since, seriesNow, LedgerFilter{Key: key, Model: model})
		if err != nil {
			var inv *access.InvalidError
			if !errors.As(err, &inv) {
				t.Fatalf("by %q since %q: not a client error: %v", by, since, err)
			}
			return
		}
		if len(rep.Series) > maxSeriesGroups+1 {
			t.Fatalf("%d series", len(rep.Series))
		}
		for _, s := range rep.Series {
			if len(s.Points) > maxBuckets+1 || len(s.Points) == 0 {
				t.Fatalf("by %q since %q: %d points", by, since, len(s.Points))
			}
		}
	})
}
