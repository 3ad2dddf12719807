package main

import (
	"context"
	"fmt"
	"net/url"

	"github.com/railyard-ai/railyard/internal/config"
	"github.com/railyard-ai/railyard/internal/govern"
	"github.com/railyard-ai/railyard/internal/limit"
	"github.com/railyard-ai/railyard/internal/store"
	"github.com/railyard-ai/railyard/internal/store/postgres"
)

// openCounters picks the counters for limits and budgets: in-process by
// default, Redis when the config sets redis:.
func openCounters(ctx context.Context, cfg *config.Config, st store.Store) (limit.Counters, error) {
	if cfg.Redis != "" {
		r, err := limit.OpenRedis(ctx, cfg.Redis, govern.SpendLoader(st))
		if err != nil {
			return nil, fmt.Errorf("redis %s: %w", redactURL(cfg.Redis), err)
		}
		return r, nil
	}
	return limit.NewMemory(govern.SpendLoader(st)), nil
}

func openPostgres(ctx context.Context, url string) (store.Store, error) {
	return postgres.Open(ctx, url)
}

// redactURL drops a URL's password for messages.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}
