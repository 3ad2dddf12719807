package server

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/railyard-ai/railyard/internal/store"
)

var seriesNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// seriesRows are known ledger rows around seriesNow.
func seriesRows() []store.Record {
	at := func(hh, mm, ss int) time.Time { return time.Date(2026, 11, 23, hh, mm, ss, 0, time.UTC) }
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	return []store.Record{
		{ID: "r1", Time: at(11, 0, 30), KeyID: "k1", Team: "t1", Model: "a", Provider: "p1", InputTokens: 10, OutputTokens: 5, CostNanoUSD: 1_000_000, Latency: ms(100), Status: 200},
		{ID: "r2", Time: at(11, 0, 50), KeyID: "k2", Model: "a", Provider: "p1", Latency: ms(300), Status: 500},
		{ID: "r3", Time: at(11, 30, 0), KeyID: "k1", Team: "t1", Model: "b", Provider: "p2", InputTokens: 7, OutputTokens: 3, CacheReadTokens: 2, CacheWriteTokens: 1, ReasoningTokens: 4, CostNanoUSD: 2_500_000, Latency: ms(200), Status: 200},
		{ID: "r4", Time: at(10, 30, 0), KeyID: "k1", Model: "a", Provider: "p1", Latency: ms(999), Status: 200}, // before the hour
		{ID: "r5", Time: at(11, 59, 59), KeyID: "k3", Model: "b", Provider: "p2", InputTokens: 1, Latency: ms(50), Status: 429},
	}
}

func seriesStore(t *testing.T, rows []store.Record) store.Store {
	t.Helper()
	_, st := newAdmin(t, testMaster)
	if err := st.AppendLedger(context.Background(), rows); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestSeriesBuckets(t *testing.T) {
	st := seriesStore(t, seriesRows())
	rep, err := BuildSeries(context.Background(), st, "", "1h", seriesNow, LedgerFilter{})
	if err != nil {
		t.Fatal(err)
	}
	h11 := time.Date(2026, 11, 23, 11, 0, 0, 0, time.UTC).Unix()
	if rep.StepSeconds != 60 || rep.Since != "2026-11-23T11:00:00Z" || len(rep.Series) != 1 || rep.Series[0].Group != "all" {
		t.Fatalf("report %d %s %d series", rep.StepSeconds, rep.Since, len(rep.Series))
	}
	pts := rep.Series[0].Points
	if len(pts) != 61 {
		t.Fatalf("%d points, want 61 (11:00 to 12:00 inclusive)", len(pts))
	}
	want := map[int]SeriesPoint{
		0:  {T: h11, Requests: 2, Errors: 1, InputTokens: 10, OutputTokens: 5, CostUSD: 0.001, P50MS: 100, P95MS: 300},
		30: {T: h11 + 30*60, Requests: 1, InputTokens: 7, OutputTokens: 3, CacheReadTokens: 2, CacheWriteTokens: 1, ReasoningTokens: 4, CostUSD: 0.0025, P50MS: 200, P95MS: 200},
		59: {T: h11 + 59*60, Requests: 1, Errors: 1, InputTokens: 1, P50MS: 50, P95MS: 50},
	}
	for i, p := range pts {
		w, ok := want[i]
		if !ok {
			w = SeriesPoint{T: h11 + int64(i)*60} // empty buckets are present, zero
		}
		if p != w {
			t.Errorf("point %d: %+v, want %+v", i, p, w)
		}
	}
	wantTot := SeriesTotals{Requests: 4, Errors: 2, InputTokens: 18, OutputTokens: 8, CostUSD: 0.0035, ErrorRate: 0.5, P50MS: 100, P95MS: 300}
	if rep.Totals != wantTot {
		t.Errorf("totals %+v, want %+v", rep.Totals, wantTot)
	}
}

func TestSeriesGroupsAndFilters(t *testing.T) {
	st := seriesStore(t, seriesRows())
	for _, tc := range []struct {
		name, by string
		f        LedgerFilter
		want     string // group:requests per series, in order
	}{
		{"by model", "model", LedgerFilter{}, "a:2 b:2"},
		{"by provider", "provider", LedgerFilter{}, "p1:2 p2:2"},
		{"by key", "key", LedgerFilter{}, "k1:2 k2:1 k3:1"},
		{"by team", "team", LedgerFilter{}, ":2 t1:2"},
		{"key filter", "model", LedgerFilter{Key: "k1"}, "a:1 b:1"},
		{"model and provider filter", "", LedgerFilter{Model: "b", Provider: "p2"}, "all:2"},
		{"filters that match nothing", "model", LedgerFilter{Model: "a", Provider: "p2"}, ""},
		{"one series even when empty", "", LedgerFilter{Team: "nobody"}, "all:0"},
	} {
		rep, err := BuildSeries(context.Background(), st, tc.by, "1h", seriesNow, tc.f)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var got []string
		for _, s := range rep.Series {
			var n int64
			for _, p := range s.Points {
				n += p.Requests
			}
			if len(s.Points) != 61 {
				t.Errorf("%s: %s has %d points", tc.name, s.Group, len(s.Points))
			}
			got = append(got, fmt.Sprintf("%s:%d", s.Group, n))
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("%s: %v, want %s", tc.name, got, tc.want)
		}
	}
}

func TestSeriesOtherGroup(t *testing.T) {
	var rows []store.Record
	for k := range 30 { // key kNN has NN+1 requests
		for i := range k + 1 {
			rows = append(rows, store.Record{ID: fmt.Sprintf("r%d-%d", k, i), Time: seriesNow.Add(-time.Minute), KeyID: fmt.Sprintf("k%02d", k), Model: "m", Status: 200})
		}
	}
	st := seriesStore(t, rows)
	rep, err := BuildSeries(context.Background(), st, "key", "1h", seriesNow, LedgerFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Series) != maxSeriesGroups+1 || rep.Series[0].Group != "k29" || rep.Series[24].Group != "k05" {
		t.Fatalf("%d series, first %s", len(rep.Series), rep.Series[0].Group)
	}
	last := rep.Series[maxSeriesGroups]
	if last.Group != otherGroup || last.Points[59].Requests != 1+2+3+4+5 || rep.Totals.Requests != 465 {
		t.Errorf("other: %+v totals %+v", last.Points[59], rep.Totals)
	}
}

func TestSeriesSince(t *testing.T) {
	st := seriesStore(t, nil)
	for _, tc := range []struct {
		since string
		step  int64
		err   string
	}{
		{"", 15 * 60, ""}, {"1h", 60, ""}, {"2h", 60, ""}, {"3h", 300, ""}, {"24h", 15 * 60, ""}, {"30h", 15 * 60, ""},
		{"31h", 3600, ""}, {"7d", 6 * 3600, ""}, {"30d", 6 * 3600, ""}, {"31d", 86400, ""}, {"90d", 86400, ""}, {"2026-11-23T10:00:00Z", 60, ""},
		{"91d", 0, "at most 90d"}, {"2160h1s", 0, "at most 90d"}, {"yesterday", 0, "want a duration"}, {"-1h", 0, "want a duration"},
		{"0s", 0, "in the past"}, {"2027-01-01T00:00:00Z", 0, "in the past"},
	} {
		rep, err := BuildSeries(context.Background(), st, "", tc.since, seriesNow, LedgerFilter{})
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("since %q: %v, want %q", tc.since, err, tc.err)
			}
		case err != nil:
			t.Errorf("since %q: %v", tc.since, err)
		case rep.StepSeconds != tc.step || len(rep.Series[0].Points) > maxBuckets+1:
			t.Errorf("since %q: step %d, %d buckets; want step %d", tc.since, rep.StepSeconds, len(rep.Series[0].Points), tc.step)
		}
	}
	if _, err := BuildSeries(context.Background(), st, "day", "1h", seriesNow, LedgerFilter{}); err == nil {
		t.Error("by=day accepted")
	}
}

func TestSamples(t *testing.T) {
	var s samples
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 1; i <= 10_000; i++ {
		s.add(float64(i), 512, rng)
	}
	p50, p95 := s.percentiles()
	if s.seen != 10_000 || len(s.xs) != 512 || p50 < 4000 || p50 > 6000 || p95 < 9000 {
		t.Errorf("reservoir: seen %d kept %d p50 %v p95 %v", s.seen, len(s.xs), p50, p95)
	}
	var e samples
	if a, b := e.percentiles(); a != 0 || b != 0 {
		t.Error("empty percentiles")
	}
}

func TestAdminFilters(t *testing.T) {
	h, st := newAdmin(t, testMaster)
	now := time.Now().UTC()
	rows := seriesRows()
	for i := range rows { // the same rows, relative to now
		rows[i].Time = now.Add(rows[i].Time.Sub(seriesNow))
	}
	if err := st.AppendLedger(context.Background(), rows); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path string
		want []string // substrings; for CSV the data lines' ids in order
	}{
		{"/admin/api/usage?by=key&since=24h&model=a", []string{`{"rows":[{"group":"k1","requests":2,`, `{"group":"k2","requests":1,`}},
		{"/admin/api/usage?by=model&since=24h&key=k1&team=t1", []string{`"group":"a","requests":1,"input_tokens":10,"output_tokens":5,"cache_read_tokens":0,"cache_write_tokens":0,"reasoning_tokens":0,"cost_usd":0.001}`, `"group":"b","requests":1,"input_tokens":7,"output_tokens":3,"cache_read_tokens":2,"cache_write_tokens":1,"reasoning_tokens":4,"cost_usd":0.0025}`}},
		{"/admin/api/usage?by=day&provider=nobody", []string{`{"rows":[]}`}},
		{"/admin/api/usage?by=colour&key=k1", []string{"by must be"}},
		{"/admin/api/ledger.csv?since=24h&key=k1", []string{",r4,", ",r1,", ",r3,"}},
		{"/admin/api/ledger.csv?since=24h&provider=p2&model=b", []string{",r3,", ",r5,"}},
		{"/admin/api/ledger.csv?since=24h&key=k1&provider=p1&team=t1", []string{",r1,"}},
		{"/admin/api/series?since=1h&by=model&provider=p2", []string{`"step_seconds":60`, `"series":[{"group":"b","points":[{"t":`, `"error_rate":0.5`}},
		{"/admin/api/series?since=100d", []string{"at most 90d"}},
	} {
		code, _, body := call(t, h, "GET", tc.path, testMaster, "")
		if strings.Contains(tc.path, ".csv") {
			lines := strings.Split(strings.TrimSpace(body), "\n")[1:]
			if code != 200 || len(lines) != len(tc.want) {
				t.Errorf("%s: %d\n%s", tc.path, code, body)
				continue
			}
			for i, w := range tc.want {
				if !strings.Contains(lines[i], w) {
					t.Errorf("%s: line %d %s, want %s", tc.path, i, lines[i], w)
				}
			}
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: %d %s lacks %s", tc.path, code, body, w)
			}
		}
	}
	// The series JSON has every field of the contract.
	_, _, body := call(t, h, "GET", "/admin/api/series?since=1h", testMaster, "")
	var rep map[string]any
	if err := json.Unmarshal([]byte(body), &rep); err != nil {
		t.Fatal(err)
	}
	pt := rep["series"].([]any)[0].(map[string]any)["points"].([]any)[0].(map[string]any)
	for _, f := range []string{"t", "requests", "errors", "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens", "reasoning_tokens", "cost_usd", "p50_ms", "p95_ms"} {
		if _, ok := pt[f]; !ok {
			t.Errorf("point lacks %s: %v", f, pt)
		}
	}
	tot := rep["totals"].(map[string]any)
	for _, f := range []string{"requests", "errors", "input_tokens", "output_tokens", "cost_usd", "error_rate", "p50_ms", "p95_ms"} {
		if _, ok := tot[f]; !ok {
			t.Errorf("totals lack %s: %v", f, tot)
		}
	}
}
