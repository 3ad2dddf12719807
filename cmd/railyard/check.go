package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/railyard-ai/railyard/internal/catalog"
	"github.com/railyard-ai/railyard/internal/config"
)

// runCheck validates a config: the same loading and building serve does,
// without listening, so a config that passes check starts.
func runCheck(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "config file to validate")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if *path == "" {
		fmt.Fprintln(stderr, "railyard check: --config FILE is required")
		return errUsage
	}
	cfg, err := config.Load(*path)
	if err != nil {
		return err
	}
	if _, err := catalog.LoadWithOverrides(cfg.Catalog); err != nil {
		return fmt.Errorf("%s: catalog: %w", *path, err)
	}
	table, err := buildTable(cfg, "http://127.0.0.1:1")
	if err != nil {
		return fmt.Errorf("%s: %w", *path, err)
	}
	for _, w := range cfg.Warnings {
		fmt.Fprintln(stderr, "warning:", w)
	}
	fmt.Fprintf(stdout, "%s: ok (%d providers, %d models)\n", *path, len(cfg.Providers), len(table.ModelNames()))
	return nil
}
