package route

import (
	"net/http"

	"github.com/railyard-ai/railyard/internal/llm"
)

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

// RetryableError is Retryable for a decoded upstream error, whose kind can
// say more than its status: Bedrock answers ServiceQuotaExceededException
// with a 400 that is a quota of this provider's account (a rate limit,
// another provider's chance), and ModelErrorException with a 424 (Failed
// Dependency: the model itself failed), which another target may well
// serve. A rate limit, an overload, an unavailable model or a timeout
// fails over whatever status carried it.
func RetryableError(status int, kind llm.ErrorKind) bool {
	switch kind {
	case llm.ErrRateLimit, llm.ErrOverloaded, llm.ErrUnavailable, llm.ErrTimeout:
		return true
	}
	return status == http.StatusFailedDependency || Retryable(status)
}
