package llm

import (
	"net/http"
	"testing"
	"time"
	"unicode/utf8"
)

func TestRetryAfter(t *testing.T) {
	future := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	tests := []struct {
		name   string
		header http.Header
		min    time.Duration
		max    time.Duration
	}{
		{"none", nil, 0, 0},
		{"seconds", http.Header{"Retry-After": {"7"}}, 7 * time.Second, 7 * time.Second},
		{"fraction", http.Header{"Retry-After": {"1.5"}}, 1500 * time.Millisecond, 1500 * time.Millisecond},
		{"ms wins", http.Header{"Retry-After-Ms": {"250"}, "Retry-After": {"7"}}, 250 * time.Millisecond, 250 * time.Millisecond},
		{"http date", http.Header{"Retry-After": {future}}, 80 * time.Second, 91 * time.Second},
		{"negative", http.Header{"Retry-After": {"-3"}}, 0, 0},
		{"absurd", http.Header{"Retry-After": {"1e12"}}, 0, 0},
		{"garbage", http.Header{"Retry-After": {"soon"}}, 0, 0},
	}
	for _, tt := range tests {
		if got := RetryAfter(tt.header); got < tt.min || got > tt.max {
			t.Errorf("%s: %v not in [%v, %v]", tt.name, got, tt.min, tt.max)
		}
	}
}

func TestTruncate(t *testing.T) {
	if got := Truncate([]byte("héllo"), 2); got != "h" {
		t.Errorf("cut inside a rune: %q", got)
	}
	if got := Truncate([]byte{0xff, 'a'}, 10); !utf8.ValidString(got) {
		t.Errorf("invalid UTF-8 kept: %q", got)
	}
	if got := Truncate([]byte("short"), 10); got != "short" {
		t.Errorf("%q", got)
	}
}

func TestUsageNesting(t *testing.T) {
	u := Usage{InputTokens: 100, CacheReadTokens: 60, CacheWriteTokens: 30, OutputTokens: 5}
	if u.UncachedInputTokens() != 10 || u.TotalTokens() != 105 {
		t.Errorf("%+v", u)
	}
	if (Usage{InputTokens: 1, CacheReadTokens: 5}).UncachedInputTokens() != 0 {
		t.Error("negative uncached input")
	}
}
