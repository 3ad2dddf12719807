package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"sync"
	"text/tabwriter"
	"time"
)

// halfLoadTTFT measures time to first token away from saturation: each
// target gets an open-loop load of rate requests per second (half of the
// slower proxy's saturation throughput), in alternating rounds, and the
// median p50 and p99 of the time to the first body byte are printed with
// railyard's p99 minus bare's.
func halfLoadTTFT(ctx context.Context, o options, targets []target, clients []*http.Client, rate float64) error {
	if rate <= 0 {
		return nil
	}
	type ttft struct{ p50, p99 []time.Duration }
	got := make([]ttft, len(targets))
	dropped := make([]int, len(targets))
	for r := range o.rounds {
		for k := range targets {
			i := (k + r) % len(targets)
			run, cancel := context.WithTimeout(ctx, o.duration)
			samples, drop := runPaced(run, clients[i], targets[i].call, rate, o.concurrency)
			cancel()
			if len(samples) == 0 {
				return fmt.Errorf("half load: %s: no request succeeded", targets[i].name)
			}
			first := make([]time.Duration, len(samples))
			for j, s := range samples {
				first[j] = s.first
			}
			got[i].p50 = append(got[i].p50, quantile(first, 0.50))
			got[i].p99 = append(got[i].p99, quantile(first, 0.99))
			dropped[i] += drop
		}
	}
	fmt.Printf("time to first token at %.0f req/s (open loop)\n", rate)
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "target\tTTFT p50 ms\tTTFT p99 ms\tnot sent (all busy)\t\n")
	p99 := make([]time.Duration, len(targets))
	for i, t := range targets {
		p50 := quantile(got[i].p50, 0.5)
		p99[i] = quantile(got[i].p99, 0.5)
		fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%d\t\n", t.name, ms(p50), ms(p99[i]), dropped[i])
	}
	_ = tw.Flush()
	for i := 1; i < len(targets); i++ {
		fmt.Printf("%s TTFT p99 - bare: %+.3f ms\n", targets[i].name, ms(p99[i]-p99[0]))
	}
	fmt.Println()
	return nil
}

// runPaced starts a request every 1/rate seconds, each on its own
// goroutine, with at most workers in flight; a start that finds all of
// them busy is skipped and counted.
func runPaced(ctx context.Context, client *http.Client, c call, rate float64, workers int) ([]sample, int) {
	interval := time.Duration(float64(time.Second) / rate)
	sem := make(chan struct{}, workers)
	var mu sync.Mutex
	var all []sample
	var wg sync.WaitGroup
	dropped := 0
	next := time.Now()
	for {
		next = next.Add(interval)
		if d := time.Until(next); d > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(d):
			}
		}
		if ctx.Err() != nil {
			break
		}
		select {
		case sem <- struct{}{}:
		default:
			dropped++
			continue
		}
		wg.Go(func() {
			defer func() { <-sem }()
			s, err := do(ctx, client, c, make([]byte, 32<<10))
			if err != nil {
				return
			}
			mu.Lock()
			all = append(all, s)
			mu.Unlock()
		})
	}
	wg.Wait()
	return all, dropped
}
