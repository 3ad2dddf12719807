// Package openai is the OpenAI Chat Completions dialect, in both directions:
// railyard as an OpenAI-compatible server (Ingress) and railyard as a client
// of api.openai.com or of an OpenAI-compatible server such as vLLM, SGLang,
// Ollama, llama.cpp, DeepSeek or Qwen (Egress), plus the same-dialect fast
// path (Passthrough).
//
// What the dialect cannot carry, and drops on purpose:
//   - cache hints (Part.Cache, Tool.Cache): OpenAI caches prompts by itself;
//   - reasoning parts in requests: OpenAI rejects them as input, and so do
//     most compatible servers (DeepSeek answers 400 to reasoning_content);
//   - reasoning signatures and redacted reasoning in replies;
//   - images inside tool results: a "tool" message carries text only;
//   - Reasoning.Disabled, and ToolChoice/ParallelToolCalls when a request
//     has no tools (OpenAI rejects them without tools);
//   - the position of a system message in the middle of a conversation:
//     every system and developer message moves to Request.System.
package openai

import (
	"net/http"

	"github.com/railyard-ai/railyard/internal/dialect"
	"github.com/railyard-ai/railyard/internal/llm"
)

// Dialect is the OpenAI Chat Completions wire format. The zero value speaks
// to api.openai.com; Compat selects the habits of OpenAI-compatible servers
// (max_tokens instead of max_completion_tokens, no developer role, top_k,
// plain-string content where a server may not take content arrays).
type Dialect struct {
	// Compat marks an OpenAI-compatible server rather than api.openai.com.
	Compat bool
}

var _ dialect.Dialect = Dialect{}

// Name is "openai" for api.openai.com and compatible servers alike: both
// speak the same client-facing dialect.
func (Dialect) Name() string { return "openai" }

// Path is relative to a base URL that ends in /v1, as the OpenAI SDKs use it.
func (Dialect) Path(*llm.Request) string { return "/chat/completions" }

// SetHeaders adds nothing: OpenAI needs no fixed headers beyond auth, which
// is the provider's job.
func (Dialect) SetHeaders(http.Header) {}
