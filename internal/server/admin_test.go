package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/railyard-ai/railyard/internal/store"
	"github.com/railyard-ai/railyard/internal/store/sqlite"
)

const testMaster = "mk-admin-test"

func newAdmin(t *testing.T, master string) (http.Handler, store.Store) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "admin.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return Admin(AdminOptions{Store: st, MasterKey: master}), st
}

func call(t *testing.T, h http.Handler, method, path, key, body string) (int, map[string]any, string) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var m map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &m)
	return rec.Code, m, rec.Body.String()
}

func TestAdminAuth(t *testing.T) {
	h, _ := newAdmin(t, testMaster)
	off, _ := newAdmin(t, "")
	for _, tc := range []struct {
		name string
		h    http.Handler
		key  string
		want int
	}{
		{"no key", h, "", 401}, {"wrong key", h, "ry-not-it", 401}, {"master", h, testMaster, 200}, {"no master configured", off, "anything", 403},
	} {
		code, _, body := call(t, tc.h, "GET", "/admin/api/keys", tc.key, "")
		if code != tc.want || (tc.key != "" && tc.key != testMaster && strings.Contains(body, tc.key)) {
			t.Errorf("%s: %d %s", tc.name, code, body)
		}
	}
}

func TestAdminKeysAndTeams(t *testing.T) {
	h, st := newAdmin(t, testMaster)
	code, created, body := call(t, h, "POST", "/admin/api/keys", testMaster,
		`{"name":"app","team":"research","models":["smart"],"tags":["batch"],"budget_usd":2.5,"budget_period":"monthly","rpm":10,"tpm":1000,"max_concurrency":3,"expires_at":"2099-01-01T00:00:00Z","metadata":{"owner":"ana"}}`)
	if code != 201 || !strings.HasPrefix(created["key"].(string), "ry-") || created["budget_usd"] != 2.5 || created["rpm"] != 10.0 {
		t.Fatalf("create: %d %s", code, body)
	}
	id := created["id"].(string)
	for _, tc := range []struct {
		name, method, path, body string
		want                     int
		contains                 string
	}{
		{"list hides secrets", "GET", "/admin/api/keys", "", 200, `"prefix":"ry-`},
		{"get", "GET", "/admin/api/keys/" + id, "", 200, `"name":"app"`},
		{"patch", "PATCH", "/admin/api/keys/" + id, `{"rpm":20,"models":[]}`, 200, `"rpm":20`},
		{"patch unknown field", "PATCH", "/admin/api/keys/" + id, `{"colour":"red"}`, 400, "unknown field"},
		{"patch bad period", "PATCH", "/admin/api/keys/" + id, `{"budget_period":"weekly"}`, 400, "budget_period"},
		{"create without name", "POST", "/admin/api/keys", `{}`, 400, "name is required"},
		{"create bad json", "POST", "/admin/api/keys", `{"name":`, 400, "invalid JSON"},
		{"get missing", "GET", "/admin/api/keys/key_nope", "", 404, "not found"},
		{"revoke", "DELETE", "/admin/api/keys/" + id, "", 200, `"revoked_at"`},
		{"team create", "POST", "/admin/api/teams", `{"name":"research","budget_usd":100,"budget_period":"daily","tpm":5000}`, 201, `"name":"research"`},
		{"team duplicate", "POST", "/admin/api/teams", `{"name":"research"}`, 400, "exists"},
		{"team get by name", "GET", "/admin/api/teams/research", "", 200, `"tpm":5000`},
		{"team patch", "PATCH", "/admin/api/teams/research", `{"rpm":9}`, 200, `"rpm":9`},
		{"team rename refused", "PATCH", "/admin/api/teams/research", `{"name":"other"}`, 400, "cannot change"},
		{"team list", "GET", "/admin/api/teams", "", 200, `"teams":[{`},
		{"team delete", "DELETE", "/admin/api/teams/research", "", 200, `"name":"research"`},
		{"team delete again", "DELETE", "/admin/api/teams/research", "", 404, "not found"},
		{"unknown route", "GET", "/admin/api/nope", "", 404, "no admin route"},
	} {
		code, _, body := call(t, h, tc.method, tc.path, testMaster, tc.body)
		if code != tc.want || !strings.Contains(body, tc.contains) {
			t.Errorf("%s: %d %s", tc.name, code, body)
		}
		if strings.Contains(body, created["key"].(string)) || strings.Contains(body, `"hash"`) {
			t.Errorf("%s: secret or hash in %s", tc.name, body)
		}
	}
	k, _ := st.Key(context.Background(), id)
	if k.Limits.RPM != 20 || len(k.Models) != 0 || k.RevokedAt.IsZero() {
		t.Errorf("stored key %+v", k)
	}
}

func TestAdminUsageAndLedger(t *testing.T) {
	h, st := newAdmin(t, testMaster)
	now := time.Now().UTC()
	rows := []store.Record{
		{ID: "a", Time: now.Add(-time.Hour), KeyID: "k1", Model: "smart", Provider: "p", InputTokens: 10, OutputTokens: 5, CostNanoUSD: 1_500_000, Status: 200, Attempts: 1, Latency: 1500 * time.Microsecond},
		{ID: "b", Time: now.Add(-48 * time.Hour), KeyID: "k2", Model: "fast", Provider: "p", CostNanoUSD: 1, Status: 200, Attempts: 2},
	}
	if err := st.AppendLedger(context.Background(), rows); err != nil {
		t.Fatal(err)
	}
	code, m, body := call(t, h, "GET", "/admin/api/usage?by=model&since=24h", testMaster, "")
	if code != 200 || !strings.Contains(body, `{"group":"smart","requests":1,"input_tokens":10,"output_tokens":5,"cache_read_tokens":0,"cache_write_tokens":0,"reasoning_tokens":0,"cost_usd":0.0015}`) || len(m["rows"].([]any)) != 1 {
		t.Errorf("usage: %d %s", code, body)
	}
	for _, q := range []string{"by=colour", "since=yesterday"} {
		if code, _, body := call(t, h, "GET", "/admin/api/usage?"+q, testMaster, ""); code != 400 {
			t.Errorf("%s: %d %s", q, code, body)
		}
	}
	code, _, body = call(t, h, "GET", "/admin/api/ledger.csv?since=7d", testMaster, "")
	lines := strings.Split(strings.TrimSpace(body), "\n")
	if code != 200 || len(lines) != 3 || !strings.HasPrefix(lines[0], "time,id,request_id") || !strings.Contains(lines[1], ",b,") || !strings.Contains(lines[2], ",0.001500000,1.500,") {
		t.Errorf("ledger.csv: %d\n%s", code, body)
	}
}
