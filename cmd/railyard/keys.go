package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/railyard-ai/railyard/internal/access"
	"github.com/railyard-ai/railyard/internal/store"
)

const keysUsage = `Usage:
  railyard keys create --name NAME [--team T] [--models a,b] [--tags a,b]
                       [--budget-usd X] [--budget-period total|monthly|daily]
                       [--rpm N] [--tpm N] [--max-concurrency N] [--expires 720h]
  railyard keys list [--json]
  railyard keys revoke ID_OR_KEY
All take --config FILE and act on the configured store.
`

// runKeys manages virtual keys in the configured store, the same keys
// every running replica reads.
func runKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, keysUsage)
		return errUsage
	}
	switch args[0] {
	case "create":
		return keysCreate(ctx, args[1:], stdout, stderr)
	case "list":
		return keysList(ctx, args[1:], stdout, stderr)
	case "revoke":
		return keysRevoke(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "railyard keys: unknown subcommand %q\n\n%s", args[0], keysUsage)
	return errUsage
}

// storeFromFlags loads the config --config names (or the default one) and
// opens its store.
func storeFromFlags(ctx context.Context, configPath string) (store.Store, error) {
	cfg, _, err := loadServeConfig(ctx, configPath)
	if err != nil {
		return nil, err
	}
	return openStore(ctx, cfg.Store)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func keysCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("keys create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "config file (default ./railyard.yaml)")
	name := fs.String("name", "", "the key's name (required)")
	team := fs.String("team", "", "team whose budget and limits the key also counts against")
	models := fs.String("models", "", "comma-separated model names the key may call (default all)")
	tags := fs.String("tags", "", "comma-separated tags routing rules can see")
	budget := fs.Float64("budget-usd", 0, "budget in USD per period (0 = none)")
	period := fs.String("budget-period", store.PeriodTotal, "total, monthly or daily")
	rpm := fs.Int("rpm", 0, "requests per minute (0 = unlimited)")
	tpm := fs.Int("tpm", 0, "tokens per minute (0 = unlimited)")
	conc := fs.Int("max-concurrency", 0, "requests in flight at once (0 = unlimited)")
	expires := fs.Duration("expires", 0, "lifetime, e.g. 720h (0 = never)")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return errUsage
	}
	if *name == "" {
		fmt.Fprintln(stderr, "railyard keys create: --name is required")
		return errUsage
	}
	f := access.KeyFields{Name: name, Team: team, BudgetUSD: budget, BudgetPeriod: period, RPM: rpm, TPM: tpm, MaxConcurrency: conc}
	if *models != "" {
		m := splitList(*models)
		f.Models = &m
	}
	if *tags != "" {
		t := splitList(*tags)
		f.Tags = &t
	}
	now := time.Now()
	if *expires > 0 {
		at := now.Add(*expires)
		f.ExpiresAt = &at
	}
	st, err := storeFromFlags(ctx, *configPath)
	if err != nil {
		return err
	}
	defer st.Close()
	k, secret, err := access.CreateKey(ctx, st, f, now)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created key %s (%s)\n", k.ID, describeKey(k))
	fmt.Fprintln(stdout, "store it now: railyard keeps only its hash and will not show it again")
	fmt.Fprintln(stdout, secret)
	return nil
}

func describeKey(k store.Key) string {
	parts := []string{"name " + k.Name}
	if k.Team != "" {
		parts = append(parts, "team "+k.Team)
	}
	if len(k.Models) > 0 {
		parts = append(parts, "models "+strings.Join(k.Models, ","))
	}
	if k.Limits.BudgetNanoUSD > 0 {
		parts = append(parts, fmt.Sprintf("budget $%s %s", usd(k.Limits.BudgetNanoUSD), k.Limits.BudgetPeriod))
	}
	for _, l := range []struct {
		n    string
		v    int
		unit string
	}{{"rpm", k.Limits.RPM, ""}, {"tpm", k.Limits.TPM, ""}, {"max concurrency", k.Limits.MaxConcurrency, ""}} {
		if l.v > 0 {
			parts = append(parts, l.n+" "+strconv.Itoa(l.v))
		}
	}
	if !k.ExpiresAt.IsZero() {
		parts = append(parts, "expires "+k.ExpiresAt.Format(time.RFC3339))
	}
	return strings.Join(parts, ", ")
}

func usd(nano int64) string { return strconv.FormatFloat(float64(nano)/1e9, 'f', -1, 64) }

func keysList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("keys list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "config file (default ./railyard.yaml)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return errUsage
	}
	st, err := storeFromFlags(ctx, *configPath)
	if err != nil {
		return err
	}
	defer st.Close()
	keys, err := st.Keys(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		views := make([]access.KeyView, 0, len(keys))
		for _, k := range keys {
			views = append(views, access.ViewKey(k))
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(views)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tTEAM\tKEY\tMODELS\tBUDGET\tRPM\tTPM\tCONCURRENCY\tSTATUS")
	now := time.Now()
	for _, k := range keys {
		budget := "-"
		if k.Limits.BudgetNanoUSD > 0 {
			budget = "$" + usd(k.Limits.BudgetNanoUSD) + " " + k.Limits.BudgetPeriod
		}
		models := "all"
		if len(k.Models) > 0 {
			models = strings.Join(k.Models, ",")
		}
		status := "active"
		switch {
		case !k.RevokedAt.IsZero():
			status = "revoked " + k.RevokedAt.Format(time.RFC3339)
		case !k.Live(now):
			status = "expired " + k.ExpiresAt.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Name, dash(k.Team), k.Prefix, models, budget,
			num(k.Limits.RPM), num(k.Limits.TPM), num(k.Limits.MaxConcurrency), status)
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func num(n int) string {
	if n == 0 {
		return "-"
	}
	return strconv.Itoa(n)
}

func keysRevoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("keys revoke", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "config file (default ./railyard.yaml)")
	// The id may come before or after the flags.
	var target string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		target, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if target == "" && fs.NArg() == 1 {
		target = fs.Arg(0)
	} else if target == "" || fs.NArg() > 0 {
		fmt.Fprint(stderr, keysUsage)
		return errUsage
	}
	st, err := storeFromFlags(ctx, *configPath)
	if err != nil {
		return err
	}
	defer st.Close()
	k, err := access.FindKey(ctx, st, target)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no key %s", shown(target))
	}
	if err != nil {
		return err
	}
	if err := st.RevokeKey(ctx, k.ID, time.Now()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "revoked key %s (%s); every replica refuses it within %s\n", k.ID, k.Name, access.DefaultTTL)
	return nil
}

// shown never echoes a secret back.
func shown(idOrKey string) string {
	if access.Looks(idOrKey) {
		return access.Display(idOrKey)
	}
	return strconv.Quote(idOrKey)
}
