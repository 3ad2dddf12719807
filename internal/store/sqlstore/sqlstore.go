// Package sqlstore implements store.Store over database/sql with SQL that
// runs unchanged on SQLite and PostgreSQL; a Dialect supplies the few
// differences (placeholders, the day of a timestamp, unique violations).
package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/railyard-ai/railyard/internal/store"
)

// Dialect is what differs between the SQL databases.
type Dialect struct {
	// Numbered placeholders ($1, $2, ...) instead of ?.
	Numbered bool
	// DayExpr renders the UTC day (YYYY-MM-DD) of the ledger's ts column.
	DayExpr string
	// IsConflict reports a unique-constraint violation.
	IsConflict func(error) bool
	// Lock, when set, is run at the start of each migration transaction.
	Lock string
}

// Rebind rewrites ? placeholders for the dialect.
func (d Dialect) Rebind(q string) string {
	if !d.Numbered {
		return q
	}
	var b strings.Builder
	n := 0
	for _, c := range q {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Store is a store.Store over a *sql.DB.
type Store struct {
	db *sql.DB
	d  Dialect

	// ledgerStmtsBySize holds the prepared ledger INSERTs, one per size in
	// ledgerStmtSizes; nil until the first append.
	stmtMu            sync.Mutex
	ledgerStmtsBySize map[int]*sql.Stmt
}

var _ store.Store = (*Store)(nil)

// Open migrates db and returns the store; Close closes db.
func Open(ctx context.Context, db *sql.DB, d Dialect) (*Store, error) {
	if err := migrate(ctx, db, d); err != nil {
		return nil, err
	}
	return &Store{db: db, d: d}, nil
}

// DB is the underlying database.
func (s *Store) DB() *sql.DB { return s.db }

// Close closes the database.
func (s *Store) Close() error {
	s.stmtMu.Lock()
	for _, st := range s.ledgerStmtsBySize {
		_ = st.Close()
	}
	s.ledgerStmtsBySize = nil
	s.stmtMu.Unlock()
	return s.db.Close()
}

func (s *Store) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return s.db.ExecContext(ctx, s.d.Rebind(q), args...)
}

func (s *Store) conflict(err error) error {
	if err != nil && s.d.IsConflict != nil && s.d.IsConflict(err) {
		return store.ErrConflict
	}
	return err
}

func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromMicros(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMicro(v).UTC()
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func period(p string) string {
	if p == "" {
		return store.PeriodTotal
	}
	return p
}

const keyCols = `id, name, team, models, tags, hash, prefix, budget_nano, budget_period, rpm, tpm, max_concurrency, metadata, expires_at, created_at, revoked_at`

// CreateKey implements store.Store.
func (s *Store) CreateKey(ctx context.Context, k store.Key) error {
	_, err := s.exec(ctx, `INSERT INTO keys (`+keyCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		k.ID, k.Name, k.Team, jsonText(nonNil(k.Models)), jsonText(nonNil(k.Tags)), k.Hash, k.Prefix,
		k.Limits.BudgetNanoUSD, period(k.Limits.BudgetPeriod), k.Limits.RPM, k.Limits.TPM, k.Limits.MaxConcurrency,
		jsonText(nonNilMap(k.Metadata)), micros(k.ExpiresAt), micros(k.CreatedAt), micros(k.RevokedAt))
	return s.conflict(err)
}

func nonNil(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

type scanner interface{ Scan(...any) error }

func scanKey(r scanner) (store.Key, error) {
	var k store.Key
	var models, tags, meta string
	var exp, created, revoked int64
	err := r.Scan(&k.ID, &k.Name, &k.Team, &models, &tags, &k.Hash, &k.Prefix,
		&k.Limits.BudgetNanoUSD, &k.Limits.BudgetPeriod, &k.Limits.RPM, &k.Limits.TPM, &k.Limits.MaxConcurrency,
		&meta, &exp, &created, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return k, store.ErrNotFound
	}
	if err != nil {
		return k, err
	}
	_ = json.Unmarshal([]byte(models), &k.Models)
	_ = json.Unmarshal([]byte(tags), &k.Tags)
	_ = json.Unmarshal([]byte(meta), &k.Metadata)
	k.ExpiresAt, k.CreatedAt, k.RevokedAt = fromMicros(exp), fromMicros(created), fromMicros(revoked)
	return k, nil
}

// KeyByHash implements store.Store.
func (s *Store) KeyByHash(ctx context.Context, hash string) (store.Key, error) {
	return scanKey(s.db.QueryRowContext(ctx, s.d.Rebind(`SELECT `+keyCols+` FROM keys WHERE hash = ?`), hash))
}

// Key implements store.Store.
func (s *Store) Key(ctx context.Context, id string) (store.Key, error) {
	return scanKey(s.db.QueryRowContext(ctx, s.d.Rebind(`SELECT `+keyCols+` FROM keys WHERE id = ?`), id))
}

// Keys implements store.Store.
func (s *Store) Keys(ctx context.Context) ([]store.Key, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+keyCols+` FROM keys ORDER BY created_at, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Key
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// UpdateKey implements store.Store.
func (s *Store) UpdateKey(ctx context.Context, k store.Key) error {
	res, err := s.exec(ctx, `UPDATE keys SET name=?, team=?, models=?, tags=?, budget_nano=?, budget_period=?, rpm=?, tpm=?, max_concurrency=?, metadata=?, expires_at=? WHERE id=?`,
		k.Name, k.Team, jsonText(nonNil(k.Models)), jsonText(nonNil(k.Tags)),
		k.Limits.BudgetNanoUSD, period(k.Limits.BudgetPeriod), k.Limits.RPM, k.Limits.TPM, k.Limits.MaxConcurrency,
		jsonText(nonNilMap(k.Metadata)), micros(k.ExpiresAt), k.ID)
	return affected(res, err)
}

func affected(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// RevokeKey implements store.Store; revoking twice keeps the first time.
func (s *Store) RevokeKey(ctx context.Context, id string, at time.Time) error {
	if _, err := s.Key(ctx, id); err != nil {
		return err
	}
	_, err := s.exec(ctx, `UPDATE keys SET revoked_at=? WHERE id=? AND revoked_at=0`, micros(at), id)
	return err
}

// HasKeys implements store.Store.
func (s *Store) HasKeys(ctx context.Context) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT id FROM keys LIMIT 1) k`).Scan(&n)
	return n > 0, err
}

const teamCols = `id, name, budget_nano, budget_period, rpm, tpm, max_concurrency, metadata, created_at`

// CreateTeam implements store.Store.
func (s *Store) CreateTeam(ctx context.Context, t store.Team) error {
	_, err := s.exec(ctx, `INSERT INTO teams (`+teamCols+`) VALUES (?,?,?,?,?,?,?,?,?)`,
		t.ID, t.Name, t.Limits.BudgetNanoUSD, period(t.Limits.BudgetPeriod), t.Limits.RPM, t.Limits.TPM, t.Limits.MaxConcurrency,
		jsonText(nonNilMap(t.Metadata)), micros(t.CreatedAt))
	return s.conflict(err)
}

func scanTeam(r scanner) (store.Team, error) {
	var t store.Team
	var meta string
	var created int64
	err := r.Scan(&t.ID, &t.Name, &t.Limits.BudgetNanoUSD, &t.Limits.BudgetPeriod, &t.Limits.RPM, &t.Limits.TPM,
		&t.Limits.MaxConcurrency, &meta, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return t, store.ErrNotFound
	}
	if err != nil {
		return t, err
	}
	_ = json.Unmarshal([]byte(meta), &t.Metadata)
	t.CreatedAt = fromMicros(created)
	return t, nil
}

// Team implements store.Store.
func (s *Store) Team(ctx context.Context, idOrName string) (store.Team, error) {
	return scanTeam(s.db.QueryRowContext(ctx, s.d.Rebind(`SELECT `+teamCols+` FROM teams WHERE id = ? OR name = ? ORDER BY id = ? DESC LIMIT 1`), idOrName, idOrName, idOrName))
}

// Teams implements store.Store.
func (s *Store) Teams(ctx context.Context) ([]store.Team, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+teamCols+` FROM teams ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Team
	for rows.Next() {
		t, err := scanTeam(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// UpdateTeam implements store.Store. The name is fixed: keys refer to it.
func (s *Store) UpdateTeam(ctx context.Context, t store.Team) error {
	res, err := s.exec(ctx, `UPDATE teams SET budget_nano=?, budget_period=?, rpm=?, tpm=?, max_concurrency=?, metadata=? WHERE id=?`,
		t.Limits.BudgetNanoUSD, period(t.Limits.BudgetPeriod), t.Limits.RPM, t.Limits.TPM, t.Limits.MaxConcurrency,
		jsonText(nonNilMap(t.Metadata)), t.ID)
	return affected(res, err)
}

// DeleteTeam implements store.Store.
func (s *Store) DeleteTeam(ctx context.Context, id string) error {
	res, err := s.exec(ctx, `DELETE FROM teams WHERE id=?`, id)
	return affected(res, err)
}

const ledgerCols = `id, ts, request_id, key_id, team, model, provider, upstream_model, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, cost_nano, latency_us, ttft_us, status, attempts`

// ledgerStmtSizes are the row counts of the only ledger INSERTs railyard
// prepares, largest first. A batch of any size is cut greedily into chunks
// of these sizes, so the same three statements serve every batch: preparing
// a statement per new batch size (the writer's batches vary with traffic)
// cost as much CPU as running it, about 7% of a fast-path request. 64 rows
// carry 1,152 parameters, far under SQLite's 32,766 and PostgreSQL's 65,535.
var ledgerStmtSizes = [...]int{64, 8, 1}

// ledgerChunks cuts n rows into chunk sizes from ledgerStmtSizes, largest
// first.
func ledgerChunks(n int) []int {
	var out []int
	for _, size := range ledgerStmtSizes {
		for ; n >= size; n -= size {
			out = append(out, size)
		}
	}
	return out
}

// AppendLedger implements store.Store: rows inserted by multi-row
// statements of the few prepared sizes, in one transaction when a batch
// takes more than one statement, so a batch is atomic either way.
func (s *Store) AppendLedger(ctx context.Context, rows []store.Record) error {
	if len(rows) == 0 {
		return nil
	}
	stmts, err := s.ledgerStmts(ctx)
	if err != nil {
		return err
	}
	chunks := ledgerChunks(len(rows))
	args := ledgerArgsPool.Get().(*[]any)
	defer putLedgerArgs(args)
	if len(chunks) == 1 {
		*args = ledgerArgs(*args, rows)
		if _, err := stmts[chunks[0]].ExecContext(ctx, *args...); err != nil {
			return fmt.Errorf("ledger rows %s..: %w", rows[0].ID, err)
		}
		return nil
	}
	// The statements are prepared before the transaction starts: preparing
	// one while tx holds SQLite's only connection would wait forever.
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	for _, size := range chunks {
		chunk := rows[:size]
		rows = rows[size:]
		*args = ledgerArgs(*args, chunk)
		if _, err := tx.StmtContext(ctx, stmts[size]).ExecContext(ctx, *args...); err != nil {
			return fmt.Errorf("ledger rows %s..: %w", chunk[0].ID, err)
		}
	}
	return tx.Commit()
}

// ledgerStmts returns the prepared ledger INSERTs by row count, preparing
// them on first use.
func (s *Store) ledgerStmts(ctx context.Context) (map[int]*sql.Stmt, error) {
	s.stmtMu.Lock()
	defer s.stmtMu.Unlock()
	if s.ledgerStmtsBySize != nil {
		return s.ledgerStmtsBySize, nil
	}
	m := make(map[int]*sql.Stmt, len(ledgerStmtSizes))
	for _, n := range ledgerStmtSizes {
		st, err := s.db.PrepareContext(ctx, s.ledgerInsert(n))
		if err != nil {
			for _, st := range m {
				_ = st.Close()
			}
			return nil, fmt.Errorf("prepare ledger insert: %w", err)
		}
		m[n] = st
	}
	s.ledgerStmtsBySize = m
	return m, nil
}

// ledgerInsert is the INSERT of n ledger rows.
func (s *Store) ledgerInsert(n int) string {
	var q strings.Builder
	q.Grow(len(ledgerCols) + 64 + n*38)
	q.WriteString(`INSERT INTO ledger (` + ledgerCols + `) VALUES `)
	for j := range n {
		if j > 0 {
			q.WriteByte(',')
		}
		q.WriteString("(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
	}
	q.WriteString(` ON CONFLICT (id) DO NOTHING`)
	return s.d.Rebind(q.String())
}

// ledgerArgsPool keeps the parameter slices of ledger INSERTs: every
// flush of the ledger writer runs a few statements (chunks of 64, 8 and 1
// rows), and a fresh slice per statement was a third of a row's
// allocation.
var ledgerArgsPool = sync.Pool{New: func() any { return new([]any) }}

// putLedgerArgs clears args (the values are the rows') and pools it; the
// slice of a 64-row statement (1,152 values) is pooled too, as the
// writer makes such batches again under load.
func putLedgerArgs(args *[]any) {
	clear((*args)[:cap(*args)])
	*args = (*args)[:0]
	ledgerArgsPool.Put(args)
}

// ledgerArgs flattens rows into the INSERT's parameters, reusing args'
// array (database/sql copies the values before Exec returns).
func ledgerArgs(args []any, rows []store.Record) []any {
	args = slices.Grow(args[:0], len(rows)*18)
	for _, r := range rows {
		args = append(args, r.ID, micros(r.Time), r.RequestID, r.KeyID, r.Team, r.Model, r.Provider, r.UpstreamModel,
			r.InputTokens, r.OutputTokens, r.CacheReadTokens, r.CacheWriteTokens, r.ReasoningTokens, r.CostNanoUSD,
			r.Latency.Microseconds(), r.TTFT.Microseconds(), r.Status, r.Attempts)
	}
	return args
}

// Spend implements store.Store.
func (s *Store) Spend(ctx context.Context, keyID, team string, since time.Time) (int64, error) {
	col, v := "key_id", keyID
	if team != "" {
		col, v = "team", team
	}
	var n sql.NullInt64
	err := s.db.QueryRowContext(ctx, s.d.Rebind(`SELECT CAST(SUM(cost_nano) AS BIGINT) FROM ledger WHERE `+col+` = ? AND ts >= ?`), v, micros(since)).Scan(&n)
	return n.Int64, err
}

// Usage implements store.Store.
func (s *Store) Usage(ctx context.Context, by string, since time.Time) ([]store.UsageRow, error) {
	var group string
	switch by {
	case store.ByKey:
		group = "key_id"
	case store.ByTeam:
		group = "team"
	case store.ByModel, "":
		group = "model"
	case store.ByProvider:
		group = "provider"
	case store.ByDay:
		group = s.d.DayExpr
	default:
		return nil, fmt.Errorf("unknown grouping %q (want key, team, model, provider or day)", by)
	}
	q := `SELECT ` + group + ` AS g, COUNT(*), CAST(SUM(input_tokens) AS BIGINT), CAST(SUM(output_tokens) AS BIGINT), CAST(SUM(cache_read_tokens) AS BIGINT), CAST(SUM(cache_write_tokens) AS BIGINT), CAST(SUM(reasoning_tokens) AS BIGINT), CAST(SUM(cost_nano) AS BIGINT)
		FROM ledger WHERE ts >= ? GROUP BY g ORDER BY g`
	rows, err := s.db.QueryContext(ctx, s.d.Rebind(q), micros(since))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []store.UsageRow{}
	for rows.Next() {
		var u store.UsageRow
		if err := rows.Scan(&u.Group, &u.Requests, &u.InputTokens, &u.OutputTokens, &u.CacheReadTokens, &u.CacheWriteTokens, &u.ReasoningTokens, &u.CostNanoUSD); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// Ledger implements store.Store.
func (s *Store) Ledger(ctx context.Context, since time.Time, fn func(store.Record) error) error {
	rows, err := s.db.QueryContext(ctx, s.d.Rebind(`SELECT `+ledgerCols+` FROM ledger WHERE ts >= ? ORDER BY ts, id`), micros(since))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r store.Record
		var ts, lat, ttft int64
		if err := rows.Scan(&r.ID, &ts, &r.RequestID, &r.KeyID, &r.Team, &r.Model, &r.Provider, &r.UpstreamModel,
			&r.InputTokens, &r.OutputTokens, &r.CacheReadTokens, &r.CacheWriteTokens, &r.ReasoningTokens, &r.CostNanoUSD,
			&lat, &ttft, &r.Status, &r.Attempts); err != nil {
			return err
		}
		r.Time = fromMicros(ts)
		r.Latency, r.TTFT = time.Duration(lat)*time.Microsecond, time.Duration(ttft)*time.Microsecond
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}
