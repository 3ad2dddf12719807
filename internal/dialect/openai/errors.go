package openai

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/railyard-ai/railyard/internal/llm"
)

// EncodeError renders e as OpenAI's {"error": {message, type, param, code}},
// with param and code null when empty, as OpenAI writes them.
func (Dialect) EncodeError(e *llm.Error) []byte {
	typ, code := errorTypeCode(e)
	if e.Code != "" {
		code = e.Code
	}
	body := wireErrBody{Message: e.Message, Type: typ, Code: json.RawMessage("null")}
	if e.Param != "" {
		body.Param = &e.Param
	}
	if code != "" {
		body.Code, _ = json.Marshal(code)
	}
	out, _ := json.Marshal(errorEnvelope{Error: body}) // strings only: cannot fail
	return out
}

// errorTypeCode maps a canonical kind to OpenAI's error type and default
// code.
func errorTypeCode(e *llm.Error) (typ, code string) {
	switch e.Kind {
	case llm.ErrInvalidRequest:
		return "invalid_request_error", ""
	case llm.ErrAuthentication:
		return "authentication_error", "invalid_api_key"
	case llm.ErrPermission:
		return "permission_error", ""
	case llm.ErrNotFound:
		return "invalid_request_error", "model_not_found"
	case llm.ErrTooLarge:
		return "invalid_request_error", "request_too_large"
	case llm.ErrRateLimit:
		return "rate_limit_error", "rate_limit_exceeded"
	case llm.ErrBudgetExhausted:
		return "insufficient_quota", "insufficient_quota"
	case llm.ErrContextLength:
		return "invalid_request_error", "context_length_exceeded"
	case llm.ErrOverloaded, llm.ErrUnavailable:
		return "server_error", ""
	case llm.ErrTimeout:
		return "timeout_error", ""
	default:
		return "api_error", ""
	}
}

// maxErrorText bounds how much of a non-JSON error body is kept: enough
// to diagnose, not enough to flood logs or a client with an HTML page.
const maxErrorText = 512

// DecodeError turns a provider's error reply into an *llm.Error that keeps
// the provider's status, message, param and code. It understands OpenAI's
// {"error": {...}}, the {"error": "text"} of Ollama and llama.cpp, a bare
// {"message": ...}, FastAPI's {"detail": ...} and plain text.
func (Dialect) DecodeError(status int, header http.Header, body []byte) *llm.Error {
	e := &llm.Error{Status: status, Kind: llm.KindForStatus(status)}
	if b, ok := parseErrorBody(body); ok {
		e.Message, e.Param, e.Code = b.Message, deref(b.Param), codeString(b.Code)
	} else {
		e.Message = llm.Truncate(bytes.TrimSpace(body), maxErrorText)
		if e.Message == "{}" {
			e.Message = "" // an empty object says nothing; use the status text
		}
	}
	if e.Message == "" {
		e.Message = http.StatusText(status)
		if e.Message == "" {
			e.Message = "upstream error " + strconv.Itoa(status)
		}
	}
	if e.Code == "context_length_exceeded" {
		e.Kind = llm.ErrContextLength
	}
	e.RetryAfter = llm.RetryAfter(header)
	return e
}

// parseErrorBody reads the JSON error shapes that OpenAI and compatible
// servers send; ok is false for anything else.
func parseErrorBody(body []byte) (wireErrBody, bool) {
	var top struct {
		Error   json.RawMessage `json:"error"`
		Message json.RawMessage `json:"message"`
		Detail  json.RawMessage `json:"detail"`
	}
	if json.Unmarshal(body, &top) != nil {
		return wireErrBody{}, false
	}
	if len(top.Error) > 0 && top.Error[0] == '{' {
		var b wireErrBody
		var loose struct {
			Message json.RawMessage `json:"message"`
			Type    json.RawMessage `json:"type"`
			Param   json.RawMessage `json:"param"`
			Code    json.RawMessage `json:"code"`
		}
		if json.Unmarshal(top.Error, &loose) == nil {
			b.Message = anyText(loose.Message)
			b.Type = anyText(loose.Type)
			if p := anyText(loose.Param); p != "" {
				b.Param = &p
			}
			b.Code = loose.Code
		}
		return b, true
	}
	for _, raw := range []json.RawMessage{top.Error, top.Message, top.Detail} {
		if s := anyText(raw); s != "" {
			return wireErrBody{Message: s}, true
		}
	}
	return wireErrBody{}, false
}

// anyText is a JSON string's value, or any other JSON value's text
// (truncated), or "" for null and absent.
func anyText(raw json.RawMessage) string {
	if isNull(raw) {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return llm.Truncate(raw, maxErrorText)
}

// codeString turns OpenAI's string code (or a compatible server's numeric
// one) into text.
func codeString(raw json.RawMessage) string {
	if isNull(raw) {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return llm.Truncate(raw, maxErrorText)
}

func deref[T ~string](p *T) T {
	if p == nil {
		return ""
	}
	return *p
}

// inBandError turns an {"error": {...}} a provider sent inside a 200 reply
// or a stream into an *llm.Error. The status is the error's numeric code
// when a compatible server gives one (vLLM does), else 502: the upstream
// failed after accepting the request.
func inBandError(b *wireErrBody) *llm.Error {
	status := http.StatusBadGateway
	code := codeString(b.Code)
	if n, err := strconv.Atoi(code); err == nil && n >= 400 && n <= 599 {
		status = n
	}
	e := &llm.Error{Status: status, Kind: llm.KindForStatus(status), Message: b.Message, Param: deref(b.Param), Code: code}
	switch {
	case code == "context_length_exceeded":
		e.Kind = llm.ErrContextLength
	case status == http.StatusBadGateway && b.Type == "rate_limit_error":
		e.Kind = llm.ErrRateLimit
	}
	if e.Message == "" {
		e.Message = "upstream reported an error"
	}
	return e
}

// upstreamError is a 502 for a provider reply railyard cannot read.
func upstreamError(format string, args ...any) *llm.Error {
	return llm.Errorf(http.StatusBadGateway, llm.ErrAPI, format, args...)
}
