package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/railyard-ai/railyard/internal/store"
	"github.com/railyard-ai/railyard/internal/store/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := Open(context.Background(), filepath.Join(t.TempDir(), "railyard.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}

// Two handles on one file (the gateway and the CLI) see each other's
// writes, and opening an existing file does not re-run migrations.
func TestTwoHandles(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "railyard.db")
	a, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := a.CreateKey(ctx, store.Key{ID: "k", Name: "n", Hash: "h"}); err != nil {
		t.Fatal(err)
	}
	if k, err := b.KeyByHash(ctx, "h"); err != nil || k.ID != "k" {
		t.Fatalf("other handle: %+v, %v", k, err)
	}
}
