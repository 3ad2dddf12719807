package ledger

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/railyard-ai/railyard/internal/store"
)

func marshalLine(t testing.TB, r store.Record) []byte {
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

func TestAppendLineMatchesJSONMarshal(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	base := time.Date(2026, 11, 23, 14, 5, 6, 789000000, time.UTC)
	for _, r := range []store.Record{
		{},
		{ID: "0123abcd", Time: base, RequestID: "req_1", KeyID: "key_1", Team: "research", Model: "gpt-4o", Provider: "openai",
			UpstreamModel: "gpt-4o-2024-08-06", InputTokens: 1117, OutputTokens: 46, CacheReadTokens: 3, CacheWriteTokens: 4,
			ReasoningTokens: 5, CostNanoUSD: 123456, Latency: 1500 * time.Millisecond, TTFT: 20 * time.Millisecond, Status: 200, Attempts: 2},
		{ID: `quote " <b>&amp;</b> \ é` + "\n\xff", Time: base.Add(time.Nanosecond), CostNanoUSD: -1, Latency: -5},
		{Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
		{Time: base.In(paris)},                 // not UTC: json.Marshal writes it
		{Time: time.Unix(1_700_000_000, 0)},    // local zone
		{Time: base.AddDate(-3000, 0, 0)},      // year < 0: json.Marshal's error
		{Time: base.AddDate(8000, 0, 0).UTC()}, // year > 9999: json.Marshal's error
	} {
		want, wantErr := json.Marshal(r)
		got, err := appendLine(nil, r)
		if (err != nil) != (wantErr != nil) {
			t.Errorf("appendLine(%+v) error %v, json.Marshal %v", r, err, wantErr)
			continue
		}
		if err == nil && !bytes.Equal(got, append(want, '\n')) {
			t.Errorf("appendLine =\n%s\njson.Marshal =\n%s", got, want)
		}
	}
}

func FuzzAppendLine(f *testing.F) {
	f.Add("id", int64(1_700_000_000_123456789), "req_1", "key", "team", "m", "p", "um", int64(10), int64(-3), 200)
	f.Add("<&>\u2028", int64(0), "", "", "", "\xff", "", "", int64(0), int64(0), 0)
	f.Fuzz(func(t *testing.T, id string, ns int64, reqID, key, team, model, prov, up string, n, cost int64, status int) {
		r := store.Record{ID: id, Time: time.Unix(0, ns).UTC(), RequestID: reqID, KeyID: key, Team: team, Model: model,
			Provider: prov, UpstreamModel: up, InputTokens: n, OutputTokens: -n, CacheReadTokens: n / 3, CacheWriteTokens: n / 7,
			ReasoningTokens: n % 11, CostNanoUSD: cost, Latency: time.Duration(n), TTFT: time.Duration(cost), Status: status, Attempts: status % 5}
		got, err := appendLine(nil, r)
		if err != nil {
			t.Fatal(err)
		}
		if want := marshalLine(t, r); !bytes.Equal(got, want) {
			t.Fatalf("appendLine =\n%s\njson.Marshal =\n%s", got, want)
		}
	})
}
