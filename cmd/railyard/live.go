package main

import (
	"net/http"

	"github.com/railyard-ai/railyard/internal/config"
	"github.com/railyard-ai/railyard/internal/govern"
	"github.com/railyard-ai/railyard/internal/reqlog"
	"github.com/railyard-ai/railyard/internal/server"
)

// liveState is what the console's live pages read on this replica: the
// recent requests and the targets' health.
type liveState struct {
	requests server.RequestLog
	health   server.HealthSnapshotter
}

// newRequestLog keeps the last requests in memory for the console, with
// their bodies only when the operator turned on log.prompts.
func newRequestLog(cfg *config.Config) *reqlog.Log {
	return reqlog.New(reqlog.Options{Prompts: cfg.Log.Prompts, Identify: principalOf})
}

// principalOf names the request's virtual key and team ("console" for the
// playground), from the principal authentication put in its context.
func principalOf(r *http.Request) (keyID, team string) {
	if p := govern.Principal(r.Context()); p != nil {
		return p.Key.ID, p.Key.Team
	}
	return "", ""
}
