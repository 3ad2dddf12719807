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

// New returns a fresh random id.
func New() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "req_" + hex.EncodeToString(b[:])
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
	return context.WithValue(ctx, ctxKey{}, id)
}

// From returns the id stored in ctx, or "".
func From(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

// Middleware assigns the id, stores it in the context and sets the reply
// header before any handler writes.
func Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := FromRequest(r)
		w.Header().Set(Header, id)
		next.ServeHTTP(w, r.WithContext(With(r.Context(), id)))
	})
}
