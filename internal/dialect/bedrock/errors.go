package bedrock

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/railyard-ai/railyard/internal/llm"
)

// exception is one Bedrock error type: its HTTP status and canonical kind.
type exception struct {
	status int
	kind   llm.ErrorKind
}

// exceptions are the Converse and ConverseStream errors, by the name AWS
// gives them in x-amzn-ErrorType, __type and the stream's :exception-type
// (where they are spelt in lower camel case, such as throttlingException).
// ModelNotReadyException is a 429 that AWS's SDKs retry: the model is
// loading; ModelTimeoutException is a 408 that fails over like a timeout.
var exceptions = map[string]exception{
	"accessdeniedexception":               {http.StatusForbidden, llm.ErrPermission},
	"unrecognizedclientexception":         {http.StatusForbidden, llm.ErrAuthentication},
	"expiredtokenexception":               {http.StatusForbidden, llm.ErrAuthentication},
	"internalserverexception":             {http.StatusInternalServerError, llm.ErrAPI},
	"modelerrorexception":                 {http.StatusFailedDependency, llm.ErrAPI},
	"modelnotreadyexception":              {http.StatusTooManyRequests, llm.ErrOverloaded},
	"modeltimeoutexception":               {http.StatusRequestTimeout, llm.ErrTimeout},
	"modelstreamerrorexception":           {http.StatusFailedDependency, llm.ErrAPI},
	"resourcenotfoundexception":           {http.StatusNotFound, llm.ErrNotFound},
	"servicequotaexceededexception":       {http.StatusBadRequest, llm.ErrRateLimit},
	"serviceunavailableexception":         {http.StatusServiceUnavailable, llm.ErrUnavailable},
	"throttlingexception":                 {http.StatusTooManyRequests, llm.ErrRateLimit},
	"validationexception":                 {http.StatusBadRequest, llm.ErrInvalidRequest},
	"invalidsignatureexception":           {http.StatusForbidden, llm.ErrAuthentication},
	"incompletesignatureexception":        {http.StatusForbidden, llm.ErrAuthentication},
	"missingauthenticationtokenexception": {http.StatusForbidden, llm.ErrAuthentication},
}

// errorName strips the namespace and the documentation URL that AWS may
// add around an error name ("com.amazon.coral#ValidationException:http://...").
func errorName(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, ':'); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '#'); i >= 0 {
		s = s[i+1:]
	}
	return s
}

func lookupException(name string) (exception, bool) {
	e, ok := exceptions[strings.ToLower(errorName(name))]
	return e, ok
}

// exceptionName is the Bedrock error name for a canonical error.
func exceptionName(e *llm.Error) string {
	switch e.Kind {
	case llm.ErrInvalidRequest, llm.ErrContextLength, llm.ErrTooLarge:
		return "ValidationException"
	case llm.ErrAuthentication, llm.ErrPermission:
		return "AccessDeniedException"
	case llm.ErrNotFound:
		return "ResourceNotFoundException"
	case llm.ErrRateLimit, llm.ErrBudgetExhausted:
		return "ThrottlingException"
	case llm.ErrOverloaded, llm.ErrUnavailable:
		return "ServiceUnavailableException"
	case llm.ErrTimeout:
		return "ModelTimeoutException"
	}
	return "InternalServerException"
}

// maxErrorText bounds how much of a non-JSON upstream error body is kept.
const maxErrorText = 512

// errorBody is {"__type": ..., "message": ...}; a budget error shares ThrottlingException
// with rate limits, so its message must say budget.
func errorBody(e *llm.Error) []byte {
	msg := e.Message
	if e.Kind == llm.ErrBudgetExhausted && !strings.Contains(strings.ToLower(msg), "budget") {
		msg = "budget exceeded: " + msg
	}
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	// __type repeats x-amzn-ErrorType for clients that read the body only
	// (the AWS SDKs read either).
	b, err := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{exceptionName(e), msg})
	if err != nil {
		return []byte(`{"__type":"InternalServerException","message":"internal error"}`)
	}
	return b
}

// EncodeError renders e as a Bedrock error body. The error name goes in
// the x-amzn-ErrorType header, which a body cannot carry: servers that
// write Bedrock errors call ErrorHeaders too.
func (Dialect) EncodeError(e *llm.Error) []byte { return errorBody(e) }

// ErrorHeaders sets x-amzn-ErrorType, which AWS SDKs read the error's type
// from.
func (Dialect) ErrorHeaders(h http.Header, e *llm.Error) {
	h.Set("X-Amzn-Errortype", exceptionName(e))
}

// DecodeError turns a Bedrock error reply into an *llm.Error: the name
// from x-amzn-ErrorType or the body's __type decides the kind, the status
// stays the upstream's, and the message is the body's message.
func (Dialect) DecodeError(status int, header http.Header, body []byte) *llm.Error {
	e := &llm.Error{Status: status, Kind: llm.KindForStatus(status)}
	var w struct {
		Type     string `json:"__type"`
		Message  string `json:"message"`
		MessageU string `json:"Message"`
	}
	parsed := json.Unmarshal(body, &w) == nil
	name := ""
	if header != nil {
		name = header.Get("x-amzn-ErrorType")
	}
	if name == "" {
		name = w.Type
	}
	if name != "" {
		e.Code = errorName(name)
		if x, ok := lookupException(name); ok {
			e.Kind = x.kind
		}
	}
	if parsed {
		e.Message = w.Message
		if e.Message == "" {
			e.Message = w.MessageU
		}
	} else {
		e.Message = llm.Truncate(bytes.TrimSpace(body), maxErrorText)
	}
	if e.Message == "" {
		e.Message = "upstream returned " + strconv.Itoa(status)
		if e.Code != "" {
			e.Message += " " + e.Code
		}
	}
	if header != nil {
		e.RetryAfter = llm.RetryAfter(header)
	}
	return e
}

// streamException converts an exception message in a stream.
func streamException(name string, data []byte) *llm.Error {
	var w struct {
		Message string `json:"message"`
	}
	_ = json.Unmarshal(data, &w)
	e := &llm.Error{Status: http.StatusBadGateway, Kind: llm.ErrAPI, Code: errorName(name), Message: w.Message}
	if x, ok := lookupException(name); ok {
		e.Status, e.Kind = x.status, x.kind
	}
	if e.Message == "" {
		e.Message = "upstream stream error " + e.Code
	}
	return e
}

// badGateway is the error for a malformed upstream reply.
func badGateway(format string, args ...any) *llm.Error {
	return llm.Errorf(http.StatusBadGateway, llm.ErrAPI, format, args...)
}
