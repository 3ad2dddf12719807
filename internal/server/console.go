package server

import (
	"net/http"

	"github.com/railyard-ai/railyard/internal/govern"
	"github.com/railyard-ai/railyard/internal/ui"
)

// mountConsole serves the web console (package ui) at /ui/ and the two
// admin routes it needs that the gateway answers rather than the store:
// the model list and the playground. It is on whenever the admin API is;
// without a master key /ui/ says how to turn it on.
func (s *Server) mountConsole() {
	if s.opts.Admin == nil {
		return
	}
	console := ui.Handler(ui.Options{MasterKey: s.opts.MasterKey, Logger: s.log})
	s.mux.Handle("/ui/", console)
	s.mux.Handle("/ui", console)
	s.mux.Handle("GET /admin/api/models", adminGuard(s.opts.MasterKey, http.HandlerFunc(s.adminModels)))
	s.mux.Handle("POST /admin/api/playground/chat/completions", adminGuard(s.opts.MasterKey, s.playground()))
}

// adminModels is GET /v1/models in OpenAI's shape, for the playground's
// model picker.
func (s *Server) adminModels(w http.ResponseWriter, r *http.Request) {
	r2 := r.Clone(r.Context())
	r2.Header.Del("anthropic-version")
	s.models(w, r2)
}

// playground sends an OpenAI chat completions body through the whole
// pipeline (routing, failover, metering, ledger) exactly as
// POST /v1/chat/completions would, as the console principal: no virtual
// key, so no key limits or budget, and ledger rows with key_id "console".
// The principal is set here, after the admin guard, and nowhere a client
// can reach.
func (s *Server) playground() http.Handler {
	h := s.gw.Handler(s.opts.OpenAI)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(govern.WithConsole(r.Context())))
	})
}
