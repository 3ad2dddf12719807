package ledger

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/railyard-ai/railyard/internal/store"
	"github.com/railyard-ai/railyard/internal/store/sqlite"
)

func openStore(t *testing.T) store.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "l.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func row(i int) store.Record {
	return store.Record{ID: fmt.Sprintf("r%05d", i), Time: time.Unix(1_700_000_000, 0).UTC(), KeyID: "k", Model: "m", CostNanoUSD: 10, Status: 200, Attempts: 1}
}

func count(t *testing.T, s store.Store) (n, cost int64) {
	t.Helper()
	u, err := s.Usage(context.Background(), store.ByKey, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range u {
		n += r.Requests
		cost += r.CostNanoUSD
	}
	return n, cost
}

func spoolFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	return m
}

func TestBatchesAndClose(t *testing.T) {
	s := openStore(t)
	dir := t.TempDir()
	w, err := Open(context.Background(), s, dir, Options{BatchSize: 7, FlushInterval: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 100 {
				if err := w.Record(row(g*100 + i)); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n, cost := count(t, s); n != 1000 || cost != 10000 {
		t.Fatalf("stored %d rows, cost %d", n, cost)
	}
	if f := spoolFiles(t, dir); len(f) != 0 {
		t.Errorf("spool left after a clean close: %v", f)
	}
	if err := w.Record(row(5000)); !errors.Is(err, ErrClosed) {
		t.Errorf("Record after Close: %v", err)
	}
}

// down is a store whose ledger writes fail, as a database that is away.
type down struct{ store.Store }

func (down) AppendLedger(context.Context, []store.Record) error {
	return errors.New("connection refused")
}

// A process that dies before its rows reach the store (the store was down,
// then kill -9) leaves them in the spool; the next start writes each once,
// and a torn last line is skipped.
func TestCrashReplay(t *testing.T) {
	s := openStore(t)
	dir := t.TempDir()
	w, err := Open(context.Background(), down{s}, dir, Options{FlushInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		if err := w.Record(row(i)); err != nil {
			t.Fatal(err)
		}
	}
	// Pretend some rows did reach the store before the crash.
	if err := s.AppendLedger(context.Background(), []store.Record{row(0), row(1)}); err != nil {
		t.Fatal(err)
	}
	files := spoolFiles(t, dir)
	if len(files) == 0 {
		t.Fatal("no spool")
	}
	f, _ := os.OpenFile(files[len(files)-1], os.O_APPEND|os.O_WRONLY, 0)
	_, _ = f.WriteString(`{"ID":"torn","Ti`)
	_ = f.Close()

	w2, err := Open(context.Background(), s, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Close(context.Background())
	if n, cost := count(t, s); n != 50 || cost != 500 {
		t.Fatalf("after replay: %d rows, cost %d; want 50, 500", n, cost)
	}
}

// Rows past the queue's bound are not held in memory; they stay in the
// spool, and the next start writes them (the rows that did reach the
// store are not counted twice).
func TestQueueFullRowsStayInSpool(t *testing.T) {
	s := openStore(t)
	dir := t.TempDir()
	w, err := Open(context.Background(), s, dir, Options{Queue: 2, FlushInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if err := w.Record(row(i)); err != nil {
			t.Fatal(err)
		}
	}
	w.mu.Lock()
	queued := len(w.queue)
	w.mu.Unlock()
	if queued != 2 {
		t.Fatalf("%d rows queued in memory, want the bound of 2", queued)
	}
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n, _ := count(t, s); n != 2 {
		t.Fatalf("stored %d rows at close, want the 2 queued", n)
	}
	if len(spoolFiles(t, dir)) == 0 {
		t.Fatal("the spool holding the 3 unqueued rows was deleted")
	}
	w2, err := Open(context.Background(), s, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Close(context.Background())
	if n, cost := count(t, s); n != 5 || cost != 50 {
		t.Fatalf("after the next start: %d rows, cost %d; want 5, 50", n, cost)
	}
}
