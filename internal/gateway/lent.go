package gateway

import (
	"context"
	"net/http"

	"github.com/railyard-ai/railyard/internal/bufpool"
	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/provider"
)

// An upstream request body used to be a fresh copy of the prompt per
// attempt: the translation rendered into a pooled buffer and cloned it out,
// the fast path's rewrite built a new body. Dialects that can append their
// rendering to a caller's buffer now write it into one lent by bufpool,
// and the provider returns it to the pool once the transport is done
// reading it (provider.SendLent).

// requestAppender is an Egress that renders a request by appending to dst,
// byte for byte what EncodeRequest returns.
type requestAppender interface {
	AppendRequest(dst []byte, req *llm.Request) ([]byte, error)
}

// rewriteAppender is a Passthrough that appends its RewriteRequest
// rendering to dst.
type rewriteAppender interface {
	AppendRewrite(dst, body []byte, model string, req *llm.Request) ([]byte, error)
}

// lentBody is upstreamBody rendered into a lent buffer when the dialect
// can append: lent is then body's buffer, which the caller hands to
// sendBody; nil lent means body is an ordinary slice.
func (g *Gateway) lentBody(x *exchange, p *provider.Provider, req *llm.Request, fast bool) (body []byte, lent *bufpool.Buffer, err error) {
	var appendTo func([]byte) ([]byte, error)
	switch {
	case fast:
		if a, ok := x.in.(rewriteAppender); ok {
			appendTo = func(dst []byte) ([]byte, error) { return a.AppendRewrite(dst, x.body, req.Model, x.req) }
		}
	default:
		if a, ok := p.Dialect.(requestAppender); ok {
			appendTo = func(dst []byte) ([]byte, error) { return a.AppendRequest(dst, req) }
		}
	}
	if appendTo == nil {
		body, err = g.upstreamBody(x, p, req, fast)
		return body, nil, err
	}
	lent = bufpool.Get()
	b, err := appendTo(lent.B)
	if err != nil {
		bufpool.Put(lent)
		return nil, nil, err
	}
	lent.B = b
	return b, lent, nil
}

// sendBody sends body to p, handing lent (body's buffer, or nil) over to
// the provider, which returns it to the pool: body must not be used after.
func sendBody(ctx context.Context, p *provider.Provider, path string, body []byte, lent *bufpool.Buffer, set func(http.Header)) (*http.Response, error) {
	if lent != nil {
		return p.SendLent(ctx, path, lent, set)
	}
	return p.SendWith(ctx, path, body, set)
}
