package anthropic

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"strings"

	"github.com/railyard-ai/railyard/internal/llm"
)

// EncodeResponse renders a complete reply as an Anthropic Message.
func (Dialect) EncodeResponse(req *llm.Request, resp *llm.Response) ([]byte, error) {
	model := resp.Model
	if model == "" && req != nil {
		model = req.Model
	}
	w := outResponse{
		ID:           messageID(resp.ID),
		Type:         "message",
		Role:         "assistant",
		Model:        model,
		Content:      make([]any, 0, len(resp.Content)),
		StopReason:   strPtr(string(stopReason(resp.StopReason))),
		StopSequence: strPtr(resp.StopSequence),
		Usage:        usageOut(resp.Usage),
	}
	for i := range resp.Content {
		if b := replyBlock(&resp.Content[i]); b != nil {
			w.Content = append(w.Content, b)
		}
	}
	b, err := marshal(w)
	if err != nil {
		return nil, llm.Errorf(500, llm.ErrAPI, "anthropic: encode response: %v", err)
	}
	return b, nil
}

// replyBlock converts an assistant part into a reply content block; parts
// that cannot appear in a reply (images, tool results) are dropped.
func replyBlock(p *llm.Part) any {
	switch p.Type {
	case llm.PartText, llm.PartRefusal:
		return textBlock{Type: "text", Text: p.Text}
	case llm.PartToolCall:
		if p.ToolCall == nil {
			return nil
		}
		return toolUseBlock{Type: "tool_use", ID: toolID(p.ToolCall.ID), Name: p.ToolCall.Name,
			Input: objectOr([]byte(p.ToolCall.Arguments), "{}")}
	case llm.PartReasoning:
		if p.Redacted != "" {
			return redactedThinkingBlock{Type: "redacted_thinking", Data: p.Redacted}
		}
		return thinkingBlock{Type: "thinking", Thinking: p.Text, Signature: p.Signature}
	}
	return nil
}

// stopReason maps a canonical stop reason to Anthropic's; the canonical
// names are Anthropic's, except content_filter.
func stopReason(s llm.StopReason) llm.StopReason {
	switch s {
	case llm.StopContentFilter:
		return llm.StopRefusal
	case "":
		return llm.StopEndTurn
	}
	return s
}

func usageOut(u llm.Usage) outUsage {
	return outUsage{
		InputTokens:              u.UncachedInputTokens(),
		CacheCreationInputTokens: u.CacheWriteTokens,
		CacheReadInputTokens:     u.CacheReadTokens,
		OutputTokens:             u.OutputTokens,
	}
}

// messageID keeps an upstream id recognisable while giving it Anthropic's
// msg_ prefix, or makes one up when the upstream gave none.
func messageID(id string) string {
	if strings.HasPrefix(id, "msg_") {
		return id
	}
	if id != "" {
		return "msg_" + id
	}
	return "msg_" + randomHex(12)
}

// toolID gives a tool call an id when the upstream gave none: Anthropic
// clients need one to send the result back.
func toolID(id string) string {
	if id != "" {
		return id
	}
	return "toolu_" + randomHex(12)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}

// DecodeResponse parses a provider's Message. A body that is not one is a
// 502: the upstream broke its contract, the client did nothing wrong.
func (Dialect) DecodeResponse(body []byte) (*llm.Response, error) {
	var w inResponse
	if !decodeResponseFast(body, &w) {
		w = inResponse{}
		if err := json.Unmarshal(body, &w); err != nil {
			return nil, badGateway("anthropic: malformed response: %v", err)
		}
	}
	if w.Type != "message" {
		return nil, badGateway("anthropic: response type %q, want message", w.Type)
	}
	resp := &llm.Response{ID: w.ID, Model: w.Model}
	if w.StopReason != nil {
		resp.StopReason = llm.StopReason(*w.StopReason)
	}
	if w.StopSequence != nil {
		resp.StopSequence = *w.StopSequence
	}
	if w.Usage != nil {
		resp.Usage = usageIn(llm.Usage{}, w.Usage)
	}
	for i := range w.Content {
		if p, ok := replyPart(&w.Content[i]); ok {
			resp.Content = append(resp.Content, p)
		}
	}
	return resp, nil
}

// replyPart converts a reply block. Block types railyard never asks for
// (server tool use and results, which need server tools) are dropped.
func replyPart(b *inBlock) (llm.Part, bool) {
	switch b.Type {
	case "text":
		return llm.Part{Type: llm.PartText, Text: deref(b.Text)}, true
	case "tool_use":
		args := string(bytes.TrimSpace(b.Input))
		if args == "" || args == "null" {
			args = "{}"
		}
		return llm.Part{Type: llm.PartToolCall, ToolCall: &llm.ToolCall{ID: b.ID, Name: b.Name, Arguments: args}}, true
	case "thinking":
		return llm.Part{Type: llm.PartReasoning, Text: deref(b.Thinking), Signature: deref(b.Signature)}, true
	case "redacted_thinking":
		return llm.Part{Type: llm.PartReasoning, Redacted: deref(b.Data)}, true
	}
	return llm.Part{}, false
}

// usageIn overlays the counts present in w onto u (Anthropic's split:
// input_tokens excludes cache reads and writes) and returns the canonical
// usage, where InputTokens counts every prompt token.
func usageIn(prev llm.Usage, w *inUsage) llm.Usage {
	uncached := prev.UncachedInputTokens()
	u := prev
	set := func(dst *int, v *int) {
		if v != nil {
			*dst = max(*v, 0) // a negative count is an upstream bug, not a refund
		}
	}
	set(&uncached, w.InputTokens)
	set(&u.CacheWriteTokens, w.CacheCreationInputTokens)
	set(&u.CacheReadTokens, w.CacheReadInputTokens)
	set(&u.OutputTokens, w.OutputTokens)
	if d := w.OutputTokensDetails; d != nil {
		set(&u.ReasoningTokens, d.ThinkingTokens)
	}
	u.InputTokens = uncached + u.CacheReadTokens + u.CacheWriteTokens
	return u
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
