// Package govern is the governance step of the pipeline: it authenticates
// clients with virtual keys, checks the model against the key, admits the
// request under its key's and team's rate limits and budgets (reserving
// the worst-case cost), and when the reply ends settles the actual cost
// and writes the request's ledger row.
//
// The gateway calls it through two small seams (gateway.Governor and the
// server's authenticate hook), so the pipeline's order stays in package
// gateway and the policy stays here.
package govern

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/railyard-ai/railyard/internal/access"
	"github.com/railyard-ai/railyard/internal/catalog"
	"github.com/railyard-ai/railyard/internal/gateway"
	"github.com/railyard-ai/railyard/internal/ledger"
	"github.com/railyard-ai/railyard/internal/limit"
	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/route"
	"github.com/railyard-ai/railyard/internal/store"
)

// Options configure a Governor.
type Options struct {
	Store store.Store
	// Counters hold limits and budgets; nil means in-process counters
	// seeded from the store's ledger.
	Counters limit.Counters
	// Catalog prices requests; models it does not know cost nothing.
	Catalog *catalog.Catalog
	// Ledger receives a row per admitted request; nil writes none.
	Ledger *ledger.Writer
	// MasterKey is the admin credential; clients may not use it.
	MasterKey string
	// KeyTTL bounds how long a key's state is cached (revocations reach
	// every replica within it). Default access.DefaultTTL.
	KeyTTL time.Duration
	// FallbackMaxOutput is the output bound reserved for a request that
	// sets no max tokens when the catalog knows no limit for the model.
	// Default 32768.
	FallbackMaxOutput int
	Logger            *slog.Logger
}

// Governor implements gateway.Governor and authenticates clients.
type Governor struct {
	o    Options
	auth *access.Authenticator
	cnt  limit.Counters
	log  *slog.Logger
	now  func() time.Time
}

var _ gateway.Governor = (*Governor)(nil)

// New returns a governor.
func New(o Options) *Governor {
	g := &Governor{o: o, auth: access.NewAuthenticator(o.Store, o.KeyTTL), cnt: o.Counters, log: o.Logger, now: time.Now}
	if g.log == nil {
		g.log = slog.New(slog.DiscardHandler)
	}
	if g.o.FallbackMaxOutput <= 0 {
		g.o.FallbackMaxOutput = 32768
	}
	if g.cnt == nil {
		g.cnt = limit.NewMemory(SpendLoader(o.Store))
	}
	return g
}

// SpendLoader seeds budget counters from the store's ledger.
func SpendLoader(st store.Store) limit.SpendLoader {
	return func(ctx context.Context, s limit.Scope, since time.Time) (int64, error) {
		if team, ok := strings.CutPrefix(s.ID, "team:"); ok {
			return st.Spend(ctx, "", team, since)
		}
		return st.Spend(ctx, strings.TrimPrefix(s.ID, "key:"), "", since)
	}
}

type principalKey struct{}

// Principal is the authenticated client of ctx, nil when keys are off.
func Principal(ctx context.Context) *access.Principal {
	p, _ := ctx.Value(principalKey{}).(*access.Principal)
	return p
}

// Authenticate checks the client's key (from Authorization: Bearer or
// x-api-key) once any virtual key exists or a master key is set, and
// returns r carrying the principal. Errors never quote the key.
func (g *Governor) Authenticate(r *http.Request, key string) (*http.Request, *llm.Error) {
	ctx := r.Context()
	required := g.o.MasterKey != ""
	if !required {
		var err error
		if required, err = g.auth.Required(ctx); err != nil {
			g.log.Error("key store unavailable", "err", err)
			return nil, unavailable()
		}
	}
	if !required {
		return r, nil
	}
	if key != "" && g.o.MasterKey != "" && key == g.o.MasterKey {
		return nil, &llm.Error{Status: http.StatusUnauthorized, Kind: llm.ErrAuthentication,
			Message: "the master key reaches the admin API only: call models with a virtual key (railyard keys create)"}
	}
	p, err := g.auth.Authenticate(ctx, key)
	switch {
	case err == nil:
		r2 := r.WithContext(context.WithValue(ctx, principalKey{}, p))
		if len(p.Key.Tags) > 0 {
			// Routing rules see the key's tags next to the client's own;
			// a client cannot drop them (only_tags fails closed).
			r2.Header = r.Header.Clone()
			r2.Header.Add(gateway.HeaderTags, strings.Join(p.Key.Tags, ","))
		}
		return r2, nil
	case errors.Is(err, access.ErrNoKey), errors.Is(err, access.ErrInvalidKey), errors.Is(err, access.ErrRevoked), errors.Is(err, access.ErrExpired):
		return nil, &llm.Error{Status: http.StatusUnauthorized, Kind: llm.ErrAuthentication, Message: err.Error()}
	default:
		g.log.Error("key store unavailable", "err", err)
		return nil, unavailable()
	}
}

func unavailable() *llm.Error {
	return &llm.Error{Status: http.StatusServiceUnavailable, Kind: llm.ErrUnavailable, Message: "the key store is unavailable", RetryAfter: time.Second}
}

// admission is one admitted request's hold on counters.
type admission struct {
	g     *Governor
	p     *access.Principal
	grant *limit.Grant
	// targets maps provider -> target model, to price the reply: the
	// first target of each provider, in route order. A route has a few
	// targets, so a list (inline up to two) beats a map.
	targets    []providerTarget
	targetsArr [2]providerTarget
	header     http.Header // nil until there are rate headers
}

type providerTarget struct{ provider, model string }

// targetModel is the target model of provider's first target, "" when
// the route had none.
func (a *admission) targetModel(provider string) string {
	m, _ := a.target(provider)
	return m
}

func (a *admission) target(provider string) (model string, ok bool) {
	for _, t := range a.targets {
		if t.provider == provider {
			return t.model, true
		}
	}
	return "", false
}

// Admit implements gateway.Governor.
func (g *Governor) Admit(r *http.Request, req *llm.Request, body []byte, targets []route.Target) (gateway.Admission, error) {
	p := Principal(r.Context())
	a := &admission{g: g, p: p}
	a.targets = a.targetsArr[:0]
	for _, t := range targets {
		if _, seen := a.target(t.Provider.Name); !seen {
			a.targets = append(a.targets, providerTarget{t.Provider.Name, t.Model})
		}
	}
	if p == nil {
		return a, nil
	}
	if !p.Allows(req.Model) {
		return nil, &llm.Error{Status: http.StatusForbidden, Kind: llm.ErrPermission,
			Message: fmt.Sprintf("this key may not use model %q", req.Model)}
	}
	ask := limit.Ask{Scopes: scopes(p), Tokens: int64(len(body)/4 + req.MaxTokens), Now: g.now()}
	if len(ask.Scopes) == 0 {
		return a, nil
	}
	ask.CostNanoUSD = g.worstCost(req, len(body), targets)
	grant, err := g.cnt.Admit(r.Context(), ask)
	var refusal *limit.Refusal
	if errors.As(err, &refusal) {
		return nil, refusalError(refusal)
	}
	if err != nil {
		g.log.Error("limit counters unavailable", "err", err)
		return nil, &llm.Error{Status: http.StatusServiceUnavailable, Kind: llm.ErrUnavailable, Message: "limit counters are unavailable", RetryAfter: time.Second}
	}
	a.grant = grant
	a.header = http.Header{}
	setRateHeaders(a.header, grant.Status)
	return a, nil
}

func scopes(p *access.Principal) []limit.Scope {
	var out []limit.Scope
	if l := p.Key.Limits; l != (store.Limits{BudgetPeriod: l.BudgetPeriod}) {
		out = append(out, limit.Scope{ID: "key:" + p.Key.ID, Limits: l})
	}
	if p.Team != nil {
		if l := p.Team.Limits; l != (store.Limits{BudgetPeriod: l.BudgetPeriod}) {
			out = append(out, limit.Scope{ID: "team:" + p.Team.Name, Limits: l})
		}
	}
	return out
}

func refusalError(r *limit.Refusal) *llm.Error {
	who := strings.Replace(r.Scope, ":", " ", 1)
	if r.Reason == "budget" {
		return &llm.Error{Status: http.StatusTooManyRequests, Kind: llm.ErrBudgetExhausted, Code: "budget_exceeded", RetryAfter: r.RetryAfter,
			Message: fmt.Sprintf("budget exceeded: %s has no budget left for this request's worst-case cost", who)}
	}
	return &llm.Error{Status: http.StatusTooManyRequests, Kind: llm.ErrRateLimit, Code: "rate_limit_exceeded", RetryAfter: r.RetryAfter,
		Message: fmt.Sprintf("rate limit exceeded: %s limit of %s", r.Reason, who)}
}

// worstCost bounds what the request can cost on any of its targets: every
// byte of the body a prompt token (no tokenizer yields more tokens than
// bytes of text), all of it billed at the dearer of the input and cache
// write rates, plus the output limit at the dearer of the output and
// reasoning rates.
func (g *Governor) worstCost(req *llm.Request, bodyBytes int, targets []route.Target) int64 {
	if g.o.Catalog == nil {
		return 0
	}
	var worst int64
	for _, t := range targets {
		m, ok := g.o.Catalog.Entry(t.Model)
		if !ok {
			continue
		}
		in := bodyBytes
		if m.ContextWindow > 0 {
			in = min(in, m.ContextWindow)
		}
		out := req.MaxTokens
		if out <= 0 {
			out = m.MaxOutput
		}
		if out <= 0 {
			out = g.o.FallbackMaxOutput
		}
		for _, u := range []llm.Usage{
			{InputTokens: in, OutputTokens: out},
			{InputTokens: in, CacheWriteTokens: in, OutputTokens: out, ReasoningTokens: out},
		} {
			worst = max(worst, int64(m.CostNanoUSD(u)))
		}
	}
	return worst
}

// Header implements gateway.Admission.
func (a *admission) Header() http.Header { return a.header }

// Finish implements gateway.Admission: settle counters, write the row.
func (a *admission) Finish(o gateway.Outcome) {
	cost := a.cost(o)
	if a.grant != nil {
		if err := a.g.cnt.Settle(context.Background(), a.grant, cost, int64(o.Usage.TotalTokens())); err != nil {
			a.g.log.Error("settle limit counters", "request_id", o.RequestID, "err", err)
		}
	}
	if a.g.o.Ledger == nil {
		return
	}
	rec := store.Record{ID: access.NewOrderedID(time.Now()), Time: o.Start.UTC(), RequestID: o.RequestID, Model: o.Model,
		Provider: o.Provider, UpstreamModel: o.UpstreamModel,
		InputTokens: int64(o.Usage.InputTokens), OutputTokens: int64(o.Usage.OutputTokens), CacheReadTokens: int64(o.Usage.CacheReadTokens),
		CacheWriteTokens: int64(o.Usage.CacheWriteTokens), ReasoningTokens: int64(o.Usage.ReasoningTokens),
		CostNanoUSD: cost, Latency: o.Latency, TTFT: o.TTFT, Status: o.Status, Attempts: o.Attempts}
	if a.p != nil {
		rec.KeyID, rec.Team = a.p.Key.ID, a.p.Key.Team
	}
	if err := a.g.o.Ledger.Record(rec); err != nil {
		a.g.log.Error("ledger row lost", "request_id", o.RequestID, "err", err)
	}
}

// cost prices the reply's usage by the model that answered, else by the
// target model of the provider that answered.
func (a *admission) cost(o gateway.Outcome) int64 {
	if a.g.o.Catalog == nil || o.Usage.IsZero() {
		return 0
	}
	m, ok := a.g.o.Catalog.Entry(o.UpstreamModel)
	if !ok {
		if m, ok = a.g.o.Catalog.Entry(a.targetModel(o.Provider)); !ok {
			return 0
		}
	}
	return int64(m.CostNanoUSD(o.Usage))
}

// setRateHeaders writes OpenAI's x-ratelimit-* headers for the tightest
// scope.
func setRateHeaders(h http.Header, s limit.Status) {
	if s.LimitRequests > 0 {
		h.Set("X-Ratelimit-Limit-Requests", strconv.FormatInt(s.LimitRequests, 10))
		h.Set("X-Ratelimit-Remaining-Requests", strconv.FormatInt(s.RemainingRequests, 10))
		h.Set("X-Ratelimit-Reset-Requests", resetString(s.ResetRequests))
	}
	if s.LimitTokens > 0 {
		h.Set("X-Ratelimit-Limit-Tokens", strconv.FormatInt(s.LimitTokens, 10))
		h.Set("X-Ratelimit-Remaining-Tokens", strconv.FormatInt(s.RemainingTokens, 10))
		h.Set("X-Ratelimit-Reset-Tokens", resetString(s.ResetTokens))
	}
}

func resetString(d time.Duration) string {
	if d <= 0 {
		return "0s"
	}
	return d.Round(time.Millisecond).String()
}
