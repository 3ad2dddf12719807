package requestid

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
)

var idFormat = regexp.MustCompile(`^req_[0-9a-f]{24}$`)

func TestNewFormatAndUniqueness(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := New()
		if !idFormat.MatchString(id) {
			t.Fatalf("New() = %q, want req_ and 24 lower-case hex digits", id)
		}
		if seen[id] {
			t.Fatalf("New() repeated %q", id)
		}
		seen[id] = true
	}
}

func TestFromRequest(t *testing.T) {
	tests := []struct {
		header string
		keep   bool
	}{
		{"", false},
		{"abc-DEF_1.2", true},
		{"has space", false},
		{"semi;colon", false},
		{string(make([]byte, 129)), false},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		if tt.header != "" {
			r.Header.Set(Header, tt.header)
		}
		got := FromRequest(r)
		if tt.keep && got != tt.header {
			t.Errorf("FromRequest(%q) = %q, want the client's id", tt.header, got)
		}
		if !tt.keep && !idFormat.MatchString(got) {
			t.Errorf("FromRequest(%q) = %q, want a new id", tt.header, got)
		}
	}
}

type otherKey struct{}

func TestWithFrom(t *testing.T) {
	if got := From(context.Background()); got != "" {
		t.Errorf("From(empty) = %q", got)
	}
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), otherKey{}, "v"))
	ctx := With(parent, "req_1")
	if got := From(ctx); got != "req_1" {
		t.Errorf("From = %q", got)
	}
	if ctx.Value(otherKey{}) != "v" {
		t.Error("the parent's values are hidden")
	}
	inner := With(ctx, "req_2")
	if From(inner) != "req_2" || From(ctx) != "req_1" {
		t.Error("nested ids")
	}
	child, cancelChild := context.WithCancel(ctx)
	defer cancelChild()
	cancel()
	<-child.Done()
	if ctx.Err() != context.Canceled || child.Err() != context.Canceled {
		t.Errorf("cancellation: %v %v", ctx.Err(), child.Err())
	}
}

func TestMiddleware(t *testing.T) {
	var seen string
	h := Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = From(r.Context())
		w.Header().Add(Header, "extra") // appends to its own array, the id is unchanged
		if From(r.Context()) != seen {
			t.Error("changing the header changed the id")
		}
	}))
	r := httptest.NewRequest("GET", "/", nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if !idFormat.MatchString(seen) || w.Header().Values(Header)[0] != seen {
		t.Errorf("context id %q, header %q", seen, w.Header().Values(Header))
	}

	r.Header.Set(Header, "client-id")
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if seen != "client-id" || w.Header().Get(Header) != "client-id" {
		t.Errorf("client id: context %q, header %q", seen, w.Header().Get(Header))
	}
}

// TestMiddlewareAllocations pins the cost of giving a request its id: the
// id string, the context node (which also backs the header value) and
// the request copy WithContext makes.
func TestMiddlewareAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes more values escape")
	}
	h := Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _ = From(r.Context()) }))
	r := httptest.NewRequest("GET", "/", nil)
	w := httptest.NewRecorder()
	if n := testing.AllocsPerRun(200, func() { clear(w.HeaderMap); h.ServeHTTP(w, r) }); n > 3 {
		t.Errorf("Middleware: %v allocations per request, want <= 3", n)
	}
	if n := testing.AllocsPerRun(200, func() { _ = New() }); n > 1 {
		t.Errorf("New: %v allocations, want 1", n)
	}
}
