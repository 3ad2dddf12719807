package ui

import (
	"log/slog"
	"net/http"
)

// Options configure the console.
type Options struct {
	// MasterKey is the console's only credential; without one the console
	// is off and /ui/ says so.
	MasterKey string
	Logger    *slog.Logger
}

// Handler serves /ui/: the embedded app and /ui/api/login and logout.
func Handler(o Options) http.Handler {
	a, err := loadAssets(distFS)
	if err != nil {
		panic("ui: embedded dist/ unreadable: " + err.Error()) // a build defect, caught by tests
	}
	mux := http.NewServeMux()
	if o.MasterKey == "" {
		mux.HandleFunc("/ui/api/", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
		mux.HandleFunc("/ui/", off)
	} else {
		s := NewSessions(o.MasterKey)
		if o.Logger != nil {
			s.log = o.Logger
		}
		mux.HandleFunc("POST /ui/api/login", s.login)
		mux.HandleFunc("POST /ui/api/logout", logout)
		mux.HandleFunc("/ui/api/", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
		mux.HandleFunc("/ui/", func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				w.Header().Set("Allow", "GET, HEAD")
				http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
				return
			}
			a.serve(w, r)
		})
	}
	mux.Handle("GET /ui", http.RedirectHandler("/ui/", http.StatusMovedPermanently))
	return mux
}

// off is the whole console when no master key is set.
func off(w http.ResponseWriter, _ *http.Request) {
	secure(w.Header())
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(offPage))
}

const offPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>railyard console</title></head>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem">
<h1>The console is off</h1>
<p>The railyard web console needs <code>auth.master_key</code>: set it in the config
(for example <code>master_key: ${RAILYARD_MASTER_KEY}</code> under <code>auth:</code>) and
restart, then sign in here with it.</p>
</body></html>
`
