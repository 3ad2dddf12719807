package dialect

import "github.com/railyard-ai/railyard/internal/llm"

// PartialUsager is implemented by stream decoders whose upstream reports
// usage before the stream's end without a canonical event for it (Gemini
// repeats usageMetadata on chunks; only the last one's goes out, in
// MessageDelta). The relay asks for it only when a stream ends before its
// final usage, to bill what the upstream already counted.
type PartialUsager interface {
	// PartialUsage is the latest usage the upstream reported; ok is false
	// when none came yet.
	PartialUsage() (u llm.Usage, ok bool)
}
