// Package gemini is railyard's Google Gemini dialect: the wire format of
// generateContent and streamGenerateContent?alt=sse on
// generativelanguage.googleapis.com/v1beta, in both directions. As Ingress
// it is the server a Gemini client talks to (the model and whether to
// stream are in the URL path, so it implements dialect.URLDecoder); as
// Egress it is the client of the Gemini API; Passthrough is the
// Gemini-to-Gemini fast path.
//
// Conventions that differ from the canonical IR, and how they map:
//   - Gemini has no tool-call ids. Calls in replies get stable synthesised
//     ids ("call_<responseId>_<n>", or the call's own id when it has one);
//     a functionResponse sent by a Gemini client is matched to the call it
//     answers by name and order; going out, a tool result finds its
//     function name by the call id in the conversation.
//   - thoughtSignature rides in llm.Part.Signature of the tool-call or text
//     part that carried it and goes back on the same part next turn. A
//     function call without one (it came from another provider) is sent
//     with Gemini's documented "skip_thought_signature_validator" value so
//     that Gemini 3 accepts the history.
//   - usageMetadata.candidatesTokenCount excludes thinking tokens, while
//     llm.Usage.OutputTokens includes them: OutputTokens = candidates +
//     thoughts, ReasoningTokens = thoughts; cachedContentTokenCount is
//     CacheReadTokens; toolUsePromptTokenCount counts as input.
//   - Safety blocks (promptFeedback.blockReason, finishReason SAFETY,
//     RECITATION, BLOCKLIST, PROHIBITED_CONTENT, SPII, IMAGE_SAFETY) are the
//     content_filter stop reason, not an error.
//   - Function parameter and response schemas are sent as JSON Schema
//     (parametersJsonSchema, responseJsonSchema) rather than Gemini's
//     OpenAPI subset, which rejects additionalProperties and $ref. Incoming
//     OpenAPI schemas have their upper-case type names lowered.
//
// Dropped on purpose when railyard calls Gemini:
//   - reasoning parts of earlier turns (Gemini keeps its thinking in the
//     signatures), redacted reasoning, Anthropic cache hints;
//   - images and documents inside tool results (a functionResponse carries
//     JSON only), Message.Name, Media.Detail, Tool.Strict, ParallelToolCalls,
//     the User field.
//
// Embeddings (embeddings.go) go out as batchEmbedContents, one request per
// input; Gemini reports no token counts for them.
//
// And on the way in from a Gemini client: safetySettings, labels,
// speechConfig, responseModalities, mediaResolution and responseLogprobs
// are ignored; candidateCount above 1 is a 400; cachedContent, code
// execution, Google Search and URL context tools are native-only (served
// only by a Gemini provider).
package gemini

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/railyard-ai/railyard/internal/dialect"
	"github.com/railyard-ai/railyard/internal/llm"
)

// Dialect implements dialect.Dialect for the Gemini API. It is stateless;
// streams get their own encoder and decoder values.
type Dialect struct{}

var (
	_ dialect.Dialect    = Dialect{}
	_ dialect.URLDecoder = Dialect{}
)

// Name is the dialect's name in config and logs.
func (Dialect) Name() string { return "gemini" }

// Path is relative to a base URL ending in /v1beta, as Google's SDKs
// build it: models/{model}:generateContent, or the SSE stream method.
func (Dialect) Path(req *llm.Request) string {
	model := url.PathEscape(strings.TrimPrefix(req.Model, "models/"))
	if req.Stream {
		return "/models/" + model + ":streamGenerateContent?alt=sse"
	}
	return "/models/" + model + ":generateContent"
}

// SetHeaders adds nothing: the x-goog-api-key is the provider's job.
func (Dialect) SetHeaders(http.Header) {}

// SkipSignature is the thought signature Gemini documents for function
// calls it did not produce itself (history from another model).
const SkipSignature = "skip_thought_signature_validator"
