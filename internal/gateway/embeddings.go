package gateway

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/railyard-ai/railyard/internal/dialect"
	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/requestid"
	"github.com/railyard-ai/railyard/internal/route"
)

// EmbeddingsHandler serves POST /v1/embeddings in the client dialect in,
// which must implement dialect.EmbedIngress (OpenAI's shape). The model
// name resolves to targets as for chat, tried as a failover in config
// order (an embedding call is too cheap for the other policies); a target whose provider has no embeddings (its dialect lacks
// dialect.EmbedEgress, as Anthropic's does) is skipped, a retryable
// failure fails over. Usage is the provider's count, or an estimate of one
// token per four bytes of input when it reports none (Gemini), priced from
// the catalog like chat.
func (g *Gateway) EmbeddingsHandler(in dialect.Dialect) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.serveEmbeddings(w, r, in)
	})
}

func (g *Gateway) serveEmbeddings(w http.ResponseWriter, r *http.Request, in dialect.Dialect) {
	x := &exchange{w: w, r: r, in: in, id: requestid.From(r.Context()), start: time.Now()}
	if x.id == "" {
		x.id = requestid.New()
		w.Header().Set(requestid.Header, x.id)
	}
	g.captureReply(x)
	defer g.logAccess(x)
	g.startObserving(x, OperationEmbeddings)
	defer g.endObserving(x)
	ei, ok := in.(dialect.EmbedIngress)
	if !ok {
		g.fail(x, llm.Errorf(http.StatusNotFound, llm.ErrNotFound, "the %s dialect has no embeddings endpoint", in.Name()))
		return
	}
	body, err := readBody(w, r, g.maxBody)
	if err != nil {
		g.fail(x, err)
		return
	}
	x.body = body // for the request log's capture
	req, err := ei.DecodeEmbedRequest(body)
	if err != nil {
		g.fail(x, err)
		return
	}
	x.req = &llm.Request{Model: req.Model}
	rt, err := g.table.Load().Resolve(req.Model)
	if err != nil {
		g.fail(x, err)
		return
	}
	x.trace.policy = "failover"
	var last *attemptError
	for _, t := range rt.Targets {
		if r.Context().Err() != nil {
			x.status = statusClientClosed
			return
		}
		ee, ok := t.Provider.Dialect.(dialect.EmbedEgress)
		if !ok {
			x.trace.add(t.Provider.Name, "skipped: no embeddings")
			continue
		}
		ae := g.embedAttempt(x, t, ee, ei, req)
		if ae == nil {
			return
		}
		x.trace.add(t.Provider.Name, ae.outcome)
		last = ae
		if ae.clientGone || !ae.retry {
			break
		}
	}
	switch {
	case last == nil:
		g.fail(x, &llm.Error{Status: http.StatusServiceUnavailable, Kind: llm.ErrUnavailable,
			Message: "no target of model " + req.Model + " serves embeddings"})
	case last.clientGone:
		x.status = statusClientClosed
	default:
		x.provider = last.provider
		g.fail(x, finalError(last))
	}
}

// embedAttempt asks one target for the vectors and, on success, answers.
func (g *Gateway) embedAttempt(x *exchange, t route.Target, ee dialect.EmbedEgress, ei dialect.EmbedIngress, req *llm.EmbedRequest) (ae *attemptError) {
	defer endAttempt(x, g.startAttempt(x, t), &ae)
	p := t.Provider
	up := *req
	up.Model = t.Model
	body, err := ee.EncodeEmbedRequest(&up)
	if err != nil {
		return &attemptError{provider: p.Name, outcome: "encode error", err: llm.AsError(err), retry: true}
	}
	ctx, cancel := context.WithTimeout(x.r.Context(), p.Timeout)
	defer cancel()
	extra := http.Header{requestid.Header: {x.id}}
	x.obs.inject(extra)
	resp, err := p.Send(ctx, ee.EmbedPath(t.Model), body, extra)
	if err != nil {
		return transportError(x.r.Context(), p.Name, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return upstreamError(p, resp)
	}
	raw, err := readLimited(resp.Body, resp.ContentLength)
	if err != nil {
		return bodyError(x, p.Name, err)
	}
	out, err := ee.DecodeEmbedResponse(raw)
	if err == nil && len(out.Vectors) != len(req.Input) {
		err = &llm.Error{Status: http.StatusBadGateway, Kind: llm.ErrAPI,
			Message: fmt.Sprintf("provider %s returned %d vectors for %d inputs", p.Name, len(out.Vectors), len(req.Input))}
	}
	if err != nil {
		return &attemptError{provider: p.Name, outcome: "bad reply", err: llm.AsError(err), retry: true}
	}
	if out.Model == "" {
		out.Model = t.Model
	}
	if out.Usage.InputTokens == 0 {
		out.Usage.InputTokens = estimateTokens(req.Input)
	}
	b, err := ei.EncodeEmbedResponse(req, out)
	if err != nil {
		return &attemptError{provider: p.Name, outcome: "encode error", err: llm.AsError(err), retry: true}
	}
	x.trace.add(p.Name, "ok")
	x.provider, x.model, x.usage, x.status = p.Name, out.Model, out.Usage, http.StatusOK
	x.firstByte = time.Since(x.start)
	g.price(x, t.Model)
	g.setRouteHeaders(x, p.Name, out.Model)
	h := x.w.Header()
	if x.cost != "" {
		h.Set(HeaderCost, x.cost)
	}
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	x.w.WriteHeader(http.StatusOK)
	_, _ = x.w.Write(b)
	return nil
}

// estimateTokens guesses a token count for providers that report none:
// about four bytes of text per token, at least one per input.
func estimateTokens(inputs []string) int {
	n := 0
	for _, s := range inputs {
		n += max(1, (len(s)+3)/4)
	}
	return n
}
