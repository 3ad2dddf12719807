package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/railyard-ai/railyard/internal/catalog"
	"github.com/railyard-ai/railyard/internal/config"
	"github.com/railyard-ai/railyard/internal/dialect"
	"github.com/railyard-ai/railyard/internal/dialect/anthropic"
	"github.com/railyard-ai/railyard/internal/dialect/bedrock"
	"github.com/railyard-ai/railyard/internal/dialect/gemini"
	"github.com/railyard-ai/railyard/internal/dialect/openai"
	"github.com/railyard-ai/railyard/internal/gateway"
	"github.com/railyard-ai/railyard/internal/gctune"
	"github.com/railyard-ai/railyard/internal/provider"
	"github.com/railyard-ai/railyard/internal/route"
	"github.com/railyard-ai/railyard/internal/server"
	"github.com/railyard-ai/railyard/internal/sim"
)

var errUsage = errors.New("usage")

// gcHeadroom is the least garbage the heap may gather between collections
// (see internal/gctune): at rest the gateway's live heap is ~10 MB, and
// under load the default GOGC collected several times a second, each
// mark phase delaying the requests that arrived during it. An operator's
// GOGC turns it off.
const gcHeadroom = 64 << 20

// dialects are the wire formats railyard speaks, by the names providers
// and the simulator use.
func dialects() provider.Dialects {
	return provider.Dialects{
		"openai":            openai.Dialect{},
		"openai-compatible": openai.Dialect{Compat: true},
		"anthropic":         anthropic.Dialect{},
		"gemini":            gemini.Dialect{},
		"bedrock":           bedrock.Dialect{},
	}
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer, demo bool) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "config file (default ./railyard.yaml, else from the environment)")
	listen := fs.String("listen", "", "listen address (overrides the config; default 127.0.0.1:4000)")
	var tlsf tlsFlags
	fs.StringVar(&tlsf.cert, "tls-cert", "", "serve HTTPS with this PEM certificate (chain) file")
	fs.StringVar(&tlsf.key, "tls-key", "", "the PEM private key for --tls-cert")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	cfg, source, err := loadServeConfig(ctx, *configPath)
	if err != nil {
		return err
	}
	if *listen != "" {
		cfg.Listen = *listen
	}
	log := newLogger(cfg.Log, stderr)
	for _, w := range cfg.Warnings {
		log.Warn(w)
	}
	if err := checkExposure(cfg); err != nil {
		return err
	}
	if os.Getenv("GOGC") == "" {
		defer gctune.Start(gcHeadroom, 100).Stop()
	}

	// Providers of type sim without a base_url share one in-process
	// simulator on a loopback port: the same HTTP path as a real upstream.
	simURL, stopSim, err := startInProcessSim(cfg, log)
	if err != nil {
		return err
	}
	defer stopSim()

	table, err := buildTable(cfg, simURL)
	if err != nil {
		return err
	}
	prices, err := catalog.LoadWithOverrides(cfg.Catalog)
	if err != nil {
		return fmt.Errorf("model catalog: %w", err)
	}
	obs, err := openObservability(ctx, table, log)
	if err != nil {
		return err
	}
	defer obs.close()
	requests := newRequestLog(cfg) // live.go: the console's request log
	gw := gateway.New(table, gateway.Options{Logger: log, MaxBodyBytes: cfg.Server.MaxBodyBytes, LogPrompts: cfg.Log.Prompts, Pricer: prices, Observer: gateway.Observers(obs.Observer(), requests)})
	obs.Follow(gw.Table)
	gw.SetRouting(prices, cfg.Routing.AssumedOutputTokens)
	gov, err := openGovernance(ctx, cfg, prices, log, liveState{requests: requests, health: gw})
	if err != nil {
		return err
	}
	defer gov.close()
	gw.SetGovernor(gov.gov)
	if source != "environment" {
		go newReloader(source, simURL, gw.SetTable, log).run(ctx, reloadPoll)
	}
	srv := server.New(gw, server.Options{
		Logger:       log,
		MasterKey:    cfg.Auth.MasterKey,
		Authenticate: gov.authenticate,
		Admin:        gov.adm,
		OpenAI:       openai.Dialect{},
		Anthropic:    anthropic.Dialect{},
		Metrics:      obs.Handler(),
		Observer:     gateway.Observers(obs.Observer(), requests),
		Gemini:       gemini.Dialect{},
		Catalog:      prices,
		Bedrock:      bedrock.Dialect{},
	})
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Listen, err)
	}
	base := tlsf.scheme() + ln.Addr().String()
	httpSrv := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: cfg.Server.ReadHeaderTimeout,
		IdleTimeout:       cfg.Server.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("railyard listening", "addr", base, "config", source, "providers", providerSummary(table), "models", len(table.ModelNames()))
	if has, err := gov.st.HasKeys(ctx); cfg.Auth.MasterKey == "" && err == nil && !has {
		log.Warn("no keys configured: serving on loopback only, without authentication")
	}
	errc := make(chan error, 1)
	if ln, err = tlsf.listener(ln, httpSrv); err != nil {
		return err // tlsf.listener closed the plain listener
	}
	go func() { errc <- httpSrv.Serve(ln) }()

	if demo {
		go func() {
			if err := runDemo(ctx, base, gov.demoKey(ctx, cfg.Auth.MasterKey), table, stdout); err != nil {
				log.Error("demo request failed", "err", err)
			}
		}()
	}

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Drain: refuse new work via /readyz, let in-flight requests and
	// streams finish, then exit.
	srv.SetReady(false)
	if d := cfg.Server.DrainDelay; d > 0 {
		log.Info("draining: /readyz answers 503, still serving", "drain_delay", d)
		time.Sleep(d)
	}
	log.Info("shutting down: finishing in-flight requests", "timeout", cfg.Server.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), cfg.Server.ShutdownTimeout)
	defer cancel()
	if err := httpSrv.Shutdown(sctx); err != nil {
		log.Warn("shutdown deadline passed; closing remaining connections", "err", err)
		_ = httpSrv.Close()
	}
	log.Info("stopped")
	return nil
}

// loadServeConfig finds the config as DESIGN section 2 says: --config, else
// ./railyard.yaml, else the environment.
func loadServeConfig(ctx context.Context, path string) (*config.Config, string, error) {
	if path == "" {
		if _, err := os.Stat("railyard.yaml"); err == nil {
			path = "railyard.yaml"
		}
	}
	if path != "" {
		cfg, err := config.Load(path)
		if err != nil {
			return nil, "", err
		}
		return cfg, path, nil
	}
	cfg := config.FromEnv(ctx, os.LookupEnv, nil)
	cfg.ApplyDefaults()
	return cfg, "environment", nil
}

// checkExposure refuses to serve beyond loopback without authentication.
func checkExposure(cfg *config.Config) error {
	if cfg.Auth.MasterKey != "" {
		return nil
	}
	host, _, err := net.SplitHostPort(cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen address %q: %w", cfg.Listen, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("refusing to listen on %s without authentication: set auth.master_key, or listen on 127.0.0.1", cfg.Listen)
}

// startInProcessSim starts the simulator when a sim provider has no
// base_url, returning its base URL ("" when not needed) and a stop func.
func startInProcessSim(cfg *config.Config, log *slog.Logger) (string, func(), error) {
	need := false
	for _, p := range cfg.Providers {
		if p.Type == provider.KindSim && p.BaseURL == "" {
			need = true
		}
	}
	if !need {
		return "", func() {}, nil
	}
	d := dialects()
	s := sim.New(cfg.Sim, map[string]dialect.Ingress{"openai": d["openai"], "anthropic": d["anthropic"], "bedrock": d["bedrock"], "gemini": d["gemini"]}, log.With("component", "sim"))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("start in-process simulator: %w", err)
	}
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = hs.Close() }, nil
}

// buildTable builds providers and the routing table from config.
func buildTable(cfg *config.Config, simURL string) (*route.Table, error) {
	client := provider.NewClient(provider.TransportOptions{FirstByteTimeout: cfg.Server.FirstByteTimeout})
	d := dialects()
	var providers []*provider.Provider
	for _, pc := range cfg.Providers {
		if pc.Type == provider.KindSim && pc.BaseURL == "" {
			pc.BaseURL = simURL
			if pc.Dialect == "gemini" {
				pc.BaseURL += "/v1beta"
			} else if pc.Dialect != "anthropic" {
				pc.BaseURL += "/v1"
			}
		}
		p, err := provider.New(pc, d, client, cfg.Server.UpstreamTimeout)
		if err != nil {
			return nil, err
		}
		providers = append(providers, p)
	}
	t, err := route.NewTable(cfg.Models, providers)
	if err != nil {
		return nil, err
	}
	t.SetResilience(route.ResilienceFrom(cfg.Routing))
	return t, nil
}

func providerSummary(t *route.Table) []string {
	var out []string
	for _, p := range t.Providers() {
		out = append(out, p.Name+"("+p.Kind+")")
	}
	return out
}

func newLogger(c config.Log, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.Level))
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
