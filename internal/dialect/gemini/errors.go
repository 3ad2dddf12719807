package gemini

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/railyard-ai/railyard/internal/llm"
)

// maxErrorText bounds how much of a non-JSON error body is kept.
const maxErrorText = 512

// EncodeError renders e as Google's {"error": {code, message, status}}.
func (Dialect) EncodeError(e *llm.Error) []byte {
	out, _ := json.Marshal(wireErrorEnvelope{Error: &wireError{Code: e.Status, Message: e.Message, Status: statusName(e)}})
	return out
}

// statusName is the google.rpc.Code name Gemini uses for e.
func statusName(e *llm.Error) string {
	switch e.Kind {
	case llm.ErrInvalidRequest, llm.ErrTooLarge, llm.ErrContextLength:
		return "INVALID_ARGUMENT"
	case llm.ErrAuthentication:
		return "UNAUTHENTICATED"
	case llm.ErrPermission:
		return "PERMISSION_DENIED"
	case llm.ErrNotFound:
		return "NOT_FOUND"
	case llm.ErrRateLimit, llm.ErrBudgetExhausted:
		return "RESOURCE_EXHAUSTED"
	case llm.ErrOverloaded, llm.ErrUnavailable:
		return "UNAVAILABLE"
	case llm.ErrTimeout:
		return "DEADLINE_EXCEEDED"
	}
	if e.Status == 499 {
		return "CANCELLED"
	}
	return "INTERNAL"
}

// DecodeError keeps Gemini's status, message and status name, and reads
// the retry delay from a RetryInfo detail when no Retry-After came.
func (Dialect) DecodeError(status int, header http.Header, body []byte) *llm.Error {
	e := &llm.Error{Status: status, Kind: llm.KindForStatus(status), RetryAfter: llm.RetryAfter(header)}
	var env wireErrorEnvelope
	if json.Unmarshal(body, &env) == nil && env.Error != nil && env.Error.Message != "" {
		e.Message = llm.Truncate([]byte(env.Error.Message), 4096)
		e.Code = env.Error.Status
		if e.RetryAfter == 0 {
			e.RetryAfter = retryDelay(env.Error.Details)
		}
	} else {
		e.Message = strings.TrimSpace(llm.Truncate(body, maxErrorText))
		if e.Message == "" {
			e.Message = http.StatusText(status)
		}
	}
	if e.Code == "RESOURCE_EXHAUSTED" && status != http.StatusTooManyRequests {
		e.Kind = llm.ErrRateLimit
	}
	return e
}

// retryDelay reads google.rpc.RetryInfo's retryDelay ("34s").
func retryDelay(details []json.RawMessage) time.Duration {
	for _, d := range details {
		var ri struct {
			Type       string `json:"@type"`
			RetryDelay string `json:"retryDelay"`
		}
		if json.Unmarshal(d, &ri) != nil || !strings.HasSuffix(ri.Type, "google.rpc.RetryInfo") {
			continue
		}
		if v, err := time.ParseDuration(ri.RetryDelay); err == nil && v > 0 && v < 7*24*time.Hour {
			return v
		}
	}
	return 0
}

// streamError turns an in-band {"error": ...} stream event into an error.
func streamError(w *wireError) *llm.Error {
	status := w.Code
	if status < 400 || status > 599 {
		status = http.StatusBadGateway
	}
	msg := w.Message
	if msg == "" {
		msg = "upstream stream error"
	}
	return &llm.Error{Status: status, Kind: llm.KindForStatus(status), Message: llm.Truncate([]byte(msg), 4096), Code: w.Status}
}

// badGateway is a reply railyard cannot make sense of.
func badGateway(format string, args ...any) *llm.Error {
	return &llm.Error{Status: http.StatusBadGateway, Kind: llm.ErrAPI, Message: fmt.Sprintf(format, args...)}
}
