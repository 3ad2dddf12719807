package main

import (
	"context"
	"fmt"

	"github.com/railyard-ai/railyard/internal/config"
	"github.com/railyard-ai/railyard/internal/govern"
	"github.com/railyard-ai/railyard/internal/limit"
	"github.com/railyard-ai/railyard/internal/store"
	"github.com/railyard-ai/railyard/internal/store/postgres"
)

// openCounters picks the counters for limits and budgets: in-process by
// default, Redis when the config sets redis:.
func openCounters(_ context.Context, cfg *config.Config, st store.Store) (limit.Counters, error) {
	if cfg.Redis != "" {
		return nil, fmt.Errorf("redis: shared counters are not available in this build yet")
	}
	return limit.NewMemory(govern.SpendLoader(st)), nil
}

func openPostgres(ctx context.Context, url string) (store.Store, error) {
	return postgres.Open(ctx, url)
}
