// Package server is railyard's HTTP surface: the client endpoints of each
// dialect, health and readiness, the model list, and the middleware every
// request passes (request id, panic recovery, authentication).
package server

import (
	"crypto/subtle"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/railyard-ai/railyard/internal/dialect"
	"github.com/railyard-ai/railyard/internal/gateway"
	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/requestid"
)

// Options configures the HTTP surface.
type Options struct {
	Logger *slog.Logger
	// MasterKey, when set, is required on client requests (until virtual
	// keys exist) as Authorization: Bearer or x-api-key.
	MasterKey string
	// OpenAI and Anthropic are the client dialects served.
	OpenAI    dialect.Dialect
	Anthropic dialect.Dialect
	// Gemini, when set, serves POST /v1beta/models/{model}:generateContent
	// and :streamGenerateContent for Gemini clients.
	Gemini dialect.Dialect
	// Catalog, when set, adds limits, prices and capabilities to the model
	// list entries.
	Catalog Catalog
	// Bedrock, when set, serves POST /model/{modelId}/converse and
	// /converse-stream for Bedrock clients (an AWS SDK sends a Bedrock API
	// key, here a railyard key, as its Bearer token).
	Bedrock dialect.Dialect
	// Metrics, when set, serves GET /metrics (Prometheus).
	Metrics http.Handler
	// Observer, when set, also sees the client requests refused before the
	// gateway (no or bad key), so metrics and traces count them.
	Observer gateway.Observer
	// Authenticate, when set, replaces the MasterKey check on client
	// endpoints: it gets the key the client sent ("" for none) and returns
	// the request to serve (carrying the principal) or the error to send.
	Authenticate func(r *http.Request, key string) (*http.Request, *llm.Error)
	// Admin, when set, serves /admin/api/ (it checks the master key).
	Admin http.Handler
}

// Server routes requests to the gateway.
type Server struct {
	gw    *gateway.Gateway
	opts  Options
	log   *slog.Logger
	ready atomic.Bool
	mux   *http.ServeMux
	// handler is mux behind the request id and panic middleware, built
	// once rather than per request.
	handler http.Handler
}

// New returns the server; it reports ready until SetReady(false).
func New(gw *gateway.Gateway, opts Options) *Server {
	s := &Server{gw: gw, opts: opts, log: opts.Logger, mux: http.NewServeMux()}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.ready.Store(true)
	oa, an := opts.OpenAI, opts.Anthropic
	s.mux.Handle("POST /v1/chat/completions", s.client(always(oa), gw.Handler(oa)))
	s.mux.Handle("POST /v1/messages", s.client(always(an), gw.Handler(an)))
	if g := opts.Gemini; g != nil {
		s.mux.Handle("POST /v1beta/models/{call}", s.client(always(g), gw.Handler(g)))
	}
	s.mux.Handle("POST /v1/embeddings", s.client(always(oa), gw.EmbeddingsHandler(oa)))
	if b := opts.Bedrock; b != nil {
		s.mux.Handle("POST /model/{id}/{op}", s.client(always(b), gw.Handler(b)))
	}
	s.mux.Handle("GET /v1/models", s.client(s.dialectFor, http.HandlerFunc(s.models)))
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	s.mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !s.ready.Load() {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "draining"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	if opts.Metrics != nil {
		s.mux.Handle("GET /metrics", opts.Metrics)
	}
	if opts.Admin != nil {
		s.mux.Handle("/admin/api/", opts.Admin)
	}
	s.mountConsole() // console.go: /ui/, /admin/api/models, the playground
	s.mux.HandleFunc("/", s.notFound)
	s.handler = requestid.Middleware(s.recoverer(s.mux))
	return s
}

// SetReady flips /readyz; serve sets it false when draining so load
// balancers stop sending new work.
func (s *Server) SetReady(ready bool) { s.ready.Store(ready) }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

// dialectFor picks the dialect to speak errors in for a request that has
// no endpoint of its own: Anthropic when the client sent its version
// header, OpenAI otherwise.
func (s *Server) dialectFor(r *http.Request) dialect.Dialect {
	if r.Header.Get("anthropic-version") != "" || strings.HasPrefix(r.URL.Path, "/v1/messages") {
		return s.opts.Anthropic
	}
	return s.opts.OpenAI
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	writeError(w, s.dialectFor(r), &llm.Error{Status: http.StatusNotFound, Kind: llm.ErrNotFound,
		Message: "no route for " + r.Method + " " + r.URL.Path})
}

// recoverer turns a handler panic into a 500 in the client's dialect and a
// log line, so a bug never takes the worker down. http.ErrAbortHandler is
// re-raised: it is how a handler deliberately aborts a connection.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("handler panic", "request_id", requestid.From(r.Context()), "panic", v)
			writeError(w, s.dialectFor(r), &llm.Error{Status: http.StatusInternalServerError, Kind: llm.ErrAPI, Message: "internal error"})
		}()
		next.ServeHTTP(w, r)
	})
}

// always picks d for every request.
func always(d dialect.Dialect) func(*http.Request) dialect.Dialect {
	return func(*http.Request) dialect.Dialect { return d }
}

// client guards a client endpoint with authentication; errors are written
// in the dialect pick chooses for the request.
func (s *Server) client(pick func(*http.Request) dialect.Dialect, next http.Handler) http.Handler {
	if auth := s.opts.Authenticate; auth != nil {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r2, e := auth(r, clientKey(r))
			if e != nil {
				s.refuse(w, r, pick(r), e)
				return
			}
			next.ServeHTTP(w, r2)
		})
	}
	if s.opts.MasterKey == "" {
		return next
	}
	want := []byte(s.opts.MasterKey)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := clientKey(r)
		d := pick(r)
		if key == "" {
			s.refuse(w, r, d, &llm.Error{Status: http.StatusUnauthorized, Kind: llm.ErrAuthentication,
				Message: "missing API key: send Authorization: Bearer KEY or x-api-key: KEY"})
			return
		}
		if subtle.ConstantTimeCompare([]byte(key), want) != 1 {
			s.refuse(w, r, d, &llm.Error{Status: http.StatusUnauthorized, Kind: llm.ErrAuthentication,
				Message: "invalid API key"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// clientKey reads the key from either header a client SDK uses.
func clientKey(r *http.Request) string {
	if a := headerValue(r.Header, "Authorization"); a != "" {
		if k, ok := strings.CutPrefix(a, "Bearer "); ok {
			return strings.TrimSpace(k)
		}
		return ""
	}
	if k := headerValue(r.Header, "X-Goog-Api-Key"); k != "" {
		return strings.TrimSpace(k) // Google's SDKs
	}
	return strings.TrimSpace(headerValue(r.Header, "X-Api-Key"))
}

// headerValue is h.Get(key) for a key already in canonical form, without
// Get's canonicalization of the key (a copy for "x-api-key"), which cost
// every request ~2,600 instructions and an allocation here.
func headerValue(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func writeError(w http.ResponseWriter, d dialect.Dialect, e *llm.Error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.Status)
	_, _ = w.Write(d.EncodeError(e))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
