package ui

import (
	"crypto/tls"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

const master = "mk-ui-test-secret"

var t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func TestSessionCheck(t *testing.T) {
	s := NewSessions(master)
	good := s.Issue(t0)
	exp, sig, _ := strings.Cut(good, ".")
	flip := func(str string) string { // change the last character
		c := str[len(str)-1]
		if c == 'A' {
			return str[:len(str)-1] + "B"
		}
		return str[:len(str)-1] + "A"
	}
	later, _ := strconv.ParseInt(exp, 10, 64)
	for _, tc := range []struct {
		name  string
		token string
		at    time.Time
		want  error
	}{
		{"fresh", good, t0, nil},
		{"just before expiry", good, t0.Add(SessionTTL - time.Second), nil},
		{"expired", good, t0.Add(SessionTTL), ErrExpired},
		{"tampered signature", exp + "." + flip(sig), t0, ErrSignature},
		{"extended expiry", strconv.FormatInt(later+3600, 10) + "." + sig, t0, ErrSignature},
		{"other master's token", NewSessions("mk-other").Issue(t0), t0, ErrSignature},
		{"empty", "", t0, ErrMalformed},
		{"no dot", exp + sig, t0, ErrMalformed},
		{"no signature", exp + ".", t0, ErrMalformed},
		{"signed part not digits", "-1." + sig, t0, ErrMalformed},
		{"overlong", strings.Repeat("9", 100) + "." + sig, t0, ErrMalformed},
		{"overflow", "99999999999999999999." + sig, t0, ErrMalformed},
		{"the master key itself", master, t0, ErrMalformed},
	} {
		if err := s.Check(tc.token, tc.at); err != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if strings.Contains(good, master) {
		t.Fatal("token carries the master key")
	}
	if len(good) > maxTokenLen {
		t.Fatalf("token %d bytes > %d", len(good), maxTokenLen)
	}
}

// TestSessionFormat pins the contract's token shape, so every replica (and
// any other implementation) agrees: expiry.base64url(HMAC-SHA256(
// SHA256("railyard-ui"+master), expiry)).
func TestSessionFormat(t *testing.T) {
	got := NewSessions("m").Issue(time.Unix(1000, 0))
	// The HMAC computed independently:
	// (Python: hmac.new(sha256(b"railyard-uim").digest(), b"44200", sha256), base64url, no padding.)
	const want = "44200.voJlyyxeZaG-DZITdq0_-F3BfPYgtAfqvin75G9mKpI"
	if got != want {
		t.Fatalf("token %q, want %q", got, want)
	}
}

func login(t *testing.T, h http.Handler, body string, tlsOn bool) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("POST", "/ui/api/login", strings.NewReader(body))
	if tlsOn {
		req.TLS = &tls.ConnectionState{}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestLogin(t *testing.T) {
	h := Handler(Options{MasterKey: master})
	for _, tc := range []struct {
		name   string
		body   string
		tls    bool
		status int
		want   string // in the body or, for 204, the Set-Cookie line
	}{
		{"right key", `{"key":"` + master + `"}`, false, 204, "railyard_session="},
		{"right key over TLS", `{"key":"` + master + `"}`, true, 204, "; Secure"},
		{"wrong key", `{"key":"mk-nope"}`, false, 401, `{"error":{"message":"wrong master key","type":"authentication_error"}}`},
		{"key prefix", `{"key":"` + master[:5] + `"}`, false, 401, "wrong master key"},
		{"empty key", `{"key":""}`, false, 400, "missing key"},
		{"not JSON", `key=` + master, false, 400, "invalid_request_error"},
		{"unknown field", `{"key":"` + master + `","admin":true}`, false, 400, "invalid_request_error"},
		{"two values", `{"key":"` + master + `"}{}`, false, 400, "one JSON object"},
		{"huge", `{"key":"` + strings.Repeat("a", 10000) + `"}`, false, 400, "invalid_request_error"},
	} {
		rec := login(t, h, tc.body, tc.tls)
		got := rec.Body.String()
		cookie := rec.Header().Get("Set-Cookie")
		if tc.status == 204 {
			got = cookie
		} else if cookie != "" {
			t.Errorf("%s: a cookie on failure: %s", tc.name, cookie)
		}
		if rec.Code != tc.status || !strings.Contains(got, tc.want) {
			t.Errorf("%s: %d %q, want %d with %q", tc.name, rec.Code, got, tc.status, tc.want)
		}
		if strings.Contains(got, master) || strings.Contains(cookie, master) {
			t.Errorf("%s: master key echoed", tc.name)
		}
	}
	rec := login(t, h, `{"key":"`+master+`"}`, false)
	c := rec.Result().Cookies()[0]
	if c.Name != CookieName || c.Path != "/" || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.MaxAge != 43200 || c.Secure {
		t.Fatalf("cookie attributes: %+v", c)
	}
	if err := NewSessions(master).Check(c.Value, time.Now()); err != nil {
		t.Fatalf("issued cookie does not check: %v", err)
	}
	req := httptest.NewRequest("GET", "/", nil)
	req.AddCookie(c)
	if !NewSessions(master).Request(req) || NewSessions("mk-other").Request(req) {
		t.Fatal("Request disagrees with Check")
	}
}

func TestLogout(t *testing.T) {
	rec := httptest.NewRecorder()
	Handler(Options{MasterKey: master}).ServeHTTP(rec, httptest.NewRequest("POST", "/ui/api/logout", nil))
	c := rec.Result().Cookies()
	if rec.Code != 204 || len(c) != 1 || c[0].Name != CookieName || c[0].Value != "" || c[0].MaxAge >= 0 {
		t.Fatalf("logout: %d %v", rec.Code, rec.Header())
	}
}

func TestLoginLogsNoKey(t *testing.T) {
	var buf strings.Builder
	h := Handler(Options{MasterKey: master, Logger: slog.New(slog.NewTextHandler(&buf, nil))})
	login(t, h, `{"key":"mk-wrong-guess"}`, false)
	login(t, h, `{"key":"`+master+`"}`, false)
	out := buf.String()
	if !strings.Contains(out, "signed in") || !strings.Contains(out, "wrong master key") {
		t.Fatalf("log: %s", out)
	}
	if strings.Contains(out, master) || strings.Contains(out, "mk-wrong-guess") {
		t.Fatalf("a key in the log: %s", out)
	}
}
