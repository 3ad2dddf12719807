// Package sqlite is the default store: one SQLite file in WAL mode, through
// the pure-Go modernc.org/sqlite driver (no cgo), shared safely by the
// gateway and the CLI running at the same time.
package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"

	"github.com/railyard-ai/railyard/internal/store/sqlstore"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Dialect is SQLite's SQL.
var Dialect = sqlstore.Dialect{
	DayExpr: `strftime('%Y-%m-%d', ts / 1000000, 'unixepoch')`,
	IsConflict: func(err error) bool {
		return strings.Contains(err.Error(), "UNIQUE constraint failed") || strings.Contains(err.Error(), "constraint failed: UNIQUE")
	},
}

// Open opens (creating if needed) the database file at path and migrates it.
func Open(ctx context.Context, path string) (*sqlstore.Store, error) {
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(10000)", "synchronous(NORMAL)", "foreign_keys(ON)", "temp_store(MEMORY)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	// One writer at a time is SQLite's rule; a single pooled connection
	// keeps writers from spinning on SQLITE_BUSY inside one process.
	db.SetMaxOpenConns(1)
	s, err := sqlstore.Open(ctx, db, Dialect)
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("sqlite %s: %w", path, err)
	}
	return s, nil
}
