package main

import (
	"context"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/railyard-ai/railyard/internal/benchdata"
)

// runOpenStreams holds o.streams streams open at once through each proxy
// (fresh processes, so the baseline is clean) and reports resident memory
// per open stream: (RSS with the streams open - RSS before) / streams.
func runOpenStreams(ctx context.Context, o options, bin, dir, up string) error {
	fmt.Printf("== %d concurrent open streams (Anthropic upstream -> OpenAI client; one delta each, then held)\n", o.streams)
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "target\topen\tRSS before MiB\tRSS open MiB\tpeak RSS MiB\tKiB/stream\t\n")
	per := map[string]float64{}
	for _, name := range []string{"bare", "railyard"} {
		var p *child
		var err error
		var c call
		if name == "bare" {
			p, err = startRole("bare", "BENCH_UPSTREAM="+up)
			c = call{url: "", body: benchdata.ChatRequest("hold", true)}
			if p != nil {
				c.url = "http://" + p.addr + "/hold/v1/messages"
			}
		} else {
			p, err = startRailyard(bin, dir, up, false)
			if p != nil {
				c = call{url: "http://" + p.addr + "/v1/chat/completions", body: benchdata.ChatRequest("hold", true)}
			}
		}
		if err != nil {
			return err
		}
		client := loadClient(o.streams)
		// Warm the process with a few streams, then take the baseline.
		n, closeAll := openStreams(ctx, client, c, 16)
		closeAll()
		if n == 0 {
			p.stop()
			return fmt.Errorf("%s: no stream opened", name)
		}
		time.Sleep(200 * time.Millisecond)
		before, _ := memKiB(p.pid(), "VmRSS")
		open, closeAll := openStreams(ctx, client, c, o.streams)
		time.Sleep(o.hold)
		during, _ := memKiB(p.pid(), "VmRSS")
		peak, _ := memKiB(p.pid(), "VmHWM")
		closeAll()
		client.CloseIdleConnections()
		p.stop()
		if open == 0 {
			return fmt.Errorf("%s: no stream opened", name)
		}
		per[name] = float64(during-before) / float64(open)
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t\n", name, open, float64(before)/1024, float64(during)/1024, float64(peak)/1024, per[name])
	}
	_ = tw.Flush()
	if per["bare"] > 0 {
		fmt.Printf("railyard/bare memory per open stream: %.2fx\n", per["railyard"]/per["bare"])
	}
	fmt.Println()
	return nil
}
