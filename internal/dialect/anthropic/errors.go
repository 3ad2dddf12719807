package anthropic

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/railyard-ai/railyard/internal/llm"
)

// lookupErrorType maps Anthropic's error.type to a canonical kind and the
// HTTP status Anthropic documents for it, which is also the status an
// in-stream error event stands for.
func lookupErrorType(t string) (llm.ErrorKind, int, bool) {
	switch t {
	case "invalid_request_error":
		return llm.ErrInvalidRequest, http.StatusBadRequest, true
	case "authentication_error":
		return llm.ErrAuthentication, http.StatusUnauthorized, true
	case "billing_error":
		return llm.ErrPermission, http.StatusPaymentRequired, true
	case "permission_error":
		return llm.ErrPermission, http.StatusForbidden, true
	case "not_found_error":
		return llm.ErrNotFound, http.StatusNotFound, true
	case "request_too_large":
		return llm.ErrTooLarge, http.StatusRequestEntityTooLarge, true
	case "rate_limit_error":
		return llm.ErrRateLimit, http.StatusTooManyRequests, true
	case "api_error":
		return llm.ErrAPI, http.StatusInternalServerError, true
	case "timeout_error":
		return llm.ErrTimeout, http.StatusGatewayTimeout, true
	case "overloaded_error":
		return llm.ErrOverloaded, 529, true
	}
	return "", 0, false
}

// errorType is the Anthropic error.type for a canonical kind.
func errorType(e *llm.Error) string {
	switch e.Kind {
	case llm.ErrInvalidRequest, llm.ErrContextLength:
		return "invalid_request_error"
	case llm.ErrAuthentication:
		return "authentication_error"
	case llm.ErrPermission:
		return "permission_error"
	case llm.ErrNotFound:
		return "not_found_error"
	case llm.ErrTooLarge:
		return "request_too_large"
	case llm.ErrRateLimit, llm.ErrBudgetExhausted:
		return "rate_limit_error"
	case llm.ErrOverloaded, llm.ErrUnavailable:
		return "overloaded_error"
	case llm.ErrTimeout:
		return "timeout_error"
	case llm.ErrAPI:
		return "api_error"
	}
	return errorType(&llm.Error{Kind: llm.KindForStatus(e.Status)})
}

// errorBody renders {"type":"error","error":{type,message}}. A budget error
// shares rate_limit_error with rate limits, so its message must say budget
// for a client to tell the two apart.
func errorBody(e *llm.Error) []byte {
	msg := e.Message
	if e.Kind == llm.ErrBudgetExhausted && !strings.Contains(strings.ToLower(msg), "budget") {
		msg = "budget exceeded: " + msg
	}
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	b, err := marshal(outError{Type: "error", Error: outErrorInner{Type: errorType(e), Message: msg}})
	if err != nil { // unreachable: only strings
		return []byte(`{"type":"error","error":{"type":"api_error","message":"internal error"}}`)
	}
	return b
}

// EncodeError renders e as an Anthropic error body.
func (Dialect) EncodeError(e *llm.Error) []byte { return errorBody(e) }

// maxErrorText bounds how much of a non-JSON upstream error body is kept.
const maxErrorText = 512

// DecodeError turns an upstream error reply into an *llm.Error that keeps
// the upstream status (529 included), kind and message, and Retry-After.
func (Dialect) DecodeError(status int, header http.Header, body []byte) *llm.Error {
	e := &llm.Error{Status: status, Kind: llm.KindForStatus(status)}
	var w struct {
		Type  string `json:"type"`
		Error *struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &w) == nil && w.Error != nil {
		if kind, _, ok := lookupErrorType(w.Error.Type); ok {
			e.Kind = kind
		}
		e.Code = w.Error.Type
		e.Message = w.Error.Message
	} else {
		e.Message = llm.Truncate(bytes.TrimSpace(body), maxErrorText)
	}
	if e.Message == "" {
		e.Message = "upstream returned " + strconv.Itoa(status)
	}
	if header != nil {
		e.RetryAfter = llm.RetryAfter(header)
	}
	return e
}

// streamError converts an in-band `event: error` payload.
func streamError(data []byte) *llm.Error {
	var w struct {
		Error *struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(data, &w) != nil || w.Error == nil {
		return &llm.Error{Status: http.StatusBadGateway, Kind: llm.ErrAPI,
			Message: "upstream stream error: " + llm.Truncate(data, maxErrorText)}
	}
	e := &llm.Error{Status: http.StatusInternalServerError, Kind: llm.ErrAPI, Code: w.Error.Type, Message: w.Error.Message}
	if kind, status, ok := lookupErrorType(w.Error.Type); ok {
		e.Status, e.Kind = status, kind
	}
	if e.Message == "" {
		e.Message = "upstream stream error " + w.Error.Type
	}
	return e
}

// badGateway is the error for a malformed upstream reply.
func badGateway(format string, args ...any) *llm.Error {
	return llm.Errorf(http.StatusBadGateway, llm.ErrAPI, format, args...)
}
