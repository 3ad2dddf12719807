package server

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/railyard-ai/railyard/internal/ui"
)

// sessionCookie is what POST /ui/api/login sets for master at t.
func sessionCookie(master string, t time.Time) *http.Cookie {
	return &http.Cookie{Name: ui.CookieName, Value: ui.NewSessions(master).Issue(t)}
}

func TestAdminGuardSession(t *testing.T) {
	h, _ := newAdmin(t, testMaster)
	now := time.Now()
	valid := sessionCookie(testMaster, now)
	expired := sessionCookie(testMaster, now.Add(-ui.SessionTTL-time.Minute))
	exp, sig, _ := strings.Cut(valid.Value, ".")
	n, _ := strconv.ParseInt(exp, 10, 64)
	tampered := &http.Cookie{Name: ui.CookieName, Value: strconv.FormatInt(n+86400, 10) + "." + sig}
	other := sessionCookie("mk-some-other-master", now)
	csrf := map[string]string{ui.HeaderConsole: "1"}
	for _, tc := range []struct {
		name, method, path, body string
		cookie                   *http.Cookie
		header                   map[string]string
		want                     int
		contains                 string
	}{
		{"session probe", "GET", "/admin/api/session", "", valid, nil, 200, `{"ok":true}`},
		{"session probe without cookie", "GET", "/admin/api/session", "", nil, nil, 401, "authentication_error"},
		{"bearer still works", "GET", "/admin/api/session", "", nil, map[string]string{"Authorization": "Bearer " + testMaster}, 200, `"ok":true`},
		{"bearer write needs no console header", "POST", "/admin/api/teams", `{"name":"t1"}`, nil, map[string]string{"Authorization": "Bearer " + testMaster}, 201, `"name":"t1"`},
		{"cookie read", "GET", "/admin/api/keys", "", valid, nil, 200, `"keys":[]`},
		{"cookie HEAD", "HEAD", "/admin/api/keys", "", valid, nil, 200, ""},
		{"cookie write without console header", "POST", "/admin/api/teams", `{"name":"t2"}`, valid, nil, 403, "X-Railyard-Console"},
		{"cookie delete without console header", "DELETE", "/admin/api/teams/t1", "", valid, nil, 403, "permission_error"},
		{"cookie write with wrong console header", "POST", "/admin/api/teams", `{"name":"t2"}`, valid, map[string]string{ui.HeaderConsole: "yes"}, 403, "permission_error"},
		{"cookie write with console header", "POST", "/admin/api/teams", `{"name":"t2"}`, valid, csrf, 201, `"name":"t2"`},
		{"expired cookie", "GET", "/admin/api/keys", "", expired, nil, 401, "authentication_error"},
		{"tampered cookie", "GET", "/admin/api/keys", "", tampered, csrf, 401, "authentication_error"},
		{"other master's cookie", "GET", "/admin/api/keys", "", other, nil, 401, "authentication_error"},
		{"garbage cookie", "GET", "/admin/api/keys", "", &http.Cookie{Name: ui.CookieName, Value: "x"}, nil, 401, "authentication_error"},
		{"master key as the cookie", "GET", "/admin/api/keys", "", &http.Cookie{Name: ui.CookieName, Value: testMaster}, nil, 401, "authentication_error"},
		{"wrong bearer beats a valid cookie", "GET", "/admin/api/keys", "", valid, map[string]string{"Authorization": "Bearer nope"}, 401, "invalid master key"},
		{"non-bearer authorization with a cookie", "GET", "/admin/api/keys", "", valid, map[string]string{"Authorization": "Basic bWs6"}, 401, "invalid master key"},
	} {
		req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
		if tc.cookie != nil {
			req.AddCookie(tc.cookie)
		}
		for k, v := range tc.header {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		body := rec.Body.String()
		if rec.Code != tc.want || !strings.Contains(body, tc.contains) {
			t.Errorf("%s: %d %s", tc.name, rec.Code, body)
		}
		if strings.Contains(body, testMaster) || strings.Contains(strings.Join(rec.Header().Values("Set-Cookie"), ";"), testMaster) {
			t.Errorf("%s: master key echoed", tc.name)
		}
	}
	off, _ := newAdmin(t, "")
	req := httptest.NewRequest("GET", "/admin/api/session", nil)
	req.AddCookie(sessionCookie("", now))
	rec := httptest.NewRecorder()
	off.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden {
		t.Errorf("admin off, session probe: %d %s", rec.Code, rec.Body)
	}
}
