// Package llm is railyard's canonical representation of a model call: the
// hub that every dialect translates to and from. It is a superset of the
// dialects railyard speaks, so a field one dialect carries survives a trip
// through another wherever the other can express it.
//
// Conventions that every translator relies on:
//   - System and developer instructions live in Request.System, never in
//     Messages; Messages holds only user and assistant turns.
//   - A tool result is a Part of a user message (Anthropic's shape); OpenAI's
//     role "tool" messages are folded into it and unfolded on the way out.
//   - Usage.InputTokens counts every prompt token, cached or not (OpenAI's
//     convention); CacheReadTokens and CacheWriteTokens are subsets of it.
//     Usage.OutputTokens includes ReasoningTokens.
package llm

import "encoding/json"

// Role is the author of a message. Only user and assistant appear in
// Request.Messages; system text lives in Request.System.
type Role string

const (
	RoleUser      Role = "user"
	RoleAssistant Role = "assistant"
)

// Request is one model call in canonical form.
type Request struct {
	// Model is the name the client asked for; the gateway replaces it with
	// the upstream model name before a provider dialect encodes it.
	Model string
	// System holds system and developer instructions in order. Each part is
	// text; Developer marks parts that came from OpenAI's "developer" role.
	System   []Part
	Messages []Message

	Tools      []Tool
	ToolChoice *ToolChoice
	// ParallelToolCalls is nil when the client did not say.
	ParallelToolCalls *bool

	// MaxTokens is the output limit; 0 means the client set none.
	MaxTokens   int
	Temperature *float64
	TopP        *float64
	TopK        *int
	Stop        []string
	Seed        *int64

	PresencePenalty  *float64
	FrequencyPenalty *float64

	ResponseFormat *ResponseFormat
	Reasoning      *Reasoning

	Stream bool
	// StreamUsage reports whether the client wants usage in the stream.
	// Anthropic clients always get it; OpenAI clients only when they set
	// stream_options.include_usage. Providers are always asked for it.
	StreamUsage bool

	// User is the end-user identifier (OpenAI user, Anthropic metadata.user_id).
	User string

	// NativeOnly, when set, says why this request can only be served by a
	// provider of the client's own dialect: it uses something the canonical
	// IR cannot carry (Anthropic server tools or MCP servers, OpenAI audio
	// input). The fast path forwards the client's bytes, so such requests
	// still work there; the gateway skips every other target. The IR of
	// such a request omits the parts it could not represent.
	NativeOnly string
}

// Message is one turn of the conversation.
type Message struct {
	Role    Role
	Content []Part
	// Name is OpenAI's optional participant name; other dialects drop it.
	Name string
}

// PartType says which fields of a Part are set.
type PartType string

const (
	PartText       PartType = "text"
	PartImage      PartType = "image"
	PartDocument   PartType = "document"
	PartToolCall   PartType = "tool_call"
	PartToolResult PartType = "tool_result"
	// PartReasoning is model thinking: Text plus an opaque Signature that
	// must be sent back unchanged on the next turn, or Redacted data.
	PartReasoning PartType = "reasoning"
	PartRefusal   PartType = "refusal"
)

// Part is one piece of message content.
type Part struct {
	Type PartType
	// Text is the text of a text, reasoning or refusal part.
	Text string
	// Developer marks a system part that came from OpenAI's developer role.
	Developer bool

	// Media is set for image and document parts.
	Media *Media

	// ToolCall is set for tool_call parts (assistant turns).
	ToolCall *ToolCall
	// ToolResult is set for tool_result parts (user turns).
	ToolResult *ToolResult

	// Signature is the reasoning part's integrity signature (Anthropic).
	Signature string
	// Redacted is the opaque payload of a redacted reasoning part.
	Redacted string

	// Cache is the prompt-cache breakpoint hint on this part, if any.
	Cache *CacheControl
}

// Media is image or document data: inline bytes (base64 in Data) or a URL.
type Media struct {
	MediaType string // e.g. image/png, application/pdf
	Data      string // base64, without the data: prefix
	URL       string // http(s) URL when not inline
	// Detail is OpenAI's image detail hint (auto, low, high).
	Detail string
	// Title is a document's title (Anthropic).
	Title string
}

// ToolCall is a model's request to call a tool.
type ToolCall struct {
	ID   string
	Name string
	// Arguments is the JSON object text of the arguments, as the model wrote it.
	Arguments string
}

// ToolResult answers a ToolCall.
type ToolResult struct {
	CallID  string
	Content []Part // text and image parts
	IsError bool
}

// CacheControl is a prompt-cache breakpoint (Anthropic cache_control).
type CacheControl struct {
	Type string // "ephemeral"
	TTL  string // "5m" or "1h"; empty for the default
}

// Tool is a function the model may call.
type Tool struct {
	Name        string
	Description string
	// Parameters is the JSON Schema of the arguments.
	Parameters json.RawMessage
	Strict     *bool
	Cache      *CacheControl
}

// ToolChoiceMode says how the model may use tools.
type ToolChoiceMode string

const (
	ToolChoiceAuto     ToolChoiceMode = "auto"
	ToolChoiceNone     ToolChoiceMode = "none"
	ToolChoiceRequired ToolChoiceMode = "required" // Anthropic "any"
	ToolChoiceTool     ToolChoiceMode = "tool"     // the named tool
)

// ToolChoice constrains tool use.
type ToolChoice struct {
	Mode ToolChoiceMode
	Name string // for ToolChoiceTool
	// DisableParallel is Anthropic's disable_parallel_tool_use.
	DisableParallel bool
}

// ResponseFormatType is the requested output shape.
type ResponseFormatType string

const (
	FormatText       ResponseFormatType = "text"
	FormatJSONObject ResponseFormatType = "json_object"
	FormatJSONSchema ResponseFormatType = "json_schema"
)

// ResponseFormat asks for structured output.
type ResponseFormat struct {
	Type   ResponseFormatType
	Name   string
	Schema json.RawMessage
	Strict *bool
}

// Reasoning asks for model thinking.
type Reasoning struct {
	// Effort is OpenAI's reasoning_effort: minimal, low, medium, high.
	Effort string
	// BudgetTokens is Anthropic's thinking budget; 0 when unset.
	BudgetTokens int
	// Disabled is an explicit request for no thinking.
	Disabled bool
}

// HasImages reports whether any message carries an image.
func (r *Request) HasImages() bool {
	for _, m := range r.Messages {
		for _, p := range m.Content {
			if p.Type == PartImage {
				return true
			}
			if p.ToolResult != nil {
				for _, q := range p.ToolResult.Content {
					if q.Type == PartImage {
						return true
					}
				}
			}
		}
	}
	return false
}

// Settings returns a copy of r with its settings (model, limits, sampling,
// stream options, tool choice) but none of its content: no system prompt,
// messages, tools or response schema. A stream that can no longer fail
// over keeps only this, so that an open stream holds no copy of its prompt.
func (r *Request) Settings() *Request {
	c := *r
	c.System, c.Messages, c.Tools, c.ResponseFormat = nil, nil, nil, nil
	return &c
}
