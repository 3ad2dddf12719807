package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/railyard-ai/railyard/internal/config"
	"github.com/railyard-ai/railyard/internal/llm"
)

func dur(d time.Duration) *time.Duration { return &d }

// timedConfig has round latencies so expected waits are easy to compute.
func timedConfig() config.Sim {
	return config.Sim{Seed: 1, Defaults: config.SimModel{
		Overhead:          dur(20 * time.Millisecond),
		PrefillPerToken:   dur(time.Millisecond),
		InterTokenLatency: dur(5 * time.Millisecond),
	}}
}

func chatReq(text string, stream bool) map[string]any {
	return map[string]any{"Model": "sim-model", "Stream": stream, "Messages": []any{
		map[string]any{"Role": "user", "Content": []any{map[string]any{"Type": "text", "Text": text}}},
	}}
}

func readResponse(t *testing.T, resp *http.Response) llm.Response {
	t.Helper()
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	var out llm.Response
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestCompleteReply(t *testing.T) {
	s, ts, rec := newTestServer(t, timedConfig())
	resp := post(t, ts.URL+"/v1/chat/completions", chatReq("hello world", false), nil)
	if !strings.HasPrefix(resp.Header.Get("x-request-id"), "req_") {
		t.Errorf("x-request-id %q", resp.Header.Get("x-request-id"))
	}
	r := readResponse(t, resp)
	if r.Model != "sim-model" || !strings.HasPrefix(r.ID, "chatcmpl-") || r.StopReason != llm.StopEndTurn {
		t.Errorf("reply %+v", r)
	}
	if len(r.Content) != 1 || r.Content[0].Text != "hello world" {
		t.Errorf("content %+v", r.Content)
	}
	// <user> hello world: 3 prompt tokens; 2 output tokens.
	if r.Usage != (llm.Usage{InputTokens: 3, OutputTokens: 2}) {
		t.Errorf("usage %+v", r.Usage)
	}
	// TTFT = 20ms + 3 x 1ms, then one inter-token wait for the second token.
	want := []time.Duration{23 * time.Millisecond, 5 * time.Millisecond}
	if len(rec.waits) != 2 || rec.waits[0] != want[0] || rec.waits[1] != want[1] {
		t.Errorf("waits %v, want %v", rec.waits, want)
	}
	waitFor(t, func() bool { return s.Stats().Running == 0 })
	if st := s.Stats(); st.Requests != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestPrefixCacheUsage(t *testing.T) {
	long := strings.Repeat("w ", 40) // 40 tokens + <user> = 41
	tests := []struct {
		name                 string
		hint                 bool
		first, second        llm.Usage
		firstTTFT, secondTTF time.Duration
	}{
		{"automatic caching", false,
			llm.Usage{InputTokens: 41, OutputTokens: 24},
			llm.Usage{InputTokens: 41, OutputTokens: 24, CacheReadTokens: 32},
			61 * time.Millisecond, 29 * time.Millisecond},
		{"cache hint reports writes", true,
			llm.Usage{InputTokens: 41, OutputTokens: 24, CacheWriteTokens: 32},
			llm.Usage{InputTokens: 41, OutputTokens: 24, CacheReadTokens: 32},
			61 * time.Millisecond, 29 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ts, rec := newTestServer(t, timedConfig())
			body := chatReq(long, false)
			if tt.hint {
				part := body["Messages"].([]any)[0].(map[string]any)["Content"].([]any)[0].(map[string]any)
				part["Cache"] = map[string]any{"Type": "ephemeral"}
			}
			u1 := readResponse(t, post(t, ts.URL+"/v1/messages", body, nil)).Usage
			ttft1 := rec.waits[0]
			rec.waits = nil
			u2 := readResponse(t, post(t, ts.URL+"/v1/messages", body, nil)).Usage
			if u1 != tt.first || u2 != tt.second {
				t.Fatalf("usage %+v then %+v", u1, u2)
			}
			if ttft1 != tt.firstTTFT || rec.waits[0] != tt.secondTTF {
				t.Fatalf("ttft %v then %v", ttft1, rec.waits[0])
			}
			if st := s.Stats(); st.CacheHits != 1 || st.CacheHitTokens != 32 {
				t.Fatalf("stats %+v", st)
			}
		})
	}
}

func TestStreamReply(t *testing.T) {
	_, ts, rec := newTestServer(t, timedConfig())
	resp := post(t, ts.URL+"/v1/messages", chatReq("one two, three", true), nil)
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" || resp.Header.Get("request-id") == "" {
		t.Fatalf("headers %v", resp.Header)
	}
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	evs := replayEverySplit(t, raw)
	var types []llm.EventType
	var text strings.Builder
	deltas := 0
	for _, e := range evs {
		types = append(types, e.Type)
		if e.Type == llm.EventBlockDelta {
			text.WriteString(e.Text)
			deltas++
		}
	}
	if text.String() != "one two, three" || deltas != 4 {
		t.Fatalf("text %q in %d deltas", text.String(), deltas)
	}
	if types[0] != llm.EventMessageStart || !strings.HasPrefix(evs[0].ID, "msg_") || evs[0].Usage.InputTokens != 5 {
		t.Fatalf("start %+v", evs[0])
	}
	last := evs[len(evs)-2]
	if last.Type != llm.EventMessageDelta || last.StopReason != llm.StopEndTurn || *last.Usage != (llm.Usage{InputTokens: 5, OutputTokens: 4}) {
		t.Fatalf("message delta %+v", last)
	}
	if types[len(types)-1] != llm.EventMessageStop {
		t.Fatal("no message stop")
	}
	// TTFT 20+5ms, then 3 inter-token waits.
	if len(rec.waits) != 4 || rec.waits[0] != 25*time.Millisecond || rec.waits[3] != 5*time.Millisecond {
		t.Fatalf("waits %v", rec.waits)
	}
}

func TestStreamToolCallAndReasoning(t *testing.T) {
	_, ts, _ := newTestServer(t, config.Sim{Defaults: config.SimModel{Latency: "off"}})
	body := chatReq("weather in Paris?", true)
	body["Tools"] = []any{map[string]any{"Name": "get_weather", "Parameters": json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"}}}`)}}
	body["Reasoning"] = map[string]any{"BudgetTokens": 2000}
	resp := post(t, ts.URL+"/v1/messages", body, nil)
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	evs := replayEverySplit(t, raw)
	args, sig := map[int]string{}, ""
	var starts []llm.Part
	for _, e := range evs {
		switch e.Type {
		case llm.EventBlockStart:
			starts = append(starts, *e.Part)
		case llm.EventBlockDelta:
			args[e.Index] += e.Text
			sig += e.Signature
		}
	}
	if len(starts) != 2 || starts[0].Type != llm.PartReasoning || starts[1].Type != llm.PartToolCall || starts[1].ToolCall.Name != "get_weather" {
		t.Fatalf("blocks %+v", starts)
	}
	if args[1] != `{"city":"sample city"}` || sig != signature(args[0]) {
		t.Fatalf("args %q sig %q", args[1], sig)
	}
	md := evs[len(evs)-2]
	if md.StopReason != llm.StopToolUse || md.Usage.ReasoningTokens != 16 || md.Usage.OutputTokens != 26 {
		t.Fatalf("message delta %+v %+v", md, md.Usage)
	}
}

func TestFaults(t *testing.T) {
	one := 1.0
	tests := []struct {
		name       string
		faults     []config.SimFault
		header     string
		stream     bool
		status     int
		kind       llm.ErrorKind
		retryAfter string
	}{
		{name: "header 529", header: "529", status: 529, kind: llm.ErrOverloaded},
		{name: "header 429 with retry", header: "429:2", status: 429, kind: llm.ErrRateLimit, retryAfter: "2"},
		{name: "bad header", header: "nope", status: 400, kind: llm.ErrInvalidRequest},
		{name: "config status", faults: []config.SimFault{{Kind: "status", Status: 503, Rate: &one, RetryAfter: 1500 * time.Millisecond}}, stream: true, status: 503, kind: llm.ErrOverloaded, retryAfter: "2"},
		{name: "header overrides config", faults: []config.SimFault{{Kind: "status", Status: 500}}, header: "502", status: 502, kind: llm.ErrAPI},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ts, _ := newTestServer(t, config.Sim{Defaults: config.SimModel{Latency: "off", Faults: tt.faults}})
			h := map[string]string{}
			if tt.header != "" {
				h["x-sim-fault"] = tt.header
			}
			resp := post(t, ts.URL+"/v1/chat/completions", chatReq("hi", tt.stream), h)
			defer resp.Body.Close()
			var body struct {
				Status int
				Kind   llm.ErrorKind
			}
			json.NewDecoder(resp.Body).Decode(&body)
			if resp.StatusCode != tt.status || body.Kind != tt.kind || resp.Header.Get("Retry-After") != tt.retryAfter {
				t.Fatalf("got %d %s retry-after %q", resp.StatusCode, body.Kind, resp.Header.Get("Retry-After"))
			}
			if tt.status != 400 && s.Stats().Faults != 1 {
				t.Fatalf("stats %+v", s.Stats())
			}
		})
	}
}

func TestStreamCutFaults(t *testing.T) {
	t.Run("disconnect", func(t *testing.T) {
		_, ts, _ := newTestServer(t, config.Sim{Defaults: config.SimModel{Latency: "off"}})
		resp := post(t, ts.URL+"/v1/messages", chatReq("a b c d e", true), map[string]string{"x-sim-fault": "disconnect:2"})
		raw, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err == nil || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("read error %v, want unexpected EOF", err)
		}
		deltas := 0
		for _, e := range decodeEvents(t, bytes.NewReader(raw)) {
			if e.Type == llm.EventBlockDelta {
				deltas++
			}
		}
		if deltas != 2 {
			t.Fatalf("%d deltas before the cut, want 2", deltas)
		}
	})
	t.Run("disconnect complete reply", func(t *testing.T) {
		_, ts, _ := newTestServer(t, config.Sim{Defaults: config.SimModel{Latency: "off"}})
		b, _ := json.Marshal(chatReq("a b", false))
		req, _ := http.NewRequest("POST", ts.URL+"/v1/messages", bytes.NewReader(b))
		req.Header.Set("x-sim-fault", "disconnect")
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			t.Fatal("want a transport error")
		}
	})
	t.Run("malformed", func(t *testing.T) {
		_, ts, _ := newTestServer(t, config.Sim{Defaults: config.SimModel{Latency: "off"}})
		resp := post(t, ts.URL+"/v1/messages", chatReq("a b c d e", true), map[string]string{"x-sim-fault": "malformed:1"})
		raw, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		chunks := bytes.Split(bytes.TrimSpace(raw), []byte("\n\n"))
		last := chunks[len(chunks)-1]
		data := last[bytes.Index(last, []byte("data: "))+6:]
		if json.Valid(data) || len(chunks) != 4 { // start, block start, 1 delta, broken
			t.Fatalf("last event %q of %d", last, len(chunks))
		}
	})
}

func TestDeterministicUnderSeed(t *testing.T) {
	half := 0.5
	cfg := config.Sim{Seed: 99, Defaults: config.SimModel{Latency: "off", Reply: "lorem",
		Faults: []config.SimFault{{Kind: "status", Status: 500, Rate: &half}}}}
	run := func() string {
		_, ts, _ := newTestServer(t, cfg)
		var out strings.Builder
		for range 12 {
			resp := post(t, ts.URL+"/v1/chat/completions", chatReq("same prompt", false), nil)
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var r llm.Response
			json.Unmarshal(b, &r)
			out.WriteString(resp.Status + " " + r.ID + " ")
			if len(r.Content) > 0 {
				out.WriteString(r.Content[0].Text)
			}
			out.WriteString("\n")
		}
		return out.String()
	}
	a, b := run(), run()
	if a != b {
		t.Fatalf("two runs under one seed differ:\n%s\n---\n%s", a, b)
	}
	if !strings.Contains(a, "500") || !strings.Contains(a, "200") {
		t.Fatalf("rate 0.5 over 12 requests hit all or none:\n%s", a)
	}
}

func TestCancelStopsWork(t *testing.T) {
	cfg := config.Sim{Defaults: config.SimModel{Overhead: dur(time.Hour)}}
	s := New(cfg, fakeDialects, nil) // real sleep
	ts := newHTTPServer(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	b, _ := json.Marshal(chatReq("hi", true))
	req, _ := http.NewRequestWithContext(ctx, "POST", ts+"/v1/messages", bytes.NewReader(b))
	done := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	waitFor(t, func() bool { return s.Stats().Running == 1 })
	cancel()
	if err := <-done; err == nil {
		t.Fatal("want the cancelled request to fail")
	}
	waitFor(t, func() bool { return s.Stats().Running == 0 })
}

func TestEndpoints(t *testing.T) {
	cfg := config.Sim{Models: []config.SimModel{{Name: "sim-a"}, {Name: "sim-b"}}}
	_, ts, _ := newTestServer(t, cfg)
	get := func(path string, h map[string]string) (int, string) {
		req, _ := http.NewRequest("GET", ts.URL+path, nil)
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/healthz", nil); code != 200 || body != "ok\n" {
		t.Errorf("healthz %d %q", code, body)
	}
	if code, body := get("/v1/models", nil); code != 200 || !strings.Contains(body, `"object":"list"`) || !strings.Contains(body, `"id":"sim-b"`) {
		t.Errorf("openai models %d %s", code, body)
	}
	if code, body := get("/v1/models", map[string]string{"anthropic-version": "2023-06-01"}); code != 200 || !strings.Contains(body, `"type":"model"`) || !strings.Contains(body, `"last_id":"sim-b"`) {
		t.Errorf("anthropic models %d %s", code, body)
	}
	if code, _ := get("/nope", nil); code != 404 {
		t.Errorf("unknown path %d", code)
	}
	if code, _ := get("/v1/messages", nil); code != 405 {
		t.Errorf("GET messages %d", code)
	}
	resp, err := http.Post(ts.URL+"/v1/chat/completions", "application/json", strings.NewReader("{"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("bad json %d", resp.StatusCode)
	}
	resp, err = http.Post(ts.URL+"/v1/chat/completions", "application/json", io.LimitReader(zeros{}, MaxBodyBytes+1))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 413 {
		t.Errorf("huge body %d", resp.StatusCode)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

// TestLoadStretchesLatency holds one request inside its first wait and
// checks that a second, concurrent one gets the loaded time to first token.
func TestLoadStretchesLatency(t *testing.T) {
	cfg := timedConfig()
	two, three := 2, 3.0
	cfg.Defaults.BatchSize, cfg.Defaults.LoadFactor = &two, &three
	s := New(cfg, fakeDialects, nil)
	release := make(chan struct{})
	waits := make(chan time.Duration, 16)
	first := true
	var mu sync.Mutex
	s.sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		block := first
		first = false
		mu.Unlock()
		waits <- d
		if block {
			select {
			case <-release:
			case <-ctx.Done(): // the server is closing after a failure
			}
		}
		return nil
	}
	url := newHTTPServer(t, s)
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	t.Cleanup(unblock) // runs before the server closes, even on failure
	done := make(chan struct{})
	b, _ := json.Marshal(chatReq("x", false))
	go func() {
		defer close(done)
		if resp, err := http.Post(url+"/v1/chat/completions", "application/json", bytes.NewReader(b)); err == nil {
			resp.Body.Close()
		}
	}()
	if d := <-waits; d != 22*time.Millisecond { // 20ms + 2 tokens, alone
		t.Fatalf("first ttft %v", d)
	}
	resp := post(t, url+"/v1/chat/completions", chatReq("y", false), nil)
	resp.Body.Close()
	// Two running at batch size 2: factor 1 + (3-1)*(2-1)/(2-1) = 3.
	if d := <-waits; d != 66*time.Millisecond {
		t.Fatalf("loaded ttft %v, want 66ms", d)
	}
	unblock()
	<-done
}
