package route

import "net/http"

// Retryable reports whether an upstream reply with this status should be
// tried on the next target. Timeouts, conflicts, rate limits and server
// failures (Anthropic's 529 included) are another provider's chance; so are
// 401 and 403, which mean this provider's credentials are wrong, not the
// client's. Other 4xx are the request's fault and would fail everywhere.
func Retryable(status int) bool {
	switch {
	case status == http.StatusRequestTimeout, status == http.StatusConflict,
		status == http.StatusTooManyRequests,
		status == http.StatusUnauthorized, status == http.StatusForbidden:
		return true
	case status >= 500:
		return true
	}
	return false
}
