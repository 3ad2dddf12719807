// Package sim is railyard's simulated model provider: a fake upstream for
// tests, demos, benchmarks and chaos drills. It speaks OpenAI Chat
// Completions and Anthropic Messages on one handler by reusing the dialect
// packages' server side (Ingress), so it never hand-writes reply JSON.
//
// Its latency model follows llm-d-inference-sim: time to first token is a
// fixed overhead plus a prefill cost per prompt token missing from a 16-token
// block prefix cache (LRU), each further token takes the inter-token
// latency, and both stretch as running requests approach the batch size.
//
// Determinism: fault draws and generated ids come from a PRNG seeded from
// (seed, model name, the model's request sequence number), so a sequence
// of requests from one client replays identically and a retry gets a fresh
// draw. Lorem text comes from a PRNG seeded from (seed, hash of the prompt
// tokens), so the same prompt always gets the same words whatever else is
// running.
package sim

import (
	"encoding/json"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/railyard-ai/railyard/internal/config"
	"github.com/railyard-ai/railyard/internal/dialect"
	"github.com/railyard-ai/railyard/internal/llm"
)

// MaxBodyBytes bounds a request body.
const MaxBodyBytes = 32 << 20

// Server is the simulator's http.Handler.
type Server struct {
	cfg      config.Sim
	dialects map[string]dialect.Ingress
	logger   *slog.Logger
	// models holds one entry per configured model name; unlisted names
	// share fallback, so client-chosen names never grow memory.
	models   map[string]*model
	fallback *model
	// sleep waits with the request's context; tests swap it to record
	// waits instead of timing them.
	sleep sleepFunc
	now   func() time.Time

	requests  atomic.Int64
	running   atomic.Int64
	cacheHits atomic.Int64
	cacheHitT atomic.Int64
	faultsHit atomic.Int64
	idSeq     atomic.Uint64
}

// model is the live state of one configured model: its resolved settings
// plus its cache and counters, kept apart from the config it came from.
type model struct {
	name      string
	lat       latency
	reply     string
	text      string
	outTokens int
	tools     string
	parallel  int
	reasoning int
	faults    []config.SimFault
	cache     *prefixCache
	running   atomic.Int64
	seq       atomic.Uint64
}

func newModel(cfg config.Sim, name string) *model {
	r := cfg.Model(name)
	return &model{
		name: name,
		lat: latency{
			overhead:   *r.Overhead,
			prefill:    *r.PrefillPerToken,
			itl:        *r.InterTokenLatency,
			batchSize:  *r.BatchSize,
			loadFactor: *r.LoadFactor,
		},
		reply:     r.Reply,
		text:      r.Text,
		outTokens: max(0, *r.OutputTokens),
		tools:     r.Tools,
		parallel:  *r.ParallelToolCalls,
		reasoning: *r.ReasoningTokens,
		faults:    r.Faults,
		cache:     newPrefixCache(*r.PrefixCacheBlocks),
	}
}

// New builds the simulator. dialects maps "openai" and "anthropic" to
// their Ingress; a route whose dialect is missing answers 404. cfg should
// have passed Validate; unknown settings fall back to the defaults' behaviour.
func New(cfg config.Sim, dialects map[string]dialect.Ingress, logger *slog.Logger) *Server {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		cfg:      cfg,
		dialects: dialects,
		logger:   logger,
		models:   make(map[string]*model, len(cfg.Models)),
		fallback: newModel(cfg, ""),
		sleep:    sleepCtx,
		now:      time.Now,
	}
	for _, m := range cfg.Models {
		if _, dup := s.models[m.Name]; !dup && m.Name != "" {
			s.models[m.Name] = newModel(cfg, m.Name)
		}
	}
	return s
}

// modelFor returns the state serving name.
func (s *Server) modelFor(name string) *model {
	if m, ok := s.models[name]; ok {
		return m
	}
	return s.fallback
}

// Stats is a snapshot of the simulator's counters.
type Stats struct {
	// Requests is how many model calls were answered, faults included.
	Requests int64
	// Running is how many model calls are in flight now.
	Running int64
	// CacheHits is how many calls found at least one prefix-cache block.
	CacheHits int64
	// CacheHitTokens is the prompt tokens read from the prefix cache.
	CacheHitTokens int64
	// Faults is how many calls an injected fault hit.
	Faults int64
}

// Stats returns the current counters.
func (s *Server) Stats() Stats {
	return Stats{
		Requests:       s.requests.Load(),
		Running:        s.running.Load(),
		CacheHits:      s.cacheHits.Load(),
		CacheHitTokens: s.cacheHitT.Load(),
		Faults:         s.faultsHit.Load(),
	}
}

// ServeHTTP routes the simulator's endpoints.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("x-request-id", s.requestID())
	switch r.URL.Path {
	case "/v1/chat/completions":
		s.serveDialect(w, r, "openai")
	case "/v1/messages":
		s.serveDialect(w, r, "anthropic")
	case "/v1/embeddings":
		s.serveEmbeddings(w, r, "openai")
	case "/v1/models":
		if r.Method != http.MethodGet {
			s.plainError(w, r, http.StatusMethodNotAllowed, "use GET")
			return
		}
		s.serveModels(w, r)
	case "/healthz":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	default:
		if isGeminiPath(r.URL.Path) {
			s.serveGemini(w, r)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/model/") {
			if strings.HasSuffix(r.URL.Path, "/invoke") {
				s.serveBedrockInvoke(w, r) // embeddings (Titan, Cohere)
				return
			}
			s.serveDialect(w, r, "bedrock") // /model/{id}/converse[-stream]
			return
		}
		s.plainError(w, r, http.StatusNotFound, "no such endpoint: "+r.URL.Path)
	}
}

// requestID returns a unique id per HTTP request, stable under the seed
// for a given arrival order.
func (s *Server) requestID() string {
	n := s.idSeq.Add(1)
	rng := rand.New(rand.NewPCG(seedFor(s.cfg.Seed, "request-id", n), n))
	return "req_" + randomID(rng, 24)
}

// isAnthropicClient guesses the dialect of a request that has no dialect
// path (model listing, unknown endpoints) from Anthropic's own headers.
func isAnthropicClient(r *http.Request) bool {
	return r.Header.Get("anthropic-version") != "" || r.Header.Get("x-api-key") != ""
}

// plainError answers outside a dialect route, in the dialect the client
// seems to speak.
func (s *Server) plainError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	name := "openai"
	if isAnthropicClient(r) {
		name = "anthropic"
	}
	s.writeError(w, s.dialects[name], llm.Errorf(status, llm.KindForStatus(status), "%s", msg))
}

// writeError writes e in the dialect of in, or as plain JSON without one.
func (s *Server) writeError(w http.ResponseWriter, in dialect.Ingress, e *llm.Error) {
	if e.RetryAfter > 0 {
		secs := (e.RetryAfter + time.Second - 1) / time.Second
		w.Header().Set("Retry-After", strconv.Itoa(int(secs)))
	}
	w.Header().Set("Content-Type", "application/json")
	if eh, ok := in.(interface{ ErrorHeaders(http.Header, *llm.Error) }); ok {
		eh.ErrorHeaders(w.Header(), e) // Bedrock's x-amzn-ErrorType
	}
	var body []byte
	if in != nil {
		body = in.EncodeError(e)
	} else {
		body, _ = json.Marshal(map[string]any{"error": map[string]any{"message": e.Message, "type": string(e.Kind)}})
	}
	w.WriteHeader(e.Status)
	w.Write(body)
}

// serveModels lists the configured model names in the shape the client's
// SDK expects: Anthropic's when it sent Anthropic headers, else OpenAI's.
func (s *Server) serveModels(w http.ResponseWriter, r *http.Request) {
	created := s.now().UTC().Truncate(24 * time.Hour)
	var body []byte
	if isAnthropicClient(r) {
		type entry struct {
			Type        string `json:"type"`
			ID          string `json:"id"`
			DisplayName string `json:"display_name"`
			CreatedAt   string `json:"created_at"`
		}
		data := []entry{}
		for _, m := range s.cfg.Models {
			data = append(data, entry{"model", m.Name, m.Name, created.Format(time.RFC3339)})
		}
		page := map[string]any{"data": data, "has_more": false, "first_id": nil, "last_id": nil}
		if len(data) > 0 {
			page["first_id"], page["last_id"] = data[0].ID, data[len(data)-1].ID
		}
		body, _ = json.Marshal(page)
	} else {
		type entry struct {
			ID      string `json:"id"`
			Object  string `json:"object"`
			Created int64  `json:"created"`
			OwnedBy string `json:"owned_by"`
		}
		data := []entry{}
		for _, m := range s.cfg.Models {
			data = append(data, entry{m.Name, "model", created.Unix(), "railyard-sim"})
		}
		body, _ = json.Marshal(map[string]any{"object": "list", "data": data})
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}
