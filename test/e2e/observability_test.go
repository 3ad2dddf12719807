package e2e

import (
	"bufio"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tidwall/gjson"
	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

// scrapeMetrics reads /metrics as Prometheus does (no key) into
// "name{labels}" -> value.
func scrapeMetrics(t *testing.T, base string) (map[string]float64, string) {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %d %s", resp.StatusCode, b)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metric line %q", line)
		}
		out[line[:i]] = v
	}
	return out, string(b)
}

// The built binary counts known traffic on /metrics: requests by dialect,
// model, provider and status, the tokens the clients were told, and the
// upstream failures behind a failover.
func TestMetricsAfterKnownTraffic(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	base := e.gw.URL()
	output := 0
	for _, c := range []struct {
		path, body string
		status     int
	}{
		{"/v1/chat/completions", `{"model":"gpt-backed","messages":[{"role":"user","content":"one two three"}]}`, 200},
		{"/v1/chat/completions", `{"model":"gpt-backed","messages":[{"role":"user","content":"four five"}]}`, 200},
		{"/v1/messages", `{"model":"claude-backed","max_tokens":50,"messages":[{"role":"user","content":"six seven"}]}`, 200},
		{"/v1/chat/completions", `{"model":"resilient","messages":[{"role":"user","content":"eight"}]}`, 200},
		{"/v1/chat/completions", `{"model":"no-such-model-x1","messages":[{"role":"user","content":"hi"}]}`, 404},
	} {
		status, _, body := post(t, base+c.path, c.body, map[string]string{"anthropic-version": "2023-06-01"})
		if status != c.status {
			t.Fatalf("%s: %d %s", c.body, status, body)
		}
		if status == 200 {
			output += int(gjson.GetBytes(body, "usage.completion_tokens").Int() + gjson.GetBytes(body, "usage.output_tokens").Int())
		}
	}
	got, text := scrapeMetrics(t, base)
	want := map[string]float64{
		`railyard_requests_total{dialect="openai",model="gpt-backed",provider="sim-openai",status="200"}`:          2,
		`railyard_requests_total{dialect="anthropic",model="claude-backed",provider="sim-anthropic",status="200"}`: 1,
		`railyard_requests_total{dialect="openai",model="resilient",provider="sim-anthropic",status="200"}`:        1,
		`railyard_requests_total{dialect="openai",model="other",provider="none",status="404"}`:                     1,
		`railyard_upstream_errors_total{kind="connect",provider="dead"}`:                                           1,
		`railyard_upstream_errors_total{kind="overloaded",provider="sim-openai"}`:                                  1,
		`railyard_requests_in_flight`: 0,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	sum := 0.0
	for k, v := range got {
		if strings.HasPrefix(k, "railyard_tokens_total{") && strings.Contains(k, `kind="output"`) {
			sum += v
		}
	}
	if int(sum) != output || output == 0 {
		t.Errorf("output tokens on /metrics %v, clients were told %d", sum, output)
	}
	if strings.Contains(text, "no-such-model-x1") || strings.Contains(text, "sk-ant-sim") {
		t.Error("/metrics holds a client-chosen model name or a provider key")
	}
}

// With the standard OTEL_* variables set, the binary exports a request
// span and its attempt spans over OTLP/HTTP, inside the client's trace,
// and flushes them when it stops.
func TestTracesExportedOverOTLP(t *testing.T) {
	var mu sync.Mutex
	var spans []string
	traceIDs := map[string]bool{}
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var req coltrace.ExportTraceServiceRequest
		if r.URL.Path != "/v1/traces" || proto.Unmarshal(b, &req) != nil {
			http.Error(w, "bad export", http.StatusBadRequest)
			return
		}
		mu.Lock()
		for _, rs := range req.ResourceSpans {
			for _, ss := range rs.ScopeSpans {
				for _, s := range ss.Spans {
					spans = append(spans, s.Name)
					traceIDs[hex.EncodeToString(s.TraceId)] = true
				}
			}
		}
		mu.Unlock()
		out, _ := proto.Marshal(&coltrace.ExportTraceServiceResponse{})
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(out)
	}))
	defer recv.Close()
	// The gateway process inherits these (newEnv starts it with os.Environ).
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", recv.URL)
	t.Setenv("OTEL_BSP_SCHEDULE_DELAY", "60000") // only the exit flush sends
	e := newEnv(t, envOptions{})
	status, _, body := post(t, e.gw.URL()+"/v1/chat/completions", `{"model":"resilient","messages":[{"role":"user","content":"hi"}]}`,
		map[string]string{"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"})
	if status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	_ = e.gw.cmd.Process.Signal(syscall.SIGTERM)
	if _, ok := e.gw.wait(15 * time.Second); !ok {
		t.Fatal("gateway did not stop")
	}
	mu.Lock()
	defer mu.Unlock()
	names := strings.Join(spans, ",")
	for _, want := range []string{"chat resilient", "chat gpt-dead", "chat sim-overloaded", "chat sim-claude"} {
		if !strings.Contains(names, want) {
			t.Errorf("no span %q in %s", want, names)
		}
	}
	if len(traceIDs) != 1 || !traceIDs["4bf92f3577b34da6a3ce929d0e0e4736"] {
		t.Errorf("spans in traces %v, want the client's one", traceIDs)
	}
}
