// Package postgres is the production store: PostgreSQL through pgx, so
// that any number of railyard replicas share one set of keys and one
// ledger.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"github.com/railyard-ai/railyard/internal/store/sqlstore"
)

// Dialect is PostgreSQL's SQL. Migrations take a transaction-scoped
// advisory lock so replicas starting together migrate once.
var Dialect = sqlstore.Dialect{
	Numbered: true,
	DayExpr:  `to_char(to_timestamp(ts / 1000000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD')`,
	IsConflict: func(err error) bool {
		var pe *pgconn.PgError
		return errors.As(err, &pe) && pe.Code == "23505"
	},
	Lock: `SELECT pg_advisory_xact_lock(7262797)`,
}

// Open connects to the database at url (postgres://...) and migrates it.
func Open(ctx context.Context, url string) (*sqlstore.Store, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(16)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	s, err := sqlstore.Open(ctx, db, Dialect)
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return s, nil
}
