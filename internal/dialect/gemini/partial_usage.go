package gemini

import (
	"github.com/railyard-ai/railyard/internal/dialect"
	"github.com/railyard-ai/railyard/internal/llm"
)

var _ dialect.PartialUsager = (*streamDecoder)(nil)

// PartialUsage implements dialect.PartialUsager: the usageMetadata of the
// latest chunk that carried one (cumulative, so the counts so far).
func (d *streamDecoder) PartialUsage() (llm.Usage, bool) {
	if d.usage == nil {
		return llm.Usage{}, false
	}
	return *d.usage, true
}
