// Package requestid gives every request an id that follows it through logs,
// upstream calls and the x-request-id reply header.
package requestid

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
)

// Header is the header that carries the id both ways.
const Header = "X-Request-Id"

type ctxKey struct{}

// New returns a fresh random id: "req_" and 24 lower-case hex digits of 12
// random bytes. It is built in a stack buffer, so the string is its only
// allocation.
func New() string {
	const prefix = "req_"
	var raw [12]byte
	_, _ = rand.Read(raw[:])
	var b [len(prefix) + 2*len(raw)]byte
	copy(b[:], prefix)
	hex.Encode(b[len(prefix):], raw[:])
	return string(b[:])
}

// FromRequest returns the client's id when it is a sane token (so traces
// join up across hops), else a new one. Client ids are bounded and limited
// to a safe alphabet because they reach logs and headers.
func FromRequest(r *http.Request) string {
	if id := r.Header.Get(Header); valid(id) {
		return id
	}
	return New()
}

func valid(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// With stores id in ctx.
func With(ctx context.Context, id string) context.Context {
	return &idCtx{Context: ctx, id: id}
}

// From returns the id stored in ctx, or "".
func From(ctx context.Context) string {
	if c, ok := ctx.Value(ctxKey{}).(*idCtx); ok {
		return c.id
	}
	return ""
}

// idCtx carries the id. It is a context of its own rather than
// context.WithValue's so that attaching the id costs one allocation per
// request instead of three: WithValue allocates its node and boxes the
// string, and the reply header needs a []string that hdr backs here.
// Value answers ctxKey{} with the node itself, a pointer, so From boxes
// nothing either. Everything else is the parent's (Done, Err, Deadline and
// the other values), so context.WithCancel on top of it still finds the
// parent's cancelCtx and starts no goroutine.
type idCtx struct {
	context.Context
	id  string
	hdr [1]string
}

func (c *idCtx) Value(key any) any {
	if key == (ctxKey{}) {
		return c
	}
	return c.Context.Value(key)
}

// Middleware assigns the id, stores it in the context and sets the reply
// header before any handler writes.
func Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := FromRequest(r)
		c := &idCtx{Context: r.Context(), id: id, hdr: [1]string{id}}
		// The header value is c.hdr, capped so an Add appends to a new
		// array; the id itself is c.id, which nothing changes.
		w.Header()[Header] = c.hdr[:1:1]
		next.ServeHTTP(w, r.WithContext(c))
	})
}
