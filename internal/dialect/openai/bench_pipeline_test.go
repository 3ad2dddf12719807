package openai

import (
	"testing"

	"github.com/railyard-ai/railyard/internal/benchdata"
)

// BenchmarkDecodeChatRequest decodes the pipeline benchmarks' request
// (internal/gateway BenchmarkFastPath): four messages and a tool.
func BenchmarkDecodeChatRequest(b *testing.B) {
	body := benchdata.ChatRequest("fast", false)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := (Dialect{}).DecodeRequest(body); err != nil {
			b.Fatal(err)
		}
	}
}
