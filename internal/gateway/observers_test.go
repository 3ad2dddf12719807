package gateway

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

type tracingRequest struct{ *recordingRequest }

func (tracingRequest) TraceID() string { return "trace-1" }

type tracingObserver struct{ recordingObserver }

func (o *tracingObserver) StartRequest(r *http.Request, s RequestStart) RequestObserver {
	return tracingRequest{o.recordingObserver.StartRequest(r, s).(*recordingRequest)}
}

func TestObserversCombine(t *testing.T) {
	if Observers() != nil || Observers(nil, nil) != nil {
		t.Error("no observers must stay nil, so the pipeline skips them")
	}
	one := &recordingObserver{}
	if Observers(nil, one) != Observer(one) {
		t.Error("a single observer must not be wrapped")
	}
	a := newUpstream(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		w.WriteHeader(529)
		io.WriteString(w, overloaded)
	})
	b := newUpstream(t, func(w http.ResponseWriter, r *http.Request, _ []byte) { io.WriteString(w, anthropicReply) })
	g := newGateway(t, target{"a", "anthropic", a.URL, "claude-a"}, target{"b", "anthropic", b.URL, "claude-b"})
	first, second := &recordingObserver{}, &tracingObserver{}
	g.obs = Observers(first, second)
	if rec := serveOpenAI(g, `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}`); rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	for _, o := range []*recordingObserver{first, &second.recordingObserver} {
		if len(o.dialects) != 1 || len(o.attempts) != 2 || len(o.results) != 2 || len(o.ends) != 1 ||
			o.ends[0].Route != "failover: a 529 -> b ok" || o.ends[0].ID == "" {
			t.Errorf("observer saw %d requests, %d attempts, %d results, ends %+v", len(o.dialects), len(o.attempts), len(o.results), o.ends)
		}
	}
	if id := (&multiRequest{qs: []RequestObserver{&recordingRequest{first}, tracingRequest{}}}).TraceID(); id != "trace-1" {
		t.Errorf("trace id %q: the access log must still name the trace", id)
	}
}

func TestSummaryBodiesOnlyWithPrompts(t *testing.T) {
	u := newUpstream(t, func(w http.ResponseWriter, r *http.Request, _ []byte) { io.WriteString(w, anthropicReply) })
	const req = `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"the prompt"}]}`
	for _, prompts := range []bool{false, true} {
		g := newGateway(t, target{"a", "anthropic", u.URL, "x"})
		g.prompts = prompts
		obs := &recordingObserver{}
		g.obs = obs
		rec := serveOpenAI(g, req)
		if rec.Code != 200 {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		s := obs.ends[0]
		if !prompts {
			if s.RequestBody != nil || s.ResponseBody != nil {
				t.Error("prompts off, yet the summary carries bodies")
			}
			continue
		}
		if string(s.RequestBody) != req || string(s.ResponseBody) != rec.Body.String() {
			t.Errorf("bodies %q / %q, reply %q", s.RequestBody, s.ResponseBody, rec.Body)
		}
	}
}

func TestSummaryCarriesErrorAndCapsCapture(t *testing.T) {
	u := newUpstream(t, func(w http.ResponseWriter, r *http.Request, _ []byte) { io.WriteString(w, anthropicReply) })
	g := newGateway(t, target{"a", "anthropic", u.URL, "x"})
	g.prompts = true
	obs := &recordingObserver{}
	g.obs = obs
	big := `{"model":"nope","messages":[{"role":"user","content":"` + strings.Repeat("y", 2*CaptureLimit) + `"}]}`
	if rec := serveOpenAI(g, big); rec.Code != 404 {
		t.Fatalf("status %d", rec.Code)
	}
	s := obs.ends[0]
	if !strings.Contains(s.Error, "not served here") || len(s.RequestBody) != CaptureLimit || !strings.Contains(string(s.ResponseBody), "not served here") {
		t.Errorf("error %q, request body %d bytes, response %q", s.Error, len(s.RequestBody), s.ResponseBody)
	}
}

func TestEmbeddingsCaptureWithPrompts(t *testing.T) {
	const reply = `{"object":"list","data":[{"object":"embedding","index":0,"embedding":[1,0]}],"model":"e","usage":{"prompt_tokens":4,"total_tokens":4}}`
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request, body []byte) { io.WriteString(w, reply) })
	g := newGateway(t, target{"up", "openai-compatible", up.URL + "/v1", "e"})
	g.prompts = true
	obs := &recordingObserver{}
	g.obs = obs
	const req = `{"model":"m","input":["hello"]}`
	if rec := serveEmbed(g, req); rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if s := obs.ends[0]; string(s.RequestBody) != req || !strings.Contains(string(s.ResponseBody), `"embedding"`) {
		t.Errorf("bodies %q / %q", s.RequestBody, s.ResponseBody)
	}
}

// A stream that broke after its first byte reached the client ends with
// an error event; the summary names that error.
func TestSummaryCarriesInStreamError(t *testing.T) {
	u := newUpstream(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		w.Header().Set("Content-Type", "text/event-stream")
		first := strings.SplitAfterN(openAIStream, "\n\n", 3)
		io.WriteString(w, first[0]+first[1])
	})
	g := newGateway(t, target{"u", "openai", u.URL, "x"})
	obs := &recordingObserver{}
	g.obs = obs
	if rec := serveOpenAI(g, `{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}`); rec.Code != 200 {
		t.Fatalf("status %d", rec.Code)
	}
	if s := obs.ends[0]; s.Status < 400 || s.Error == "" {
		t.Errorf("status %d error %q", s.Status, s.Error)
	}
}

type nopObserver struct{}

func (nopObserver) StartRequest(*http.Request, RequestStart) RequestObserver { return nopObserver{} }
func (nopObserver) StartAttempt(Attempt) AttemptObserver                     { return nopAttempt{} }
func (nopObserver) End(Summary)                                              {}

type nopAttempt struct{}

func (nopAttempt) Inject(http.Header) {}
func (nopAttempt) End(AttemptResult)  {}

// TestObserversAllocations: combining observers costs one allocation per
// request, its first attempt included, and one per further attempt, for up
// to inlineObservers of them; more still work.
func TestObserversAllocations(t *testing.T) {
	o := Observers(nopObserver{}, nopObserver{})
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	for attempts, want := range []float64{1: 1, 2: 2, 3: 3} {
		if attempts == 0 {
			continue
		}
		if n := testing.AllocsPerRun(100, func() {
			q := o.StartRequest(r, RequestStart{})
			for range attempts {
				q.StartAttempt(Attempt{}).End(AttemptResult{})
			}
			q.End(Summary{})
		}); n != want {
			t.Errorf("%v allocations per request with %d attempts, want %v", n, attempts, want)
		}
	}
	many := make([]Observer, inlineObservers+2)
	for i := range many {
		many[i] = &recordingObserver{}
	}
	q := Observers(many...).StartRequest(r, RequestStart{})
	q.StartAttempt(Attempt{}).End(AttemptResult{})
	q.End(Summary{})
	for i, o := range many {
		if rec := o.(*recordingObserver); len(rec.ends) != 1 || len(rec.results) != 1 {
			t.Errorf("observer %d missed calls", i)
		}
	}
}
