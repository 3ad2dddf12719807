package gateway

import (
	"bytes"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/railyard-ai/railyard/internal/dialect/openai"
)

// TestAccessLogSource: a handler with AddSource sees the access line come
// from logAccess, as when it was written by Logger.LogAttrs, on every
// line (the pc is found once), and a disabled level writes nothing.
func TestAccessLogSource(t *testing.T) {
	var buf bytes.Buffer
	g := &Gateway{log: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{AddSource: true}))}
	x := &exchange{r: httptest.NewRequest("POST", "/v1/chat/completions", nil), in: openai.Dialect{}, id: "req_1", start: time.Now(), status: 200}
	g.logAccess(x)
	g.logAccess(x)
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines: %q", len(lines), buf.String())
	}
	src := regexp.MustCompile(`source=(\S+)`)
	for _, l := range lines {
		m := src.FindStringSubmatch(l)
		if m == nil || !strings.Contains(m[1], "internal/gateway/gateway.go:") {
			t.Fatalf("line %q: want a source in gateway.go", l)
		}
		if !strings.Contains(l, `msg=request request_id=req_1 dialect=openai status=200 duration=`) {
			t.Fatalf("line %q", l)
		}
	}
	if src.FindStringSubmatch(lines[0])[1] != src.FindStringSubmatch(lines[1])[1] {
		t.Fatalf("sources differ: %q", lines)
	}
	buf.Reset()
	g.log = slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn}))
	g.logAccess(x)
	if buf.Len() != 0 {
		t.Fatalf("a disabled level wrote %q", buf.String())
	}
}
