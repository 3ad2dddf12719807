package reqlog

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/railyard-ai/railyard/internal/gateway"
	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/requestid"
)

// serve runs one request through l as the gateway would: a failed first
// attempt, then one that answers.
func serve(l *Log, id, model string, status int, body []byte) {
	r := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", nil)
	r = r.WithContext(requestid.With(r.Context(), id))
	q := l.StartRequest(r, gateway.RequestStart{Dialect: "openai", Operation: gateway.OperationChat})
	a := q.StartAttempt(gateway.Attempt{Provider: "primary", Model: "up-a"})
	a.Inject(http.Header{})
	a.End(gateway.AttemptResult{Outcome: "500", UpstreamStatus: 500, Err: &llm.Error{Status: 500}, Duration: 3 * time.Millisecond})
	a = q.StartAttempt(gateway.Attempt{Provider: "backup", Model: "up-b"})
	a.End(gateway.AttemptResult{Outcome: "ok", Answered: true, Duration: 12500 * time.Microsecond})
	q.End(gateway.Summary{
		ID: id, Request: &llm.Request{Model: model, Stream: true}, Status: status, Provider: "backup", UpstreamModel: "up-b",
		Route: "failover: primary 500 -> backup ok", Usage: llm.Usage{InputTokens: 10, OutputTokens: 5, CacheReadTokens: 2, ReasoningTokens: 1},
		CostUSD: 0.000123, Duration: 20 * time.Millisecond, FirstByte: 15 * time.Millisecond,
		RequestBody: body, ResponseBody: body,
	})
}

func TestRecordsRequest(t *testing.T) {
	l := New(Options{Identify: func(*http.Request) (string, string) { return "key_1", "research" }})
	serve(l, "req-1", "gpt-4o", 200, []byte(`{"secret":"prompt"}`))
	e, ok := l.Get("req-1")
	if !ok {
		t.Fatal("req-1 not found")
	}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"id": "req-1", "dialect": "openai", "operation": "chat", "model": "gpt-4o", "provider": "backup",
		"upstream_model": "up-b", "key_id": "key_1", "team": "research", "stream": true, "status": 200.0,
		"route": "failover: primary 500 -> backup ok", "input_tokens": 10.0, "output_tokens": 5.0,
		"cache_read_tokens": 2.0, "cache_write_tokens": 0.0, "reasoning_tokens": 1.0, "cost_usd": 0.000123,
		"latency_ms": 20.0, "ttft_ms": 15.0, "error": "",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	if _, err := time.Parse(time.RFC3339Nano, got["time"].(string)); err != nil {
		t.Errorf("time: %v", err)
	}
	atts := got["attempts"].([]any)
	if len(atts) != 2 {
		t.Fatalf("attempts = %v", atts)
	}
	first, second := atts[0].(map[string]any), atts[1].(map[string]any)
	if first["provider"] != "primary" || first["outcome"] != "500" || first["status"] != 500.0 || first["duration_ms"] != 3.0 || first["hedged"] != false {
		t.Errorf("first attempt = %v", first)
	}
	if second["provider"] != "backup" || second["model"] != "up-b" || second["outcome"] != "ok" || second["status"] != 200.0 || second["duration_ms"] != 12.5 {
		t.Errorf("second attempt = %v", second)
	}
	if strings.Contains(string(b), "body") || strings.Contains(string(b), "secret") {
		t.Errorf("prompts off, yet a body is in %s", b)
	}
}

func TestBodiesOnlyWithPrompts(t *testing.T) {
	l := New(Options{Prompts: true})
	big := []byte(strings.Repeat("x", BodyLimit+100))
	serve(l, "req-big", "m", 200, big)
	serve(l, "req-none", "m", 200, nil)
	e, _ := l.Get("req-big")
	if e.RequestBody == nil || len(*e.RequestBody) != BodyLimit || len(*e.ResponseBody) != BodyLimit {
		t.Fatalf("bodies not kept or not cut at %d bytes", BodyLimit)
	}
	e, _ = l.Get("req-none")
	b, _ := json.Marshal(e)
	if !strings.Contains(string(b), `"request_body":""`) || !strings.Contains(string(b), `"response_body":""`) {
		t.Errorf("capture on: empty bodies must still be present: %s", b)
	}
}

func TestAttemptsBeyondInline(t *testing.T) {
	l := New(Options{})
	q := l.StartRequest(httptest.NewRequest(http.MethodPost, "/", nil), gateway.RequestStart{})
	for i := range 7 {
		q.StartAttempt(gateway.Attempt{Provider: fmt.Sprint("p", i)}).End(gateway.AttemptResult{Outcome: "timeout"})
	}
	q.End(gateway.Summary{ID: "many"})
	e, _ := l.Get("many")
	if len(e.Attempts) != 7 {
		t.Fatalf("%d attempts, want 7", len(e.Attempts))
	}
	for i, a := range e.Attempts {
		if a.Provider != fmt.Sprint("p", i) || a.Outcome != "timeout" {
			t.Errorf("attempt %d = %+v", i, a)
		}
	}
}

func TestRingKeepsNewest(t *testing.T) {
	l := New(Options{Size: 5})
	for i := range 12 {
		serve(l, fmt.Sprint("r", i), "m", 200, nil)
	}
	if l.Len() != 5 {
		t.Errorf("Len = %d, want 5", l.Len())
	}
	got := ids(l.List(Filter{}))
	if want := "r11 r10 r9 r8 r7"; got != want {
		t.Errorf("List = %q, want %q", got, want)
	}
	if _, ok := l.Get("r6"); ok {
		t.Error("r6 should have been overwritten")
	}
	if got := ids(l.List(Filter{Limit: 2})); got != "r11 r10" {
		t.Errorf("limit 2: %q", got)
	}
}

func ids(es []*Entry) string {
	var s []string
	for _, e := range es {
		s = append(s, e.ID)
	}
	return strings.Join(s, " ")
}

func TestFilters(t *testing.T) {
	keys := map[string][2]string{"a": {"key_a", "red"}, "b": {"key_b", "blue"}, "c": {"key_a", "red"}, "d": {"", ""}}
	l := New(Options{Identify: func(r *http.Request) (string, string) {
		k := keys[requestid.From(r.Context())]
		return k[0], k[1]
	}})
	serve(l, "a", "gpt-4o", 200, nil)
	serve(l, "b", "claude", 429, nil)
	serve(l, "c", "gpt-4o", 502, nil)
	serve(l, "d", "claude", 200, nil)
	for _, tc := range []struct {
		f    Filter
		want string
	}{
		{Filter{}, "d c b a"},
		{Filter{Model: "gpt-4o"}, "c a"},
		{Filter{Model: "up-b"}, "d c b a"}, // the upstream model
		{Filter{Provider: "primary"}, "d c b a"},
		{Filter{Provider: "nobody"}, ""},
		{Filter{Status: "200"}, "d a"},
		{Filter{Status: "4xx"}, "b"},
		{Filter{Status: "error"}, "c b"},
		{Filter{KeyID: "key_a"}, "c a"},
		{Filter{Team: "blue"}, "b"},
		{Filter{KeyID: "key_a", Status: "5xx"}, "c"},
	} {
		if got := ids(l.List(tc.f)); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.f, got, tc.want)
		}
	}
}

func TestParseStatus(t *testing.T) {
	for s, ok := range map[string]bool{"": true, "200": true, "5xx": true, "error": true, "abc": false, "6xx": false, "99": false, "x": false} {
		if err := ParseStatus(s); (err == nil) != ok {
			t.Errorf("ParseStatus(%q) = %v", s, err)
		}
	}
}

// TestConcurrent records from many goroutines while others read; run
// under -race.
func TestConcurrent(t *testing.T) {
	l := New(Options{Size: 64})
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 500 {
				serve(l, fmt.Sprint(w, "-", i), "m", 200, nil)
			}
		})
	}
	for range 2 {
		wg.Go(func() {
			for range 200 {
				for _, e := range l.List(Filter{Limit: 1000}) {
					if e.Route == "" || len(e.Attempts) != 2 {
						t.Errorf("incomplete entry %+v", e)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	if got := len(l.List(Filter{Limit: 1000})); got != 64 {
		t.Errorf("%d entries, want 64", got)
	}
}

// An entry must not keep a decoder's substring of a whole body alive.
func TestEntryOwnsItsStrings(t *testing.T) {
	big := strings.Repeat("x", 1<<20) + "gpt-4o"
	model := big[len(big)-6:]
	l := New(Options{})
	q := l.StartRequest(httptest.NewRequest(http.MethodPost, "/", nil), gateway.RequestStart{})
	q.End(gateway.Summary{Request: &llm.Request{Model: model}, UpstreamModel: model, Error: model})
	e := l.List(Filter{})[0]
	for _, s := range []string{e.Model, e.UpstreamModel, e.Error} {
		if s != "gpt-4o" || unsafe.StringData(s) == unsafe.StringData(model) {
			t.Errorf("%q shares the body's memory", s)
		}
	}
}
