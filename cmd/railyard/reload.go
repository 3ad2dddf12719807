package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/railyard-ai/railyard/internal/config"
	"github.com/railyard-ai/railyard/internal/provider"
	"github.com/railyard-ai/railyard/internal/route"
)

// reloadPoll is how often the config file's modification time is checked.
const reloadPoll = 2 * time.Second

// reloader swaps in a new routing table when the config file changes or
// SIGHUP arrives. A reload is atomic: the new file is loaded, validated and
// built into a table before anything changes, and a config that fails any
// step is refused with the reason logged while the old table keeps
// serving. Targets' live state (latency, breakers, capacity use) is kept by
// the gateway, not the table, so it survives. Settings that shape the
// process itself (listen, auth, server, log) need a restart.
type reloader struct {
	path   string
	simURL string
	set    func(*route.Table)
	log    *slog.Logger
	mod    time.Time
	size   int64
}

// newReloader watches path; set receives each accepted table.
func newReloader(path, simURL string, set func(*route.Table), log *slog.Logger) *reloader {
	r := &reloader{path: path, simURL: simURL, set: set, log: log}
	r.mod, r.size = statFile(path)
	return r
}

func statFile(path string) (time.Time, int64) {
	fi, err := os.Stat(path)
	if err != nil {
		return time.Time{}, -1
	}
	return fi.ModTime(), fi.Size()
}

// run reloads on SIGHUP and on file change until ctx ends.
func (r *reloader) run(ctx context.Context, poll time.Duration) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	tick := time.NewTicker(poll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			r.reload("SIGHUP")
		case <-tick.C:
			if mod, size := statFile(r.path); !mod.Equal(r.mod) || size != r.size {
				r.reload("file changed")
			}
		}
	}
}

// reload loads, checks and swaps in the config; it reports whether the new
// table serves.
func (r *reloader) reload(why string) bool {
	r.mod, r.size = statFile(r.path)
	t, err := r.build()
	if err != nil {
		r.log.Error("config reload refused; the previous config keeps serving", "config", r.path, "trigger", why, "err", err)
		return false
	}
	r.set(t)
	r.log.Info("config reloaded", "config", r.path, "trigger", why, "models", len(t.ModelNames()))
	return true
}

func (r *reloader) build() (*route.Table, error) {
	cfg, err := config.Load(r.path)
	if err != nil {
		return nil, err
	}
	for _, w := range cfg.Warnings {
		r.log.Warn(w)
	}
	if r.simURL == "" {
		for _, p := range cfg.Providers {
			if p.Type == provider.KindSim && p.BaseURL == "" {
				return nil, fmt.Errorf("provider %q needs the in-process simulator, which only starts with the process: restart railyard", p.Name)
			}
		}
	}
	return buildTable(cfg, r.simURL)
}
