package ledger

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/railyard-ai/railyard/internal/jsonx"
	"github.com/railyard-ai/railyard/internal/store"
)

// appendLine appends r as a spool line: json.Marshal(r) and a newline,
// written by hand because reflection cost more than the rest of Record,
// which every admitted request calls. A fuzz test holds it to json.Marshal
// byte for byte; rows it cannot write identically (a time outside UTC or
// outside years 0-9999) go through json.Marshal itself.
func appendLine(dst []byte, r store.Record) ([]byte, error) {
	if y := r.Time.Year(); r.Time.Location() != time.UTC || y < 0 || y > 9999 {
		b, err := json.Marshal(r)
		if err != nil {
			return dst, err
		}
		return append(append(dst, b...), '\n'), nil
	}
	dst = append(dst, `{"ID":`...)
	dst = jsonx.AppendString(dst, r.ID)
	dst = append(dst, `,"Time":"`...)
	dst = r.Time.AppendFormat(dst, time.RFC3339Nano)
	dst = append(dst, `","RequestID":`...)
	dst = jsonx.AppendString(dst, r.RequestID)
	dst = append(dst, `,"KeyID":`...)
	dst = jsonx.AppendString(dst, r.KeyID)
	dst = append(dst, `,"Team":`...)
	dst = jsonx.AppendString(dst, r.Team)
	dst = append(dst, `,"Model":`...)
	dst = jsonx.AppendString(dst, r.Model)
	dst = append(dst, `,"Provider":`...)
	dst = jsonx.AppendString(dst, r.Provider)
	dst = append(dst, `,"UpstreamModel":`...)
	dst = jsonx.AppendString(dst, r.UpstreamModel)
	for _, f := range [...]struct {
		name string
		v    int64
	}{
		{`,"InputTokens":`, r.InputTokens},
		{`,"OutputTokens":`, r.OutputTokens},
		{`,"CacheReadTokens":`, r.CacheReadTokens},
		{`,"CacheWriteTokens":`, r.CacheWriteTokens},
		{`,"ReasoningTokens":`, r.ReasoningTokens},
		{`,"CostNanoUSD":`, r.CostNanoUSD},
		{`,"Latency":`, int64(r.Latency)},
		{`,"TTFT":`, int64(r.TTFT)},
		{`,"Status":`, int64(r.Status)},
		{`,"Attempts":`, int64(r.Attempts)},
	} {
		dst = append(dst, f.name...)
		dst = strconv.AppendInt(dst, f.v, 10)
	}
	return append(dst, '}', '\n'), nil
}
