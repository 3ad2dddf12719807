package sse

import (
	"bytes"
	"testing"
)

func TestIndexLineEnd(t *testing.T) {
	for _, s := range []string{"", "abc", "a\nb", "a\rb", "a\r\nb", "\n", "\r", "ab\ncd\re", "ab\rcd\ne", "x\n\r"} {
		if got, want := indexLineEnd([]byte(s)), bytes.IndexAny([]byte(s), "\r\n"); got != want {
			t.Errorf("indexLineEnd(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestEventName(t *testing.T) {
	for _, s := range []string{"", "message_start", "content_block_delta", "ping", "error", "response.output_text.delta", "x"} {
		if got := eventName([]byte(s)); got != s {
			t.Errorf("eventName(%q) = %q", s, got)
		}
	}
}
