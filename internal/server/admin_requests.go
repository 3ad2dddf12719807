package server

import (
	"net/http"
	"strconv"

	"github.com/railyard-ai/railyard/internal/reqlog"
)

// RequestLog is the recent requests this replica served (package reqlog),
// for the console's request log.
type RequestLog interface {
	List(f reqlog.Filter) []*reqlog.Entry
	Get(id string) (*reqlog.Entry, bool)
}

// requestsPage is the answer to GET /admin/api/requests.
type requestsPage struct {
	Requests []*reqlog.Entry `json:"requests"`
}

// listRequests serves GET /admin/api/requests?limit=&model=&provider=&status=&key=&team=:
// the newest requests first, from this replica's memory only.
func (a *admin) listRequests(w http.ResponseWriter, r *http.Request) {
	if a.o.Requests == nil {
		adminError(w, http.StatusNotFound, "not_found_error", "the request log is off")
		return
	}
	q := r.URL.Query()
	f := reqlog.Filter{Limit: 100, Model: q.Get("model"), Provider: q.Get("provider"), Status: q.Get("status"),
		KeyID: q.Get("key"), Team: q.Get("team")}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			adminError(w, http.StatusBadRequest, "invalid_request_error", "limit: want a positive number")
			return
		}
		f.Limit = min(n, reqlog.MaxLimit)
	}
	if err := reqlog.ParseStatus(f.Status); err != nil {
		adminError(w, http.StatusBadRequest, "invalid_request_error", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, requestsPage{Requests: a.o.Requests.List(f)})
}

// getRequest serves GET /admin/api/requests/{id}.
func (a *admin) getRequest(w http.ResponseWriter, r *http.Request) {
	if a.o.Requests == nil {
		adminError(w, http.StatusNotFound, "not_found_error", "the request log is off")
		return
	}
	e, ok := a.o.Requests.Get(r.PathValue("id"))
	if !ok {
		adminError(w, http.StatusNotFound, "not_found_error", "no such request among the last ones this replica served")
		return
	}
	writeJSON(w, http.StatusOK, e)
}
