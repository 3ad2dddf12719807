// Command routing drives requests through railyard's routing policies
// against three simulated upstreams and prints, per scenario, the success
// rate, client-side p50 and p99 latency, cost per 1,000 requests and each
// target's share. The upstreams are in-process simulators (the same code
// as `railyard sim`), each on its own loopback listener so that the
// requests in flight at each can be counted:
//
//   - flaky:  cheap, fails 30% of requests with a 500
//   - spiky:  mid-priced, 5% of requests wait 80ms before their headers
//   - steady: healthy but expensive
//
// Baselines send everything to one target; the policy rows use all three.
// The gateway is the real pipeline (gateway.Gateway over HTTP), built
// in-process. CPU/req is the whole process's CPU time (client, gateway and
// upstreams) per request.
//
// The latency goal compares the latency policy's p99 with the only-steady
// baseline's, two numbers that a busy machine moves a lot. So those two
// run side by side: each through its own gateway, kept up for the round,
// in interleaved blocks of 1,000 requests (-block), so that both see the same
// machine load; -rounds such rounds (3 by default), and the goal is
// judged on the median of the rounds' ratios, the table showing each
// side's median-p99 round. After the table, a breakdown of where the
// latency policy's slowest 1% come from (which target answered, hedges,
// failovers) explains its p99.
//
//	go run ./bench/routing              # 20,000 requests per scenario (~1.5 minutes)
//	go run ./bench/routing -n 2000      # a smoke run
//	go run ./bench/routing -pair -v     # only the latency goal, printing what the policy sees
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/railyard-ai/railyard/internal/catalog"
	"github.com/railyard-ai/railyard/internal/config"
	"github.com/railyard-ai/railyard/internal/dialect"
	"github.com/railyard-ai/railyard/internal/dialect/anthropic"
	"github.com/railyard-ai/railyard/internal/dialect/openai"
	"github.com/railyard-ai/railyard/internal/gateway"
	"github.com/railyard-ai/railyard/internal/provider"
	"github.com/railyard-ai/railyard/internal/route"
	"github.com/railyard-ai/railyard/internal/sim"
)

type options struct {
	n, concurrency, capacity int
	rounds, block            int
	pairOnly                 *bool
	verbose                  bool
	cpuprofile               string
	spike                    time.Duration
}

func main() {
	var o options
	flag.IntVar(&o.n, "n", 20000, "requests per scenario")
	flag.IntVar(&o.concurrency, "concurrency", 32, "closed-loop client workers")
	flag.IntVar(&o.capacity, "capacity", 8, "spillover: concurrency capacity of flaky and spiky (committed capacity)")
	flag.IntVar(&o.rounds, "rounds", 3, "rounds of the only-steady baseline and the latency policy, interleaved (medians reported)")
	flag.IntVar(&o.block, "block", 1000, "requests per turn when the only-steady baseline and the latency policy are interleaved")
	o.pairOnly = flag.Bool("pair", false, "run only the interleaved only-steady and latency rounds")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.BoolVar(&o.verbose, "v", false, "print the latency policy's view of each target every 500ms")
	flag.DurationVar(&o.spike, "spike", 80*time.Millisecond, "spiky's latency spike")
	flag.Parse()
	if o.cpuprofile != "" {
		f, err := os.Create(o.cpuprofile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench/routing:", err)
			os.Exit(1)
		}
		defer f.Close()
		defer pprof.StopCPUProfile()
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "bench/routing:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

var names = []string{"flaky", "spiky", "steady"}

// upstream is one simulated provider and the requests in flight at it.
type upstream struct {
	url      string
	inflight atomic.Int64
	peak     atomic.Int64
	calls    atomic.Int64 // requests served
	conns    atomic.Int64 // connections accepted
	srv      *http.Server
}

func (u *upstream) ServeHTTP(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.calls.Add(1)
		n := u.inflight.Add(1)
		for p := u.peak.Load(); n > p && !u.peak.CompareAndSwap(p, n); p = u.peak.Load() {
		}
		defer u.inflight.Add(-1)
		h.ServeHTTP(w, r)
	})
}

func simConfig(spike time.Duration) config.Sim {
	d := func(v time.Duration) *time.Duration { return &v }
	i := func(v int) *int { return &v }
	f := func(v float64) *float64 { return &v }
	base := config.SimModel{Overhead: d(2 * time.Millisecond), PrefillPerToken: d(0), InterTokenLatency: d(250 * time.Microsecond),
		OutputTokens: i(16), Reply: "lorem", BatchSize: i(1024)}
	flaky, spiky, steady := base, base, base
	flaky.Name, spiky.Name, steady.Name = "flaky-m", "spiky-m", "steady-m"
	flaky.Faults = []config.SimFault{{Kind: config.SimFaultStatus, Status: 500, Rate: f(0.3)}}
	spiky.Faults = []config.SimFault{{Kind: config.SimFaultSlowHeaders, Delay: spike, Rate: f(0.05)}}
	return config.Sim{Seed: 1, Models: []config.SimModel{flaky, spiky, steady}}
}

func startUpstreams(spike time.Duration) (map[string]*upstream, error) {
	d := map[string]dialect.Ingress{"openai": openai.Dialect{}, "anthropic": anthropic.Dialect{}}
	ups := map[string]*upstream{}
	for _, n := range names {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		u := &upstream{url: "http://" + ln.Addr().String() + "/v1"}
		u.srv = &http.Server{Handler: u.ServeHTTP(sim.New(simConfig(spike), d, nil)), ReadHeaderTimeout: 10 * time.Second,
			ConnState: func(_ net.Conn, s http.ConnState) {
				if s == http.StateNew {
					u.conns.Add(1)
				}
			}}
		go func() { _ = u.srv.Serve(ln) }()
		ups[n] = u
	}
	return ups, nil
}

// prices: flaky is cheapest, steady dearest (USD per million tokens).
func pricedCatalog() (*catalog.Catalog, error) {
	cat, err := catalog.Load()
	if err != nil {
		return nil, err
	}
	m := func(id string, in, out float64) catalog.Model {
		ri, _ := catalog.RateFromUSD(in)
		ro, _ := catalog.RateFromUSD(out)
		return catalog.Model{ID: id, Family: catalog.FamilySim, ContextWindow: 128000, Capabilities: catalog.Capabilities{Tools: true},
			Prices: catalog.Prices{
				Input:  &catalog.Price{Rate: ri, Source: "simulated", AsOf: "2026-11-23"},
				Output: &catalog.Price{Rate: ro, Source: "simulated", AsOf: "2026-11-23"}}}
	}
	return cat.Override([]catalog.Model{m("flaky-m", 0.10, 0.40), m("spiky-m", 0.50, 2), m("steady-m", 3, 15)})
}

type scenario struct {
	name   string
	policy string
	use    []string
	cap    int // concurrency capacity of every target but the last (spillover)
	weight map[string]int
}

type result struct {
	scenario
	ok, fail   int
	lat        []time.Duration
	routes     []string // x-railyard-route of each request in lat
	costUSD    float64
	share      map[string]int
	peak       map[string]int64
	elapsed    time.Duration
	cpu        time.Duration // the whole process's (client, gateway, upstreams)
	calls      int64         // upstream requests
	conns      int64         // upstream connections opened
	breakerHit int
}

func run(o options) error {
	ups, err := startUpstreams(o.spike)
	if err != nil {
		return err
	}
	cat, err := pricedCatalog()
	if err != nil {
		return err
	}
	scenarios := []scenario{
		{name: "only flaky", use: []string{"flaky"}},
		{name: "only spiky", use: []string{"spiky"}},
		{name: "only steady", use: []string{"steady"}},
		{name: "failover", policy: "failover", use: names},
		{name: "weighted 1:1:2", policy: "weighted", use: names, weight: map[string]int{"flaky": 1, "spiky": 1, "steady": 2}},
		{name: "latency", policy: "latency", use: names},
		{name: "cost", policy: "cost", use: names},
		{name: "spillover", policy: "spillover", use: names, cap: o.capacity},
	}
	fmt.Printf("bench/routing: %d requests per scenario, %d client workers; upstreams: flaky (30%% 500s, $0.10/$0.40 per MTok), spiky (5%% +%v, $0.50/$2), steady ($3/$15)\n\n",
		o.n, o.concurrency, o.spike)
	// The latency goal compares two scenarios: they run interleaved
	// (runPair), in as many rounds as asked, and the table shows each
	// one's median-p99 round.
	paired := map[string][]*result{}
	find := func(name string) scenario {
		return scenarios[slices.IndexFunc(scenarios, func(s scenario) bool { return s.name == name })]
	}
	for range o.rounds {
		rb, rp, err := runPair(o, find("only steady"), find("latency"), ups, cat)
		if err != nil {
			return err
		}
		paired["only steady"] = append(paired["only steady"], rb)
		paired["latency"] = append(paired["latency"], rp)
	}
	var results []*result
	for _, sc := range scenarios {
		if rs, ok := paired[sc.name]; ok {
			results = append(results, medianRound(rs))
			continue
		}
		if *o.pairOnly {
			continue
		}
		r, err := runScenario(o, sc, ups, cat)
		if err != nil {
			return fmt.Errorf("%s: %w", sc.name, err)
		}
		results = append(results, r)
	}
	printTable(results, o, roundRatios(paired["only steady"], paired["latency"]))
	printRounds(paired["only steady"], paired["latency"], o.block)
	for _, r := range results {
		if r.policy == "latency" {
			tailReport(r)
		}
	}
	return nil
}

func runScenario(o options, sc scenario, ups map[string]*upstream, cat *catalog.Catalog) (*result, error) {
	st, err := newStage(o, sc, ups, cat)
	if err != nil {
		return nil, err
	}
	defer st.close()
	r := newResult(sc)
	st.drive(o, o.n, r, ups)
	return r, nil
}

// stage is one scenario's gateway, up and warmed, ready for load.
type stage struct {
	sc     scenario
	url    string
	hc     *http.Client
	health *route.Health
	tbl    *route.Table
	srv    *http.Server
}

func newStage(o options, sc scenario, ups map[string]*upstream, cat *catalog.Catalog) (*stage, error) {
	client := provider.NewClient(provider.TransportOptions{FirstByteTimeout: 10 * time.Second})
	var ps []*provider.Provider
	m := config.Model{Name: "m", Route: sc.policy}
	for i, n := range sc.use {
		p, err := provider.New(config.Provider{Name: n, Type: provider.KindSim, BaseURL: ups[n].url}, provider.Dialects{"openai": openai.Dialect{}}, client, 30*time.Second)
		if err != nil {
			return nil, err
		}
		ps = append(ps, p)
		t := config.Target{Provider: n, Model: n + "-m", Weight: max(1, sc.weight[n])}
		if sc.cap > 0 && i < len(sc.use)-1 {
			t.Capacity = &config.Capacity{Concurrency: sc.cap}
		}
		m.Targets = append(m.Targets, t)
	}
	tbl, err := route.NewTable([]config.Model{m}, ps)
	if err != nil {
		return nil, err
	}
	// Baselines measure a target alone: no breaker. Policies run with
	// breaker_failures 10 and a 1s cooldown: at 30% failures, 10 in a row
	// (p = 6e-6) means the target is down, not flaky; the default 5
	// (p = 0.24%) would eject flaky every few hundred requests.
	br := route.BreakerSettings{Failures: 10, Cooldown: time.Second}
	if sc.policy == "" {
		br.Failures = 1 << 30
	}
	tbl.SetResilience(route.Resilience{Breaker: br})
	health := route.NewHealth(route.HealthOptions{})
	gw := gateway.New(tbl, gateway.Options{Pricer: cat, Catalog: cat, Health: health, Logger: slog.New(slog.DiscardHandler)})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	h := gw.Handler(openai.Dialect{})
	mux.HandleFunc("POST /v1/chat/completions", func(w http.ResponseWriter, r *http.Request) {
		// Labelled so that -cpuprofile tells the scenarios' gateways
		// apart (go tool pprof -tagfocus 'scenario=latency').
		pprof.Do(r.Context(), pprof.Labels("scenario", sc.name), func(context.Context) { h.ServeHTTP(w, r) })
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()

	url := "http://" + ln.Addr().String() + "/v1/chat/completions"
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.concurrency * 2, MaxConnsPerHost: 0}}
	// One request first so that the tokenizer's data is loaded; it is not
	// counted.
	if resp, err := hc.Post(url, "application/json", strings.NewReader(`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"hi"}]}`)); err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	return &stage{sc: sc, url: url, hc: hc, health: health, tbl: tbl, srv: srv}, nil
}

func (st *stage) close() {
	st.hc.CloseIdleConnections()
	_ = st.srv.Shutdown(context.Background())
}

func newResult(sc scenario) *result {
	return &result{scenario: sc, share: map[string]int{}, peak: map[string]int64{}}
}

// drive sends n requests through st from o.concurrency closed-loop
// workers and adds them to r.
func (st *stage) drive(o options, n int, r *result, ups map[string]*upstream) {
	for _, u := range ups {
		u.peak.Store(0)
	}
	var mu sync.Mutex
	var next atomic.Int64
	var wg sync.WaitGroup
	cpu0 := processCPU()
	var calls0, conns0 int64
	for _, u := range ups {
		calls0 += u.calls.Load()
		conns0 += u.conns.Load()
	}
	start := time.Now()
	for range o.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				body := `{"model":"m","max_tokens":16,"messages":[{"role":"user","content":"Summarise the routing report in one line."}]}`
				t0 := time.Now()
				resp, err := st.hc.Post(st.url, "application/json", strings.NewReader(body))
				var status int
				var prov, route string
				var cost float64
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					status, prov, route = resp.StatusCode, resp.Header.Get(gateway.HeaderProvider), resp.Header.Get(gateway.HeaderRoute)
					cost, _ = strconv.ParseFloat(resp.Header.Get(gateway.HeaderCost), 64)
				}
				d := time.Since(t0)
				mu.Lock()
				if status == http.StatusOK {
					r.ok++
					r.lat = append(r.lat, d)
					r.routes = append(r.routes, route)
					r.costUSD += cost
					r.share[prov]++
				} else {
					r.fail++
				}
				if strings.Contains(route, "breaker open") {
					r.breakerHit++
				}
				mu.Unlock()
			}
		}()
	}
	stop := make(chan struct{})
	if o.verbose && st.sc.policy == "latency" {
		go watchHealth(st.health, st.tbl, stop)
	}

	wg.Wait()
	close(stop)
	r.elapsed += time.Since(start)
	r.cpu += processCPU() - cpu0
	r.calls -= calls0
	r.conns -= conns0
	for _, u := range ups {
		r.calls += u.calls.Load()
		r.conns += u.conns.Load()
	}
	for name, u := range ups {
		r.peak[name] = max(r.peak[name], u.peak.Load())
	}
}

func pct(lat []time.Duration, p float64) time.Duration {
	if len(lat) == 0 {
		return 0
	}
	s := slices.Clone(lat)
	slices.Sort(s)
	i := int(float64(len(s)-1) * p)
	return s[i]
}

func printTable(rs []*result, o options, ratios []float64) {
	fmt.Printf("%-16s %9s %9s %9s %12s %8s %8s %8s %14s %7s %9s\n",
		"scenario", "success", "p50", "p99", "$/1k req", "flaky", "spiky", "steady", "peak in flight", "time", "CPU/req")
	byName := map[string]*result{}
	for _, r := range rs {
		byName[r.name] = r
		total := r.ok + r.fail
		share := func(n string) string {
			if r.ok == 0 {
				return "-"
			}
			return fmt.Sprintf("%.1f%%", 100*float64(r.share[n])/float64(r.ok))
		}
		peaks := []string{}
		for _, n := range names {
			if slices.Contains(r.use, n) {
				peaks = append(peaks, strconv.FormatInt(r.peak[n], 10))
			}
		}
		per1k := 0.0
		if r.ok > 0 {
			per1k = r.costUSD / float64(r.ok) * 1000
		}
		fmt.Printf("%-16s %8.2f%% %9s %9s %12.6f %8s %8s %8s %14s %6.1fs %7.0fµs\n",
			r.name, 100*float64(r.ok)/float64(total), round(pct(r.lat, 0.5)), round(pct(r.lat, 0.99)), per1k,
			share("flaky"), share("spiky"), share("steady"), strings.Join(peaks, "/"), r.elapsed.Seconds(),
			float64(r.cpu.Microseconds())/float64(max(total, 1)))
	}
	fmt.Println()
	// Goals from issue 4.
	check := func(ok bool, format string, args ...any) {
		mark := "PASS"
		if !ok {
			mark = "MISS"
		}
		fmt.Printf("%s  %s\n", mark, fmt.Sprintf(format, args...))
	}
	for _, n := range []string{"failover", "weighted 1:1:2", "latency", "cost", "spillover"} {
		r, ok := byName[n]
		if !ok {
			continue
		}
		check(r.fail == 0, "%-15s 100%% success while a target is healthy (%d of %d failed)", n, r.fail, r.ok+r.fail)
	}
	bestP99 := time.Duration(0)
	bestName := ""
	for _, n := range []string{"only spiky", "only steady"} {
		if byName[n] == nil {
			continue
		}
		if p := pct(byName[n].lat, 0.99); bestP99 == 0 || p < bestP99 {
			bestP99, bestName = p, n
		}
	}
	lp := pct(byName["latency"].lat, 0.99)
	if bestName == "only steady" && len(ratios) > 1 {
		// Paired rounds: the median of the per-round ratios.
		check(median(ratios) <= 1.2, "latency p99 within 1.2x of the best healthy target's own p99 (only steady): %.2fx, the median of %d interleaved rounds' ratios (below)",
			median(ratios), len(ratios))
	} else {
		check(float64(lp) <= 1.2*float64(bestP99), "latency p99 %v within 1.2x of the best healthy target's own p99 (%s: %v): %.2fx",
			round(lp), bestName, round(bestP99), float64(lp)/float64(bestP99))
	}
	if *o.pairOnly {
		return
	}
	sp := byName["spillover"]
	worst := 0.0
	for _, n := range names[:2] {
		worst = max(worst, float64(sp.peak[n])/float64(o.capacity))
	}
	check(worst <= 1.02, "spillover keeps flaky and spiky within 2%% of their capacity %d (peak in flight %d/%d at the upstream)",
		o.capacity, sp.peak["flaky"], sp.peak["spiky"])
	// The cheapest capable target for a request is flaky when flaky would
	// serve it and spiky otherwise: flaky's measured failure rate prices
	// that oracle.
	fl, spk := byName["only flaky"], byName["only spiky"]
	failRate := float64(fl.fail) / float64(fl.ok+fl.fail)
	oracle := (1-failRate)*fl.costUSD/float64(max(fl.ok, 1)) + failRate*spk.costUSD/float64(max(spk.ok, 1))
	cp := byName["cost"].costUSD / float64(max(byName["cost"].ok, 1))
	check(cp <= oracle*1.001, "cost policy $%.6f per 1k requests, cheapest capable target per request $%.6f", cp*1000, oracle*1000)
}

func round(d time.Duration) time.Duration {
	switch {
	case d >= 100*time.Millisecond:
		return d.Round(time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}
