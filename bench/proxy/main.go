// Command proxy measures railyard's own cost side by side with a bare
// net/http/httputil.ReverseProxy. In one run on one machine it drives the
// same closed-loop load at (a) the upstream directly, (b) the bare proxy
// and (c) railyard (built from this repository and run as its own process,
// so that its CPU can be read from /proc), all in front of the same local
// fixed-reply upstream, in alternating rounds, and prints a table per
// scenario: CPU per request of the proxy process, p50 and p99 latency,
// throughput at saturation, peak RSS, and the railyard/bare ratio.
//
//	go run ./bench/proxy                           # the full run (~4 minutes)
//	go run ./bench/proxy -duration 1s -rounds 3    # a quick run (~1.5 minutes)
//	go run ./bench/proxy -scenarios stream,open    # some scenarios only
//
// The upstream is a minimal fixed-reply server run by this program (not
// the simulator, whose own CPU would share the cores). Governance on runs
// railyard with a master key and a virtual key with rpm, tpm and budget
// limits set far above the load, so that every request is authenticated,
// counted, reserved and written to the ledger, and none refused.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"
)

func main() {
	switch os.Getenv("BENCH_ROLE") {
	case "upstream":
		exit(runUpstream())
	case "bare":
		exit(runBare())
	}
	var o options
	flag.DurationVar(&o.duration, "duration", 2*time.Second, "measured time per target per round")
	flag.IntVar(&o.rounds, "rounds", 5, "alternating rounds per scenario (medians are reported)")
	flag.IntVar(&o.concurrency, "concurrency", 32, "closed-loop workers (saturation load)")
	flag.IntVar(&o.events, "events", 256, "text deltas per streamed reply")
	flag.IntVar(&o.streams, "streams", 5000, "concurrent open streams for the memory scenario")
	flag.DurationVar(&o.hold, "hold", 200*time.Millisecond, "how long the open streams stay open before RSS is read")
	flag.StringVar(&o.only, "scenarios", "fast,translate,stream,open,governance", "comma-separated scenarios to run")
	flag.StringVar(&o.railyard, "railyard", "", "a railyard binary to use instead of building cmd/railyard")
	flag.Float64Var(&o.ttftRate, "ttft-rate", 0, "requests per second for the time-to-first-token measure (default: half the slower proxy's saturation throughput)")
	flag.StringVar(&o.compare, "compare", "", "a second railyard binary measured as railyard-b in the same alternating rounds (A/B of a change; not in the governance scenario)")
	flag.Parse()
	exit(run(o))
}

func exit(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/proxy:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

type options struct {
	duration    time.Duration
	rounds      int
	concurrency int
	events      int
	streams     int
	hold        time.Duration
	only        string
	railyard    string
	compare     string
	ttftRate    float64
}

func (o options) want(name string) bool {
	for _, s := range strings.Split(o.only, ",") {
		if strings.TrimSpace(s) == name {
			return true
		}
	}
	return false
}

func run(o options) error {
	dir, err := os.MkdirTemp("", "railyard-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := o.railyard
	if bin == "" {
		if bin, err = buildRailyard(dir); err != nil {
			return err
		}
	}
	up, err := startRole("upstream", fmt.Sprintf("BENCH_EVENTS=%d", o.events))
	if err != nil {
		return err
	}
	defer up.stop()

	fmt.Printf("railyard vs bare httputil.ReverseProxy, same fixed-reply upstream, same machine (%d CPUs)\n", numCPU())
	fmt.Printf("closed loop: %d workers, %d alternating rounds x %s per target; medians of the rounds\n",
		o.concurrency, o.rounds, o.duration)
	fmt.Printf("CPU = utime+stime of the proxy process from /proc/PID/stat; peak RSS = VmHWM\n\n")

	ctx := context.Background()
	for _, sc := range scenarios(o) {
		if !o.want(sc.key) {
			continue
		}
		if err := runScenario(ctx, o, sc, bin, dir, up.addr); err != nil {
			return fmt.Errorf("%s: %w", sc.key, err)
		}
	}
	if o.want("open") {
		if err := runOpenStreams(ctx, o, bin, dir, up.addr); err != nil {
			return fmt.Errorf("open streams: %w", err)
		}
	}
	return nil
}
