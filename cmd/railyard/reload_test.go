package main

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/railyard-ai/railyard/internal/route"
)

const reloadBase = `
providers:
  - {name: fleet, type: openai-compatible, base_url: "http://127.0.0.1:9/v1"}
models:
  - name: a
    targets: [{provider: fleet, model: qwen}]
`

type tableSink struct {
	mu     sync.Mutex
	tables []*route.Table
}

func (s *tableSink) set(t *route.Table) { s.mu.Lock(); s.tables = append(s.tables, t); s.mu.Unlock() }
func (s *tableSink) n() int             { s.mu.Lock(); defer s.mu.Unlock(); return len(s.tables) }
func (s *tableSink) last() *route.Table {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tables[len(s.tables)-1]
}

func TestReloadIsAtomic(t *testing.T) {
	path := filepath.Join(t.TempDir(), "railyard.yaml")
	write := func(s string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(reloadBase)
	var logs bytes.Buffer
	var sink tableSink
	r := newReloader(path, "", sink.set, slog.New(slog.NewTextHandler(&logs, nil)))

	tests := []struct {
		name    string
		file    string
		ok      bool
		wantLog string
	}{
		{"new model and policy", reloadBase + "  - name: b\n    route: weighted\n    targets: [{provider: fleet, model: llama}]\n", true, "config reloaded"},
		{"unknown key refused", reloadBase + "bogus: 1\n", false, "unknown key"},
		{"bad CEL refused", reloadBase + "    rules: [{when: 'tags +', only_tags: [onprem]}]\n", false, "Syntax error"},
		{"unknown policy refused", strings.Replace(reloadBase, "  - name: a\n", "  - name: a\n    route: fastest\n", 1), false, "unknown route"},
		{"in-process sim needs a restart", strings.Replace(reloadBase, "providers:\n", "providers:\n  - {name: sim, type: sim}\n", 1), false, "restart railyard"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := sink.n()
			logs.Reset()
			write(tc.file)
			if got := r.reload("test"); got != tc.ok {
				t.Fatalf("reload = %v, want %v; log: %s", got, tc.ok, logs.String())
			}
			if after := sink.n(); (after > before) != tc.ok {
				t.Fatalf("tables %d -> %d", before, after)
			}
			if !strings.Contains(logs.String(), tc.wantLog) {
				t.Fatalf("log %q lacks %q", logs.String(), tc.wantLog)
			}
		})
	}
	if names := sink.last().ModelNames(); !strings.Contains(strings.Join(names, ","), "b") {
		t.Fatalf("serving table lost the accepted change: %v", names)
	}
}

func TestReloadOnFileChangeAndSIGHUP(t *testing.T) {
	path := filepath.Join(t.TempDir(), "railyard.yaml")
	if err := os.WriteFile(path, []byte(reloadBase), 0o600); err != nil {
		t.Fatal(err)
	}
	var sink tableSink
	r := newReloader(path, "", sink.set, slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go r.run(ctx, 10*time.Millisecond)
	wait := func(n int, what string) {
		t.Helper()
		for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			if sink.n() >= n {
				return
			}
		}
		t.Fatalf("no reload after %s", what)
	}
	time.Sleep(30 * time.Millisecond)
	if err := os.WriteFile(path, []byte(reloadBase+"  - name: c\n    targets: [{provider: fleet, model: x}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	wait(1, "a file change")
	time.Sleep(30 * time.Millisecond)
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	wait(2, "SIGHUP")
}
