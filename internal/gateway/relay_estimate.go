package gateway

import (
	"sync"

	"github.com/railyard-ai/railyard/internal/dialect"
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
//     carries the input counts, Gemini's chunks their usageMetadata:
//     dialect.PartialUsager), else the routing estimate of the prompt,
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

// The buffers come from one pool per size, smallest first, and a stream's
// text moves to the next size when it fills one. Buffers start small:
// most streams end with the upstream's usage and never count their text,
// and an open stream waits holding its buffer (1 KiB each had been a
// sixtieth of an open stream's memory). One pool for every size gave
// buffers back as grown as their stream had left them, so a new stream
// could wait holding the 16 KiB of an earlier long reply; now a stream
// holds at most four times its text (and never more than replyTextMax),
// and a long reply's growth is still recycled.
var replyTextSizes = [...]int{256, 1 << 10, 4 << 10, replyTextMax}

var replyTextPools [len(replyTextSizes)]sync.Pool

// replyTextGet returns an empty buffer of replyTextSizes[size] bytes.
func replyTextGet(size int) *[]byte {
	if p, ok := replyTextPools[size].Get().(*[]byte); ok {
		return p
	}
	b := make([]byte, 0, replyTextSizes[size])
	return &b
}

// replyTextSize is the index in replyTextSizes of a buffer's capacity, -1
// for none.
func replyTextSize(capacity int) int {
	for i, n := range replyTextSizes {
		if n == capacity {
			return i
		}
	}
	return -1
}

// replyTextPut gives p, holding buf, back to the pool of its size.
func replyTextPut(p *[]byte, buf []byte) {
	if i := replyTextSize(cap(buf)); i >= 0 {
		*p = buf[:0]
		replyTextPools[i].Put(p)
	}
}

// replyText is the text a stream relayed, for counting it if the stream
// ends early. Its zero value is empty and holds no buffer.
type replyText struct {
	buf     []byte  // the text kept, in *pooled's array
	pooled  *[]byte // from replyTextPools once the first text came
	dropped int     // bytes of text that came once buf was full
}

// add notes s, one delta's text. It inlines into the relay's event loop
// (keep it under the inlining budget): a delta that fits costs a length
// check and a copy; a full buffer sends every delta to addSlow.
func (t *replyText) add(s string) {
	if len(t.buf)+len(s) <= cap(t.buf) {
		t.buf = append(t.buf, s...)
		return
	}
	t.addSlow(s)
}

// addSlow takes a buffer from the pools, moves to the next size, or,
// once it holds replyTextMax bytes, keeps no more.
func (t *replyText) addSlow(s string) {
	if t.pooled == nil {
		t.pooled = replyTextGet(0)
		t.buf = (*t.pooled)[:0]
	}
	for len(t.buf)+len(s) > cap(t.buf) && cap(t.buf) < replyTextMax {
		next := replyTextGet(replyTextSize(cap(t.buf)) + 1)
		buf := append((*next)[:0], t.buf...)
		replyTextPut(t.pooled, t.buf)
		t.pooled, t.buf = next, buf
	}
	keep := min(len(s), replyTextMax-len(t.buf))
	t.buf = append(t.buf, s[:keep]...)
	t.dropped += len(s) - keep
	if len(t.buf) == replyTextMax {
		t.buf = t.buf[:len(t.buf):len(t.buf)] // full: every add comes here
	}
}

// tokens counts the text with e's tokenizer, scaled by length when only
// its beginning was kept.
func (t *replyText) tokens(e *route.Estimator) int {
	kept := len(t.buf)
	if kept == 0 {
		return 0
	}
	n := e.TextTokens(string(t.buf))
	if t.dropped > 0 {
		n = int(int64(n) * int64(kept+t.dropped) / int64(kept))
	}
	return n
}

// release returns the buffer to the pool of its size.
func (t *replyText) release() {
	if t.pooled == nil {
		return
	}
	replyTextPut(t.pooled, t.buf)
	t.pooled, t.buf, t.dropped = nil, nil, 0
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
		if p, ok := s.dec.(dialect.PartialUsager); ok {
			if pu, ok := p.PartialUsage(); ok && !pu.IsZero() {
				u = pu // Gemini's latest usageMetadata
			}
		}
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
