package gateway_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/railyard-ai/railyard/internal/catalog"
	"github.com/railyard-ai/railyard/internal/config"
	"github.com/railyard-ai/railyard/internal/dialect"
	"github.com/railyard-ai/railyard/internal/dialect/anthropic"
	"github.com/railyard-ai/railyard/internal/dialect/gemini"
	"github.com/railyard-ai/railyard/internal/dialect/openai"
	"github.com/railyard-ai/railyard/internal/gateway"
	"github.com/railyard-ai/railyard/internal/govern"
	"github.com/railyard-ai/railyard/internal/ledger"
	"github.com/railyard-ai/railyard/internal/provider"
	"github.com/railyard-ai/railyard/internal/reqlog"
	"github.com/railyard-ai/railyard/internal/route"
	"github.com/railyard-ai/railyard/internal/store"
)

// A stream the client stops, or the upstream breaks off, was billed by the
// provider: its ledger row must carry the prompt's tokens and the output
// relayed so far, priced, and the request log must mark them estimated.
// A stream that ends with the upstream's usage records exactly that.

const billPrompt = `{"model":"m","stream":true,"messages":[{"role":"system","content":"You are a terse assistant."},{"role":"user","content":"Write a long poem about railway yards at dawn, with many stanzas."}]}`

// How an upstream stream ends after its deltas.
const (
	endHang     = "hang"     // silent until the request is cancelled
	endDrop     = "drop"     // the connection closes mid-stream
	endComplete = "complete" // the final usage and the message stop
	endNoUsage  = "no usage" // the stop without usage (a compatible server ignoring stream_options)
)

const billDeltas = 6 // the upstream's deltas before it ends

// billWord is the text of delta i: the client knows it has delta i when
// it sees the word.
func billWord(i int) string { return fmt.Sprintf(" railyard%03d signal lamps", i) }

func billText(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(billWord(i))
	}
	return b.String()
}

// billUpstream serves a stream in dialect kind (openai or anthropic) of
// billDeltas deltas, then ends it as end says.
func billUpstream(t *testing.T, kind, end string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		if kind == "anthropic" {
			io.WriteString(w, "event: message_start\n"+
				`data: {"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","model":"claude-haiku-4-5-20251001","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"output_tokens":1}}}`+"\n\n"+
				"event: content_block_start\n"+`data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`+"\n\n")
		}
		for i := range billDeltas {
			switch kind {
			case "gemini": // usageMetadata on every chunk, as Gemini streams
				fmt.Fprintf(w, "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":%q}],\"role\":\"model\"},\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":25,\"totalTokenCount\":25},\"modelVersion\":\"gemini-2.5-flash\",\"responseId\":\"r1\"}\n\n", billWord(i))
			case "anthropic":
				fmt.Fprintf(w, "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":%q}}\n\n", billWord(i))
			default:
				fmt.Fprintf(w, "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"delta\":{\"content\":%q},\"finish_reason\":null}],\"usage\":null}\n\n", billWord(i))
			}
			w.(http.Flusher).Flush()
		}
		switch end {
		case endNoUsage:
			io.WriteString(w, `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}`+"\n\ndata: [DONE]\n\n")
		case endHang:
			<-r.Context().Done()
		case endDrop:
			conn, _, err := http.NewResponseController(w).Hijack()
			if err != nil {
				t.Errorf("hijack: %v", err)
				return
			}
			conn.Close() // the chunked body never ends
		case endComplete:
			switch kind {
			case "gemini":
				io.WriteString(w, `data: {"candidates":[{"content":{"parts":[{"text":""}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":25,"candidatesTokenCount":37,"totalTokenCount":62},"modelVersion":"gemini-2.5-flash","responseId":"r1"}`+"\n\n")
			case "anthropic":
				io.WriteString(w, "event: content_block_stop\n"+`data: {"type":"content_block_stop","index":0}`+"\n\n"+
					"event: message_delta\n"+`data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":37}}`+"\n\n"+
					"event: message_stop\n"+`data: {"type":"message_stop"}`+"\n\n")
			default:
				io.WriteString(w, `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}`+"\n\n"+
					`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini-2024-07-18","choices":[],"usage":{"prompt_tokens":25,"completion_tokens":37,"total_tokens":62}}`+"\n\n"+
					"data: [DONE]\n\n")
			}
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// billStack is railyard as serve assembles it (gateway, governor, SQLite
// ledger, request log), with model "m" on one upstream.
type billStack struct {
	srv    *httptest.Server
	st     store.Store
	led    *ledger.Writer
	log    *reqlog.Log
	access *lockedBuffer // the access log
}

// newBillStack builds the stack; idle > 0 sets the stream idle timeout.
func newBillStack(t *testing.T, kind, upstreamURL string, idle time.Duration) *billStack {
	t.Helper()
	access := &lockedBuffer{}
	log := slog.New(slog.NewTextHandler(access, nil))
	dialects := provider.Dialects{"openai": openai.Dialect{}, "anthropic": anthropic.Dialect{}, "gemini": gemini.Dialect{}}
	client := provider.NewClient(provider.TransportOptions{FirstByteTimeout: 5 * time.Second})
	p, err := provider.New(config.Provider{Name: "up", Type: kind, BaseURL: upstreamURL, APIKey: "sk-test"}, dialects, client, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	model := map[string]string{"openai": "gpt-4o-mini", "anthropic": "claude-haiku-4-5", "gemini": "gemini-2.5-flash"}[kind]
	table, err := route.NewTable([]config.Model{{Name: "m", Targets: []config.Target{{Provider: "up", Model: model, Weight: 1}}}}, []*provider.Provider{p})
	if err != nil {
		t.Fatal(err)
	}
	if idle > 0 {
		table.SetResilience(route.Resilience{StreamIdleTimeout: idle})
	}
	prices, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	st, led := openLedger(t, log)
	rl := reqlog.New(reqlog.Options{})
	gw := gateway.New(table, gateway.Options{Logger: log, Pricer: prices, Observer: rl})
	gw.SetRouting(prices, 0)
	gw.SetGovernor(govern.New(govern.Options{Store: st, Catalog: prices, Ledger: led, Logger: log}))
	s := &billStack{srv: httptest.NewServer(gw.Handler(openai.Dialect{})), st: st, led: led, log: rl, access: access}
	t.Cleanup(s.srv.Close) // before openLedger's cleanup: the server's handlers write rows
	return s
}

// stream sends billPrompt and reads the reply until it has seen the
// first stopAfter deltas, then goes away; stopAfter < 0 reads to the end.
// It returns the reply read.
func (s *billStack) stream(t *testing.T, stopAfter int) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.srv.URL+"/v1/chat/completions", strings.NewReader(billPrompt))
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	var got strings.Builder
	br := bufio.NewReader(resp.Body)
	for {
		line, err := br.ReadString('\n')
		got.WriteString(line)
		if stopAfter > 0 && strings.Contains(line, strings.TrimSpace(billWord(stopAfter-1))) {
			return got.String() // the deferred cancel and close stop the stream
		}
		if err != nil {
			return got.String()
		}
	}
}

// row waits for the request to be over and returns its ledger row and
// request log entry.
func (s *billStack) row(t *testing.T) (store.Record, *reqlog.Entry) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for s.log.Len() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the request never ended")
		}
		time.Sleep(5 * time.Millisecond)
	}
	e := s.log.List(reqlog.Filter{})[0]
	if err := s.led.Close(context.Background()); err != nil { // flushes the spool to the store
		t.Fatal(err)
	}
	var rows []store.Record
	if err := s.st.Ledger(context.Background(), time.Time{}, func(r store.Record) error {
		rows = append(rows, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 {
		t.Fatalf("%d ledger rows, want 1", len(rows))
	}
	return rows[0], e
}

// promptEstimate is the routing estimate of billPrompt.
func promptEstimate(t *testing.T) int {
	r := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(billPrompt))
	req, err := dialect.DecodeClientRequest(openai.Dialect{}, r, []byte(billPrompt))
	if err != nil {
		t.Fatal(err)
	}
	return new(route.Estimator).InputTokens(req)
}

func TestStreamEndedEarlyIsBilledEstimated(t *testing.T) {
	for _, tt := range []struct {
		name, kind, end string
		stopAfter       int // deltas the client reads before leaving; 0: all
		status          int
		wantIn          int           // 0: the prompt's estimate
		idle            time.Duration // the stream idle timeout; 0: the default
	}{
		// The upstream's message_start told the input tokens.
		{"anthropic client cancels", "anthropic", endHang, billDeltas, 499, 25, 0},
		{"anthropic upstream drops", "anthropic", endDrop, 0, http.StatusBadGateway, 25, 0},
		{"anthropic upstream goes quiet", "anthropic", endHang, 0, http.StatusGatewayTimeout, 25, 300 * time.Millisecond},
		// No usage came: the input is the routing estimate.
		{"openai client cancels", "openai", endHang, billDeltas, 499, 0, 0},
		{"openai upstream drops", "openai", endDrop, 0, http.StatusBadGateway, 0, 0},
		// Gemini's chunks carried the prompt's count.
		{"gemini client cancels", "gemini", endHang, billDeltas, 499, 25, 0},
		{"gemini upstream drops", "gemini", endDrop, 0, http.StatusBadGateway, 25, 0},
		// The stream completed, but the upstream never said what it cost.
		{"openai completes without usage", "openai", endNoUsage, 0, http.StatusOK, 0, 0},
		{"openai upstream goes quiet", "openai", endHang, 0, http.StatusGatewayTimeout, 0, 300 * time.Millisecond},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newBillStack(t, tt.kind, billUpstream(t, tt.kind, tt.end).URL, tt.idle)
			reply := s.stream(t, tt.stopAfter)
			rec, e := s.row(t)

			relayed := billDeltas // the upstream sent them all before it ended
			if tt.stopAfter == 0 && tt.status != http.StatusOK && !strings.Contains(reply, `"error"`) {
				t.Errorf("no in-stream error after the upstream broke off: %s", reply)
			}
			wantOut := new(route.Estimator).TextTokens(billText(relayed))
			wantIn := tt.wantIn
			if wantIn == 0 {
				wantIn = promptEstimate(t)
			}
			if rec.InputTokens != int64(wantIn) || rec.OutputTokens != int64(wantOut) {
				t.Errorf("ledger tokens in %d out %d, want in %d out %d", rec.InputTokens, rec.OutputTokens, wantIn, wantOut)
			}
			if rec.CostNanoUSD <= 0 || rec.Status != tt.status {
				t.Errorf("ledger cost %d nano-USD status %d, want > 0 and %d", rec.CostNanoUSD, rec.Status, tt.status)
			}
			if !e.Estimated || e.InputTokens != wantIn || e.OutputTokens != wantOut || e.CostUSD <= 0 {
				t.Errorf("request log: estimated %v in %d out %d cost %v", e.Estimated, e.InputTokens, e.OutputTokens, e.CostUSD)
			}
			line := s.accessLine(t)
			for _, want := range []string{"estimated=true", fmt.Sprintf("input_tokens=%d output_tokens=%d", wantIn, wantOut), "cost_usd="} {
				if !strings.Contains(line, want) {
					t.Errorf("access log line lacks %s: %s", want, line)
				}
			}
		})
	}
}

func TestStreamCompletedIsBilledExactly(t *testing.T) {
	for _, kind := range []string{"anthropic", "openai", "gemini"} {
		t.Run(kind, func(t *testing.T) {
			s := newBillStack(t, kind, billUpstream(t, kind, endComplete).URL, 0)
			reply := s.stream(t, -1)
			if !strings.Contains(reply, "data: [DONE]") {
				t.Fatalf("stream did not complete: %s", reply)
			}
			rec, e := s.row(t)
			if rec.InputTokens != 25 || rec.OutputTokens != 37 || rec.Status != http.StatusOK || rec.CostNanoUSD <= 0 {
				t.Errorf("ledger row in %d out %d status %d cost %d, want the upstream's 25 and 37, 200, priced",
					rec.InputTokens, rec.OutputTokens, rec.Status, rec.CostNanoUSD)
			}
			if line := s.accessLine(t); e.Estimated || strings.Contains(line, "estimated") {
				t.Errorf("upstream usage marked estimated: %s", line)
			}
		})
	}
}

// accessLine waits for the request's access log line (written after the
// request log's entry) and returns it.
func (s *billStack) accessLine(t *testing.T) string {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		for _, line := range strings.Split(s.access.String(), "\n") {
			if strings.Contains(line, "msg=request ") {
				return line
			}
		}
	}
	t.Fatal("no access log line")
	return ""
}

// lockedBuffer is a bytes.Buffer safe for a logger and a reader.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
