// Package ledger writes one append-only usage row per request to the
// store, in batches and off the request path, without losing a row to a
// crash: Record appends the row to a local write-ahead spool (one write
// system call, so it survives the process being killed) before queueing
// it, and Open replays whatever a previous process left in the spool.
//
// The spool is a directory of segment files of JSON lines. The writer
// rotates to a new segment at each flush and deletes a segment once every
// row in it is in the store; replaying a row the store already holds is a
// no-op (rows have unique ids), so a crash between the store's commit and
// the segment's deletion double counts nothing.
package ledger

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/railyard-ai/railyard/internal/store"
)

// Options tune the writer; zero values take the defaults.
type Options struct {
	// BatchSize is the most rows per store transaction. Default 512.
	BatchSize int
	// FlushInterval is the longest a row waits in memory. Default 100ms.
	FlushInterval time.Duration
	// Queue is how many rows may wait for the store; past it rows stay in
	// the spool only, to be written at the next start. Default 65536. The
	// queue holds only the rows waiting, not room for Queue of them.
	Queue  int
	Logger *slog.Logger
}

// Writer batches ledger rows into the store.
type Writer struct {
	st   store.Store
	dir  string
	opts Options
	log  *slog.Logger

	mu      sync.Mutex
	seg     *os.File
	segN    int
	segRows int
	pending map[int]int // segment -> rows not yet in the store
	closed  bool
	// queue is the rows spooled since the writer last took them. It is a
	// slice that grows with what waits, not a channel of Options.Queue
	// slots: a 65,536-slot channel of rows is 14 MB of pointer-bearing
	// memory that the garbage collector scans in full at every cycle,
	// which made each cycle's mark phase (and the requests slowed by it)
	// twice as long.
	queue []item

	stop chan struct{} // closed by Close
	done chan struct{}
}

type item struct {
	rec store.Record
	seg int
}

// Open replays the spool in dir into st, then returns a writer spooling
// to dir. Each process needs its own dir.
func Open(ctx context.Context, st store.Store, dir string, opts Options) (*Writer, error) {
	if opts.BatchSize <= 0 {
		opts.BatchSize = 512
	}
	if opts.FlushInterval <= 0 {
		opts.FlushInterval = 100 * time.Millisecond
	}
	if opts.Queue <= 0 {
		opts.Queue = 1 << 16
	}
	w := &Writer{st: st, dir: dir, opts: opts, log: opts.Logger, pending: map[int]int{}, stop: make(chan struct{}), done: make(chan struct{})}
	if w.log == nil {
		w.log = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("ledger spool: %w", err)
	}
	last, err := w.replay(ctx)
	if err != nil {
		return nil, err
	}
	w.segN = last
	if err := w.rotate(); err != nil {
		return nil, err
	}
	go w.run()
	return w, nil
}

func segName(n int) string { return fmt.Sprintf("%012d.jsonl", n) }

// segments lists the spool's segment numbers in order.
func (w *Writer) segments() ([]int, error) {
	ents, err := os.ReadDir(w.dir)
	if err != nil {
		return nil, err
	}
	var out []int
	for _, e := range ents {
		name, ok := strings.CutSuffix(e.Name(), ".jsonl")
		if !ok {
			continue
		}
		if n, err := strconv.Atoi(name); err == nil {
			out = append(out, n)
		}
	}
	sort.Ints(out)
	return out, nil
}

// replay writes every spooled row to the store and deletes the segments;
// it returns the highest segment number seen.
func (w *Writer) replay(ctx context.Context) (int, error) {
	segs, err := w.segments()
	if err != nil {
		return 0, err
	}
	last, total := 0, 0
	for _, n := range segs {
		last = n
		path := filepath.Join(w.dir, segName(n))
		rows, err := readSegment(path)
		if err != nil {
			return 0, err
		}
		for i := 0; i < len(rows); i += w.opts.BatchSize {
			if err := w.st.AppendLedger(ctx, rows[i:min(i+w.opts.BatchSize, len(rows))]); err != nil {
				return 0, fmt.Errorf("replay ledger spool %s: %w", path, err)
			}
		}
		total += len(rows)
		if err := os.Remove(path); err != nil {
			return 0, err
		}
	}
	if total > 0 {
		w.log.Info("ledger: replayed rows left in the spool by a previous run", "rows", total)
	}
	return last, nil
}

// readSegment parses a segment; a torn last line (the process died in the
// middle of a write) is skipped.
func readSegment(path string) ([]store.Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseSegment(f)
}

// parseSegment reads JSON lines of rows, skipping any that do not parse.
func parseSegment(r io.Reader) ([]store.Record, error) {
	var rows []store.Record
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var r store.Record
		if json.Unmarshal(sc.Bytes(), &r) == nil && r.ID != "" {
			rows = append(rows, r)
		}
	}
	return rows, sc.Err()
}

// rotate closes the current segment (deleting it when all its rows are
// stored) and opens the next. Callers hold mu, or own w alone.
func (w *Writer) rotate() error {
	if w.seg != nil {
		_ = w.seg.Close()
		w.seg = nil
		w.dropFlushed()
	}
	w.segN++
	f, err := os.OpenFile(filepath.Join(w.dir, segName(w.segN)), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("ledger spool: %w", err)
	}
	w.seg, w.segRows = f, 0
	return nil
}

// dropFlushed deletes closed segments whose rows are all in the store.
func (w *Writer) dropFlushed() {
	for n, left := range w.pending {
		if left == 0 && (n != w.segN || w.seg == nil) {
			_ = os.Remove(filepath.Join(w.dir, segName(n)))
			delete(w.pending, n)
		}
	}
	if w.seg == nil && w.pending[w.segN] == 0 {
		_ = os.Remove(filepath.Join(w.dir, segName(w.segN)))
	}
}

// ErrClosed is returned by Record after Close.
var ErrClosed = errors.New("ledger closed")

// Record spools r and queues it for the store. When it returns nil the row
// survives a crash of this process.
func (w *Writer) Record(r store.Record) error {
	var buf [512]byte
	line, err := appendLine(buf[:0], r)
	if err != nil {
		return err
	}
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return ErrClosed
	}
	if _, err := w.seg.Write(line); err != nil {
		w.mu.Unlock()
		return fmt.Errorf("ledger spool: %w", err)
	}
	seg := w.segN
	w.segRows++
	w.pending[seg]++
	if len(w.queue) < w.opts.Queue {
		w.queue = append(w.queue, item{rec: r, seg: seg})
	} else {
		// The store is far behind: the row stays in the spool (its
		// segment is never marked flushed) and the next start writes it.
		w.log.Warn("ledger: queue full, row kept in the spool for the next start")
	}
	w.mu.Unlock()
	return nil
}

// spareCap is the largest queue array the writer keeps for reuse; one that
// grew past it while the store was away is dropped once written.
const spareCap = 4096

// run writes the queued rows at every tick (or when Close asks). It does
// not wait on the queue itself: a goroutine woken for every row cost each
// request a context switch, and rows wait for the tick in any case. It
// swaps the queue with a spare array, so Record appends into one while the
// rows of the other are written.
func (w *Writer) run() {
	defer close(w.done)
	tick := time.NewTicker(w.opts.FlushInterval)
	defer tick.Stop()
	var spare []item
	for {
		stopping := false
		select {
		case <-tick.C:
		case <-w.stop:
			stopping = true
		}
		w.mu.Lock()
		batch := w.queue
		w.queue = spare
		w.mu.Unlock()
		for i := 0; i < len(batch); i += w.opts.BatchSize {
			w.flush(batch[i:min(i+w.opts.BatchSize, len(batch))])
		}
		if len(batch) == 0 {
			w.flush(nil)
		}
		if stopping {
			return
		}
		clear(batch) // drop the rows' strings for the collector
		spare = batch[:0]
		if cap(spare) > spareCap {
			spare = nil
		}
	}
}

// flush writes batch, retrying with backoff while the store fails (rows
// are safe in the spool meanwhile), then retires fully stored segments.
func (w *Writer) flush(batch []item) {
	if len(batch) > 0 {
		rows := make([]store.Record, len(batch))
		for i, it := range batch {
			rows[i] = it.rec
		}
		for wait := 50 * time.Millisecond; ; wait = min(wait*2, 5*time.Second) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			err := w.st.AppendLedger(ctx, rows)
			cancel()
			if err == nil {
				break
			}
			w.log.Error("ledger: store write failed; retrying (rows are in the spool)", "rows", len(rows), "err", err)
			time.Sleep(wait)
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, it := range batch {
		w.pending[it.seg]--
	}
	if !w.closed && w.segRows > 0 {
		if err := w.rotate(); err != nil {
			w.log.Error("ledger: rotate spool", "err", err)
		}
		return
	}
	w.dropFlushed()
}

// Close stops taking rows, writes every queued row to the store and
// removes the spool segments that are fully stored.
func (w *Writer) Close(ctx context.Context) error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	close(w.stop)
	w.mu.Unlock()
	select {
	case <-w.done:
	case <-ctx.Done():
		return fmt.Errorf("ledger: rows still unwritten at shutdown stay in the spool: %w", ctx.Err())
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.seg != nil {
		_ = w.seg.Close()
		w.seg = nil
	}
	w.dropFlushed()
	return nil
}
