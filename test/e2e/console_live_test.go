package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

// The console's live pages on the built binary: the request log names the
// key, team, route decision and every attempt of a failover, with the
// tokens the client was told; the providers page shows the failed
// targets' error rates; without log.prompts no body is kept.
func TestConsoleRequestLogAndProviders(t *testing.T) {
	t.Parallel()
	g := newGoverned(t)
	base := g.gw.URL()
	var created struct{ ID, Key string }
	if s := admin(t, http.MethodPost, base+"/admin/api/keys", master, `{"name":"live","team":"t-live"}`, &created); s != http.StatusCreated {
		t.Fatalf("create key: %d", s)
	}
	status, hdr, body := post(t, base+"/v1/chat/completions", `{"model":"resilient","messages":[{"role":"user","content":"private words"}]}`,
		map[string]string{"Authorization": "Bearer " + created.Key})
	if status != 200 {
		t.Fatalf("resilient: %d %s", status, body)
	}
	id := hdr.Get("X-Request-Id")
	if s, _, _ := post(t, base+"/v1/chat/completions", `{"model":"gpt-backed","messages":[]}`, map[string]string{"Authorization": "Bearer ry-wrong"}); s != 401 {
		t.Fatalf("bad key: %d", s)
	}

	var page struct {
		Requests []struct {
			ID, Model, Provider, Route, Error string
			KeyID                             string `json:"key_id"`
			Team                              string
			Status                            int
			InputTokens                       int `json:"input_tokens"`
			OutputTokens                      int `json:"output_tokens"`
			Attempts                          []struct {
				Provider, Outcome string
				Status            int
			}
		}
	}
	if s := admin(t, http.MethodGet, base+"/admin/api/requests", master, "", &page); s != 200 || len(page.Requests) != 2 {
		t.Fatalf("requests: %d %+v", s, page)
	}
	refused, e := page.Requests[0], page.Requests[1]
	if refused.Status != 401 || refused.Error == "" || refused.KeyID != "" {
		t.Errorf("refused request: %+v", refused)
	}
	if e.ID != id || e.Model != "resilient" || e.KeyID != created.ID || e.Team != "t-live" || e.Status != 200 || e.Provider != "sim-anthropic" ||
		e.Route != hdr.Get("X-Railyard-Route") || !strings.HasPrefix(e.Route, "failover: dead connect error -> sim-openai 529 -> sim-anthropic ok") {
		t.Errorf("entry %+v, route header %q", e, hdr.Get("X-Railyard-Route"))
	}
	var outcomes []string
	for _, a := range e.Attempts {
		outcomes = append(outcomes, a.Provider+" "+a.Outcome)
	}
	if got := strings.Join(outcomes, ", "); got != "dead connect error, sim-openai 529, sim-anthropic ok" || e.Attempts[1].Status != 529 {
		t.Errorf("attempts %q %+v", got, e.Attempts)
	}
	if in, out := gjson.GetBytes(body, "usage.prompt_tokens").Int(), gjson.GetBytes(body, "usage.completion_tokens").Int(); int64(e.InputTokens) != in || int64(e.OutputTokens) != out || in == 0 {
		t.Errorf("tokens %d/%d, client told %d/%d", e.InputTokens, e.OutputTokens, in, out)
	}
	raw := adminRaw(t, base+"/admin/api/requests/"+id)
	if strings.Contains(raw, "private words") || strings.Contains(raw, "_body") || strings.Contains(raw, created.Key) {
		t.Errorf("log.prompts is off, yet: %s", raw)
	}

	var prov struct {
		Targets []struct {
			Model, Provider, Breaker string
			ErrorRate                float64 `json:"error_rate"`
		}
	}
	if s := admin(t, http.MethodGet, base+"/admin/api/providers", master, "", &prov); s != 200 {
		t.Fatalf("providers: %d", s)
	}
	rates := map[string]float64{}
	for _, tg := range prov.Targets {
		if tg.Model == "resilient" {
			rates[tg.Provider] = tg.ErrorRate
			if tg.Breaker != "closed" {
				t.Errorf("one failure opened a breaker: %+v", tg)
			}
		}
	}
	if len(rates) != 3 || rates["dead"] <= 0 || rates["sim-openai"] <= 0 || rates["sim-anthropic"] != 0 {
		t.Errorf("resilient targets' error rates %v", rates)
	}
}

// adminRaw is a GET on the admin API with the master key, as text.
func adminRaw(t *testing.T, url string) string {
	t.Helper()
	var v any
	if s := admin(t, http.MethodGet, url, master, "", &v); s != 200 {
		t.Fatalf("GET %s: %d", url, s)
	}
	b, _ := json.Marshal(v)
	return string(b)
}
