package ui

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestLoginThrottle(t *testing.T) {
	s := NewSessions(master)
	now := t0
	s.now = func() time.Time { return now }
	try := func(addr, key string) (int, string) {
		req := httptest.NewRequest("POST", "/ui/api/login", strings.NewReader(`{"key":"`+key+`"}`))
		req.RemoteAddr = addr
		rec := httptest.NewRecorder()
		s.login(rec, req)
		return rec.Code, rec.Header().Get("Retry-After")
	}
	for i := range maxLoginFailures {
		if code, _ := try("192.0.2.1:1000", "guess"); code != 401 {
			t.Fatalf("wrong key %d: %d", i, code)
		}
	}
	now = now.Add(10 * time.Second)
	for _, tc := range []struct {
		name, addr, key string
		want            int
		retry           string
	}{
		{"blocked, other port", "192.0.2.1:2000", "guess", 429, "50"},
		{"blocked even with the right key", "192.0.2.1:1000", master, 429, "50"},
		{"other address", "192.0.2.2:1000", master, 204, ""},
	} {
		if code, retry := try(tc.addr, tc.key); code != tc.want || retry != tc.retry {
			t.Errorf("%s: %d Retry-After %q", tc.name, code, retry)
		}
	}
	now = now.Add(loginWindow)
	if code, _ := try("192.0.2.1:1000", master); code != 204 {
		t.Errorf("after the window: %d", code)
	}
	// A success forgets earlier failures.
	for range maxLoginFailures - 1 {
		try("192.0.2.3:1", "guess")
	}
	try("192.0.2.3:1", master)
	if code, _ := try("192.0.2.3:1", "guess"); code != 401 {
		t.Errorf("failures survived a sign-in: %d", code)
	}
}

func TestThrottleBounded(t *testing.T) {
	th := newThrottle()
	for i := range maxTracked + 5 {
		th.fail(strings.Repeat("x", i%7)+string(rune(i)), t0)
	}
	if n := len(th.fails); n > maxTracked {
		t.Fatalf("%d tracked", n)
	}
}
