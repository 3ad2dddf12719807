package ledger

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadSegment: a spool file is outside input after a crash (torn
// writes, a full disk); reading it never panics and keeps only rows with
// an id.
func FuzzReadSegment(f *testing.F) {
	f.Add([]byte(`{"ID":"a","CostNanoUSD":5}` + "\n" + `{"ID":"b"`))
	f.Add([]byte("\n\n{}\n[1,2]\n\"x\"\n"))
	f.Add([]byte(`{"ID":"c","Time":"not a time"}`))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(dir, "seg.jsonl")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		rows, _ := readSegment(p)
		for _, r := range rows {
			if r.ID == "" {
				t.Fatalf("row without id: %+v", r)
			}
		}
	})
}
