package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/railyard-ai/railyard/internal/server"
)

// runUsage prints the ledger's usage grouped one way, from the store.
func runUsage(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("usage", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "config file (default ./railyard.yaml)")
	by := fs.String("by", "model", "group by key, team, model, provider or day")
	since := fs.String("since", "24h", "how far back: a duration (24h, 7d) or an RFC 3339 time")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return errUsage
	}
	st, err := storeFromFlags(ctx, *configPath)
	if err != nil {
		return err
	}
	defer st.Close()
	rows, err := server.Usage(ctx, st, *by, *since, time.Now())
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"rows": rows})
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%s\tREQUESTS\tINPUT\tOUTPUT\tCACHE READ\tCACHE WRITE\tREASONING\tCOST USD\t\n", *by)
	var total server.UsageRow
	i := func(n int64) string { return strconv.FormatInt(n, 10) }
	for _, r := range rows {
		g := r.Group
		if g == "" {
			g = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.6f\t\n", g, i(r.Requests), i(r.InputTokens), i(r.OutputTokens),
			i(r.CacheReadTokens), i(r.CacheWriteTokens), i(r.ReasoningTokens), r.CostUSD)
		total.Requests += r.Requests
		total.InputTokens += r.InputTokens
		total.OutputTokens += r.OutputTokens
		total.CacheReadTokens += r.CacheReadTokens
		total.CacheWriteTokens += r.CacheWriteTokens
		total.ReasoningTokens += r.ReasoningTokens
		total.CostUSD += r.CostUSD
	}
	fmt.Fprintf(tw, "total\t%s\t%s\t%s\t%s\t%s\t%s\t%.6f\t\n", i(total.Requests), i(total.InputTokens), i(total.OutputTokens),
		i(total.CacheReadTokens), i(total.CacheWriteTokens), i(total.ReasoningTokens), total.CostUSD)
	return tw.Flush()
}
