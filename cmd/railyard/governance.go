package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/railyard-ai/railyard/internal/access"
	"github.com/railyard-ai/railyard/internal/catalog"
	"github.com/railyard-ai/railyard/internal/config"
	"github.com/railyard-ai/railyard/internal/govern"
	"github.com/railyard-ai/railyard/internal/ledger"
	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/server"
	"github.com/railyard-ai/railyard/internal/store"
	"github.com/railyard-ai/railyard/internal/store/sqlite"
)

// defaultStore is DESIGN's default: a SQLite file in the working directory.
const defaultStore = "sqlite://railyard.db"

// openStore opens the store a config names (sqlite://FILE or postgres://).
func openStore(ctx context.Context, dsn string) (store.Store, error) {
	if dsn == "" {
		dsn = defaultStore
	}
	switch {
	case strings.HasPrefix(dsn, "sqlite://"):
		return sqlite.Open(ctx, strings.TrimPrefix(dsn, "sqlite://"))
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return openPostgres(ctx, dsn)
	}
	return nil, fmt.Errorf("store %q: want sqlite://FILE or postgres://...", dsn)
}

// spoolDir is where this process's ledger spool lives: RAILYARD_SPOOL, else
// next to a SQLite file, else ./railyard-spool-PID-free name by listen
// port (replicas on one host need their own).
func spoolDir(cfg *config.Config) string {
	if d := os.Getenv("RAILYARD_SPOOL"); d != "" {
		return d
	}
	if path, ok := strings.CutPrefix(cfg.Store, "sqlite://"); ok {
		return path + ".spool"
	}
	if cfg.Store == "" {
		return "railyard.db.spool"
	}
	port := cfg.Listen[strings.LastIndex(cfg.Listen, ":")+1:]
	return "railyard-spool-" + port
}

// governance is serve's store, ledger and governor.
type governance struct {
	st  store.Store
	led *ledger.Writer
	gov *govern.Governor
	adm http.Handler
	log *slog.Logger
}

func openGovernance(ctx context.Context, cfg *config.Config, prices *catalog.Catalog, log *slog.Logger, live liveState) (*governance, error) {
	st, err := openStore(ctx, cfg.Store)
	if err != nil {
		return nil, err
	}
	counters, err := openCounters(ctx, cfg, st)
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	led, err := ledger.Open(ctx, st, spoolDir(cfg), ledger.Options{Logger: log.With("component", "ledger")})
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	gv := govern.New(govern.Options{Store: st, Counters: counters, Catalog: prices, Ledger: led, MasterKey: cfg.Auth.MasterKey, Logger: log})
	adm := server.Admin(server.AdminOptions{Store: st, MasterKey: cfg.Auth.MasterKey, Logger: log.With("component", "admin"),
		Requests: live.requests, Health: live.health})
	return &governance{st: st, led: led, gov: gv, adm: adm, log: log}, nil
}

// authenticate is the server's hook.
func (g *governance) authenticate(r *http.Request, key string) (*http.Request, *llm.Error) {
	return g.gov.Authenticate(r, key)
}

// close flushes the ledger and closes the store.
func (g *governance) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := g.led.Close(ctx); err != nil {
		g.log.Error("ledger flush at shutdown", "err", err)
	}
	_ = g.st.Close()
}

// demoKey is the key `railyard demo` sends: none while keys are off, else
// a virtual key made for the demo that expires in an hour (the master key
// does not reach client endpoints).
func (g *governance) demoKey(ctx context.Context, master string) string {
	has, err := g.st.HasKeys(ctx)
	if master == "" && err == nil && !has {
		return ""
	}
	name, expires := "demo", time.Now().Add(time.Hour)
	_, secret, err := access.CreateKey(ctx, g.st, access.KeyFields{Name: &name, ExpiresAt: &expires}, time.Now())
	if err != nil {
		g.log.Error("demo: could not create a virtual key", "err", err)
		return ""
	}
	return secret
}
