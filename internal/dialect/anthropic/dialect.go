// Package anthropic is railyard's Anthropic Messages dialect: the wire
// format of POST /v1/messages, in both directions. As Ingress it is the
// server an Anthropic SDK talks to; as Egress it is the client of
// api.anthropic.com or any server that speaks Messages; Passthrough is the
// Anthropic-to-Anthropic fast path.
//
// What the canonical IR carries but Messages cannot express, and is
// therefore dropped on purpose when railyard calls Anthropic:
//   - Seed, PresencePenalty, FrequencyPenalty: Messages has no such knobs.
//   - Message.Name (OpenAI participant names) and Media.Detail (image detail).
//   - Tool.Strict: Messages has no strict function calling in 2023-06-01.
//   - Reasoning parts without a signature or redacted data (reasoning text
//     from other providers): Anthropic rejects unsigned thinking blocks.
//   - ResponseFormat: Anthropic has no GA JSON mode, so json_object and
//     json_schema become a final system text block that asks for JSON only
//     (with the schema); the reply is not validated.
//   - With thinking enabled, temperature, top_k and a top_p below 0.95 are
//     not sent, and a tool_choice that forces a tool (any, or a named tool)
//     turns thinking off: Anthropic rejects those combinations.
//   - Text documents are carried in the IR as base64 text/plain media and
//     sent back as a "text" document source.
//
// And on the way in: citations, server tools (web search, code execution,
// ...), container uploads, search results and MCP servers are rejected with
// a 400 naming the field, since no other dialect could honour them.
package anthropic

import (
	"net/http"

	"github.com/railyard-ai/railyard/internal/dialect"
	"github.com/railyard-ai/railyard/internal/llm"
)

// Version is the anthropic-version header railyard sends upstream.
const Version = "2023-06-01"

// Dialect implements dialect.Dialect for Anthropic Messages. It is stateless;
// streams get their own encoder and decoder values.
type Dialect struct{}

var _ dialect.Dialect = Dialect{}

// Name is the dialect's name in config and logs.
func (Dialect) Name() string { return "anthropic" }

// Path is the Messages endpoint; a provider's base_url has no /v1.
func (Dialect) Path(*llm.Request) string { return "/v1/messages" }

// SetHeaders adds anthropic-version; the x-api-key is the provider's job.
func (Dialect) SetHeaders(h http.Header) {
	h.Set("anthropic-version", Version)
}
