package govern

import (
	"context"

	"github.com/railyard-ai/railyard/internal/access"
	"github.com/railyard-ai/railyard/internal/store"
)

// ConsoleKeyID is the key_id of the ledger rows of requests sent from the
// web console's playground.
const ConsoleKeyID = "console"

// WithConsole returns ctx carrying the console principal: the operator,
// signed in with the master key, trying models from the playground. It has
// no key limits or budget and may call every model; its rows carry
// key_id "console". Only the admin API's playground handler calls it,
// behind the admin guard: the marker lives under this package's
// unexported context key, so nothing a client sends can set it.
func WithConsole(ctx context.Context) context.Context {
	return context.WithValue(ctx, principalKey{}, &access.Principal{Key: store.Key{ID: ConsoleKeyID, Name: "console"}})
}
