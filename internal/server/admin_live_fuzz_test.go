package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/railyard-ai/railyard/internal/gateway"
	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/reqlog"
	"github.com/railyard-ai/railyard/internal/requestid"
	"github.com/railyard-ai/railyard/internal/route"
)

type noHealth struct{}

func (noHealth) HealthSnapshot() []route.TargetHealth { return []route.TargetHealth{{Model: "m"}} }

// FuzzAdminRequestsQuery: whatever query the request log gets, it answers
// 200 with JSON, or 400 or 404, never 5xx or a panic.
func FuzzAdminRequestsQuery(f *testing.F) {
	for _, q := range []string{"limit=5", "limit=-1", "limit=99999999999999999999", "status=5xx", "status=error&model=m",
		"provider=p&key=k&team=t", "status=%ff", "limit=1&limit=2", ""} {
		f.Add("/admin/api/requests", q)
	}
	f.Add("/admin/api/requests/r1", "")
	f.Add("/admin/api/requests/%2e%2e", "")
	f.Add("/admin/api/providers", "x=1")
	rl := reqlog.New(reqlog.Options{Size: 8, Prompts: true})
	for _, id := range []string{"r1", "r2", "r3"} {
		r := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", nil)
		q := rl.StartRequest(r.WithContext(requestid.With(r.Context(), id)), gateway.RequestStart{Dialect: "openai"})
		q.StartAttempt(gateway.Attempt{Provider: "p"}).End(gateway.AttemptResult{Outcome: "ok", Answered: true})
		q.End(gateway.Summary{Request: &llm.Request{Model: "m"}, Status: 200, RequestBody: []byte("\xff\xfe{")})
	}
	h := Admin(AdminOptions{MasterKey: testMaster, Requests: rl, Health: noHealth{}})
	f.Fuzz(func(t *testing.T, path, query string) {
		if !strings.HasPrefix(path, "/admin/api/") {
			return
		}
		req, err := http.NewRequest(http.MethodGet, "http://railyard"+path+"?"+query, nil)
		if err != nil {
			return
		}
		req.Header.Set("Authorization", "Bearer "+testMaster)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s?%s: %d %s", path, query, rec.Code, rec.Body)
		}
		if (rec.Code < 300 || rec.Code >= 400) && !json.Valid(rec.Body.Bytes()) { // the mux redirects unclean paths
			t.Fatalf("%s?%s: not JSON: %s", path, query, rec.Body)
		}
	})
}
