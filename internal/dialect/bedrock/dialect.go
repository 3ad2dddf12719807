// Package bedrock is railyard's AWS Bedrock Converse dialect: the wire
// format of POST /model/{modelId}/converse and /converse-stream on
// bedrock-runtime, in both directions. As Ingress it is the server a
// Bedrock client (and the simulator) speaks; as Egress it is the client of
// bedrock-runtime.{region}.amazonaws.com. Authentication (SigV4 or a
// Bedrock API key) is the provider's job, not the dialect's.
//
// The model id travels in the URL path, never in the body, so the Ingress
// implements dialect.URLDecoder and the Egress names the model in Path.
// Cross-region inference profile ids (us., eu., apac., global.) and ARNs
// are model ids like any other; Path escapes them.
//
// Streams are not SSE but the binary AWS eventstream framing, decoded and
// encoded with the AWS SDK's eventstream package: each message becomes an
// sse.Event whose Event is its :event-type header (messageStart,
// contentBlockStart, contentBlockDelta, contentBlockStop, messageStop,
// metadata) or, for an error, its :exception-type, and whose Data is its
// JSON payload.
//
// Usage: Bedrock's inputTokens counts only the prompt tokens neither read
// from nor written to the cache (like Anthropic's input_tokens), so the
// canonical InputTokens is inputTokens + cacheReadInputTokens +
// cacheWriteInputTokens, and the reverse on the way out.
//
// Errors keep Bedrock's status, so the gateway's failover follows it:
// ThrottlingException and ModelNotReadyException (429),
// ServiceUnavailableException (503), InternalServerException (500) and
// ModelTimeoutException (408) try the next target; ValidationException
// (400), ResourceNotFoundException (404) and AccessDeniedException (403,
// which fails over as a credentials problem) keep their meaning.
// ServiceQuotaExceededException comes as a 400 but is decoded as a rate
// limit, and ModelErrorException is a 424: both try the next target too
// (route.RetryableError), and a client whose every target failed so sees a
// 429 or a 502, not the 400 or 424. The error name comes from
// x-amzn-ErrorType or the body's __type; railyard's own Bedrock errors
// carry both.
//
// What the canonical IR carries but Converse cannot express, and is
// therefore dropped on purpose when railyard calls Bedrock:
//   - Seed, PresencePenalty, FrequencyPenalty, User, ParallelToolCalls:
//     Converse has no such fields.
//   - Message.Name, Media.Detail, Tool.Strict.
//   - ResponseFormat: Converse has no JSON mode; json_object and
//     json_schema become a final system text block that asks for JSON
//     (with the schema), as for Anthropic.
//   - Tool choice "none": Converse has no such choice; the tools are sent
//     with the default (auto) choice.
//   - Image URLs other than s3://: Converse takes only inline bytes or S3
//     locations, so such a request cannot go to a Bedrock target (another
//     target may serve it).
//   - Reasoning: only Anthropic models on Bedrock take a thinking budget,
//     sent in additionalModelRequestFields.thinking (effort without a budget
//     becomes one); other models get none. TopK likewise goes only to
//     Anthropic models, as additionalModelRequestFields.top_k.
//   - Reasoning parts without a signature or redacted content (from other
//     providers) are not sent back: Bedrock rejects unsigned reasoning.
//   - Cache TTLs: a cache hint becomes a cachePoint of type default.
//   - The stop sequence that matched: Converse does not report it.
//   - Blank text parts, and turns left with no content: Converse rejects
//     blank text and empty messages (an empty tool result becomes {}).
//
// And on the way in: guardrailConfig and promptVariables make the request
// NativeOnly (they go through on the fast path to a Bedrock provider and
// skip other targets); guardContent, video and citations blocks,
// additionalModelResponseFieldPaths, requestMetadata, performanceConfig
// and serviceTier are dropped; additionalModelRequestFields is read for
// thinking and top_k only.
package bedrock

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/railyard-ai/railyard/internal/dialect"
	"github.com/railyard-ai/railyard/internal/llm"
)

// Dialect implements dialect.Dialect for Bedrock Converse. It is stateless;
// streams get their own encoder, decoder and reader values.
type Dialect struct{}

var (
	_ dialect.Dialect      = Dialect{}
	_ dialect.URLDecoder   = Dialect{}
	_ dialect.StreamFramer = Dialect{}
	_ dialect.Framer       = Dialect{}
)

// Name is the dialect's name in config and logs.
func (Dialect) Name() string { return "bedrock" }

// Path is /model/{modelId}/converse, or /converse-stream for a stream. The
// model id is one path segment escaped as the AWS SDKs escape it: an ARN's
// slashes and every colon (v1:0 becomes v1%3A0), so the path railyard
// signs is the one the SDKs sign.
func (Dialect) Path(req *llm.Request) string {
	op := "/converse"
	if req.Stream {
		op = "/converse-stream"
	}
	return "/model/" + strings.ReplaceAll(url.PathEscape(req.Model), ":", "%3A") + op
}

// SetHeaders adds nothing beyond the provider's Content-Type: Converse has
// no version header, and signing happens in the provider.
func (Dialect) SetHeaders(http.Header) {}

// StreamContentType is the media type of ConverseStream replies.
const StreamContentType = "application/vnd.amazon.eventstream"

// ContentType lets a server that writes this dialect's streams (the
// simulator, the gateway's Bedrock route) label them.
func (Dialect) ContentType() string { return StreamContentType }

// stopReasonIn maps a Converse stopReason to the canonical one.
func stopReasonIn(s string) llm.StopReason {
	switch s {
	case "end_turn":
		return llm.StopEndTurn
	case "tool_use":
		return llm.StopToolUse
	case "max_tokens", "model_context_window_exceeded":
		return llm.StopMaxTokens
	case "stop_sequence":
		return llm.StopSequence
	case "guardrail_intervened", "content_filtered":
		return llm.StopContentFilter
	}
	return llm.StopEndTurn
}

// stopReasonOut maps a canonical stop reason to Converse's.
func stopReasonOut(s llm.StopReason) string {
	switch s {
	case llm.StopToolUse:
		return "tool_use"
	case llm.StopMaxTokens:
		return "max_tokens"
	case llm.StopSequence:
		return "stop_sequence"
	case llm.StopContentFilter, llm.StopRefusal:
		return "content_filtered"
	}
	return "end_turn"
}

// usageIn converts TokenUsage to canonical usage (see the package doc).
func usageIn(u *wireUsage) llm.Usage {
	if u == nil {
		return llm.Usage{}
	}
	read, write := 0, 0
	if u.CacheReadInputTokens != nil {
		read = max(*u.CacheReadInputTokens, 0)
	}
	if u.CacheWriteInputTokens != nil {
		write = max(*u.CacheWriteInputTokens, 0)
	}
	return llm.Usage{
		InputTokens:      max(u.InputTokens, 0) + read + write,
		OutputTokens:     max(u.OutputTokens, 0),
		CacheReadTokens:  read,
		CacheWriteTokens: write,
	}
}

// usageOut converts canonical usage to TokenUsage; cache counts appear
// only when non-zero, as Bedrock omits them without caching.
func usageOut(u llm.Usage) *wireUsage {
	w := &wireUsage{
		InputTokens:  u.UncachedInputTokens(),
		OutputTokens: u.OutputTokens,
		TotalTokens:  u.InputTokens + u.OutputTokens,
	}
	if u.CacheReadTokens > 0 || u.CacheWriteTokens > 0 {
		r, wr := u.CacheReadTokens, u.CacheWriteTokens
		w.CacheReadInputTokens, w.CacheWriteInputTokens = &r, &wr
	}
	return w
}
