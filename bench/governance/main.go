// Command governance shows that budgets, limits and the ledger hold across
// replicas and crashes. It starts a simulator and three railyard replicas
// sharing one PostgreSQL and one Redis, gives one virtual key a budget,
// fires 2,000 concurrent requests with random max tokens across the
// replicas, kills one replica with SIGKILL mid-run and restarts it, and
// prints requests served and refused, spend against budget (overspend must
// be 0) and ledger rows against replies received (must be equal). A second
// phase measures the latency governance adds (key check, Redis admission
// and settlement, ledger row) against a replica without keys.
//
//	go run ./bench/governance -postgres postgres://... -redis redis://...
//
// Both default to RAILYARD_TEST_POSTGRES and RAILYARD_TEST_REDIS (what
// `. .ci/services` exports after installing and starting them locally).
package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
)

type options struct {
	postgres, redis, bin string
	requests             int
	budget               float64
	latencyRequests      int
}

func main() {
	var o options
	flag.StringVar(&o.postgres, "postgres", os.Getenv("RAILYARD_TEST_POSTGRES"), "PostgreSQL URL (a fresh database is created in it)")
	flag.StringVar(&o.redis, "redis", os.Getenv("RAILYARD_TEST_REDIS"), "Redis URL")
	flag.StringVar(&o.bin, "railyard", "", "a railyard binary to use instead of building cmd/railyard")
	flag.IntVar(&o.requests, "requests", 2000, "concurrent requests in the budget phase")
	flag.Float64Var(&o.budget, "budget-usd", 3, "the key's budget")
	flag.IntVar(&o.latencyRequests, "latency-requests", 3000, "requests per side in the latency phase")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "bench/governance:", err)
		os.Exit(1)
	}
}

const master = "bench-master-key"

func run(o options) error {
	if o.postgres == "" || o.redis == "" {
		return errors.New("needs -postgres and -redis (or RAILYARD_TEST_POSTGRES / RAILYARD_TEST_REDIS; `. .ci/services` starts both)")
	}
	dir, err := os.MkdirTemp("", "railyard-bench-governance")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := o.bin
	if bin == "" {
		bin = filepath.Join(dir, "railyard")
		cmd := exec.Command("go", "build", "-o", bin, "./cmd/railyard")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("build: %w", err)
		}
	}
	dbURL, dropDB, err := freshDatabase(o.postgres)
	if err != nil {
		return err
	}
	defer dropDB()

	sim, err := startProc(bin, dir, "sim", writeFile(dir, "sim.yaml", simConfig), nil)
	if err != nil {
		return err
	}
	defer sim.stop()
	cfg := writeFile(dir, "railyard.yaml", fmt.Sprintf(gatewayConfig, dbURL, o.redis, master, sim.url))
	var reps []*proc
	for i := range 3 {
		p, err := startProc(bin, dir, "serve", cfg, []string{"RAILYARD_SPOOL=" + filepath.Join(dir, fmt.Sprintf("spool-%d", i))})
		if err != nil {
			return err
		}
		defer p.stop()
		reps = append(reps, p)
	}
	budgetRes, err := budgetPhase(o, reps, dbURL)
	if err != nil {
		return err
	}
	lat, err := latencyPhase(o, bin, dir, sim.url, reps[0])
	if err != nil {
		return err
	}
	printResults(o, budgetRes, lat)
	if budgetRes.overspendNano > 0 || budgetRes.rows200 != budgetRes.served {
		return errors.New("governance broke its promise (see the table)")
	}
	return nil
}

const simConfig = `
sim:
  seed: 1
  models:
    - {name: sim-smart, reply: lorem, output_tokens: 400, overhead: 20ms, inter_token_latency: 200us, prefill_per_token: 0s}
    - {name: sim-fast, reply: lorem, output_tokens: 16, overhead: 0s, inter_token_latency: 0s, prefill_per_token: 0s}
`

const gatewayConfig = `
store: %s
redis: %s
auth: {master_key: %s}
server: {shutdown_timeout: 20s}
log: {level: warn}
providers:
  - {name: sim, type: openai-compatible, base_url: "%s/v1"}
models:
  - name: smart
    targets: [{provider: sim, model: sim-smart}]
  - name: fast
    targets: [{provider: sim, model: sim-fast}]
`

const plainConfig = `
store: sqlite://%s
log: {level: warn}
providers:
  - {name: sim, type: openai-compatible, base_url: "%s/v1"}
models:
  - name: fast
    targets: [{provider: sim, model: sim-fast}]
`

func writeFile(dir, name, body string) string {
	p := filepath.Join(dir, name)
	_ = os.WriteFile(p, []byte(body), 0o600)
	return p
}

// freshDatabase creates a database for this run next to the one url names.
func freshDatabase(base string) (string, func(), error) {
	db, err := sql.Open("pgx", base)
	if err != nil {
		return "", nil, err
	}
	name := fmt.Sprintf("railyard_bench_%d", time.Now().UnixNano())
	if _, err := db.Exec("CREATE DATABASE " + name); err != nil {
		db.Close()
		return "", nil, fmt.Errorf("create database: %w", err)
	}
	u, _ := url.Parse(base)
	u.Path = "/" + name
	return u.String(), func() {
		_, _ = db.Exec("DROP DATABASE " + name + " WITH (FORCE)")
		db.Close()
	}, nil
}

// proc is a railyard process.
type proc struct {
	bin, dir, role, cfg string
	env                 []string
	addr, url           string
	cmd                 *exec.Cmd
	log                 *bytes.Buffer
}

func startProc(bin, dir, role, cfg string, env []string) (*proc, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	p := &proc{bin: bin, dir: dir, role: role, cfg: cfg, env: env, addr: addr, url: "http://" + addr}
	return p, p.start()
}

func (p *proc) start() error {
	p.cmd = exec.Command(p.bin, p.role, "--config", p.cfg, "--listen", p.addr)
	p.cmd.Dir = p.dir
	p.cmd.Env = append(os.Environ(), p.env...)
	p.log = &bytes.Buffer{}
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	if err := p.cmd.Start(); err != nil {
		return err
	}
	for range 200 {
		if resp, err := http.Get(p.url + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 || p.role == "sim" {
				return nil
			}
		}
		time.Sleep(25 * time.Millisecond)
	}
	return fmt.Errorf("railyard %s did not come up:\n%s", p.role, p.log)
}

func (p *proc) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	_ = p.cmd.Wait()
}

// stop ends the process gracefully (the ledger flushes).
func (p *proc) stop() {
	if p.cmd.ProcessState != nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		p.kill()
	}
}

var client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4096, MaxConnsPerHost: 0}, Timeout: 2 * time.Minute}

func createKey(base, fields string) (id, key string, err error) {
	req, _ := http.NewRequest(http.MethodPost, base+"/admin/api/keys", strings.NewReader(fields))
	req.Header.Set("Authorization", "Bearer "+master)
	resp, err := client.Do(req)
	if err != nil {
		return "", "", err
	}
	defer resp.Body.Close()
	var got struct{ ID, Key string }
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != 201 {
		return "", "", fmt.Errorf("create key: %d %v", resp.StatusCode, err)
	}
	return got.ID, got.Key, nil
}

type budgetResult struct {
	served, refusedBudget, otherStatus, lostInKill, retriedElsewhere int
	rows, rows200                                                    int
	spendNano, overspendNano                                         int64
	budgetNano                                                       int64
	elapsed                                                          time.Duration
}

// send posts one chat completion; it returns the status, or 0 with the
// error when no response came back.
func send(base, key, model string, maxTokens int) (int, time.Duration, error) {
	body := fmt.Sprintf(`{"model":%q,"max_tokens":%d,"messages":[{"role":"user","content":"Write about railways."}]}`, model, maxTokens)
	req, _ := http.NewRequest(http.MethodPost, base+"/v1/chat/completions", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return 0, 0, err
	}
	return resp.StatusCode, time.Since(start), nil
}

func isConnRefused(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }

func budgetPhase(o options, reps []*proc, dbURL string) (budgetResult, error) {
	res := budgetResult{budgetNano: int64(o.budget * 1e9)}
	keyID, key, err := createKey(reps[0].url, fmt.Sprintf(`{"name":"bench","budget_usd":%g}`, o.budget))
	if err != nil {
		return res, err
	}
	var served, refused, other, lost, retried, done atomic.Int64
	var killOnce sync.Once
	victim := reps[1]
	var mu sync.Mutex // guards victim restart against readers of its state
	start := time.Now()
	var wg sync.WaitGroup
	for i := range o.requests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rnd := rand.New(rand.NewPCG(uint64(i), 9))
			maxTokens := 16 + rnd.IntN(497)
			target := i % len(reps)
			for attempt := 0; ; attempt++ {
				status, _, err := send(reps[(target+attempt)%len(reps)].url, key, "smart", maxTokens)
				switch {
				case err != nil && isConnRefused(err) && attempt < len(reps):
					// A load balancer sends a refused connection elsewhere.
					retried.Add(1)
					continue
				case err != nil:
					lost.Add(1)
				case status == 200:
					served.Add(1)
				case status == 429:
					refused.Add(1)
				default:
					other.Add(1)
				}
				break
			}
			if done.Add(1) == int64(o.requests/3) {
				killOnce.Do(func() {
					go func() {
						mu.Lock()
						defer mu.Unlock()
						victim.kill()
						time.Sleep(300 * time.Millisecond)
						if err := victim.start(); err != nil {
							fmt.Fprintln(os.Stderr, "restart:", err)
						}
					}()
				})
			}
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	mu.Lock()
	mu.Unlock()
	for _, p := range reps {
		p.stop() // graceful: every ledger row reaches PostgreSQL
	}
	res.served, res.refusedBudget, res.otherStatus = int(served.Load()), int(refused.Load()), int(other.Load())
	res.lostInKill, res.retriedElsewhere = int(lost.Load()), int(retried.Load())

	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		return res, err
	}
	defer db.Close()
	err = db.QueryRow(`SELECT COUNT(*), COUNT(*) FILTER (WHERE status = 200), COALESCE(CAST(SUM(cost_nano) AS BIGINT), 0) FROM ledger WHERE key_id = $1`, keyID).
		Scan(&res.rows, &res.rows200, &res.spendNano)
	if err != nil {
		return res, err
	}
	res.overspendNano = max(0, res.spendNano-res.budgetNano)
	for _, p := range reps {
		if err := p.start(); err != nil { // back up for the latency phase
			return res, err
		}
	}
	return res, nil
}

type latency struct{ p50, p99 time.Duration }

type latencyResult struct{ plain, governed latency }

// latencyPhase sends the same closed-loop load to a replica without keys
// (SQLite, no Redis) and to a governed replica (PostgreSQL, Redis, a key
// with budget and limits), against a zero-latency simulated model.
func latencyPhase(o options, bin, dir, simURL string, governed *proc) (latencyResult, error) {
	var res latencyResult
	plain, err := startProc(bin, dir, "serve", writeFile(dir, "plain.yaml", fmt.Sprintf(plainConfig, filepath.Join(dir, "plain.db"), simURL)),
		[]string{"RAILYARD_SPOOL=" + filepath.Join(dir, "spool-plain")})
	if err != nil {
		return res, err
	}
	defer plain.stop()
	_, key, err := createKey(governed.url, `{"name":"latency","budget_usd":1000,"rpm":1000000,"tpm":100000000,"max_concurrency":1000}`)
	if err != nil {
		return res, err
	}
	measure := func(base, key string) (latency, error) {
		const workers = 16
		var mu sync.Mutex
		var all []time.Duration
		var wg sync.WaitGroup
		var next atomic.Int64
		var firstErr atomic.Value
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for next.Add(1) <= int64(o.latencyRequests) {
					status, d, err := send(base, key, "fast", 16)
					if err != nil || status != 200 {
						firstErr.CompareAndSwap(nil, fmt.Sprintf("status %d err %v", status, err))
						continue
					}
					mu.Lock()
					all = append(all, d)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if e := firstErr.Load(); e != nil {
			return latency{}, fmt.Errorf("latency phase: %v", e)
		}
		sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
		return latency{all[len(all)/2], all[len(all)*99/100]}, nil
	}
	// Warm up both, then alternate halves to spread drift evenly.
	_, _ = measure(plain.url, "")
	_, _ = measure(governed.url, key)
	if res.plain, err = measure(plain.url, ""); err != nil {
		return res, err
	}
	if res.governed, err = measure(governed.url, key); err != nil {
		return res, err
	}
	return res, nil
}

func usd(n int64) string { return fmt.Sprintf("$%.6f", float64(n)/1e9) }

func printResults(o options, b budgetResult, l latencyResult) {
	fmt.Printf("\nrailyard governance: 3 replicas, one PostgreSQL, one Redis; %d concurrent requests, random max_tokens 16-512,\n", o.requests)
	fmt.Printf("one replica SIGKILLed after a third of the replies and restarted (%s)\n\n", b.elapsed.Round(time.Millisecond))
	rows := [][2]string{
		{"requests sent", fmt.Sprint(o.requests)},
		{"served (200)", fmt.Sprint(b.served)},
		{"refused for budget (429)", fmt.Sprint(b.refusedBudget)},
		{"other statuses", fmt.Sprint(b.otherStatus)},
		{"lost in flight on the killed replica", fmt.Sprint(b.lostInKill)},
		{"connections refused, sent to another replica", fmt.Sprint(b.retriedElsewhere)},
		{"budget", usd(b.budgetNano)},
		{"spend (ledger)", usd(b.spendNano)},
		{"overspend", usd(b.overspendNano)},
		{"ledger rows (status 200) vs replies received", fmt.Sprintf("%d vs %d", b.rows200, b.served)},
		{"ledger rows (all admitted)", fmt.Sprint(b.rows)},
	}
	for _, r := range rows {
		fmt.Printf("  %-48s %s\n", r[0], r[1])
	}
	fmt.Printf("\nlatency added by governance (%d requests per side, 16 workers, zero-latency model):\n\n", o.latencyRequests)
	fmt.Printf("  %-44s %10s %10s\n", "", "p50", "p99")
	fmt.Printf("  %-44s %10s %10s\n", "no keys (SQLite ledger)", l.plain.p50.Round(time.Microsecond), l.plain.p99.Round(time.Microsecond))
	fmt.Printf("  %-44s %10s %10s\n", "virtual key + budget + limits (PG + Redis)", l.governed.p50.Round(time.Microsecond), l.governed.p99.Round(time.Microsecond))
	fmt.Printf("  %-44s %10s %10s\n", "added", (l.governed.p50 - l.plain.p50).Round(time.Microsecond), (l.governed.p99 - l.plain.p99).Round(time.Microsecond))
}
