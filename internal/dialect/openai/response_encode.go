package openai

import (
	"crypto/rand"
	"encoding/json"
	"strings"
	"time"

	"github.com/railyard-ai/railyard/internal/llm"
)

// EncodeResponse renders resp as a chat.completion object.
func (Dialect) EncodeResponse(req *llm.Request, resp *llm.Response) ([]byte, error) {
	msg := responseMessage{Role: "assistant"}
	var text, refusal, reasoning strings.Builder
	var hasText, hasRefusal, hasReasoning bool
	for _, p := range resp.Content {
		switch p.Type {
		case llm.PartText:
			text.WriteString(p.Text)
			hasText = true
		case llm.PartRefusal:
			refusal.WriteString(p.Text)
			hasRefusal = true
		case llm.PartReasoning:
			// Redacted reasoning has no text a client could read; only its
			// presence would leak, so it is dropped.
			if p.Text != "" {
				reasoning.WriteString(p.Text)
				hasReasoning = true
			}
		case llm.PartToolCall:
			if p.ToolCall == nil {
				continue
			}
			msg.ToolCalls = append(msg.ToolCalls, wireToolCall{
				ID:       p.ToolCall.ID,
				Type:     "function",
				Function: wireFunction{Name: p.ToolCall.Name, Arguments: p.ToolCall.Arguments},
			})
		}
	}
	if hasText {
		msg.Content = ptr(flexText(text.String()))
	}
	if hasRefusal {
		msg.Refusal = ptr(refusal.String())
	}
	if hasReasoning {
		msg.ReasoningContent = ptr(reasoning.String())
	}
	out := chatCompletion{
		ID:      completionID(resp.ID),
		Object:  "chat.completion",
		Created: resp.Created,
		Model:   resp.Model,
		Choices: []choice{{
			Message:      msg,
			Logprobs:     json.RawMessage("null"),
			FinishReason: ptr(finishReason(resp.StopReason)),
		}},
		Usage: wireUsageOf(resp.Usage),
	}
	if out.Created == 0 {
		out.Created = time.Now().Unix()
	}
	if out.Model == "" && req != nil {
		out.Model = req.Model
	}
	return json.Marshal(out)
}

// finishReason maps a canonical stop reason to OpenAI's finish_reason.
func finishReason(r llm.StopReason) string {
	switch r {
	case llm.StopMaxTokens:
		return "length"
	case llm.StopToolUse:
		return "tool_calls"
	case llm.StopContentFilter, llm.StopRefusal:
		return "content_filter"
	default: // end_turn, stop_sequence, pause_turn, unknown
		return "stop"
	}
}

// wireUsageOf renders usage the way OpenAI does, details included. Cache
// writes (Anthropic) have no OpenAI field; LiteLLM's
// cache_creation_input_tokens carries them, only when non-zero.
func wireUsageOf(u llm.Usage) *wireUsage {
	return &wireUsage{
		PromptTokens:            u.InputTokens,
		CompletionTokens:        u.OutputTokens,
		TotalTokens:             u.TotalTokens(),
		PromptTokensDetails:     &promptTokensDetails{CachedTokens: u.CacheReadTokens},
		CompletionTokensDetails: &completionTokensDetails{ReasoningTokens: u.ReasoningTokens},
		CacheCreationTokens:     u.CacheWriteTokens,
	}
}

// completionID returns an OpenAI-looking id: the upstream id when it
// already is one, the upstream id prefixed otherwise, or a fresh one.
func completionID(id string) string {
	switch {
	case strings.HasPrefix(id, "chatcmpl-"):
		return id
	case id != "":
		return "chatcmpl-" + id
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	var b [29]byte
	copy(b[:], "chatcmpl-")
	rand.Read(b[9:]) // never fails (crypto/rand documents it)
	for i := 9; i < len(b); i++ {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b[:])
}

func ptr[T any](v T) *T { return &v }
