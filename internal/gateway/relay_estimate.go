package gateway

import (
	"sync"

	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/route"
)

// A stream that ends before the upstream's final usage (the client
// stopped it, the upstream broke off, the idle timeout fired) was still
// billed by the provider: the prompt went upstream and tokens came back.
// Recording it with zero tokens and $0 would let budgets overspend and the
// ledger under-count, so the relay estimates the usage instead and marks
// it estimated:
//
//   - input: what the upstream already reported (Anthropic's message_start
//     carries the input counts), else the routing estimate of the prompt,
//     counted once by the planner's o200k tokenizer (exchange.promptTokens);
//   - output: the upstream's partial count or the tokens of the text,
//     reasoning and tool-argument deltas the relay decoded, whichever is
//     more (message_start's output_tokens is 1 however long the reply).
//
// Counting the deltas as they pass would put the tokenizer (~70ns a
// byte, its pre-tokenizing regular expression) on every event, though
// almost every stream ends with its usage and never needs the count. So
// the relay only appends each delta's text to a pooled buffer (a copy of
// a few bytes per event) and tokenizes it once, at an early end. The
// buffer keeps the first replyTextMax bytes: a longer reply's count is
// scaled by its byte length, so an open stream never holds more than that.

// replyTextMax bounds the reply text a stream keeps for its estimate.
const replyTextMax = 16 << 10

var replyTextPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// replyText is the text a stream relayed, for counting it if the stream
// ends early. Its zero value is empty and holds no buffer.
type replyText struct {
	buf   *[]byte // from replyTextPool once the first text came
	bytes int     // every byte of text seen, kept or not
}

// add notes s, one delta's text.
func (t *replyText) add(s string) {
	t.bytes += len(s)
	if t.buf == nil {
		t.buf = replyTextPool.Get().(*[]byte)
	}
	if room := replyTextMax - len(*t.buf); room > 0 {
		*t.buf = append(*t.buf, s[:min(len(s), room)]...)
	}
}

// tokens counts the text with e's tokenizer, scaled by length when only
// its beginning was kept.
func (t *replyText) tokens(e *route.Estimator) int {
	if t.buf == nil || len(*t.buf) == 0 {
		return 0
	}
	kept := len(*t.buf)
	n := e.TextTokens(string(*t.buf))
	if t.bytes > kept {
		n = int(int64(n) * int64(t.bytes) / int64(kept))
	}
	return n
}

// release returns the buffer to the pool.
func (t *replyText) release() {
	if t.buf == nil {
		return
	}
	*t.buf = (*t.buf)[:0]
	replyTextPool.Put(t.buf)
	t.buf = nil
}

// settledUsage is the stream's usage for the ledger, the logs and the
// price: the upstream's own when its final usage came (the stream ended
// with it), else an estimate, and then x.estimated is set.
func (s *streamRelay) settledUsage() llm.Usage {
	if s.done && !s.usage.IsZero() {
		return s.usage
	}
	u := s.usage // a message_delta's counts, cumulative, when one came
	if u.IsZero() {
		u = s.startUsage
	}
	if u.InputTokens == 0 {
		u.InputTokens = s.x.promptTokens
	}
	u.OutputTokens = max(u.OutputTokens, s.text.tokens(&s.g.planner.Estimator))
	s.x.estimated = true
	return u
}

// endEarly records the usage of a stream that reached the client and then
// ended in an error (client gone, upstream cut, idle timeout, an in-stream
// error): estimated, priced, and the cost in the trailer when the client
// is still there to read it. relayStream defers it.
func (s *streamRelay) endEarly(ae *attemptError) {
	defer s.text.release()
	if ae == nil || !ae.committed {
		return
	}
	s.x.usage = s.settledUsage()
	if s.x.model == "" {
		s.x.model = s.model
	}
	s.x.cost = ""
	s.g.price(s.x, s.t.Model)
	if s.x.cost != "" && !ae.clientGone {
		s.x.w.Header().Set(HeaderCost, s.x.cost)
	}
}
