package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go"
	aoption "github.com/anthropics/anthropic-sdk-go/option"
	"github.com/openai/openai-go/v3"
	ooption "github.com/openai/openai-go/v3/option"
)

// workDir is where a railyard process runs: dir, else a fresh temporary
// directory, so the default store (./railyard.db) of parallel gateways
// never lands in the source tree or is shared.
func workDir(t testing.TB, dir string) string {
	if dir != "" {
		return dir
	}
	return t.TempDir()
}

// admin calls the admin API with the master key and decodes the JSON reply.
func admin(t testing.TB, method, url, master, body string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+master)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %d %s", method, url, resp.StatusCode, b)
		}
	}
	return resp.StatusCode
}

// createKey makes a virtual key through the admin API.
func createKey(t testing.TB, base, master, fields string) string {
	t.Helper()
	var got struct{ ID, Key string }
	if status := admin(t, http.MethodPost, base+"/admin/api/keys", master, fields, &got); status != http.StatusCreated || !strings.HasPrefix(got.Key, "ry-") {
		t.Fatalf("create key: %d %+v", status, got)
	}
	return got.Key
}

// governed is a gateway with a master key and a store this test can also
// reach with the CLI.
type governed struct {
	gw     *proc
	spy    *spy
	config string
}

const master = "mk-e2e-governance"

func newGoverned(t *testing.T) *governed {
	t.Helper()
	sim := start(t, "sim", "--config", writeConfig(t, simConfig))
	sp := newSpy(t, sim.URL())
	db := filepath.Join(t.TempDir(), "railyard.db")
	extra := fmt.Sprintf("auth: {master_key: %s}\nstore: sqlite://%s", master, db)
	cfg := writeConfig(t, fmt.Sprintf(gatewayConfig, sim.URL(), sp.srv.URL, extra))
	return &governed{gw: start(t, "serve", "--config", cfg), spy: sp, config: cfg}
}

// cli runs `railyard <args> --config CFG` and returns its output.
func (g *governed) cli(t *testing.T, args ...string) string {
	t.Helper()
	code, out := run(t, procOptions{}, append(args, "--config", g.config)...)
	if code != 0 {
		t.Fatalf("railyard %v: exit %d\n%s", args, code, out)
	}
	return out
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func TestGovernanceKeysLimitsAndUsage(t *testing.T) {
	t.Parallel()
	g := newGoverned(t)
	base := g.gw.URL()

	// `keys create` prints the key alone on its last line.
	out := g.cli(t, "keys", "create", "--name", "cli-app", "--models", "gpt-backed,claude-backed", "--rpm", "2", "--tags", "batch")
	key := lastLine(out)
	if !strings.HasPrefix(key, "ry-") || len(key) < 40 {
		t.Fatalf("last line %q of:\n%s", key, out)
	}
	oa := openai.NewClient(ooption.WithBaseURL(base+"/v1"), ooption.WithAPIKey(key), ooption.WithMaxRetries(0))
	an := anthropic.NewClient(aoption.WithBaseURL(base), aoption.WithAPIKey(key), aoption.WithMaxRetries(0))

	t.Run("key works in both dialects with rate-limit headers", func(t *testing.T) {
		_, hr := oaChat(t, oa, oaGreeting("gpt-backed"))
		if hr.Header.Get("X-Ratelimit-Limit-Requests") != "2" || hr.Header.Get("X-Ratelimit-Remaining-Requests") != "1" {
			t.Errorf("rate-limit headers: %v", hr.Header)
		}
		anMessage(t, an, anGreeting("claude-backed"))
	})
	t.Run("model not allowed is 403", func(t *testing.T) {
		_, err := oa.Chat.Completions.New(context.Background(), oaGreeting("spied-gpt"))
		var oe *openai.Error
		if !errors.As(err, &oe) || oe.StatusCode != 403 || oe.Type != "permission_error" {
			t.Errorf("OpenAI SDK: %v", err)
		}
	})
	t.Run("rpm refuses with 429 and Retry-After", func(t *testing.T) {
		_, err := an.Messages.New(context.Background(), anGreeting("claude-backed"))
		var ae *anthropic.Error
		if !errors.As(err, &ae) || ae.StatusCode != 429 || ae.Type() != "rate_limit_error" ||
			ae.Response.Header.Get("Retry-After") == "" || !strings.Contains(ae.RawJSON(), "rpm") {
			t.Errorf("Anthropic SDK: %v", err)
		}
	})
	t.Run("master key is for the admin API only", func(t *testing.T) {
		status, _, body := post(t, base+"/v1/chat/completions", `{"model":"gpt-backed","messages":[{"role":"user","content":"hi"}]}`,
			map[string]string{"Authorization": "Bearer " + master})
		if status != 401 || strings.Contains(string(body), master) {
			t.Errorf("master key on a client endpoint: %d %s", status, body)
		}
		if s := admin(t, http.MethodGet, base+"/admin/api/keys", "ry-not-the-master", "", nil); s != 401 {
			t.Errorf("admin API with a wrong key: %d", s)
		}
	})
	t.Run("budget refuses before any upstream call", func(t *testing.T) {
		before := g.spy.requests()
		k := createKey(t, base, master, `{"name":"poor","budget_usd":0.000001}`)
		status, hdr, body := post(t, base+"/v1/chat/completions", `{"model":"spy-openai/sim-smart","max_tokens":50,"messages":[{"role":"user","content":"hi"}]}`,
			map[string]string{"Authorization": "Bearer " + k})
		if status != 429 || hdr.Get("Retry-After") == "" || !strings.Contains(string(body), "budget") {
			t.Errorf("budget: %d %v %s", status, hdr, body)
		}
		checkOpenAIErrorBody(t, body, "insufficient_quota")
		if g.spy.requests() != before {
			t.Error("a request refused for budget reached the upstream")
		}
	})
	t.Run("concurrent requests never overspend", func(t *testing.T) {
		const budget = 0.002
		var created struct{ ID, Key string }
		admin(t, http.MethodPost, base+"/admin/api/keys", master, fmt.Sprintf(`{"name":"budgeted","budget_usd":%g,"team":"t1"}`, budget), &created)
		var wg sync.WaitGroup
		var mu sync.Mutex
		codes := map[int]int{}
		for range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				status, _, _ := post(t, base+"/v1/chat/completions", `{"model":"spy-openai/sim-smart","max_tokens":30,"messages":[{"role":"user","content":"hi"}]}`,
					map[string]string{"Authorization": "Bearer " + created.Key})
				mu.Lock()
				codes[status]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if codes[200] == 0 || codes[429] == 0 || codes[200]+codes[429] != 40 {
			t.Fatalf("statuses %v: want some admitted and some refused", codes)
		}
		// The ledger is written off the request path; give it a moment.
		var usage struct {
			Rows []struct {
				Group    string  `json:"group"`
				Requests int     `json:"requests"`
				CostUSD  float64 `json:"cost_usd"`
			} `json:"rows"`
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			admin(t, http.MethodGet, base+"/admin/api/usage?by=key&since=1h", master, "", &usage)
			n, cost := 0, 0.0
			for _, r := range usage.Rows {
				if r.Group == created.ID {
					n, cost = r.Requests, r.CostUSD
				}
			}
			if n == codes[200] {
				if cost > budget || cost <= 0 {
					t.Errorf("spent $%g of a $%g budget", cost, budget)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("ledger has %d rows for the key, %d replies were served", n, codes[200])
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
	t.Run("usage and ledger export", func(t *testing.T) {
		out := g.cli(t, "usage", "--by", "team", "--json")
		if !strings.Contains(out, `"group": "t1"`) {
			t.Errorf("usage --by team:\n%s", out)
		}
		req, _ := http.NewRequest(http.MethodGet, base+"/admin/api/ledger.csv?since=1h", nil)
		req.Header.Set("Authorization", "Bearer "+master)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !bytes.HasPrefix(b, []byte("time,id,request_id,key_id")) || bytes.Count(b, []byte("\n")) < 3 {
			t.Errorf("ledger.csv:\n%s", b)
		}
	})
	t.Run("revoked key is refused within a second", func(t *testing.T) {
		out := g.cli(t, "keys", "revoke", key)
		if strings.Contains(out, key) {
			t.Errorf("revoke echoed the key: %s", out)
		}
		time.Sleep(time.Second)
		status, _, body := post(t, base+"/v1/chat/completions", `{"model":"gpt-backed","messages":[{"role":"user","content":"hi"}]}`,
			map[string]string{"Authorization": "Bearer " + key})
		if status != 401 || !strings.Contains(string(body), "revoked") {
			t.Errorf("revoked key: %d %s", status, body)
		}
		if list := g.cli(t, "keys", "list"); !strings.Contains(list, "revoked") || strings.Contains(list, key) {
			t.Errorf("keys list:\n%s", list)
		}
	})
}
