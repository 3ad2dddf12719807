package sim

import (
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/railyard-ai/railyard/internal/llm"
)

// promptDigest feeds the request's prompt to a digest in the order a
// provider caches it (tools, then system, then messages), with a marker
// token per role and per part kind so that structure costs tokens too.
// Images and documents cost their marker plus the tokens of their URL or
// data, so that different images never share a cache block.
func promptDigest(salt string, req *llm.Request) *digest {
	d := newDigest(salt)
	for _, tool := range req.Tools {
		d.add("<tool>")
		d.addText(tool.Name)
		d.addText(tool.Description)
		d.addText(string(tool.Parameters))
	}
	if len(req.System) > 0 {
		d.add("<system>")
		for _, p := range req.System {
			d.addText(p.Text)
		}
	}
	for _, m := range req.Messages {
		d.add("<" + string(m.Role) + ">")
		for _, p := range m.Content {
			partTokens(d, p)
		}
	}
	return d
}

func partTokens(d *digest, p llm.Part) {
	switch p.Type {
	case llm.PartImage, llm.PartDocument:
		d.add("<" + string(p.Type) + ">")
		if p.Media != nil {
			d.addText(p.Media.URL)
			d.addText(p.Media.Data)
		}
	case llm.PartToolCall:
		d.add("<tool_call>")
		if p.ToolCall != nil {
			d.addText(p.ToolCall.Name)
			d.addText(p.ToolCall.Arguments)
		}
	case llm.PartToolResult:
		d.add("<tool_result>")
		if p.ToolResult != nil {
			for _, q := range p.ToolResult.Content {
				partTokens(d, q)
			}
		}
	case llm.PartReasoning:
		// Thinking sent back is part of the prompt as the model sees it.
		d.addText(p.Text)
		d.addText(p.Redacted)
	default:
		d.addText(p.Text)
	}
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
