package sim

import "strings"

// isGeminiPath reports whether path is a Gemini model call:
// /v1beta/models/{model}:generateContent or :streamGenerateContent (the
// gemini Ingress reads the model and the method from it).
func isGeminiPath(path string) bool {
	return strings.HasPrefix(path, "/v1beta/models/") || strings.HasPrefix(path, "/v1/models/")
}
