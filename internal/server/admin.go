package server

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/railyard-ai/railyard/internal/access"
	"github.com/railyard-ai/railyard/internal/store"
)

// AdminOptions configure the admin API.
type AdminOptions struct {
	Store store.Store
	// MasterKey is the only credential the admin API accepts; without one
	// the admin API is off (the CLI works on the store directly).
	MasterKey string
	Logger    *slog.Logger
	// Requests, when set, serves the recent requests of this replica
	// (GET /admin/api/requests); Health the targets' live state
	// (GET /admin/api/providers).
	Requests RequestLog
	Health   HealthSnapshotter
}

// Admin returns the handler for /admin/api/: keys, teams, usage and the
// ledger export, all behind the master key as a Bearer token.
func Admin(o AdminOptions) http.Handler {
	a := &admin{o: o, log: o.Logger, now: time.Now}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /admin/api/keys", a.createKey)
	mux.HandleFunc("GET /admin/api/keys", a.listKeys)
	mux.HandleFunc("GET /admin/api/keys/{id}", a.getKey)
	mux.HandleFunc("PATCH /admin/api/keys/{id}", a.updateKey)
	mux.HandleFunc("DELETE /admin/api/keys/{id}", a.revokeKey)
	mux.HandleFunc("POST /admin/api/teams", a.createTeam)
	mux.HandleFunc("GET /admin/api/teams", a.listTeams)
	mux.HandleFunc("GET /admin/api/teams/{id}", a.getTeam)
	mux.HandleFunc("PATCH /admin/api/teams/{id}", a.updateTeam)
	mux.HandleFunc("DELETE /admin/api/teams/{id}", a.deleteTeam)
	mux.HandleFunc("GET /admin/api/usage", a.usage)
	mux.HandleFunc("GET /admin/api/ledger.csv", a.ledgerCSV)
	mux.HandleFunc("GET /admin/api/requests", a.listRequests)
	mux.HandleFunc("GET /admin/api/requests/{id}", a.getRequest)
	mux.HandleFunc("GET /admin/api/providers", a.providers)
	mux.HandleFunc("GET /admin/api/session", session)
	mux.HandleFunc("GET /admin/api/series", a.series)
	mux.HandleFunc("/admin/api/", func(w http.ResponseWriter, r *http.Request) {
		adminError(w, http.StatusNotFound, "not_found", "no admin route for "+r.Method+" "+r.URL.Path)
	})
	return a.guard(mux)
}

type admin struct {
	o   AdminOptions
	log *slog.Logger
	now func() time.Time
}

// guard is adminGuard (admin_session.go): the master key or a console
// session.
func (a *admin) guard(next http.Handler) http.Handler { return adminGuard(a.o.MasterKey, next) }

func adminError(w http.ResponseWriter, status int, typ, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"type": typ, "message": msg}})
}

// fail maps a store or validation error to a status.
func (a *admin) fail(w http.ResponseWriter, err error) {
	var inv *access.InvalidError
	switch {
	case errors.As(err, &inv):
		adminError(w, http.StatusBadRequest, "invalid_request_error", inv.Msg)
	case errors.Is(err, store.ErrNotFound):
		adminError(w, http.StatusNotFound, "not_found_error", "not found")
	case errors.Is(err, store.ErrConflict):
		adminError(w, http.StatusConflict, "conflict_error", "already exists")
	default:
		a.log.Error("admin API: store failed", "err", err)
		adminError(w, http.StatusInternalServerError, "api_error", "store error")
	}
}

func decodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &access.InvalidError{Msg: "invalid JSON body: " + err.Error()}
	}
	if dec.More() {
		return &access.InvalidError{Msg: "invalid JSON body: more than one value"}
	}
	return nil
}

// createdKey is the answer to POST /admin/api/keys: the only time the
// secret is shown.
type createdKey struct {
	access.KeyView
	Key string `json:"key"`
}

func (a *admin) createKey(w http.ResponseWriter, r *http.Request) {
	var f access.KeyFields
	if err := decodeJSON(r, &f); err != nil {
		a.fail(w, err)
		return
	}
	k, secret, err := access.CreateKey(r.Context(), a.o.Store, f, a.now())
	if err != nil {
		a.fail(w, err)
		return
	}
	a.log.Info("admin: key created", "key_id", k.ID, "name", k.Name)
	writeJSON(w, http.StatusCreated, createdKey{KeyView: access.ViewKey(k), Key: secret})
}

func (a *admin) listKeys(w http.ResponseWriter, r *http.Request) {
	keys, err := a.o.Store.Keys(r.Context())
	if err != nil {
		a.fail(w, err)
		return
	}
	out := make([]access.KeyView, 0, len(keys))
	for _, k := range keys {
		out = append(out, access.ViewKey(k))
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": out})
}

func (a *admin) getKey(w http.ResponseWriter, r *http.Request) {
	k, err := a.o.Store.Key(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, access.ViewKey(k))
}

func (a *admin) updateKey(w http.ResponseWriter, r *http.Request) {
	var f access.KeyFields
	if err := decodeJSON(r, &f); err != nil {
		a.fail(w, err)
		return
	}
	k, err := a.o.Store.Key(r.Context(), r.PathValue("id"))
	if err == nil {
		err = f.Apply(&k)
	}
	if err == nil {
		err = a.o.Store.UpdateKey(r.Context(), k)
	}
	if err != nil {
		a.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, access.ViewKey(k))
}

func (a *admin) revokeKey(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	err := a.o.Store.RevokeKey(r.Context(), id, a.now())
	var k store.Key
	if err == nil {
		k, err = a.o.Store.Key(r.Context(), id)
	}
	if err != nil {
		a.fail(w, err)
		return
	}
	a.log.Info("admin: key revoked", "key_id", id)
	writeJSON(w, http.StatusOK, access.ViewKey(k))
}

func (a *admin) createTeam(w http.ResponseWriter, r *http.Request) {
	var f access.TeamFields
	if err := decodeJSON(r, &f); err != nil {
		a.fail(w, err)
		return
	}
	t, err := access.CreateTeam(r.Context(), a.o.Store, f, a.now())
	if err != nil {
		a.fail(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, access.ViewTeam(t))
}

func (a *admin) listTeams(w http.ResponseWriter, r *http.Request) {
	teams, err := a.o.Store.Teams(r.Context())
	if err != nil {
		a.fail(w, err)
		return
	}
	out := make([]access.TeamView, 0, len(teams))
	for _, t := range teams {
		out = append(out, access.ViewTeam(t))
	}
	writeJSON(w, http.StatusOK, map[string]any{"teams": out})
}

func (a *admin) getTeam(w http.ResponseWriter, r *http.Request) {
	t, err := a.o.Store.Team(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, access.ViewTeam(t))
}

func (a *admin) updateTeam(w http.ResponseWriter, r *http.Request) {
	var f access.TeamFields
	if err := decodeJSON(r, &f); err != nil {
		a.fail(w, err)
		return
	}
	t, err := a.o.Store.Team(r.Context(), r.PathValue("id"))
	if err == nil && f.Name != nil && *f.Name != t.Name {
		err = &access.InvalidError{Msg: "a team's name cannot change: keys refer to it"}
	}
	if err == nil {
		err = f.Apply(&t)
	}
	if err == nil {
		err = a.o.Store.UpdateTeam(r.Context(), t)
	}
	if err != nil {
		a.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, access.ViewTeam(t))
}

func (a *admin) deleteTeam(w http.ResponseWriter, r *http.Request) {
	t, err := a.o.Store.Team(r.Context(), r.PathValue("id"))
	if err == nil {
		err = a.o.Store.DeleteTeam(r.Context(), t.ID)
	}
	if err != nil {
		a.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, access.ViewTeam(t))
}

// UsageRow is one row of GET /admin/api/usage and `railyard usage --json`.
type UsageRow struct {
	Group            string  `json:"group"`
	Requests         int64   `json:"requests"`
	InputTokens      int64   `json:"input_tokens"`
	OutputTokens     int64   `json:"output_tokens"`
	CacheReadTokens  int64   `json:"cache_read_tokens"`
	CacheWriteTokens int64   `json:"cache_write_tokens"`
	ReasoningTokens  int64   `json:"reasoning_tokens"`
	CostUSD          float64 `json:"cost_usd"`
}

// usageQuery checks a usage report's grouping (default model) and window.
func usageQuery(by, since string, now time.Time) (string, time.Time, error) {
	t, err := store.ParseSince(since, now)
	if err != nil {
		return "", time.Time{}, &access.InvalidError{Msg: err.Error()}
	}
	if by == "" {
		by = store.ByModel
	}
	switch by {
	case store.ByKey, store.ByTeam, store.ByModel, store.ByProvider, store.ByDay:
		return by, t, nil
	}
	return "", time.Time{}, &access.InvalidError{Msg: "by must be key, team, model, provider or day"}
}

// Usage reads the usage report from st.
func Usage(ctx context.Context, st store.Store, by, since string, now time.Time) ([]UsageRow, error) {
	by, t, err := usageQuery(by, since, now)
	if err != nil {
		return nil, err
	}
	rows, err := st.Usage(ctx, by, t)
	if err != nil {
		return nil, err
	}
	out := make([]UsageRow, 0, len(rows))
	for _, u := range rows {
		out = append(out, UsageRow{Group: u.Group, Requests: u.Requests, InputTokens: u.InputTokens, OutputTokens: u.OutputTokens,
			CacheReadTokens: u.CacheReadTokens, CacheWriteTokens: u.CacheWriteTokens, ReasoningTokens: u.ReasoningTokens,
			CostUSD: float64(u.CostNanoUSD) / 1e9})
	}
	return out, nil
}

func (a *admin) usage(w http.ResponseWriter, r *http.Request) {
	rows, err := usageWhere(r.Context(), a.o.Store, r.URL.Query().Get("by"), r.URL.Query().Get("since"), a.now(), filterOf(r.URL.Query()))
	if err != nil {
		a.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"rows": rows})
}

// LedgerCSVHeader is the first line of the CSV export.
var LedgerCSVHeader = []string{"time", "id", "request_id", "key_id", "team", "model", "provider", "upstream_model",
	"input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens", "reasoning_tokens", "cost_usd",
	"latency_ms", "ttft_ms", "status", "attempts"}

// WriteLedgerCSV streams the ledger since a time as CSV.
func WriteLedgerCSV(ctx context.Context, st store.Store, since time.Time, w io.Writer) error {
	return writeLedgerCSVWhere(ctx, st, since, nil, w)
}

// writeLedgerCSVWhere is WriteLedgerCSV of the rows keep accepts (all
// when nil).
func writeLedgerCSVWhere(ctx context.Context, st store.Store, since time.Time, keep func(store.Record) bool, w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(LedgerCSVHeader); err != nil {
		return err
	}
	i := func(n int64) string { return strconv.FormatInt(n, 10) }
	ms := func(d time.Duration) string { return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 3, 64) }
	err := st.Ledger(ctx, since, func(r store.Record) error {
		if keep != nil && !keep(r) {
			return nil
		}
		return cw.Write([]string{r.Time.Format(time.RFC3339Nano), r.ID, r.RequestID, r.KeyID, r.Team, r.Model, r.Provider, r.UpstreamModel,
			i(r.InputTokens), i(r.OutputTokens), i(r.CacheReadTokens), i(r.CacheWriteTokens), i(r.ReasoningTokens),
			strconv.FormatFloat(float64(r.CostNanoUSD)/1e9, 'f', 9, 64), ms(r.Latency), ms(r.TTFT), strconv.Itoa(r.Status), strconv.Itoa(r.Attempts)})
	})
	cw.Flush()
	if err != nil {
		return err
	}
	return cw.Error()
}

func (a *admin) ledgerCSV(w http.ResponseWriter, r *http.Request) {
	since, err := store.ParseSince(r.URL.Query().Get("since"), a.now())
	if err != nil {
		a.fail(w, &access.InvalidError{Msg: err.Error()})
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="ledger.csv"`)
	if err := writeLedgerCSVWhere(r.Context(), a.o.Store, since, filterOf(r.URL.Query()).keep(), w); err != nil {
		a.log.Error("admin API: ledger export failed mid-stream", "err", err)
	}
}
