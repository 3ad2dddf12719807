package store

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseSince reads a --since / ?since= value: a Go duration ("24h", "90m"),
// a number of days ("7d"), or an RFC 3339 time. "" means the beginning.
func ParseSince(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n >= 0 && n < 100000 {
			return now.AddDate(0, 0, -n), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("since %q: want a duration (24h, 7d) or an RFC 3339 time", s)
}
