package sim

import (
	"crypto/sha256"
	"encoding/base64"
	"math/rand/v2"
	"strings"

	"github.com/railyard-ai/railyard/internal/llm"
)

// block is one content block of a planned reply: the part it starts with
// and the deltas (one token each) that fill in its text or arguments.
type block struct {
	part      llm.Part // Type; ToolCall with ID and Name for tool calls
	pieces    []string
	signature string // reasoning blocks only
}

// plan is a whole reply, decided before the first byte is sent so that
// streamed and complete replies carry the same content and usage.
type plan struct {
	blocks          []block
	stop            llm.StopReason
	stopSeq         string
	outputTokens    int
	reasoningTokens int
}

// text returns block i's full text or arguments.
func (b block) text() string { return strings.Join(b.pieces, "") }

// idPrefixes are what the dialect's real provider calls its ids.
type idPrefixes struct{ message, toolCall string }

var prefixesByDialect = map[string]idPrefixes{
	"openai":    {message: "chatcmpl-", toolCall: "call_"},
	"anthropic": {message: "msg_", toolCall: "toolu_"},
	"gemini":    {message: "", toolCall: "call_"},
	"bedrock":   {message: "", toolCall: "tooluse_"},
}

// planner holds what buildPlan needs besides the request.
type planner struct {
	m      *model
	ids    *rand.Rand // per-request draws: ids
	text   *rand.Rand // seeded by the prompt: lorem words
	prefix idPrefixes
}

// buildPlan decides the reply to req. Reasoning (when asked for) comes
// first; then either tool calls or text. The request's max tokens caps the
// total: reasoning and text are cut, tool calls are sent whole or not at
// all (a cut call would be invalid JSON), and the stop reason becomes
// max_tokens.
func (p planner) buildPlan(req *llm.Request) plan {
	budget := req.MaxTokens
	if budget <= 0 {
		budget = int(^uint(0) >> 1)
	}
	var pl plan
	pl.stop = llm.StopEndTurn
	take := func(ps []string) []string {
		left := budget - pl.outputTokens
		if len(ps) > left {
			ps = ps[:left]
			pl.stop = llm.StopMaxTokens
		}
		pl.outputTokens += len(ps)
		return ps
	}

	if n := p.reasoningLength(req); n > 0 {
		ps := take(lorem(p.text, n, "Let me think."))
		pl.reasoningTokens = len(ps)
		pl.blocks = append(pl.blocks, block{
			part:      llm.Part{Type: llm.PartReasoning},
			pieces:    ps,
			signature: signature(strings.Join(ps, "")),
		})
		if pl.stop == llm.StopMaxTokens {
			return pl
		}
	}

	if calls := p.toolCalls(req); len(calls) > 0 {
		for _, c := range calls {
			if pl.outputTokens+len(c.pieces) > budget {
				pl.stop = llm.StopMaxTokens
				return pl
			}
			pl.outputTokens += len(c.pieces)
			pl.blocks = append(pl.blocks, c)
		}
		pl.stop = llm.StopToolUse
		return pl
	}

	ps := p.replyText(req)
	ps, pl.stopSeq = applyStop(ps, req.Stop)
	if pl.stopSeq != "" {
		pl.stop = llm.StopSequence
	}
	ps = take(ps)
	if len(ps) > 0 || len(pl.blocks) == 0 {
		pl.blocks = append(pl.blocks, block{part: llm.Part{Type: llm.PartText}, pieces: ps})
	}
	return pl
}

func (p planner) reasoningLength(req *llm.Request) int {
	r := req.Reasoning
	if r == nil || r.Disabled || r.Effort == "none" || p.m.reasoning <= 0 {
		return 0
	}
	n := p.m.reasoning
	if r.BudgetTokens > 0 && r.BudgetTokens < n {
		n = r.BudgetTokens
	}
	return n
}

// toolCalls returns the tool-call blocks for req, or none when the model
// answers in text: tools are never, the request offers none, forbids them,
// or its last user turn carries tool results (the model then answers).
func (p planner) toolCalls(req *llm.Request) []block {
	if p.m.tools != "auto" || len(req.Tools) == 0 {
		return nil
	}
	tc := req.ToolChoice
	if tc != nil && tc.Mode == llm.ToolChoiceNone {
		return nil
	}
	if _, results := lastUserTurn(req); results {
		return nil
	}
	var chosen []llm.Tool
	if tc != nil && tc.Mode == llm.ToolChoiceTool {
		for _, t := range req.Tools {
			if t.Name == tc.Name {
				chosen = append(chosen, t)
				break
			}
		}
		if len(chosen) == 0 {
			return nil
		}
	} else {
		n := p.m.parallel
		if n < 1 || (req.ParallelToolCalls != nil && !*req.ParallelToolCalls) || (tc != nil && tc.DisableParallel) {
			n = 1
		}
		chosen = req.Tools[:min(n, len(req.Tools))]
	}
	out := make([]block, 0, len(chosen))
	for _, t := range chosen {
		out = append(out, block{
			part: llm.Part{Type: llm.PartToolCall, ToolCall: &llm.ToolCall{
				ID:   p.prefix.toolCall + randomID(p.ids, 24),
				Name: t.Name,
			}},
			pieces: pieces(argumentsFor(t.Parameters)),
		})
	}
	return out
}

// replyText is the text reply before stop sequences and max tokens.
func (p planner) replyText(req *llm.Request) []string {
	switch p.m.reply {
	case "fixed":
		return pieces(p.m.text)
	case "lorem":
		return lorem(p.text, p.m.outTokens, "")
	default: // echo
		text, _ := lastUserTurn(req)
		ps := pieces(strings.TrimLeft(text, " \t\r\n"))
		if len(ps) == 0 {
			return lorem(p.text, p.m.outTokens, "")
		}
		if len(ps) > p.m.outTokens {
			ps = ps[:p.m.outTokens]
		}
		return ps
	}
}

// applyStop cuts ps before the earliest stop sequence in its text and
// returns the sequence that matched, if any.
func applyStop(ps []string, stops []string) ([]string, string) {
	text := strings.Join(ps, "")
	at, seq := -1, ""
	for _, s := range stops {
		if s == "" {
			continue
		}
		if i := strings.Index(text, s); i >= 0 && (at < 0 || i < at) {
			at, seq = i, s
		}
	}
	if at < 0 {
		return ps, ""
	}
	var out []string
	pos := 0
	for _, p := range ps {
		if pos+len(p) <= at {
			out = append(out, p)
			pos += len(p)
			continue
		}
		if rest := p[:at-pos]; strings.TrimSpace(rest) != "" {
			out = append(out, rest)
		}
		break
	}
	return out, seq
}

var loremWords = strings.Fields(`lorem ipsum dolor sit amet consectetur adipiscing elit sed do
eiusmod tempor incididunt ut labore et dolore magna aliqua enim ad minim veniam quis nostrud
exercitation ullamco laboris nisi aliquip ex ea commodo consequat duis aute irure in
reprehenderit voluptate velit esse cillum fugiat nulla pariatur excepteur sint occaecat
cupidatat non proident sunt culpa qui officia deserunt mollit anim id est laborum`)

// lorem returns n token pieces of lorem ipsum drawn from rng, starting with
// the tokens of lead when given: capitalised sentences of 5 to 12 words
// ending in a full stop.
func lorem(rng *rand.Rand, n int, lead string) []string {
	out := make([]string, 0, n)
	for _, p := range pieces(lead) {
		if len(out) < n {
			out = append(out, p)
		}
	}
	words, sentence := 0, 5+rng.IntN(8)
	for len(out) < n {
		if words == sentence {
			out = append(out, ".")
			words, sentence = 0, 5+rng.IntN(8)
			continue
		}
		w := loremWords[rng.IntN(len(loremWords))]
		if words == 0 {
			w = strings.ToUpper(w[:1]) + w[1:]
		}
		if len(out) > 0 {
			w = " " + w
		}
		out = append(out, w)
		words++
	}
	return out
}

// signature is a stand-in for a provider's reasoning signature: opaque,
// base64, and a pure function of the reasoning text.
func signature(text string) string {
	sum := sha256.Sum256([]byte("railyard-sim:" + text))
	return base64.StdEncoding.EncodeToString(sum[:])
}

const idAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func randomID(rng *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = idAlphabet[rng.IntN(len(idAlphabet))]
	}
	return string(b)
}
