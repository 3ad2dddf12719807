package llm

import "testing"

// TestSettingsDropsContentOnly: what a committed stream keeps of its
// request: every setting the relay and the end of the request read, and
// nothing of the prompt; the original is left as it was.
func TestSettingsDropsContentOnly(t *testing.T) {
	temp, usage := 0.2, true
	r := &Request{Model: "m", System: []Part{{Type: PartText, Text: "sys"}},
		Messages: []Message{{Role: RoleUser, Content: []Part{{Type: PartText, Text: "hi"}}}},
		Tools:    []Tool{{Name: "t"}}, ResponseFormat: &ResponseFormat{Type: "json_object"},
		MaxTokens: 9, Temperature: &temp, Stream: true, StreamUsage: usage, User: "u", NativeOnly: "x", Stop: []string{"s"}}
	s := r.Settings()
	if s.System != nil || s.Messages != nil || s.Tools != nil || s.ResponseFormat != nil {
		t.Fatalf("Settings kept content: %+v", s)
	}
	if s.Model != "m" || s.MaxTokens != 9 || s.Temperature != &temp || !s.Stream || !s.StreamUsage || s.User != "u" ||
		s.NativeOnly != "x" || len(s.Stop) != 1 {
		t.Fatalf("Settings lost a setting: %+v", s)
	}
	if len(r.Messages) != 1 || len(r.System) != 1 || len(r.Tools) != 1 || r.ResponseFormat == nil {
		t.Fatalf("Settings changed the original: %+v", r)
	}
}
