package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

// The client's trace: W3C's own example traceparent.
const (
	clientTraceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	clientSpanID  = "00f067aa0ba902b7"
	clientParent  = "00-" + clientTraceID + "-" + clientSpanID + "-01"
)

func recordingTracing() (*Tracing, *tracetest.SpanRecorder) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	return NewTracingWith(tp, tp.Shutdown), rec
}

func attrs(s sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value
	}
	return m
}

// checkAttrs compares the attributes named in want, by their emitted form.
func checkAttrs(t *testing.T, s sdktrace.ReadOnlySpan, want map[string]string) {
	t.Helper()
	got := attrs(s)
	for k, v := range want {
		a, ok := got[attribute.Key(k)]
		if !ok {
			t.Errorf("span %q: no attribute %s", s.Name(), k)
			continue
		}
		if a.Emit() != v {
			t.Errorf("span %q: %s = %q, want %q", s.Name(), k, a.Emit(), v)
		}
	}
}

func TestTraceSpansAttributesAndPropagation(t *testing.T) {
	tr, rec := recordingTracing()
	h := newHarness(t, tr, nil)
	resp, body := h.post("/v1/chat/completions",
		`{"model":"m","max_tokens":100,"temperature":0.5,"messages":[{"role":"user","content":"hi"}]}`,
		map[string]string{"traceparent": clientParent})
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	spans := rec.Ended()
	if len(spans) != 3 {
		t.Fatalf("%d spans, want 3 (request + 2 attempts)", len(spans))
	}
	// Attempts end first, the request span last.
	flaky, claude, req := spans[0], spans[1], spans[2]

	if req.Name() != "chat m" || req.SpanKind() != trace.SpanKindServer {
		t.Errorf("request span %q kind %v", req.Name(), req.SpanKind())
	}
	if req.SpanContext().TraceID().String() != clientTraceID || req.Parent().SpanID().String() != clientSpanID || !req.Parent().IsRemote() {
		t.Errorf("request span is not a child of the client's span: trace %s parent %s", req.SpanContext().TraceID(), req.Parent().SpanID())
	}
	checkAttrs(t, req, map[string]string{
		"gen_ai.operation.name":          "chat",
		"gen_ai.request.model":           "m",
		"gen_ai.response.model":          "claude-3-7-sonnet-20250219",
		"gen_ai.request.max_tokens":      "100",
		"gen_ai.request.temperature":     "0.5",
		"gen_ai.usage.input_tokens":      "514",
		"gen_ai.usage.output_tokens":     "19",
		"gen_ai.response.finish_reasons": `["end_turn"]`,
		"http.response.status_code":      "200",
		"railyard.route":                 "failover: flaky 529 -> claude ok",
		"railyard.attempts":              "2",
		"railyard.provider":              "claude",
		"railyard.dialect":               "openai",
	})
	if _, ok := attrs(req)["railyard.cost_usd"]; !ok {
		t.Error("request span has no cost")
	}

	for _, s := range []sdktrace.ReadOnlySpan{flaky, claude} {
		if s.SpanKind() != trace.SpanKindClient || s.Parent().SpanID() != req.SpanContext().SpanID() {
			t.Errorf("attempt span %q: kind %v, parent %s, want child of %s", s.Name(), s.SpanKind(), s.Parent().SpanID(), req.SpanContext().SpanID())
		}
	}
	if flaky.Name() != "chat claude-flaky" || claude.Name() != "chat claude-3-7-sonnet" {
		t.Errorf("attempt span names %q, %q", flaky.Name(), claude.Name())
	}
	checkAttrs(t, flaky, map[string]string{
		"gen_ai.operation.name":     "chat",
		"gen_ai.provider.name":      "anthropic",
		"gen_ai.system":             "anthropic",
		"gen_ai.request.model":      "claude-flaky",
		"http.response.status_code": "529",
		"error.type":                "overloaded",
		"railyard.provider":         "flaky",
		"server.address":            "127.0.0.1",
	})
	if flaky.Status().Code != codes.Error {
		t.Errorf("failed attempt status %v", flaky.Status())
	}
	checkAttrs(t, claude, map[string]string{
		"gen_ai.request.model":           "claude-3-7-sonnet",
		"gen_ai.response.model":          "claude-3-7-sonnet-20250219",
		"gen_ai.usage.input_tokens":      "514",
		"gen_ai.usage.output_tokens":     "19",
		"gen_ai.response.finish_reasons": `["end_turn"]`,
		"http.response.status_code":      "200",
		"railyard.outcome":               "ok",
	})
	if claude.Status().Code == codes.Error || req.Status().Code == codes.Error {
		t.Error("successful spans marked as errors")
	}

	// Each upstream request carries its own attempt span as parent.
	calls := h.upstreamCalls()
	if len(calls) != 2 {
		t.Fatalf("%d upstream calls", len(calls))
	}
	for i, s := range []sdktrace.ReadOnlySpan{flaky, claude} {
		want := "00-" + clientTraceID + "-" + s.SpanContext().SpanID().String() + "-01"
		if calls[i].traceparent != want {
			t.Errorf("upstream %s got traceparent %q, want %q", calls[i].provider, calls[i].traceparent, want)
		}
	}
}

func TestTraceStreamAndFailure(t *testing.T) {
	tr, rec := recordingTracing()
	h := newHarness(t, tr, nil)
	resp, _ := h.post("/v1/messages", `{"model":"solo","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hi"}]}`, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	resp, _ = h.post("/v1/chat/completions", `{"model":"nope","messages":[{"role":"user","content":"hi"}]}`, nil)
	if resp.StatusCode != 404 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	spans := rec.Ended()
	if len(spans) != 3 {
		t.Fatalf("%d spans, want 3", len(spans))
	}
	attempt, stream, notFound := spans[0], spans[1], spans[2]
	// Without a client traceparent the request span is a root.
	if stream.Parent().IsValid() || attempt.Parent().SpanID() != stream.SpanContext().SpanID() {
		t.Error("stream spans: wrong parentage")
	}
	checkAttrs(t, stream, map[string]string{
		"gen_ai.request.model":           "solo",
		"gen_ai.request.stream":          "true",
		"gen_ai.response.model":          "claude-sonnet-4-20250514",
		"gen_ai.usage.input_tokens":      "557",
		"gen_ai.usage.output_tokens":     "35",
		"gen_ai.response.finish_reasons": `["end_turn"]`,
		"railyard.dialect":               "anthropic",
	})
	checkAttrs(t, attempt, map[string]string{"railyard.passthrough": "true", "gen_ai.usage.output_tokens": "35"})
	// A 404 is the client's fault: recorded, not an error of the gateway.
	checkAttrs(t, notFound, map[string]string{"http.response.status_code": "404", "gen_ai.request.model": "nope"})
	if notFound.Status().Code == codes.Error {
		t.Error("a 4xx marked the server span as an error")
	}
	if notFound.Name() != "chat nope" {
		t.Errorf("span name %q", notFound.Name())
	}
}

// Not tracing, railyard starts no spans but still hands the client's
// trace context to the upstream, so the client's trace stays whole.
func TestDisabledTracingPassesTraceparentThrough(t *testing.T) {
	var buf bytes.Buffer
	h := newHarness(t, Disabled(), slog.New(slog.NewJSONHandler(&buf, nil)))
	h.post("/v1/chat/completions", `{"model":"solo","messages":[{"role":"user","content":"hi"}]}`, map[string]string{"traceparent": clientParent})
	h.post("/v1/chat/completions", `{"model":"solo","messages":[{"role":"user","content":"hi"}]}`, nil)
	calls := h.upstreamCalls()
	if len(calls) != 2 || calls[0].traceparent != clientParent || calls[1].traceparent != "" {
		t.Fatalf("upstream traceparents: %+v", calls)
	}
	// The access log still names the client's trace, for correlation.
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"trace_id":"`+clientTraceID+`"`) || strings.Contains(lines[1], "trace_id") {
		t.Errorf("access log lines:\n%s", buf.String())
	}
}

func TestAccessLogIsJSONWithRouteAttemptsTokensCost(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	tr, _ := recordingTracing()
	h := newHarness(t, tr, log)
	resp, _ := h.post("/v1/chat/completions", `{"model":"m","messages":[{"role":"user","content":"SECRET-PROMPT"}]}`, map[string]string{"traceparent": clientParent})
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if strings.Contains(buf.String(), "SECRET-PROMPT") || strings.Contains(buf.String(), "sk-ant-secret") || strings.Contains(buf.String(), masterKey) {
		t.Errorf("the log holds a prompt or a secret:\n%s", buf.String())
	}
	var line map[string]any
	if err := json.Unmarshal(bytes.TrimSpace(buf.Bytes()), &line); err != nil {
		t.Fatalf("access log is not one JSON line: %v\n%s", err, buf.String())
	}
	for k, want := range map[string]any{
		"msg":           "request",
		"status":        float64(200),
		"dialect":       "openai",
		"model":         "m",
		"provider":      "claude",
		"route":         "failover: flaky 529 -> claude ok",
		"attempts":      float64(2),
		"input_tokens":  float64(514),
		"output_tokens": float64(19),
		"trace_id":      clientTraceID,
		"request_id":    resp.Header.Get("X-Request-Id"),
	} {
		if line[k] != want {
			t.Errorf("log %s = %#v, want %#v", k, line[k], want)
		}
	}
	for _, k := range []string{"cost_usd", "first_byte", "duration", "upstream"} {
		if _, ok := line[k]; !ok {
			t.Errorf("log has no %s: %s", k, buf.String())
		}
	}
}

// otlpReceiver is an in-process OTLP/HTTP trace endpoint.
type otlpReceiver struct {
	mu   sync.Mutex
	reqs []*coltrace.ExportTraceServiceRequest
}

func (o *otlpReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" {
		http.Error(w, "unexpected "+r.URL.Path+" "+r.Header.Get("Content-Type"), http.StatusBadRequest)
		return
	}
	b, _ := io.ReadAll(r.Body)
	var req coltrace.ExportTraceServiceRequest
	if err := proto.Unmarshal(b, &req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	o.mu.Lock()
	o.reqs = append(o.reqs, &req)
	o.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-protobuf")
	out, _ := proto.Marshal(&coltrace.ExportTraceServiceResponse{})
	_, _ = w.Write(out)
}

// The real exporter, configured by the standard variables only, delivers
// the spans to an OTLP endpoint, and Shutdown flushes what is buffered.
func TestOTLPExportFromEnvironment(t *testing.T) {
	recv := &otlpReceiver{}
	srv := httptest.NewServer(recv)
	defer srv.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", srv.URL)
	t.Setenv("OTEL_SERVICE_NAME", "railyard-test")
	t.Setenv("OTEL_BSP_SCHEDULE_DELAY", "60000") // only Shutdown may flush
	tr, err := NewTracing(context.Background(), os.LookupEnv)
	if err != nil {
		t.Fatal(err)
	}
	if !tr.Enabled() {
		t.Fatal("tracing not enabled by OTEL_EXPORTER_OTLP_ENDPOINT")
	}
	h := newHarness(t, tr, nil)
	if resp, _ := h.post("/v1/chat/completions", `{"model":"solo","messages":[{"role":"user","content":"hi"}]}`, map[string]string{"traceparent": clientParent}); resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := tr.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	recv.mu.Lock()
	defer recv.mu.Unlock()
	names := map[string]map[string]string{}
	service := ""
	for _, req := range recv.reqs {
		for _, rs := range req.ResourceSpans {
			for _, kv := range rs.Resource.Attributes {
				if kv.Key == "service.name" {
					service = kv.Value.GetStringValue()
				}
			}
			for _, ss := range rs.ScopeSpans {
				for _, s := range ss.Spans {
					a := map[string]string{"trace_id": trace.TraceID(s.TraceId).String()}
					for _, kv := range s.Attributes {
						if v := kv.Value.GetStringValue(); v != "" {
							a[kv.Key] = v
						}
					}
					names[s.Name] = a
				}
			}
		}
	}
	if service != "railyard-test" {
		t.Errorf("service.name %q", service)
	}
	req, attempt := names["chat solo"], names["chat claude-sonnet-4-0"]
	if req == nil || attempt == nil {
		t.Fatalf("spans received: %v", names)
	}
	if req["trace_id"] != clientTraceID || req["gen_ai.operation.name"] != "chat" || req["gen_ai.response.model"] != "claude-3-7-sonnet-20250219" {
		t.Errorf("request span %v", req)
	}
	if attempt["gen_ai.provider.name"] != "anthropic" || attempt["gen_ai.request.model"] != "claude-sonnet-4-0" {
		t.Errorf("attempt span %v", attempt)
	}
}

func TestTracingWanted(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want bool
	}{
		{nil, false},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, true},
		{map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, true},
		{map[string]string{"OTEL_TRACES_EXPORTER": "otlp"}, true},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_TRACES_EXPORTER": "none"}, false},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_SDK_DISABLED": "true"}, false},
		{map[string]string{"OTEL_SERVICE_NAME": "x"}, false},
	} {
		lookup := func(k string) (string, bool) { v, ok := c.env[k]; return v, ok }
		if got := tracingWanted(lookup); got != c.want {
			t.Errorf("%v: %v, want %v", c.env, got, c.want)
		}
	}
}

func TestTracingRefusesGRPC(t *testing.T) {
	env := map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4317", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}
	_, err := NewTracing(context.Background(), func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err == nil || !strings.Contains(err.Error(), "http/protobuf") {
		t.Fatalf("err %v", err)
	}
	tr, err := NewTracing(context.Background(), func(string) (string, bool) { return "", false })
	if err != nil || tr.Enabled() {
		t.Fatalf("no variables: %v enabled=%v", err, tr.Enabled())
	}
	if err := tr.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
}
