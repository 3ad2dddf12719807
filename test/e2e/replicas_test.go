package e2e

import (
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// sharedServices returns the PostgreSQL (a fresh database) and Redis URLs
// for replica tests: RAILYARD_TEST_POSTGRES and RAILYARD_TEST_REDIS, which
// .ci/run sets. Without them the test skips locally and fails in CI.
func sharedServices(t *testing.T) (pg, redis string) {
	t.Helper()
	base, redis := os.Getenv("RAILYARD_TEST_POSTGRES"), os.Getenv("RAILYARD_TEST_REDIS")
	if base == "" || redis == "" {
		if os.Getenv("RAILYARD_CI") != "" {
			t.Fatal("RAILYARD_TEST_POSTGRES / RAILYARD_TEST_REDIS unset in CI: .ci/run must start PostgreSQL and Redis")
		}
		t.Skip("no PostgreSQL and Redis: `. .ci/services` starts both and sets RAILYARD_TEST_POSTGRES and RAILYARD_TEST_REDIS")
	}
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("railyard_e2e_%d", time.Now().UnixNano())
	if _, err := db.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = db.Exec("DROP DATABASE " + name + " WITH (FORCE)")
		db.Close()
	})
	u, _ := url.Parse(base)
	u.Path = "/" + name
	return u.String(), redis
}

// Two replicas on one PostgreSQL and one Redis act as one: a key made on
// one works on the other, limits and budgets are shared, a revocation on
// one is refused by the other within a second, and the ledger is one.
func TestReplicasActAsOne(t *testing.T) {
	t.Parallel()
	pg, redis := sharedServices(t)
	sim := start(t, "sim", "--config", writeConfig(t, simConfig))
	sp := newSpy(t, sim.URL())
	cfg := writeConfig(t, fmt.Sprintf(gatewayConfig, sim.URL(), sp.srv.URL,
		fmt.Sprintf("auth: {master_key: %s}\nstore: %q\nredis: %q", master, pg, redis)))
	var reps []*proc
	for i := range 2 {
		env := append(os.Environ(), "OPENAI_API_KEY=", "ANTHROPIC_API_KEY=", "RAILYARD_SPOOL="+filepath.Join(t.TempDir(), fmt.Sprint("spool", i)))
		reps = append(reps, startWith(t, procOptions{env: env}, "serve", "--config", cfg))
	}
	a, b := reps[0].URL(), reps[1].URL()
	chat := func(base, key string) (int, string) {
		status, _, body := post(t, base+"/v1/chat/completions", `{"model":"spy-openai/sim-smart","max_tokens":20,"messages":[{"role":"user","content":"hi"}]}`,
			map[string]string{"Authorization": "Bearer " + key})
		return status, string(body)
	}

	t.Run("shared rate limit", func(t *testing.T) {
		key := createKey(t, a, master, `{"name":"rpm","rpm":4}`)
		for i, base := range []string{a, b, a, b} {
			if status, body := chat(base, key); status != 200 {
				t.Fatalf("request %d: %d %s", i, status, body)
			}
		}
		if status, body := chat(b, key); status != 429 || !strings.Contains(body, "rpm") {
			t.Errorf("fifth request across replicas: %d %s", status, body)
		}
	})
	t.Run("shared budget", func(t *testing.T) {
		var created struct{ ID, Key string }
		const budget = 0.001
		admin(t, http.MethodPost, b+"/admin/api/keys", master, fmt.Sprintf(`{"name":"budget","budget_usd":%g}`, budget), &created)
		served := 0
		for i := 0; i < 200; i++ {
			status, body := chat([]string{a, b}[i%2], created.Key)
			if status == 429 {
				if !strings.Contains(body, "budget") {
					t.Fatalf("429 not for budget: %s", body)
				}
				break
			}
			if status != 200 {
				t.Fatalf("%d %s", status, body)
			}
			served++
		}
		if served == 0 || served == 200 {
			t.Fatalf("served %d: the budget did not bite", served)
		}
		var usage struct {
			Rows []struct {
				Group    string
				Requests int
				CostUSD  float64 `json:"cost_usd"`
			}
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			admin(t, http.MethodGet, a+"/admin/api/usage?by=key", master, "", &usage)
			n, cost := 0, 0.0
			for _, r := range usage.Rows {
				if r.Group == created.ID {
					n, cost = r.Requests, r.CostUSD
				}
			}
			if n == served {
				if cost > budget {
					t.Errorf("spent $%g of $%g", cost, budget)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("ledger (read through replica a) has %d rows, %d replies served by both", n, served)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
	t.Run("revocation reaches the other replica within a second", func(t *testing.T) {
		var created struct{ ID, Key string }
		admin(t, http.MethodPost, a+"/admin/api/keys", master, `{"name":"revoke-me"}`, &created)
		if status, body := chat(b, created.Key); status != 200 {
			t.Fatalf("before revocation: %d %s", status, body)
		}
		if s := admin(t, http.MethodDelete, a+"/admin/api/keys/"+created.ID, master, "", nil); s != 200 {
			t.Fatalf("revoke: %d", s)
		}
		time.Sleep(time.Second)
		if status, body := chat(b, created.Key); status != 401 || !strings.Contains(body, "revoked") {
			t.Errorf("replica b a second after revocation on a: %d %s", status, body)
		}
	})
}
