package gemini

import (
	"encoding/json"

	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/sse"
)

// RewriteRequest returns body unchanged: a Gemini request names its model
// in the path (Path builds it from the target), and Gemini reports usage
// on every stream without being asked.
func (Dialect) RewriteRequest(body []byte, _ string, _ *llm.Request) ([]byte, error) {
	return body, nil
}

// ResponseUsage reads usageMetadata and modelVersion off a complete reply.
func (Dialect) ResponseUsage(body []byte) (llm.Usage, string) {
	var w struct {
		UsageMetadata *wireUsage `json:"usageMetadata"`
		ModelVersion  string     `json:"modelVersion"`
	}
	if json.Unmarshal(body, &w) != nil {
		return llm.Usage{}, ""
	}
	return usageIn(w.UsageMetadata), w.ModelVersion
}

// ForwardEvent forwards every event: railyard injects nothing into Gemini
// streams.
func (Dialect) ForwardEvent(*llm.Request, sse.Event) bool { return true }
