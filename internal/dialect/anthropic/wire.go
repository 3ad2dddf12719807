package anthropic

import (
	"bytes"
	"encoding/json"
	"sync"

	"github.com/railyard-ai/railyard/internal/jsonx"
)

// Wire types of the Anthropic Messages API (anthropic-version 2023-06-01).
// Inbound types (decoded from clients and providers) use one loose union
// per object so that a single pass sees every field; outbound types are one
// struct per block type so that each block carries exactly the fields the
// API documents, in its order, and required-but-empty fields ("text": "",
// "input": {}) are still written.

// inRequest is a Messages request as a client sends it. Fields railyard
// does not translate are left out: unknown top-level fields are ignored here
// and survive only on the passthrough path.
type inRequest struct {
	Model         *string         `json:"model"`
	MaxTokens     *int            `json:"max_tokens"`
	Messages      []inMessage     `json:"messages"`
	System        json.RawMessage `json:"system"`
	Tools         []inTool        `json:"tools"`
	ToolChoice    *inToolChoice   `json:"tool_choice"`
	StopSequences []string        `json:"stop_sequences"`
	Temperature   *float64        `json:"temperature"`
	TopP          *float64        `json:"top_p"`
	TopK          *int            `json:"top_k"`
	Stream        *bool           `json:"stream"`
	Metadata      *inMetadata     `json:"metadata"`
	Thinking      *inThinking     `json:"thinking"`
	// MCPServers and Container are only read to tell whether the request
	// can leave Anthropic (llm.Request.NativeOnly).
	MCPServers json.RawMessage `json:"mcp_servers"`
	Container  json.RawMessage `json:"container"`
}

type inMessage struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

// inBlock is any content block: request blocks (text, image, document,
// tool_use, tool_result, thinking, redacted_thinking) and reply blocks.
type inBlock struct {
	Type         string          `json:"type"`
	Text         *string         `json:"text"`
	Source       *inSource       `json:"source"`
	Title        *string         `json:"title"`
	ID           string          `json:"id"`
	Name         string          `json:"name"`
	Input        json.RawMessage `json:"input"`
	ToolUseID    string          `json:"tool_use_id"`
	Content      json.RawMessage `json:"content"`
	IsError      *bool           `json:"is_error"`
	Thinking     *string         `json:"thinking"`
	Signature    *string         `json:"signature"`
	Data         *string         `json:"data"`
	CacheControl *wireCache      `json:"cache_control"`
}

type inSource struct {
	Type      string  `json:"type"`
	MediaType string  `json:"media_type"`
	Data      *string `json:"data"`
	URL       string  `json:"url"`
}

type inTool struct {
	Type         *string         `json:"type"`
	Name         string          `json:"name"`
	Description  string          `json:"description"`
	InputSchema  json.RawMessage `json:"input_schema"`
	CacheControl *wireCache      `json:"cache_control"`
}

type inToolChoice struct {
	Type                   string `json:"type"`
	Name                   string `json:"name"`
	DisableParallelToolUse *bool  `json:"disable_parallel_tool_use"`
}

type inMetadata struct {
	UserID *string `json:"user_id"`
}

type inThinking struct {
	Type         string `json:"type"`
	BudgetTokens *int   `json:"budget_tokens"`
}

// wireCache is cache_control, in both directions.
type wireCache struct {
	Type string `json:"type"`
	TTL  string `json:"ttl,omitempty"`
}

// inResponse is a complete reply from a provider.
type inResponse struct {
	ID           string    `json:"id"`
	Type         string    `json:"type"`
	Role         string    `json:"role"`
	Model        string    `json:"model"`
	Content      []inBlock `json:"content"`
	StopReason   *string   `json:"stop_reason"`
	StopSequence *string   `json:"stop_sequence"`
	Usage        *inUsage  `json:"usage"`
}

// inUsage is the usage object of a reply, message_start or message_delta.
// Pointers tell "absent" from 0: message_delta omits counts that did not
// change, and message_start's then stand.
type inUsage struct {
	InputTokens              *int `json:"input_tokens"`
	OutputTokens             *int `json:"output_tokens"`
	CacheCreationInputTokens *int `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     *int `json:"cache_read_input_tokens"`
	OutputTokensDetails      *struct {
		ThinkingTokens *int `json:"thinking_tokens"`
	} `json:"output_tokens_details"`
}

// Outbound request.

type outRequest struct {
	Model         string         `json:"model"`
	MaxTokens     int            `json:"max_tokens"`
	System        []textBlock    `json:"system,omitempty"`
	Messages      []outMessage   `json:"messages"`
	Tools         []outTool      `json:"tools,omitempty"`
	ToolChoice    *outToolChoice `json:"tool_choice,omitempty"`
	StopSequences []string       `json:"stop_sequences,omitempty"`
	Temperature   *float64       `json:"temperature,omitempty"`
	TopP          *float64       `json:"top_p,omitempty"`
	TopK          *int           `json:"top_k,omitempty"`
	Metadata      *outMetadata   `json:"metadata,omitempty"`
	Thinking      *outThinking   `json:"thinking,omitempty"`
	Stream        bool           `json:"stream,omitempty"`
}

type outMessage struct {
	Role    string `json:"role"`
	Content []any  `json:"content"`
}

type outTool struct {
	Name         string          `json:"name"`
	Description  string          `json:"description,omitempty"`
	InputSchema  json.RawMessage `json:"input_schema"`
	CacheControl *wireCache      `json:"cache_control,omitempty"`
}

type outToolChoice struct {
	Type                   string `json:"type"`
	Name                   string `json:"name,omitempty"`
	DisableParallelToolUse bool   `json:"disable_parallel_tool_use,omitempty"`
}

type outMetadata struct {
	UserID string `json:"user_id"`
}

type outThinking struct {
	Type         string `json:"type"`
	BudgetTokens int    `json:"budget_tokens,omitempty"`
}

// Outbound blocks, one type per block kind.

type textBlock struct {
	Type         string     `json:"type"` // "text"
	Text         string     `json:"text"`
	CacheControl *wireCache `json:"cache_control,omitempty"`
}

type outSource struct {
	Type      string `json:"type"` // base64 | url | text
	MediaType string `json:"media_type,omitempty"`
	Data      string `json:"data,omitempty"`
	URL       string `json:"url,omitempty"`
}

type imageBlock struct {
	Type         string     `json:"type"` // "image"
	Source       outSource  `json:"source"`
	CacheControl *wireCache `json:"cache_control,omitempty"`
}

type documentBlock struct {
	Type         string     `json:"type"` // "document"
	Source       outSource  `json:"source"`
	Title        string     `json:"title,omitempty"`
	CacheControl *wireCache `json:"cache_control,omitempty"`
}

type toolUseBlock struct {
	Type         string          `json:"type"` // "tool_use"
	ID           string          `json:"id"`
	Name         string          `json:"name"`
	Input        json.RawMessage `json:"input"`
	CacheControl *wireCache      `json:"cache_control,omitempty"`
}

type toolResultBlock struct {
	Type         string     `json:"type"` // "tool_result"
	ToolUseID    string     `json:"tool_use_id"`
	Content      []any      `json:"content,omitempty"`
	IsError      bool       `json:"is_error,omitempty"`
	CacheControl *wireCache `json:"cache_control,omitempty"`
}

type thinkingBlock struct {
	Type      string `json:"type"` // "thinking"
	Thinking  string `json:"thinking"`
	Signature string `json:"signature"`
}

type redactedThinkingBlock struct {
	Type string `json:"type"` // "redacted_thinking"
	Data string `json:"data"`
}

// Outbound reply (railyard as the server).

type outResponse struct {
	ID           string   `json:"id"`
	Type         string   `json:"type"` // "message"
	Role         string   `json:"role"` // "assistant"
	Model        string   `json:"model"`
	Content      []any    `json:"content"`
	StopReason   *string  `json:"stop_reason"`
	StopSequence *string  `json:"stop_sequence"`
	Usage        outUsage `json:"usage"`
}

type outUsage struct {
	InputTokens              int `json:"input_tokens"`
	CacheCreationInputTokens int `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     int `json:"cache_read_input_tokens"`
	OutputTokens             int `json:"output_tokens"`
}

type outError struct {
	Type  string        `json:"type"` // "error"
	Error outErrorInner `json:"error"`
}

type outErrorInner struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// marshal encodes v without HTML escaping (prompts are not HTML and clients
// compare text) and without the encoder's trailing newline.
// Its buffer comes from a pool and the result is one exact-size copy: a
// fresh buffer grew six times on the way to a request's couple of KB.
func marshal(v any) ([]byte, error) {
	buf := marshalBufs.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxPooledBuf {
			buf.Reset()
			marshalBufs.Put(buf)
		}
	}()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.Clone(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}

// maxPooledBuf keeps a rare huge request's buffer out of the pool.
const maxPooledBuf = 64 << 10

var marshalBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// strPtr returns nil for "" so that optional strings encode as null.
func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// objectOr returns raw (trimmed) when it is a JSON object, else def. It
// keeps railyard from ever emitting invalid JSON where Anthropic wants an
// object (tool input, input_schema).
func objectOr(raw []byte, def string) json.RawMessage {
	t := bytes.TrimSpace(raw)
	if len(t) > 0 && t[0] == '{' && jsonx.Valid(t) {
		return json.RawMessage(t)
	}
	return json.RawMessage(def)
}
