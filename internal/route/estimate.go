package route

import (
	"sync"

	"github.com/tiktoken-go/tokenizer"

	"github.com/railyard-ai/railyard/internal/llm"
)

// Estimator counts a request's prompt tokens with a real BPE tokenizer
// (OpenAI's o200k_base, its data embedded in the binary by
// github.com/tiktoken-go/tokenizer), not a characters/4 guess. Other
// families tokenize differently, but within a few percent for routing
// decisions (cost, context window, tpm), and the same count for every
// target keeps their comparison fair. The codec loads on first use.
type Estimator struct {
	once  sync.Once
	codec tokenizer.Codec
	memo  countMemo
}

// Per-item overheads in tokens, as OpenAI documents for chat formatting,
// and a flat charge per image (a 1024x1024 image at high detail is ~765
// tokens on OpenAI and ~1,600 on Anthropic).
const (
	tokensPerMessage = 4
	tokensPerTool    = 8
	tokensPerImage   = 1000
)

// Warm loads the tokenizer's data now (tens of milliseconds) instead of
// in the first request's path.
func (e *Estimator) Warm() {
	e.once.Do(func() {
		c, err := tokenizer.Get(tokenizer.O200kBase)
		if err == nil {
			e.codec = c
		}
	})
}

func (e *Estimator) countBPE(s string) int {
	if s == "" {
		return 0
	}
	e.Warm()
	if e.codec == nil {
		return (len(s) + 3) / 4
	}
	n, err := e.codec.Count(s)
	if err != nil {
		return (len(s) + 3) / 4
	}
	return n
}

// InputTokens estimates the prompt tokens of req: system text, every
// message's text, tool calls and results, and tool definitions.
func (e *Estimator) InputTokens(req *llm.Request) int {
	n := 3 // the reply's priming
	for _, p := range req.System {
		n += e.count(p.Text)
	}
	for _, m := range req.Messages {
		n += tokensPerMessage + e.parts(m.Content)
	}
	for _, t := range req.Tools {
		n += tokensPerTool + e.count(t.Name) + e.count(t.Description) + e.count(string(t.Parameters))
	}
	if f := req.ResponseFormat; f != nil {
		n += e.count(string(f.Schema))
	}
	return n
}

func (e *Estimator) parts(ps []llm.Part) int {
	n := 0
	for _, p := range ps {
		n += e.count(p.Text)
		switch {
		case p.Type == llm.PartImage || p.Type == llm.PartDocument:
			n += tokensPerImage
		case p.ToolCall != nil:
			n += e.count(p.ToolCall.Name) + e.count(p.ToolCall.Arguments)
		case p.ToolResult != nil:
			n += e.parts(p.ToolResult.Content)
		}
	}
	return n
}
