package server

import (
	"net/http"
	"strings"
	"time"

	"github.com/railyard-ai/railyard/internal/dialect"
	"github.com/railyard-ai/railyard/internal/gateway"
	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/requestid"
)

// refuse answers a client request turned away before the gateway
// (authentication) and reports it to the observer, so a flood of bad keys
// shows on /metrics and in traces like any other request.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, d dialect.Dialect, e *llm.Error) {
	if o := s.opts.Observer; o != nil && r.Method == http.MethodPost {
		start := time.Now()
		op := gateway.OperationChat
		if strings.HasSuffix(r.URL.Path, "/embeddings") {
			op = gateway.OperationEmbeddings
		}
		q := o.StartRequest(r, gateway.RequestStart{Dialect: d.Name(), Operation: op})
		defer func() {
			q.End(gateway.Summary{Dialect: d.Name(), Operation: op, Status: e.Status, Duration: time.Since(start),
				ID: requestid.From(r.Context()), Error: e.Message})
		}()
	}
	writeError(w, d, e)
}
