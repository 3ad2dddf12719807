package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/railyard-ai/railyard/internal/benchdata"
)

func numCPU() int { return runtime.NumCPU() }

// scenario is one load shape: the call each target gets.
type scenario struct {
	key, title string
	stream     bool
	// gov adds a third railyard target with governance on, for the
	// on/off comparison.
	gov bool
	// railyardModel is the model name railyard routes; upstreamPath is
	// what the direct and bare targets are called on (the upstream path
	// railyard itself calls).
	railyardModel, upstreamPath string
}

func scenarios(o options) []scenario {
	return []scenario{
		{key: "fast", title: "fast path: OpenAI client -> OpenAI upstream", railyardModel: "fast", upstreamPath: "/oa/v1/chat/completions"},
		{key: "translate", title: "full translation: OpenAI client -> Anthropic upstream", railyardModel: "xlate", upstreamPath: "/an/v1/messages"},
		{key: "stream", title: fmt.Sprintf("streaming: Anthropic upstream (%d text deltas) -> OpenAI client", o.events), stream: true, railyardModel: "stream", upstreamPath: "/ans/v1/messages"},
		{key: "governance", title: "governance on (virtual key, rpm/tpm limits, budget reservation, ledger) vs off: fast path", gov: true, railyardModel: "fast", upstreamPath: "/oa/v1/chat/completions"},
	}
}

// result is one target's measurement in one round.
type result struct {
	cpuPerReq     time.Duration // 0 for the direct target
	p50, p99      time.Duration
	ttft50, ttf99 time.Duration
	rps           float64
	fails         int
}

type target struct {
	name string
	proc *child // nil: the upstream itself
	call call
}

func runScenario(ctx context.Context, o options, sc scenario, bin, dir, up string) error {
	bare, err := startRole("bare", "BENCH_UPSTREAM="+up)
	if err != nil {
		return err
	}
	defer bare.stop()
	ry, err := startRailyard(bin, dir, up, false)
	if err != nil {
		return err
	}
	defer ry.stop()

	body := benchdata.ChatRequest(sc.railyardModel, sc.stream)
	targets := []target{
		{name: "direct", call: call{url: "http://" + up + sc.upstreamPath, body: body}},
		{name: "bare", proc: bare, call: call{url: "http://" + bare.addr + sc.upstreamPath, body: body}},
		{name: "railyard", proc: ry, call: call{url: "http://" + ry.addr + "/v1/chat/completions", body: body}},
	}
	if sc.gov {
		rg, err := startRailyard(bin, dir, up, true)
		if err != nil {
			return err
		}
		defer rg.stop()
		targets = append(targets, target{name: "railyard+governance", proc: rg,
			call: call{url: "http://" + rg.addr + "/v1/chat/completions", body: body, key: rg.key}})
	} else if o.compare != "" {
		rb, err := startRailyard(o.compare, dir, up, false)
		if err != nil {
			return err
		}
		defer rb.stop()
		targets = append(targets, target{name: "railyard-b", proc: rb,
			call: call{url: "http://" + rb.addr + "/v1/chat/completions", body: body}})
	}
	clients := make([]*http.Client, len(targets))
	for i := range targets {
		clients[i] = loadClient(o.concurrency)
		// A first request checks the path works before anything is timed
		// (a few tries: a process just started may still be settling).
		var err error
		for try := 0; try < 5; try++ {
			if _, err = do(ctx, clients[i], targets[i].call, make([]byte, 32<<10)); err == nil {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", targets[i].name, err)
		}
		if targets[i].proc != nil {
			resetPeak(targets[i].proc.pid())
		}
	}
	res := make([][]result, len(targets))
	for r := range o.rounds {
		for k := range targets {
			i := (k + r) % len(targets) // rotate who goes first
			got, err := measure(ctx, o, clients[i], targets[i])
			if err != nil {
				return fmt.Errorf("%s: %w", targets[i].name, err)
			}
			res[i] = append(res[i], got)
		}
	}
	printScenario(o, sc, targets, res)
	if sc.stream {
		// Half of the slower proxy's saturation throughput: a load both
		// sustain, the same for both.
		rate := min(median(res[1], func(r result) float64 { return r.rps }),
			median(res[2], func(r result) float64 { return r.rps })) / 2
		if o.ttftRate > 0 {
			rate = o.ttftRate
		}
		return halfLoadTTFT(ctx, o, targets[1:], clients[1:], rate)
	}
	return nil
}

// measure runs a warm-up, then the timed closed loop, reading the proxy's
// CPU before and after.
func measure(ctx context.Context, o options, client *http.Client, t target) (result, error) {
	warm, cancel := context.WithTimeout(ctx, o.duration/4)
	runLoad(warm, client, t.call, o.concurrency)
	cancel()

	var cpu0 time.Duration
	if t.proc != nil {
		var err error
		if cpu0, err = cpuTime(t.proc.pid()); err != nil {
			return result{}, err
		}
	}
	start := time.Now()
	run, cancel := context.WithTimeout(ctx, o.duration)
	samples, fails := runLoad(run, client, t.call, o.concurrency)
	cancel()
	elapsed := time.Since(start)
	var r result
	if t.proc != nil {
		cpu1, err := cpuTime(t.proc.pid())
		if err != nil {
			return result{}, err
		}
		if len(samples) > 0 {
			r.cpuPerReq = (cpu1 - cpu0) / time.Duration(len(samples))
		}
	}
	if len(samples) == 0 {
		return r, fmt.Errorf("no request succeeded (%d failed)", fails)
	}
	total := make([]time.Duration, len(samples))
	first := make([]time.Duration, len(samples))
	for i, s := range samples {
		total[i], first[i] = s.total, s.first
	}
	r.p50, r.p99 = quantile(total, 0.50), quantile(total, 0.99)
	r.ttft50, r.ttf99 = quantile(first, 0.50), quantile(first, 0.99)
	r.rps = float64(len(samples)) / elapsed.Seconds()
	r.fails = fails
	return r, nil
}

// median of f over the rounds.
func median[T int64 | float64 | time.Duration](rs []result, f func(result) T) T {
	v := make([]T, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	slices.Sort(v)
	return v[len(v)/2]
}

func printScenario(o options, sc scenario, targets []target, res [][]result) {
	fmt.Printf("== %s\n", sc.title)
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	if sc.stream {
		fmt.Fprintf(tw, "target\tCPU us/req\tCPU us/event\tp50 ms\tp99 ms\tTTFT p50 ms\tTTFT p99 ms\treq/s\tpeak RSS MiB\tfailed\t\n")
	} else {
		fmt.Fprintf(tw, "target\tCPU us/req\tp50 ms\tp99 ms\treq/s\tpeak RSS MiB\tfailed\t\n")
	}
	cpu := make([]time.Duration, len(targets))
	for i, t := range targets {
		rs := res[i]
		cpu[i] = median(rs, func(r result) time.Duration { return r.cpuPerReq })
		cpuS, evS, rss := "-", "-", "-"
		if t.proc != nil {
			cpuS = fmt.Sprintf("%.1f", us(cpu[i]))
			evS = fmt.Sprintf("%.2f", us(cpu[i])/float64(o.events))
			if kb, err := memKiB(t.proc.pid(), "VmHWM"); err == nil {
				rss = fmt.Sprintf("%.1f", float64(kb)/1024)
			}
		}
		fails := 0
		for _, r := range rs {
			fails += r.fails
		}
		p50 := ms(median(rs, func(r result) time.Duration { return r.p50 }))
		p99 := ms(median(rs, func(r result) time.Duration { return r.p99 }))
		rps := median(rs, func(r result) float64 { return r.rps })
		if sc.stream {
			t50 := ms(median(rs, func(r result) time.Duration { return r.ttft50 }))
			t99 := ms(median(rs, func(r result) time.Duration { return r.ttf99 }))
			fmt.Fprintf(tw, "%s\t%s\t%s\t%.3f\t%.3f\t%.3f\t%.3f\t%.0f\t%s\t%d\t\n", t.name, cpuS, evS, p50, p99, t50, t99, rps, rss, fails)
		} else {
			fmt.Fprintf(tw, "%s\t%s\t%.3f\t%.3f\t%.0f\t%s\t%d\t\n", t.name, cpuS, p50, p99, rps, rss, fails)
		}
	}
	_ = tw.Flush()
	if cpu[1] > 0 {
		fmt.Printf("railyard/bare CPU per request: %.2fx\n", float64(cpu[2])/float64(cpu[1]))
		if !sc.gov && len(cpu) > 3 {
			fmt.Printf("railyard-b/bare CPU per request: %.2fx\n", float64(cpu[3])/float64(cpu[1]))
		}
	}
	if sc.gov && cpu[2] > 0 {
		fmt.Printf("governance on/off CPU per request: %.2fx (+%.0f%%)\n", float64(cpu[3])/float64(cpu[2]),
			100*(float64(cpu[3])/float64(cpu[2])-1))
	}
	if sc.stream {
		fmt.Printf("railyard CPU per translated event: %.2f us (all of railyard's CPU for the request / %d events)\n",
			us(cpu[2])/float64(o.events), o.events)
		if len(cpu) > 3 {
			fmt.Printf("railyard-b CPU per translated event: %.2f us\n", us(cpu[3])/float64(o.events))
		}
	}
	fmt.Println()
}

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
