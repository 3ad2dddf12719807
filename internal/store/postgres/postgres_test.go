package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/railyard-ai/railyard/internal/store"
	"github.com/railyard-ai/railyard/internal/store/storetest"
)

// testURL is the database the tests use: RAILYARD_TEST_POSTGRES, which
// .ci/run sets. Without it the tests skip locally and fail in CI.
func testURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("RAILYARD_TEST_POSTGRES")
	if u == "" {
		if os.Getenv("RAILYARD_CI") != "" {
			t.Fatal("RAILYARD_TEST_POSTGRES is not set in CI: .ci/run must start PostgreSQL")
		}
		t.Skip("no PostgreSQL: set RAILYARD_TEST_POSTGRES=postgres://user@127.0.0.1:5432/db?sslmode=disable to run the store suite on it")
	}
	return u
}

var schemas atomic.Int64

// fresh opens the store in a schema of its own, so every subtest starts
// empty and parallel test binaries do not collide.
func fresh(t *testing.T, url string) store.Store {
	t.Helper()
	ctx := context.Background()
	name := fmt.Sprintf("rytest_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e6, schemas.Add(1))
	admin, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+name); err != nil {
		t.Fatal(err)
	}
	_ = admin.Close()
	sep := "?"
	for _, c := range url {
		if c == '?' {
			sep = "&"
		}
	}
	s, err := Open(ctx, url+sep+"search_path="+name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = s.DB().ExecContext(context.Background(), "DROP SCHEMA "+name+" CASCADE")
		_ = s.Close()
	})
	return s
}

func TestStore(t *testing.T) {
	url := testURL(t)
	storetest.Run(t, func(t *testing.T) store.Store { return fresh(t, url) })
}
