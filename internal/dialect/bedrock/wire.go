package bedrock

import "encoding/json"

// The wire types of the Converse API (bedrock-runtime, 2023-09-30), shared by
// both directions. Unions (ContentBlock, ToolResultContentBlock, ...) are
// structs of optional members of which exactly one is set.

type wireRequest struct {
	Messages        []wireMessage    `json:"messages"`
	System          []wireSystem     `json:"system,omitempty"`
	InferenceConfig *inferenceConfig `json:"inferenceConfig,omitempty"`
	ToolConfig      *toolConfig      `json:"toolConfig,omitempty"`
	// AdditionalModelRequestFields carries model-specific knobs: railyard
	// reads and writes Anthropic's thinking and top_k there.
	AdditionalModelRequestFields json.RawMessage `json:"additionalModelRequestFields,omitempty"`

	// Only the fast path can honour these; a request that uses them is
	// NativeOnly.
	GuardrailConfig json.RawMessage `json:"guardrailConfig,omitempty"`
	PromptVariables json.RawMessage `json:"promptVariables,omitempty"`

	// Dropped on translation (documented in the package doc).
	AdditionalModelResponseFieldPaths json.RawMessage `json:"additionalModelResponseFieldPaths,omitempty"`
	RequestMetadata                   json.RawMessage `json:"requestMetadata,omitempty"`
	PerformanceConfig                 json.RawMessage `json:"performanceConfig,omitempty"`
	ServiceTier                       json.RawMessage `json:"serviceTier,omitempty"`
}

type wireMessage struct {
	Role    string      `json:"role"`
	Content []wireBlock `json:"content"`
}

// wireBlock is the ContentBlock union.
type wireBlock struct {
	Text             *string         `json:"text,omitempty"`
	Image            *wireImage      `json:"image,omitempty"`
	Document         *wireDocument   `json:"document,omitempty"`
	ToolUse          *wireToolUse    `json:"toolUse,omitempty"`
	ToolResult       *wireToolResult `json:"toolResult,omitempty"`
	ReasoningContent *wireReasoning  `json:"reasoningContent,omitempty"`
	CachePoint       *wireCachePoint `json:"cachePoint,omitempty"`
	// Members railyard does not translate.
	GuardContent     json.RawMessage `json:"guardContent,omitempty"`
	Video            json.RawMessage `json:"video,omitempty"`
	CitationsContent json.RawMessage `json:"citationsContent,omitempty"`
}

// unknown reports a block with no member railyard knows.
func (b *wireBlock) unknown() bool {
	return b.Text == nil && b.Image == nil && b.Document == nil && b.ToolUse == nil && b.ToolResult == nil &&
		b.ReasoningContent == nil && b.CachePoint == nil && b.GuardContent == nil && b.Video == nil && b.CitationsContent == nil
}

type wireSource struct {
	// Bytes is base64 in JSON, as the REST API carries blobs.
	Bytes      string          `json:"bytes,omitempty"`
	S3Location *wireS3Location `json:"s3Location,omitempty"`
	// Text is a document's plain-text source.
	Text *string `json:"text,omitempty"`
}

type wireS3Location struct {
	URI         string `json:"uri"`
	BucketOwner string `json:"bucketOwner,omitempty"`
}

type wireImage struct {
	Format string     `json:"format"`
	Source wireSource `json:"source"`
}

type wireDocument struct {
	Format string     `json:"format,omitempty"`
	Name   string     `json:"name"`
	Source wireSource `json:"source"`
}

type wireToolUse struct {
	ToolUseID string          `json:"toolUseId"`
	Name      string          `json:"name"`
	Input     json.RawMessage `json:"input"`
}

type wireToolResult struct {
	ToolUseID string            `json:"toolUseId"`
	Content   []wireResultBlock `json:"content"`
	Status    string            `json:"status,omitempty"`
}

// wireResultBlock is the ToolResultContentBlock union.
type wireResultBlock struct {
	Text     *string         `json:"text,omitempty"`
	JSON     json.RawMessage `json:"json,omitempty"`
	Image    *wireImage      `json:"image,omitempty"`
	Document *wireDocument   `json:"document,omitempty"`
	Video    json.RawMessage `json:"video,omitempty"`
}

type wireReasoning struct {
	ReasoningText   *wireReasoningText `json:"reasoningText,omitempty"`
	RedactedContent string             `json:"redactedContent,omitempty"`
}

type wireReasoningText struct {
	Text      string `json:"text"`
	Signature string `json:"signature,omitempty"`
}

type wireCachePoint struct {
	Type string `json:"type"`
}

// wireSystem is the SystemContentBlock union.
type wireSystem struct {
	Text         *string         `json:"text,omitempty"`
	CachePoint   *wireCachePoint `json:"cachePoint,omitempty"`
	GuardContent json.RawMessage `json:"guardContent,omitempty"`
}

type inferenceConfig struct {
	MaxTokens     *int     `json:"maxTokens,omitempty"`
	Temperature   *float64 `json:"temperature,omitempty"`
	TopP          *float64 `json:"topP,omitempty"`
	StopSequences []string `json:"stopSequences,omitempty"`
}

type toolConfig struct {
	Tools      []wireTool      `json:"tools"`
	ToolChoice *wireToolChoice `json:"toolChoice,omitempty"`
}

// wireTool is the Tool union: a toolSpec or a cache point after the tools
// before it.
type wireTool struct {
	ToolSpec   *toolSpec       `json:"toolSpec,omitempty"`
	CachePoint *wireCachePoint `json:"cachePoint,omitempty"`
}

type toolSpec struct {
	Name        string      `json:"name"`
	Description string      `json:"description,omitempty"`
	InputSchema inputSchema `json:"inputSchema"`
}

type inputSchema struct {
	JSON json.RawMessage `json:"json"`
}

type wireToolChoice struct {
	Auto *struct{}      `json:"auto,omitempty"`
	Any  *struct{}      `json:"any,omitempty"`
	Tool *toolChoiceOne `json:"tool,omitempty"`
}

type toolChoiceOne struct {
	Name string `json:"name"`
}

type wireResponse struct {
	Output     wireOutput   `json:"output"`
	StopReason string       `json:"stopReason"`
	Usage      *wireUsage   `json:"usage,omitempty"`
	Metrics    *wireMetrics `json:"metrics,omitempty"`
}

type wireOutput struct {
	Message *wireMessage `json:"message,omitempty"`
}

// wireUsage is TokenUsage. inputTokens counts only the prompt tokens that
// were neither read from nor written to the cache (Anthropic's convention);
// totalTokens counts all of them plus the output.
type wireUsage struct {
	InputTokens           int  `json:"inputTokens"`
	OutputTokens          int  `json:"outputTokens"`
	TotalTokens           int  `json:"totalTokens"`
	CacheReadInputTokens  *int `json:"cacheReadInputTokens,omitempty"`
	CacheWriteInputTokens *int `json:"cacheWriteInputTokens,omitempty"`
}

type wireMetrics struct {
	LatencyMs int64 `json:"latencyMs"`
}

// Stream event payloads (ConverseStreamOutput members). Each arrives as one
// eventstream message whose :event-type header names it.

type streamMessageStart struct {
	Role string `json:"role"`
}

type streamBlockStart struct {
	ContentBlockIndex *int `json:"contentBlockIndex"`
	Start             *struct {
		ToolUse *struct {
			ToolUseID string `json:"toolUseId"`
			Name      string `json:"name"`
		} `json:"toolUse,omitempty"`
	} `json:"start"`
}

type streamBlockDelta struct {
	ContentBlockIndex *int `json:"contentBlockIndex"`
	Delta             *struct {
		Text    *string `json:"text,omitempty"`
		ToolUse *struct {
			Input string `json:"input"`
		} `json:"toolUse,omitempty"`
		ReasoningContent *struct {
			Text            string `json:"text,omitempty"`
			Signature       string `json:"signature,omitempty"`
			RedactedContent string `json:"redactedContent,omitempty"`
		} `json:"reasoningContent,omitempty"`
	} `json:"delta"`
}

type streamBlockStop struct {
	ContentBlockIndex *int `json:"contentBlockIndex"`
}

type streamMessageStop struct {
	StopReason string `json:"stopReason"`
}

type streamMetadata struct {
	Usage   *wireUsage   `json:"usage"`
	Metrics *wireMetrics `json:"metrics,omitempty"`
}
