package server

import (
	"crypto/subtle"
	"net/http"

	"github.com/railyard-ai/railyard/internal/ui"
)

// adminGuard admits a request to the admin API when it carries the master
// key as a Bearer token (scripts, the CLI) or a valid console session
// cookie (the web console, see package ui). With the cookie, a method
// other than GET or HEAD must also carry X-Railyard-Console: 1, a header a
// cross-site form cannot set, so a session never authorises a forged
// write. A Bearer token, when present, decides alone: a wrong one is
// refused even next to a valid cookie. No answer quotes what was sent.
func adminGuard(master string, next http.Handler) http.Handler {
	want := []byte(master)
	var sessions *ui.Sessions
	if master != "" {
		sessions = ui.NewSessions(master)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(want) == 0 {
			adminError(w, http.StatusForbidden, "permission_error", "the admin API is off: set auth.master_key")
			return
		}
		if key := clientKey(r); key != "" || r.Header.Get("Authorization") != "" {
			if subtle.ConstantTimeCompare([]byte(key), want) != 1 {
				adminError(w, http.StatusUnauthorized, "authentication_error", "invalid master key")
				return
			}
		} else if sessions.Request(r) {
			if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Header.Get(ui.HeaderConsole) != "1" {
				adminError(w, http.StatusForbidden, "permission_error", "a console session must send "+ui.HeaderConsole+": 1 on "+r.Method)
				return
			}
		} else {
			adminError(w, http.StatusUnauthorized, "authentication_error", "missing master key: send Authorization: Bearer MASTER_KEY or sign in to the console")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
		next.ServeHTTP(w, r)
	})
}

// session answers GET /admin/api/session: the guard already decided, so
// reaching here means the caller is signed in.
func session(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}
