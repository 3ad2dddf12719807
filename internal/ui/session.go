package ui

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// CookieName is the console's session cookie.
const CookieName = "railyard_session"

// HeaderConsole must accompany every state-changing admin call made with
// the session cookie: a cross-site form or image cannot set a header, so
// the cookie alone never authorises a write (CSRF guard).
const HeaderConsole = "X-Railyard-Console"

// SessionTTL is how long a console login lasts.
const SessionTTL = 12 * time.Hour

// maxTokenLen bounds the cookie value parsed: an expiry of at most 20
// digits, a dot, and 43 characters of base64url.
const maxTokenLen = 64

// Sessions issues and checks console session tokens. A token is
// "<expiry unix>.<base64url(HMAC-SHA256(SHA256("railyard-ui"+master), expiry))>":
// stateless, so every replica sharing the master key accepts it and
// nothing is stored; changing the master key ends every session.
type Sessions struct {
	mac    []byte // the HMAC key; never the master key itself
	master []byte
	now    func() time.Time
	tries  *throttle
	log    *slog.Logger
}

// NewSessions returns the session codec for master (non-empty).
func NewSessions(master string) *Sessions {
	k := sha256.Sum256([]byte("railyard-ui" + master))
	return &Sessions{mac: k[:], master: []byte(master), now: time.Now, tries: newThrottle(), log: slog.New(slog.DiscardHandler)}
}

func (s *Sessions) sign(exp string) string {
	m := hmac.New(sha256.New, s.mac)
	m.Write([]byte(exp))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Issue returns a token valid until now+SessionTTL.
func (s *Sessions) Issue(now time.Time) string {
	exp := strconv.FormatInt(now.Add(SessionTTL).Unix(), 10)
	return exp + "." + s.sign(exp)
}

// Errors of Check; none quotes the token.
var (
	ErrMalformed = errors.New("malformed session token")
	ErrSignature = errors.New("session token signature does not match")
	ErrExpired   = errors.New("session expired")
)

// Check verifies token (a cookie value from outside) at now.
func (s *Sessions) Check(token string, now time.Time) error {
	if len(token) > maxTokenLen {
		return ErrMalformed
	}
	exp, sig, ok := strings.Cut(token, ".")
	if !ok || exp == "" || sig == "" {
		return ErrMalformed
	}
	for _, c := range exp {
		if c < '0' || c > '9' {
			return ErrMalformed
		}
	}
	unix, err := strconv.ParseInt(exp, 10, 64)
	if err != nil {
		return ErrMalformed
	}
	// Compare the MAC before looking at the expiry, in constant time.
	if !hmac.Equal([]byte(sig), []byte(s.sign(exp))) {
		return ErrSignature
	}
	if now.Unix() >= unix {
		return ErrExpired
	}
	return nil
}

// Request reports whether r carries a valid session cookie.
func (s *Sessions) Request(r *http.Request) bool {
	c, err := r.Cookie(CookieName)
	if err != nil {
		return false
	}
	return s.Check(c.Value, s.now()) == nil
}

// loginBody is POST /ui/api/login's body.
type loginBody struct {
	Key string `json:"key"`
}

// maxLoginBody bounds the login body read: a key is far shorter.
const maxLoginBody = 4 << 10

// DecodeLogin reads a login body (outside input): one JSON object with a
// non-empty string "key", no other field.
func DecodeLogin(r io.Reader) (string, error) {
	dec := json.NewDecoder(io.LimitReader(r, maxLoginBody+1))
	dec.DisallowUnknownFields()
	var b loginBody
	if err := dec.Decode(&b); err != nil {
		return "", errors.New("the body must be {\"key\":\"<master key>\"}")
	}
	if dec.More() {
		return "", errors.New("the body must be one JSON object")
	}
	if b.Key == "" {
		return "", errors.New("missing key")
	}
	return b.Key, nil
}

func (s *Sessions) login(w http.ResponseWriter, r *http.Request) {
	addr, now := clientAddr(r), s.now()
	if d := s.tries.wait(addr, now); d > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((d+time.Second-1)/time.Second)))
		apiError(w, http.StatusTooManyRequests, "rate_limit_error", "too many wrong keys: try again later")
		return
	}
	key, err := DecodeLogin(r.Body)
	if err != nil {
		apiError(w, http.StatusBadRequest, "invalid_request_error", err.Error())
		return
	}
	if subtle.ConstantTimeCompare([]byte(key), s.master) != 1 {
		s.tries.fail(addr, now)
		s.log.Warn("console: sign-in with a wrong master key", "remote", addr)
		apiError(w, http.StatusUnauthorized, "authentication_error", "wrong master key")
		return
	}
	s.tries.succeed(addr)
	s.log.Info("console: signed in", "remote", addr)
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: s.Issue(s.now()), Path: "/", MaxAge: int(SessionTTL / time.Second),
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

func logout(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	w.WriteHeader(http.StatusNoContent)
}

func apiError(w http.ResponseWriter, status int, typ, msg string) {
	b, _ := json.Marshal(map[string]any{"error": map[string]string{"type": typ, "message": msg}})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
