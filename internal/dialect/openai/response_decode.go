package openai

import (
	"encoding/json"

	"github.com/railyard-ai/railyard/internal/llm"
)

// DecodeResponse parses a provider's chat.completion. Only choices[0] is
// read: railyard always asks for one choice.
func (Dialect) DecodeResponse(body []byte) (*llm.Response, error) {
	var c chatCompletion
	if err := json.Unmarshal(body, &c); err != nil {
		return nil, upstreamError("malformed chat completion from upstream: %v", err)
	}
	if c.Error != nil && len(c.Choices) == 0 {
		return nil, inBandError(c.Error)
	}
	if len(c.Choices) == 0 {
		return nil, upstreamError("upstream chat completion has no choices")
	}
	ch := c.Choices[0]
	resp := &llm.Response{ID: c.ID, Model: c.Model, Created: c.Created, StopReason: stopReason(deref(ch.FinishReason))}
	m := ch.Message
	if r := reasoningText(m.ReasoningContent, m.Reasoning); r != "" {
		resp.Content = append(resp.Content, llm.Part{Type: llm.PartReasoning, Text: r})
	}
	if t := string(deref(m.Content)); t != "" {
		resp.Content = append(resp.Content, llm.Part{Type: llm.PartText, Text: t})
	}
	if r := deref(m.Refusal); r != "" {
		resp.Content = append(resp.Content, llm.Part{Type: llm.PartRefusal, Text: r})
	}
	for _, tc := range m.ToolCalls {
		resp.Content = append(resp.Content, llm.Part{Type: llm.PartToolCall, ToolCall: &llm.ToolCall{
			ID: tc.ID, Name: tc.Function.Name, Arguments: tc.Function.Arguments,
		}})
	}
	if c.Usage != nil {
		resp.Usage = usageOf(c.Usage)
	}
	return resp, nil
}

// reasoningText picks reasoning_content, or reasoning as vLLM, OpenRouter
// and Ollama name it.
func reasoningText(rc, r *string) string {
	if s := deref(rc); s != "" {
		return s
	}
	return deref(r)
}

// stopReason maps OpenAI's finish_reason to the canonical stop reason.
// Unknown reasons (and none) count as a normal end of turn.
func stopReason(fr string) llm.StopReason {
	switch fr {
	case "length":
		return llm.StopMaxTokens
	case "tool_calls", "function_call":
		return llm.StopToolUse
	case "content_filter":
		return llm.StopContentFilter
	default:
		return llm.StopEndTurn
	}
}

// usageOf converts wire usage. Cached prompt tokens come from
// prompt_tokens_details.cached_tokens or, on DeepSeek, from
// prompt_cache_hit_tokens; LiteLLM-style cache_creation_input_tokens is
// read back as cache writes.
func usageOf(w *wireUsage) llm.Usage {
	u := llm.Usage{
		InputTokens:      w.PromptTokens,
		OutputTokens:     w.CompletionTokens,
		CacheWriteTokens: w.CacheCreationTokens,
	}
	if d := w.PromptTokensDetails; d != nil {
		u.CacheReadTokens = d.CachedTokens
	}
	if u.CacheReadTokens == 0 {
		u.CacheReadTokens = w.PromptCacheHitTokens
	}
	if d := w.CompletionTokensDetails; d != nil {
		u.ReasoningTokens = d.ReasoningTokens
	}
	return u
}
