package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/railyard-ai/railyard/internal/config"
	"github.com/railyard-ai/railyard/internal/dialect"
	"github.com/railyard-ai/railyard/internal/sim"
)

// runSim serves the simulated provider until ctx ends.
func runSim(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "config file whose sim: section configures the simulator")
	listen := fs.String("listen", "", "listen address (default the config's sim.listen, 127.0.0.1:4001)")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	cfg := &config.Config{}
	if *path != "" {
		c, err := config.Load(*path)
		if err != nil {
			return err
		}
		cfg = c
	}
	addr := cfg.Sim.ListenAddr()
	if *listen != "" {
		addr = *listen
	}
	log := newLogger(cfg.Log, stderr)
	d := dialects()
	s := sim.New(cfg.Sim, map[string]dialect.Ingress{"openai": d["openai"], "anthropic": d["anthropic"], "bedrock": d["bedrock"], "gemini": d["gemini"]}, log)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	log.Info("railyard sim listening", "addr", "http://"+ln.Addr().String(),
		"openai_base_url", "http://"+ln.Addr().String()+"/v1", "anthropic_base_url", "http://"+ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return hs.Shutdown(sctx)
}
