package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/railyard-ai/railyard/internal/store"
)

// BenchmarkAppendLedger appends batches whose sizes vary as the ledger
// writer's do under changing traffic (37 to 160 rows); ns/op and allocs/op
// are per row.
func BenchmarkAppendLedger(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "railyard.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	now := time.Now()
	id, size := 0, 37
	b.ResetTimer()
	for n := 0; n < b.N; {
		rows := make([]store.Record, 0, size)
		for range min(size, b.N-n) {
			rows = append(rows, store.Record{ID: fmt.Sprintf("r%09d", id), Time: now, KeyID: "k", Model: "m",
				Provider: "p", InputTokens: 100, OutputTokens: 20, CostNanoUSD: 1234, Status: 200, Attempts: 1})
			id++
		}
		if err := s.AppendLedger(ctx, rows); err != nil {
			b.Fatal(err)
		}
		n += len(rows)
		size = 37 + (size*31)%124
	}
}
