// Package ui serves railyard's web console: the single-page app built from
// web/ into dist/ and embedded in the binary (so plain `go build` from a
// clean clone ships it, with no CDN and no network at run time), and the
// console's login and logout endpoints. The admin API's guard accepts the
// session cookie issued here (see session.go).
package ui

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed dist
var distFS embed.FS

// Security headers every console response carries: the app loads nothing
// but its own files, cannot be framed, and leaks no referrer.
const csp = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"

func secure(h http.Header) {
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
}

// assets is dist/ read once at start: the files are small and immutable.
type assets struct {
	files map[string][]byte // name under dist/ -> bytes
	etags map[string]string // name -> strong ETag of the content
	index []byte
	mod   time.Time
}

func loadAssets(fsys fs.FS) (*assets, error) {
	a := &assets{files: map[string][]byte{}, etags: map[string]string{}}
	err := fs.WalkDir(fsys, "dist", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "dist/")
		a.files[name] = b
		// An ETag lets a "no-cache" revalidation answer 304 instead of
		// sending the file again.
		sum := sha256.Sum256(b)
		a.etags[name] = `"` + hex.EncodeToString(sum[:12]) + `"`
		return nil
	})
	if err != nil {
		return nil, err
	}
	a.index = a.files["index.html"]
	return a, nil
}

// serve answers GET/HEAD /ui/...: a file of dist/ when one matches, else
// index.html for extension-less paths (client-side routes such as
// /ui/keys survive a reload), else 404.
func (a *assets) serve(w http.ResponseWriter, r *http.Request) {
	secure(w.Header())
	name := strings.TrimPrefix(path.Clean("/"+strings.TrimPrefix(r.URL.Path, "/ui")), "/")
	if b, ok := a.files[name]; ok && name != "index.html" {
		ctype := mime.TypeByExtension(path.Ext(name))
		if ctype == "" {
			ctype = http.DetectContentType(b)
		}
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Cache-Control", cacheControl(name))
		w.Header().Set("ETag", a.etags[name])
		http.ServeContent(w, r, name, a.mod, bytes.NewReader(b))
		return
	}
	if name != "" && name != "index.html" && path.Ext(name) != "" {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("ETag", a.etags["index.html"])
	http.ServeContent(w, r, "index.html", a.mod, bytes.NewReader(a.index))
}

// cacheControl keeps content-hashed names (app-3f2a9c1d.js) for a year and
// revalidates fixed names (app.js) on every load, so a new binary's assets
// are never shadowed by a browser cache.
func cacheControl(name string) string {
	if hashed(name) {
		return "public, max-age=31536000, immutable"
	}
	return "no-cache"
}

// hashed reports whether a file name carries a content hash: a last
// dash- or dot-separated part of the stem of at least 8 hex digits.
func hashed(name string) bool {
	stem := strings.TrimSuffix(path.Base(name), path.Ext(name))
	i := strings.LastIndexAny(stem, "-.")
	if i < 0 {
		return false
	}
	h := stem[i+1:]
	if len(h) < 8 {
		return false
	}
	for _, c := range h {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
