package sim

import (
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/railyard-ai/railyard/internal/llm"
)

// promptTokens renders the request's prompt as tokens in the order a
// provider caches it (tools, then system, then messages), with a marker
// token per role and per part kind so that structure costs tokens too. Images
// and documents cost their marker plus the tokens of their URL or data,
// so that different images never share a cache block.
func promptTokens(req *llm.Request) []string {
	var t []string
	add := func(s string) { t = append(t, Tokenize(s)...) }
	for _, tool := range req.Tools {
		t = append(t, "<tool>")
		add(tool.Name)
		add(tool.Description)
		add(string(tool.Parameters))
	}
	if len(req.System) > 0 {
		t = append(t, "<system>")
		for _, p := range req.System {
			add(p.Text)
		}
	}
	for _, m := range req.Messages {
		t = append(t, "<"+string(m.Role)+">")
		for _, p := range m.Content {
			t = partTokens(t, p)
		}
	}
	return t
}

func partTokens(t []string, p llm.Part) []string {
	add := func(s string) { t = append(t, Tokenize(s)...) }
	switch p.Type {
	case llm.PartImage, llm.PartDocument:
		t = append(t, "<"+string(p.Type)+">")
		if p.Media != nil {
			add(p.Media.URL)
			add(p.Media.Data)
		}
	case llm.PartToolCall:
		t = append(t, "<tool_call>")
		if p.ToolCall != nil {
			add(p.ToolCall.Name)
			add(p.ToolCall.Arguments)
		}
	case llm.PartToolResult:
		t = append(t, "<tool_result>")
		if p.ToolResult != nil {
			for _, q := range p.ToolResult.Content {
				t = partTokens(t, q)
			}
		}
	case llm.PartReasoning:
		// Thinking sent back is part of the prompt as the model sees it.
		add(p.Text)
		add(p.Redacted)
	default:
		add(p.Text)
	}
	return t
}

// hasCacheHint reports whether any part of the request asks for prompt
// caching; only then does the simulator report cache-write tokens, as
// Anthropic does.
func hasCacheHint(req *llm.Request) bool {
	for _, tool := range req.Tools {
		if tool.Cache != nil {
			return true
		}
	}
	for _, p := range req.System {
		if p.Cache != nil {
			return true
		}
	}
	for _, m := range req.Messages {
		for _, p := range m.Content {
			if p.Cache != nil {
				return true
			}
		}
	}
	return false
}

// lastUserTurn returns the text of the last user message (tool results'
// text included) and whether that message carries tool results.
func lastUserTurn(req *llm.Request) (text string, toolResults bool) {
	for i := len(req.Messages) - 1; i >= 0; i-- {
		m := req.Messages[i]
		if m.Role != llm.RoleUser {
			continue
		}
		var b strings.Builder
		for _, p := range m.Content {
			switch {
			case p.Type == llm.PartText:
				sep(&b)
				b.WriteString(p.Text)
			case p.Type == llm.PartToolResult && p.ToolResult != nil:
				toolResults = true
				for _, q := range p.ToolResult.Content {
					if q.Type == llm.PartText {
						sep(&b)
						b.WriteString(q.Text)
					}
				}
			}
		}
		return b.String(), toolResults
	}
	return "", false
}

func sep(b *strings.Builder) {
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
}

// hashTokens is a stable 64-bit hash of a token list.
func hashTokens(salt string, tokens []string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(salt))
	for _, t := range tokens {
		h.Write([]byte{0})
		h.Write([]byte(t))
	}
	return h.Sum64()
}

// seedFor mixes the configured seed with a label and a number into one
// PRNG seed.
func seedFor(seed int64, label string, n uint64) uint64 {
	h := fnv.New64a()
	h.Write([]byte(strconv.FormatInt(seed, 10)))
	h.Write([]byte{0})
	h.Write([]byte(label))
	h.Write([]byte{0})
	h.Write([]byte(strconv.FormatUint(n, 10)))
	return h.Sum64()
}
