package ledger

import (
	"bytes"
	"testing"
)

// FuzzParseSegment: a spool file is outside input after a crash (torn
// writes, a full disk); reading it never panics and keeps only rows with
// an id.
func FuzzParseSegment(f *testing.F) {
	f.Add([]byte(`{"ID":"a","CostNanoUSD":5}` + "\n" + `{"ID":"b"`))
	f.Add([]byte("\n\n{}\n[1,2]\n\"x\"\n"))
	f.Add([]byte(`{"ID":"c","Time":"not a time"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, _ := parseSegment(bytes.NewReader(data))
		for _, r := range rows {
			if r.ID == "" {
				t.Fatalf("row without id: %+v", r)
			}
		}
	})
}
