package gateway

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/railyard-ai/railyard/internal/bufpool"
	"github.com/railyard-ai/railyard/internal/dialect"
	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/route"
	"github.com/railyard-ai/railyard/internal/sse"
)

// relayResponse answers a non-streamed request from a complete upstream
// reply. Nothing has reached the client yet, so a broken reply fails over.
func (g *Gateway) relayResponse(x *exchange, t route.Target, fast bool, resp *http.Response) *attemptError {
	p := t.Provider
	raw, err := readLimited(resp.Body, resp.ContentLength)
	if err != nil {
		return bodyError(x, p.Name, err)
	}
	var out []byte
	var usage llm.Usage
	model := t.Model
	if fast {
		var m string
		usage, m = x.in.ResponseUsage(raw)
		if m != "" {
			model = m
		}
		out = raw
	} else {
		r, err := p.Dialect.DecodeResponse(raw)
		if err != nil {
			e := llm.AsError(err)
			return &attemptError{provider: p.Name, outcome: "bad reply", err: e, retry: true}
		}
		if r.Model == "" {
			r.Model = t.Model
		}
		model, usage = r.Model, r.Usage
		x.obs.stop = r.StopReason
		if out, err = x.in.EncodeResponse(x.req, r); err != nil {
			return &attemptError{provider: p.Name, outcome: "encode error", err: llm.AsError(err), retry: true}
		}
	}
	x.trace.add(p.Name, "ok")
	x.provider, x.model, x.usage, x.status = p.Name, model, usage, http.StatusOK
	x.firstByte = time.Since(x.start)
	g.price(x, t.Model)
	setReplyHeaders(x, p.Name, model, len(out))
	g.finishBeforeReply(x, p.Name, model, usage)
	x.w.WriteHeader(http.StatusOK)
	_, _ = x.w.Write(out)
	return nil
}

// bodyError classifies a failure while reading an upstream body.
func bodyError(x *exchange, provider string, err error) *attemptError {
	if x.r.Context().Err() != nil {
		return &attemptError{provider: provider, outcome: "client gone", clientGone: true,
			err: &llm.Error{Status: statusClientClosed, Kind: llm.ErrAPI, Message: "client disconnected"}}
	}
	if isTimeout(err) {
		return &attemptError{provider: provider, outcome: "timeout", retry: true,
			err: &llm.Error{Status: http.StatusGatewayTimeout, Kind: llm.ErrTimeout, Message: "provider " + provider + " timed out mid-reply"}}
	}
	return &attemptError{provider: provider, outcome: "broken reply", retry: true,
		err: &llm.Error{Status: http.StatusBadGateway, Kind: llm.ErrAPI, Message: "provider " + provider + " broke off its reply"}}
}

// streamRelay carries one upstream stream to the client: each upstream
// event is decoded (always, so usage is metered even on the fast path),
// translated or passed through, written and flushed as it arrives. Headers
// go out with the first byte for the client; until then a failure may
// still fail over.
type streamRelay struct {
	g      *Gateway
	x      *exchange
	t      route.Target
	fast   bool
	dec    dialect.StreamDecoder
	enc    dialect.StreamEncoder
	rc     *http.ResponseController
	events []llm.Event
	out    []byte
	outp   *bufpool.Buffer // out's pooled buffer while it holds one (outbuf.go)
	model  string
	usage  llm.Usage
	done   bool          // MessageStop seen
	sent   bool          // headers and bytes have reached the client
	werr   *attemptError // the client write that failed in flushReader

	// startUsage is what MessageStart reported (Anthropic's input counts)
	// and text the deltas decoded: an early end's estimate (relay_estimate.go).
	startUsage llm.Usage
	text       replyText
}

func (g *Gateway) relayStream(x *exchange, t route.Target, fast bool, resp *http.Response) (ae *attemptError) {
	s := &streamRelay{
		g: g, x: x, t: t, fast: fast,
		dec:   t.Provider.Dialect.NewStreamDecoder(),
		rc:    http.NewResponseController(x.w),
		model: t.Model,
	}
	defer func() { s.endEarly(ae) }()
	g.streams.Add(1)
	defer g.streams.Add(-1)
	if !fast {
		s.enc = x.in.NewStreamEncoder(x.req)
	}
	d := dialect.NewEventReader(t.Provider.Dialect, &flushReader{r: resp.Body, s: s})
	if r, ok := d.(interface{ Release() }); ok {
		defer r.Release() // the SSE decoder's pooled buffer; nothing reads it after this
	}
	for {
		ev, err := d.Next()
		if s.werr != nil {
			return s.werr
		}
		if err == io.EOF {
			var cerr error
			s.events, cerr = s.dec.Close(s.events[:0])
			if ae := s.handle(nil, cerr); ae != nil {
				return ae
			}
			break
		}
		if err != nil {
			if errors.Is(err, sse.ErrEventTooLarge) {
				return s.fail(&attemptError{provider: t.Provider.Name, outcome: "bad stream", retry: true,
					err: &llm.Error{Status: http.StatusBadGateway, Kind: llm.ErrAPI, Message: "provider sent an oversized stream event"}})
			}
			return s.fail(bodyError(x, t.Provider.Name, err))
		}
		var derr error
		s.events, derr = s.dec.Decode(s.events[:0], ev)
		if ae := s.handle(&ev, derr); ae != nil {
			return ae
		}
		if s.done {
			break
		}
	}
	s.finish()
	return nil
}

// handle processes the canonical events decoded from one upstream event
// (raw is that event, nil at end of stream) and a decode error, if any.
func (s *streamRelay) handle(raw *sse.Event, derr error) *attemptError {
	s.takeOut()
	pending := len(s.out)
	for i := range s.events {
		ev := &s.events[i]
		switch ev.Type {
		case llm.EventMessageStart:
			if ev.Model != "" {
				s.model = ev.Model
			}
			if ev.Usage != nil {
				s.startUsage = *ev.Usage
			}
		case llm.EventBlockDelta:
			if ev.Text != "" {
				s.text.add(ev.Text)
			}
		case llm.EventMessageDelta:
			if ev.Usage != nil {
				s.usage = *ev.Usage
			}
			if ev.StopReason != "" {
				s.x.obs.stop = ev.StopReason
			}
		case llm.EventMessageStop:
			s.done = true
		}
		if !s.fast {
			s.out = s.enc.Encode(s.out, *ev)
		}
	}
	if derr != nil {
		s.out = s.out[:pending] // as before: nothing of the failed event goes out
		e := llm.AsError(derr)
		status := e.Status
		return s.fail(&attemptError{provider: s.t.Provider.Name, outcome: "stream " + strconv.Itoa(status),
			err: e, upstreamStatus: status, retry: status == 0 || route.RetryableError(status, e.Kind)})
	}
	if s.fast && raw != nil && s.x.in.ForwardEvent(s.x.req, *raw) {
		s.out = dialect.AppendRaw(s.x.in, s.out, *raw)
	}
	if !s.sent {
		return s.flush() // the first bytes commit the attempt at once
	}
	return nil // flushReader sends the rest before the next upstream read
}

// flush writes pending bytes, sending headers first if this is the first.
func (s *streamRelay) flush() *attemptError {
	if len(s.out) == 0 {
		return nil
	}
	var err error
	if !s.sent {
		s.commit()
		if s.g.streams.Load() >= s.g.spareStacksFrom {
			err = s.writeFirst()
		} else {
			err = s.write()
		}
	} else {
		err = s.write()
	}
	s.returnOut()
	if err != nil {
		return &attemptError{provider: s.t.Provider.Name, outcome: "client gone", clientGone: true, committed: true,
			err: &llm.Error{Status: statusClientClosed, Kind: llm.ErrAPI, Message: "client disconnected"}}
	}
	return nil
}

// write writes and flushes the pending bytes.
func (s *streamRelay) write() error {
	_, err := s.x.w.Write(s.out)
	if err == nil {
		err = s.rc.Flush()
	}
	return err
}

// writeFirst writes and flushes the stream's first bytes, with which
// net/http writes the reply's headers, on a goroutine of its own while
// this one waits. The header write (chunkWriter.writeHeader) has a 2.8 KB
// stack frame and sorts the headers 1.1 KB below it; called here, under
// the middleware and the routing, failover and relay frames, it took the
// connection's goroutine past 8 KiB, and Go keeps a grown stack while the
// goroutine is parked more than a quarter deep, as a waiting stream is:
// every open stream held 16 KiB of stack instead of 8
// (TestStreamStackBeforeFirstWait). The other goroutine's stack grows
// instead and is freed when it exits, at about a microsecond per stream.
// A panic in it is raised again here, where the recoverer sees it.
//
// It is used only while many streams are open (Options.SpareStacksFrom):
// on a lightly loaded gateway the handoff wakes an idle thread and costs
// the stream's first byte ~0.15-0.2 ms at the median (bench/proxy at 100
// req/s), while the few stacks it would spare are not worth it.
func (s *streamRelay) writeFirst() error {
	type result struct {
		err   error
		panic any
	}
	done := make(chan result, 1)
	go func() {
		var r result
		defer func() {
			r.panic = recover()
			done <- r
		}()
		if _, r.err = s.x.w.Write(s.out); r.err == nil {
			r.err = s.rc.Flush()
		}
	}()
	r := <-done
	if r.panic != nil {
		panic(r.panic)
	}
	return r.err
}

// commit sends the reply headers: from here on failover is impossible.
func (s *streamRelay) commit() {
	x := s.x
	x.trace.add(s.t.Provider.Name, "ok")
	x.provider, x.model, x.status = s.t.Provider.Name, s.model, http.StatusOK
	x.firstByte = time.Since(x.start)
	s.x.w.Header().Set("Content-Type", dialect.StreamContentType(s.x.in))
	s.x.w.Header().Set("Cache-Control", "no-cache")
	s.x.w.Header().Set("X-Accel-Buffering", "no")
	// The cost is known only at the end: it follows as a trailer.
	s.x.w.Header().Set("Trailer", HeaderCost)
	s.g.setRouteHeaders(x, s.t.Provider.Name, s.model)
	x.w.WriteHeader(http.StatusOK)
	s.sent = true
	if !s.g.prompts {
		// No failover from here, so neither the client's bytes nor the
		// decoded prompt are needed again (the relay and the end of the
		// request read only the request's settings): an open stream
		// keeps no copy of its prompt.
		x.body = nil
		x.req = x.req.Settings()
	}
}

// fail ends the attempt. Before the first byte the error goes back to the
// failover loop; after it, the error is written in-stream in the client's
// dialect (on the fast path too, since the upstream's own error event may
// never have come) and the attempt counts as answered.
func (s *streamRelay) fail(ae *attemptError) *attemptError {
	if !s.sent || ae.clientGone {
		ae.committed = s.sent
		return ae
	}
	s.x.usage = s.usage
	enc := s.enc
	if enc == nil {
		enc = s.x.in.NewStreamEncoder(s.x.req)
	}
	s.out = enc.EncodeError(s.out, ae.err) // after the events still pending
	_, _ = s.x.w.Write(s.out)
	_ = s.rc.Flush()
	s.x.status, s.x.errMsg = ae.err.Status, ae.err.Message
	ae.committed = true
	return ae
}

// finish records the stream's outcome once it ended cleanly.
func (s *streamRelay) finish() {
	usage := s.settledUsage() // the upstream's, unless it sent none
	s.g.finishBeforeReply(s.x, s.t.Provider.Name, s.model, usage)
	_ = s.flush()
	s.x.usage = usage
	if s.x.model == "" {
		s.x.model = s.model
	}
	s.g.price(s.x, s.t.Model)
	if s.x.cost != "" && s.sent {
		s.x.w.Header().Set(HeaderCost, s.x.cost)
	}
}
