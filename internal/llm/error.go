package llm

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrorKind is a dialect-neutral error category; each dialect maps it to
// its own error type string.
type ErrorKind string

const (
	ErrInvalidRequest  ErrorKind = "invalid_request"
	ErrAuthentication  ErrorKind = "authentication"
	ErrPermission      ErrorKind = "permission"
	ErrNotFound        ErrorKind = "not_found"
	ErrTooLarge        ErrorKind = "request_too_large"
	ErrRateLimit       ErrorKind = "rate_limit"
	ErrAPI             ErrorKind = "api_error"
	ErrOverloaded      ErrorKind = "overloaded"
	ErrTimeout         ErrorKind = "timeout"
	ErrUnavailable     ErrorKind = "unavailable"
	ErrContextLength   ErrorKind = "context_length_exceeded"
	ErrBudgetExhausted ErrorKind = "budget_exceeded"
)

// Error is a failure to report to the client in its own dialect.
type Error struct {
	Status  int
	Kind    ErrorKind
	Message string
	// Param names the offending request field, when known.
	Param string
	// Code is a machine-readable code (OpenAI's error.code).
	Code string
	// RetryAfter, when positive, becomes a Retry-After header.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	return fmt.Sprintf("%d %s: %s", e.Status, e.Kind, e.Message)
}

// Errorf builds an Error with a formatted message.
func Errorf(status int, kind ErrorKind, format string, args ...any) *Error {
	return &Error{Status: status, Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// BadRequest is a 400 invalid_request error.
func BadRequest(format string, args ...any) *Error {
	return Errorf(http.StatusBadRequest, ErrInvalidRequest, format, args...)
}

// AsError returns err as an *Error, wrapping anything else as a 500.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Status: http.StatusInternalServerError, Kind: ErrAPI, Message: "internal error"}
}

// KindForStatus is the usual kind of an HTTP status.
func KindForStatus(status int) ErrorKind {
	switch {
	case status == 400 || status == 422:
		return ErrInvalidRequest
	case status == 401:
		return ErrAuthentication
	case status == 403:
		return ErrPermission
	case status == 404:
		return ErrNotFound
	case status == 413:
		return ErrTooLarge
	case status == 429:
		return ErrRateLimit
	case status == 529 || status == 503:
		return ErrOverloaded
	case status == 504 || status == 408:
		return ErrTimeout
	default:
		return ErrAPI
	}
}

// RetryAfter reads how long a provider asks callers to wait: OpenAI's
// retry-after-ms, else Retry-After as delay-seconds or an HTTP date. It is
// 0 when absent, malformed or absurd (beyond a few days).
func RetryAfter(h http.Header) time.Duration {
	if h == nil {
		return 0
	}
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms > 0 && ms < maxRetryAfterSeconds*1e3 {
			return time.Duration(ms * float64(time.Millisecond))
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s > 0 && s < maxRetryAfterSeconds {
			return time.Duration(s * float64(time.Second))
		}
		return 0
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 && d < maxRetryAfterSeconds*time.Second {
			return d
		}
	}
	return 0
}

const maxRetryAfterSeconds = 7 * 24 * 3600

// Truncate cuts an upstream's text to at most n bytes of valid UTF-8, so a
// huge or binary error body cannot flood a client reply or a log line.
func Truncate(b []byte, n int) string {
	if len(b) > n {
		b = b[:n]
		for len(b) > 0 && !utf8.Valid(b) {
			b = b[:len(b)-1]
		}
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}
