package sim

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"

	"github.com/railyard-ai/railyard/internal/dialect"
	"github.com/railyard-ai/railyard/internal/llm"
)

// call is one model call in progress.
type call struct {
	ctx context.Context
	in  dialect.Ingress
	req *llm.Request
	m   *model
	id  string
	// created is the reply's Unix time.
	created int64
	plan    plan
	usage   llm.Usage
	faults  faults
}

// serveDialect answers one model call in the named dialect: decode, draw
// faults, consult the prefix cache, wait out the time to first token, then
// write the reply whole or as a stream.
func (s *Server) serveDialect(w http.ResponseWriter, r *http.Request, name string) {
	in := s.dialects[name]
	if in == nil {
		s.plainError(w, r, http.StatusNotFound, "the simulator has no "+name+" dialect")
		return
	}
	if name == "anthropic" {
		w.Header().Set("request-id", w.Header().Get("x-request-id"))
	}
	if r.Method != http.MethodPost {
		s.writeError(w, in, llm.Errorf(http.StatusMethodNotAllowed, llm.ErrInvalidRequest, "use POST"))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			s.writeError(w, in, llm.Errorf(http.StatusRequestEntityTooLarge, llm.ErrTooLarge, "request body exceeds %d bytes", MaxBodyBytes))
			return
		}
		s.writeError(w, in, llm.BadRequest("could not read the request body"))
		return
	}
	req, err := dialect.DecodeClientRequest(in, r, body)
	if err != nil {
		s.writeError(w, in, llm.AsError(err))
		return
	}
	s.requests.Add(1)
	m := s.modelFor(req.Model)
	seq := m.seq.Add(1)
	rng := rand.New(rand.NewPCG(seedFor(s.cfg.Seed, "model:"+m.name, seq), seq))

	c := &call{ctx: r.Context(), in: in, req: req, m: m, faults: drawFaults(m.faults, rng)}
	if v := r.Header.Get("x-sim-fault"); v != "" {
		f, ok := headerFault(v)
		if !ok {
			s.writeError(w, in, llm.BadRequest("x-sim-fault: want a 4xx/5xx status, disconnect[:N], malformed[:N] or slow_headers[:SECONDS]"))
			return
		}
		c.faults = f
	}
	if c.faults.any() {
		s.faultsHit.Add(1)
	}

	m.running.Add(1)
	s.running.Add(1)
	defer func() {
		m.running.Add(-1)
		s.running.Add(-1)
	}()
	ctx := r.Context()
	if err := s.wait(ctx, c.faults.slowHeaders); err != nil {
		return
	}
	if c.faults.status != nil {
		s.writeError(w, in, c.faults.status)
		return
	}

	prompt := promptDigest(req.Model, req)
	hit, stored := m.cache.access(prompt.hashes)
	if hit > 0 {
		s.cacheHits.Add(1)
		s.cacheHitT.Add(int64(hit * BlockSize))
	}
	c.usage = llm.Usage{InputTokens: prompt.count, CacheReadTokens: hit * BlockSize}
	if hasCacheHint(req) {
		c.usage.CacheWriteTokens = stored * BlockSize
	}
	prefix := prefixesByDialect[name]
	c.id = prefix.message + randomID(rng, 24)
	c.created = s.now().Unix()
	text := rand.New(rand.NewPCG(seedFor(s.cfg.Seed, "prompt", prompt.sum()), 0))
	c.plan = planner{m: m, ids: rng, text: text, prefix: prefix}.buildPlan(req)
	c.usage.OutputTokens = c.plan.outputTokens
	c.usage.ReasoningTokens = c.plan.reasoningTokens
	s.logger.Debug("sim call", "model", req.Model, "stream", req.Stream,
		"input_tokens", c.usage.InputTokens, "cache_read_tokens", c.usage.CacheReadTokens,
		"output_tokens", c.usage.OutputTokens)

	if err := s.wait(ctx, m.lat.ttft(prompt.count-hit*BlockSize, int(m.running.Load()))); err != nil {
		return
	}
	if req.Stream {
		s.stream(w, c)
	} else {
		s.complete(w, c)
	}
}

// complete writes a non-streamed reply after waiting for every token a
// stream would have sent.
func (s *Server) complete(w http.ResponseWriter, c *call) {
	n := c.plan.outputTokens
	if c.faults.cut != "" {
		n = min(n, c.faults.cutAfter)
	}
	if n > 1 {
		wait := c.m.lat.interToken(int(c.m.running.Load())) * durationN(n-1)
		if err := s.wait(c.ctx, wait); err != nil {
			return
		}
	}
	if c.faults.cut == "disconnect" {
		panic(http.ErrAbortHandler)
	}
	body, err := c.in.EncodeResponse(c.req, c.response())
	if err != nil {
		s.logger.Error("sim: encode response", "err", err)
		s.writeError(w, c.in, llm.AsError(err))
		return
	}
	if c.faults.cut == "malformed" {
		body = body[:len(body)/2]
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// response is the plan as a complete reply.
func (c *call) response() *llm.Response {
	resp := &llm.Response{
		ID:           c.id,
		Model:        c.req.Model,
		Created:      c.created,
		StopReason:   c.plan.stop,
		StopSequence: c.plan.stopSeq,
		Usage:        c.usage,
	}
	for _, b := range c.plan.blocks {
		p := b.part
		switch p.Type {
		case llm.PartToolCall:
			tc := *p.ToolCall
			tc.Arguments = b.text()
			p.ToolCall = &tc
		case llm.PartReasoning:
			p.Text, p.Signature = b.text(), b.signature
		default:
			p.Text = b.text()
		}
		resp.Content = append(resp.Content, p)
	}
	return resp
}

// stream writes the plan as canonical events through the dialect's
// encoder, one token per delta, flushing each. A disconnect fault aborts
// the connection and a malformed one writes a cut-off event and ends.
func (s *Server) stream(w http.ResponseWriter, c *call) {
	ctx := c.ctx
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	if ct, ok := c.in.(interface{ ContentType() string }); ok {
		h.Set("Content-Type", ct.ContentType()) // Bedrock's eventstream
	}
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	enc := c.in.NewStreamEncoder(c.req)
	var buf []byte
	emit := func(ev llm.Event) bool {
		buf = enc.Encode(buf[:0], ev)
		if len(buf) == 0 {
			return true
		}
		if _, err := w.Write(buf); err != nil {
			return false
		}
		if err := rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
			return false
		}
		return true
	}
	sent := 0
	// next runs before each token and before the final events: it waits
	// the inter-token latency and strikes a due fault. It reports whether
	// to go on.
	next := func(token bool) bool {
		if c.faults.cut != "" && sent >= c.faults.cutAfter {
			s.cut(w, rc, c)
			return false
		}
		if token && sent > 0 {
			if s.wait(ctx, c.m.lat.interToken(int(c.m.running.Load()))) != nil {
				return false
			}
		}
		return true
	}

	start := c.usage
	start.OutputTokens, start.ReasoningTokens = 0, 0
	if !emit(llm.Event{Type: llm.EventMessageStart, ID: c.id, Model: c.req.Model, Usage: &start}) {
		return
	}
	for i, b := range c.plan.blocks {
		part := b.part
		if !emit(llm.Event{Type: llm.EventBlockStart, Index: i, Part: &part}) {
			return
		}
		for _, p := range b.pieces {
			if !next(true) || !emit(llm.Event{Type: llm.EventBlockDelta, Index: i, Text: p}) {
				return
			}
			sent++
		}
		if b.signature != "" && !emit(llm.Event{Type: llm.EventBlockDelta, Index: i, Signature: b.signature}) {
			return
		}
		if !emit(llm.Event{Type: llm.EventBlockStop, Index: i}) {
			return
		}
	}
	if !next(false) {
		return
	}
	usage := c.usage
	if !emit(llm.Event{Type: llm.EventMessageDelta, StopReason: c.plan.stop, StopSequence: c.plan.stopSeq, Usage: &usage}) {
		return
	}
	emit(llm.Event{Type: llm.EventMessageStop})
}

// cut strikes a mid-stream fault.
func (s *Server) cut(w http.ResponseWriter, rc *http.ResponseController, c *call) {
	if c.faults.cut == "disconnect" {
		// net/http's sanctioned way to abort a response: the connection is
		// closed without the terminating chunk, and nothing is logged.
		panic(http.ErrAbortHandler)
	}
	// malformed: what a real event would look like, cut off mid-JSON, so
	// the client's parser (not its framing) is what fails.
	ev := c.in.NewStreamEncoder(c.req).Encode(nil, llm.Event{Type: llm.EventMessageStart, ID: c.id, Model: c.req.Model, Usage: &llm.Usage{}})
	if _, binary := c.in.(dialect.Framer); binary {
		// A binary framing (Bedrock's eventstream): half a message, so the
		// client's frame reader sees a truncated frame.
		w.Write(ev[:len(ev)/2])
		rc.Flush()
		return
	}
	ev = bytes.TrimRight(ev, "\n")
	if i := bytes.LastIndex(ev, []byte("data: ")); i >= 0 && len(ev)-i > 8 {
		ev = ev[:i+(len(ev)-i)/2]
	} else {
		ev = []byte(`data: {"malformed":`)
	}
	ev = append(ev, "\n\n"...)
	w.Write(ev)
	rc.Flush()
}
