package openai

import (
	"strconv"

	"github.com/railyard-ai/railyard/internal/llm"
)

// appendUsage appends the usage object of a stream's last chunk, byte for
// byte what json.Marshal(wireUsageOf(u)) writes (FuzzAppendUsage holds it
// to that), without reflection: encoding/json took two allocations and
// more work than a text delta's whole chunk, once per stream.
func appendUsage(dst []byte, u llm.Usage) []byte {
	dst = append(dst, `{"prompt_tokens":`...)
	dst = strconv.AppendInt(dst, int64(u.InputTokens), 10)
	dst = append(dst, `,"completion_tokens":`...)
	dst = strconv.AppendInt(dst, int64(u.OutputTokens), 10)
	dst = append(dst, `,"total_tokens":`...)
	dst = strconv.AppendInt(dst, int64(u.TotalTokens()), 10)
	dst = append(dst, `,"prompt_tokens_details":{"cached_tokens":`...)
	dst = strconv.AppendInt(dst, int64(u.CacheReadTokens), 10)
	dst = append(dst, `},"completion_tokens_details":{"reasoning_tokens":`...)
	dst = strconv.AppendInt(dst, int64(u.ReasoningTokens), 10)
	dst = append(dst, '}')
	if u.CacheWriteTokens != 0 {
		dst = append(dst, `,"cache_creation_input_tokens":`...)
		dst = strconv.AppendInt(dst, int64(u.CacheWriteTokens), 10)
	}
	return append(dst, '}')
}
