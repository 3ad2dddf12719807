package sim

import (
	"net/http"
	"strings"
)

// isGeminiPath reports whether path is a Gemini model call:
// /v1beta/models/{model}:generateContent or :streamGenerateContent (the
// gemini Ingress reads the model and the method from it).
func isGeminiPath(path string) bool {
	return strings.HasPrefix(path, "/v1beta/models/") || strings.HasPrefix(path, "/v1/models/")
}

// serveGemini routes a Gemini model call: batchEmbedContents to the
// embeddings handler, generateContent and streamGenerateContent to the
// dialect handler.
func (s *Server) serveGemini(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, ":batchEmbedContents") {
		s.serveEmbeddings(w, r, "gemini")
		return
	}
	s.serveDialect(w, r, "gemini")
}
