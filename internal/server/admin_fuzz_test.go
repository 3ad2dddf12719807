package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/railyard-ai/railyard/internal/store/sqlite"
)

// FuzzAdminBodies: whatever JSON the admin API gets, it answers 2xx or
// 4xx, never 5xx or a panic.
func FuzzAdminBodies(f *testing.F) {
	for _, s := range []string{`{"name":"a","budget_usd":1e308}`, `{"name":"a","expires_at":"2001-01-01T00:00:00Z"}`, `{"name":"","rpm":-1}`,
		`{"name":"a","budget_period":"daily","models":["x"],"metadata":{"k":"v"}}`, `[]`, `null`, `{"name":"a"}{}`} {
		f.Add("POST", "/admin/api/keys", s)
		f.Add("POST", "/admin/api/teams", s)
	}
	f.Add("PATCH", "/admin/api/teams/x", `{"rpm":1}`)
	f.Add("GET", "/admin/api/usage?by=day&since=1e400h", "")
	st, err := sqlite.Open(context.Background(), ":memory:") // no disk I/O per input
	if err != nil {
		f.Fatal(err)
	}
	defer st.Close()
	h := Admin(AdminOptions{Store: st, MasterKey: testMaster})
	f.Fuzz(func(t *testing.T, method, path, body string) {
		if u, err := url.ParseRequestURI(path); err != nil || !strings.HasPrefix(u.Path, "/admin/api/") {
			return
		}
		switch method {
		case "GET", "POST", "PATCH", "DELETE":
		default:
			return
		}
		req, err := http.NewRequest(method, "http://railyard"+path, strings.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Authorization", "Bearer "+testMaster)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Errorf("%s %s %q: %d %s", method, path, body, rec.Code, rec.Body)
		}
	})
}
