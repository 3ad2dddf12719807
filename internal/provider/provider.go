// Package provider turns a configured upstream into something the gateway
// can call: a dialect plus an endpoint, authentication and a transport.
// Adding an OpenAI-compatible provider is config, not code: every such
// server is a Provider of kind openai-compatible with its own base URL.
package provider

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/railyard-ai/railyard/internal/bufpool"
	"github.com/railyard-ai/railyard/internal/config"
	"github.com/railyard-ai/railyard/internal/dialect"
)

// Kinds of provider.
const (
	KindOpenAI           = "openai"
	KindAnthropic        = "anthropic"
	KindOpenAICompatible = "openai-compatible"
	KindSim              = "sim"
	KindBedrock          = "bedrock"
)

// Dialects resolves a wire-format name to its implementation. The keys are
// "openai", "openai-compatible" and "anthropic".
type Dialects map[string]dialect.Dialect

// Provider is one upstream, ready to call.
type Provider struct {
	Name    string
	Kind    string
	BaseURL string // without a trailing slash
	Dialect dialect.Dialect
	Tags    []string
	// Models the provider is known to serve; empty means any name.
	Models []string
	// Timeout bounds one attempt from send to the last byte.
	Timeout time.Duration

	header http.Header // fixed headers: auth, dialect, extras
	client *http.Client
	// direct is client's transport when calling it is what client.Do
	// would do (directTransport), decided once; nil means client.Do.
	direct http.RoundTripper
	// sign, when set, authenticates each request once its headers and body
	// are final (SigV4 for Bedrock: see bedrock.go).
	sign func(req *http.Request, body []byte) error

	// base is BaseURL parsed once, for the BaseURL it was parsed from
	// (baseFor); nil when BaseURL has a form Send must parse each time.
	base    *url.URL
	baseFor string
}

// New builds a Provider from its config. The base URL must already carry
// its default (config.ApplyDefaults, or the in-process simulator's URL).
func New(cfg config.Provider, dialects Dialects, client *http.Client, defaultTimeout time.Duration) (*Provider, error) {
	d, err := pickDialect(cfg, dialects)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("provider %q: base_url %q is not an http(s) URL", cfg.Name, cfg.BaseURL)
	}
	p := &Provider{
		Name:    cfg.Name,
		Kind:    cfg.Type,
		BaseURL: strings.TrimRight(cfg.BaseURL, "/"),
		Dialect: d,
		Tags:    cfg.Tags,
		Models:  cfg.Models,
		Timeout: cfg.Timeout,
		header:  make(http.Header),
		client:  client,
		direct:  directTransport(client),
	}
	if p.Timeout <= 0 {
		p.Timeout = defaultTimeout
	}
	p.base, p.baseFor = parseBase(p.BaseURL), p.BaseURL
	d.SetHeaders(p.header)
	for k, v := range cfg.Headers {
		p.header.Set(k, v)
	}
	setAuth(p.header, cfg, d)
	p.header.Set("Content-Type", "application/json")
	if cfg.Type == KindBedrock {
		if err := p.setupBedrock(cfg); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func pickDialect(cfg config.Provider, dialects Dialects) (dialect.Dialect, error) {
	name := cfg.Dialect
	switch cfg.Type {
	case KindAnthropic:
		name = "anthropic"
	case KindOpenAI:
		name = "openai"
	case KindOpenAICompatible:
		if name == "" || name == "openai" {
			name = "openai-compatible"
		}
	case KindSim:
		if name == "" {
			name = "openai"
		}
	case KindBedrock:
		name = "bedrock"
	default:
		n, ok := kindDialect(cfg)
		if !ok {
			return nil, fmt.Errorf("provider %q: unknown type %q", cfg.Name, cfg.Type)
		}
		name = n
	}
	d, ok := dialects[name]
	if !ok {
		return nil, fmt.Errorf("provider %q: unknown dialect %q", cfg.Name, name)
	}
	return wrapKind(cfg, d), nil
}

// Serves reports whether the provider is known to serve model. A provider
// without a model list serves any name.
func (p *Provider) Serves(model string) bool {
	if len(p.Models) == 0 {
		return true
	}
	for _, m := range p.Models {
		if m == model {
			return true
		}
	}
	return false
}

// Send posts body to path under the base URL. The caller owns the reply
// body. extra headers (request id, trace context) are added last.
func (p *Provider) Send(ctx context.Context, path string, body []byte, extra http.Header) (*http.Response, error) {
	return p.send(ctx, path, body, nil, extra, nil)
}

// SendWith is Send with the extra headers set by set, straight into the
// request's own header map (after the provider's fixed headers, as Send's
// extra): the caller needs no map of its own per request.
func (p *Provider) SendWith(ctx context.Context, path string, body []byte, set func(http.Header)) (*http.Response, error) {
	return p.send(ctx, path, body, nil, nil, set)
}

// SendLent is SendWith with the body in a buffer lent by bufpool, which
// the call takes over: it goes back to the pool once the transport is done
// reading it (see setBody), so the caller must not touch body.B after the
// call, whatever it returns.
func (p *Provider) SendLent(ctx context.Context, path string, body *bufpool.Buffer, set func(http.Header)) (*http.Response, error) {
	return p.send(ctx, path, body.B, body, nil, set)
}

func (p *Provider) send(ctx context.Context, path string, body []byte, lent *bufpool.Buffer, extra http.Header, set func(http.Header)) (*http.Response, error) {
	req, err := p.newRequest(ctx, path)
	if err != nil {
		return nil, err
	}
	sb := setBody(req, body, lent)
	defer sb.release()
	for k, v := range p.header {
		req.Header[k] = v
	}
	for k, v := range extra {
		req.Header[k] = v
	}
	if set != nil {
		set(req.Header)
	}
	if p.sign != nil {
		if err := p.sign(req, body); err != nil {
			return nil, err
		}
	}
	if p.direct != nil && req.URL.User == nil {
		return roundTrip(p.direct, req)
	}
	return p.client.Do(req)
}
