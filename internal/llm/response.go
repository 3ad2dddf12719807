package llm

// StopReason is why the model stopped, in canonical (Anthropic-like) terms.
type StopReason string

const (
	StopEndTurn       StopReason = "end_turn"      // OpenAI "stop"
	StopMaxTokens     StopReason = "max_tokens"    // OpenAI "length"
	StopSequence      StopReason = "stop_sequence" // OpenAI "stop"
	StopToolUse       StopReason = "tool_use"      // OpenAI "tool_calls"
	StopContentFilter StopReason = "content_filter"
	StopRefusal       StopReason = "refusal"
	StopPauseTurn     StopReason = "pause_turn"
)

// Response is a complete, non-streamed reply.
type Response struct {
	ID    string
	Model string // the upstream model that answered
	// Created is a Unix time in seconds; 0 when the upstream gave none.
	Created      int64
	Content      []Part
	StopReason   StopReason
	StopSequence string
	Usage        Usage
}

// Usage is token accounting for one call. See the package doc for how the
// counts nest.
type Usage struct {
	InputTokens      int
	OutputTokens     int
	CacheReadTokens  int
	CacheWriteTokens int
	ReasoningTokens  int
}

// UncachedInputTokens is the prompt tokens neither read from nor written to
// the cache: Anthropic's input_tokens.
func (u Usage) UncachedInputTokens() int {
	n := u.InputTokens - u.CacheReadTokens - u.CacheWriteTokens
	if n < 0 {
		return 0
	}
	return n
}

// TotalTokens is input plus output.
func (u Usage) TotalTokens() int { return u.InputTokens + u.OutputTokens }

// IsZero reports whether no count is set.
func (u Usage) IsZero() bool { return u == Usage{} }
