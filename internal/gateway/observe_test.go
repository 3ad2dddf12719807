package gateway

import (
	"io"
	"net/http"
	"sync"
	"testing"
)

// recordingObserver keeps what the gateway reported.
type recordingObserver struct {
	mu       sync.Mutex
	dialects []string
	attempts []Attempt
	results  []AttemptResult
	ends     []Summary
}

func (o *recordingObserver) StartRequest(r *http.Request, s RequestStart) RequestObserver {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.dialects = append(o.dialects, s.Dialect+" "+s.Operation)
	return &recordingRequest{o}
}

type recordingRequest struct{ o *recordingObserver }

func (q *recordingRequest) StartAttempt(a Attempt) AttemptObserver {
	q.o.mu.Lock()
	defer q.o.mu.Unlock()
	q.o.attempts = append(q.o.attempts, a)
	return &recordingAttempt{q.o}
}

func (q *recordingRequest) End(s Summary) {
	q.o.mu.Lock()
	defer q.o.mu.Unlock()
	q.o.ends = append(q.o.ends, s)
}

type recordingAttempt struct{ o *recordingObserver }

func (a *recordingAttempt) Inject(h http.Header) { h.Set("X-Test-Trace", "injected") }

func (a *recordingAttempt) End(r AttemptResult) {
	a.o.mu.Lock()
	defer a.o.mu.Unlock()
	a.o.results = append(a.o.results, r)
}

func TestObserverSeesFailoverAttemptsAndSummary(t *testing.T) {
	a := newUpstream(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		w.WriteHeader(529)
		io.WriteString(w, overloaded)
	})
	var injected string
	b := newUpstream(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		injected = r.Header.Get("X-Test-Trace")
		io.WriteString(w, anthropicReply)
	})
	g := newGateway(t, target{"a", "anthropic", a.URL, "claude-a"}, target{"b", "anthropic", b.URL, "claude-b"})
	obs := &recordingObserver{}
	g.obs = obs
	if rec := serveOpenAI(g, `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}`); rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if injected != "injected" {
		t.Error("the attempt observer's headers did not reach the upstream")
	}
	if len(obs.dialects) != 1 || obs.dialects[0] != "openai chat" || len(obs.ends) != 1 {
		t.Fatalf("requests %v, ends %d", obs.dialects, len(obs.ends))
	}
	if len(obs.attempts) != 2 || obs.attempts[0].Provider != "a" || obs.attempts[1].Model != "claude-b" ||
		obs.attempts[1].Kind != "anthropic" || obs.attempts[1].Passthrough {
		t.Fatalf("attempts %+v", obs.attempts)
	}
	first, second := obs.results[0], obs.results[1]
	if first.Outcome != "529" || first.UpstreamStatus != 529 || first.Answered || first.Err == nil {
		t.Errorf("first attempt %+v", first)
	}
	if second.Outcome != "ok" || !second.Answered || second.Err != nil || second.Model != "claude-haiku-4-5" ||
		second.Usage.OutputTokens != 3 || second.StopReason != "end_turn" || second.Duration <= 0 {
		t.Errorf("second attempt %+v", second)
	}
	s := obs.ends[0]
	if s.Status != 200 || s.Provider != "b" || s.UpstreamModel != "claude-haiku-4-5" || s.Attempts != 2 ||
		s.Route != "failover: a 529 -> b ok" || s.Request == nil || s.Request.Model != "m" || s.Request.MaxTokens != 5 ||
		s.Usage.OutputTokens != 3 || s.StopReason != "end_turn" || s.Dialect != "openai" {
		t.Errorf("summary %+v", s)
	}
	if s.Upstream <= 0 || s.Duration < s.Upstream || s.FirstByte <= 0 {
		t.Errorf("timings: duration %v upstream %v first byte %v", s.Duration, s.Upstream, s.FirstByte)
	}
}

func TestObserverSeesRefusedRequestWithoutAttempts(t *testing.T) {
	u := newUpstream(t, func(w http.ResponseWriter, r *http.Request, _ []byte) { io.WriteString(w, anthropicReply) })
	g := newGateway(t, target{"a", "anthropic", u.URL, "x"})
	obs := &recordingObserver{}
	g.obs = obs
	if rec := serveAnthropic(g, `{"model":`); rec.Code != 400 {
		t.Fatalf("status %d", rec.Code)
	}
	if len(obs.attempts) != 0 || len(obs.ends) != 1 {
		t.Fatalf("attempts %d ends %d", len(obs.attempts), len(obs.ends))
	}
	if s := obs.ends[0]; s.Status != 400 || s.Request != nil || s.Attempts != 0 || s.Dialect != "anthropic" {
		t.Errorf("summary %+v", s)
	}
}

func TestObserverSeesStreamOnThePassthroughPath(t *testing.T) {
	u := newUpstream(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-x\",\"content\":[],\"stop_reason\":null,\"usage\":{\"input_tokens\":7,\"output_tokens\":1}}}\n\n"+
			"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"+
			"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n"+
			"event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"+
			"event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"max_tokens\"},\"usage\":{\"output_tokens\":2}}\n\n"+
			"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")
	})
	g := newGateway(t, target{"a", "anthropic", u.URL, "x"})
	obs := &recordingObserver{}
	g.obs = obs
	if rec := serveAnthropic(g, `{"model":"m","max_tokens":2,"stream":true,"messages":[{"role":"user","content":"hi"}]}`); rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if len(obs.attempts) != 1 || !obs.attempts[0].Stream || !obs.attempts[0].Passthrough {
		t.Fatalf("attempts %+v", obs.attempts)
	}
	r, s := obs.results[0], obs.ends[0]
	if !r.Answered || r.Usage.OutputTokens != 2 || r.StopReason != "max_tokens" || r.Model != "claude-x" {
		t.Errorf("attempt %+v", r)
	}
	if !s.Passthrough || s.StopReason != "max_tokens" || s.Usage.InputTokens != 7 || s.FirstByte <= 0 {
		t.Errorf("summary %+v", s)
	}
}

func TestObserverSeesEmbeddings(t *testing.T) {
	var injected string
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		injected = r.Header.Get("X-Test-Trace")
		w.Write([]byte(`{"object":"list","data":[{"object":"embedding","index":0,"embedding":[1,0]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":4,"total_tokens":4}}`))
	})
	g := newGateway(t, target{"up", "openai-compatible", up.URL + "/v1", "text-embedding-3-small"})
	obs := &recordingObserver{}
	g.obs = obs
	if rec := serveEmbed(g, `{"model":"m","input":["hello"]}`); rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if injected != "injected" || len(obs.dialects) != 1 || obs.dialects[0] != "openai embeddings" {
		t.Fatalf("injected %q, requests %v", injected, obs.dialects)
	}
	if len(obs.attempts) != 1 || obs.attempts[0].Operation != OperationEmbeddings || !obs.results[0].Answered {
		t.Fatalf("attempts %+v results %+v", obs.attempts, obs.results)
	}
	if s := obs.ends[0]; s.Operation != OperationEmbeddings || s.Status != 200 || s.Usage.InputTokens != 4 || s.Attempts != 1 || s.Provider != "up" {
		t.Errorf("summary %+v", s)
	}
}
