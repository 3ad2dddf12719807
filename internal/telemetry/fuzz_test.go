package telemetry

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/railyard-ai/railyard/internal/gateway"
)

// validTraceparent is the W3C form railyard may send upstream.
var validTraceparent = regexp.MustCompile(`^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$`)

// FuzzClientTraceContext feeds arbitrary traceparent, tracestate and
// baggage headers from a client through a request and an attempt, traced
// and not: nothing panics, and what goes upstream is either nothing or a
// well-formed traceparent (a malformed one from the client is dropped,
// never forwarded).
func FuzzClientTraceContext(f *testing.F) {
	f.Add("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "congo=t61rcWkgMzE", "userId=alice")
	f.Add("00-00000000000000000000000000000000-0000000000000000-00", "", "")
	f.Add("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "a=b,c", "k=v;p=1")
	f.Add("00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01", "", "%zz")
	f.Add("garbage\r\nX-Injected: 1", "\x00", "=")
	// Spans are recorded (always sampled) and dropped: no processor.
	traced := NewTracingWith(sdktrace.NewTracerProvider(), nil)
	observers := []*Observer{NewObserver(nil, Disabled()), NewObserver(nil, traced)}
	f.Fuzz(func(t *testing.T, traceparent, tracestate, baggage string) {
		r := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", nil)
		r.Header["Traceparent"] = []string{traceparent}
		r.Header["Tracestate"] = []string{tracestate}
		r.Header["Baggage"] = []string{baggage}
		for _, o := range observers {
			q := o.StartRequest(r, gateway.RequestStart{Dialect: "openai", Operation: gateway.OperationChat})
			a := q.StartAttempt(gateway.Attempt{Provider: "p", Kind: "openai", BaseURL: "http://127.0.0.1:1/v1", Model: "m"})
			h := http.Header{}
			a.Inject(h)
			if tp := h.Get("traceparent"); tp != "" && !validTraceparent.MatchString(tp) {
				t.Fatalf("upstream traceparent %q from client %q", tp, traceparent)
			}
			a.End(gateway.AttemptResult{Outcome: "ok", Answered: true})
			q.End(gateway.Summary{Dialect: "openai", Status: 200})
		}
	})
}
