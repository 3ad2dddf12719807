package reqlog

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxLimit is the most entries one List returns.
const MaxLimit = DefaultSize

// Filter selects entries; zero fields match everything. Fields combine
// with AND.
type Filter struct {
	// Limit caps the entries returned (newest first); 0 means 100.
	Limit int
	// Model matches the model asked for or the upstream model that answered.
	Model string
	// Provider matches the provider that answered (or failed last), or any
	// provider an attempt went to.
	Provider string
	// Status matches the client's status: a number ("429"), a class
	// ("4xx"), or "error" for every status from 400 up.
	Status string
	KeyID  string
	Team   string
}

// ParseStatus checks a status filter, so a bad one is refused rather than
// matching nothing.
func ParseStatus(s string) error {
	if s == "" || s == "error" {
		return nil
	}
	if len(s) == 3 && strings.HasSuffix(s, "xx") && s[0] >= '1' && s[0] <= '5' {
		return nil
	}
	if n, err := strconv.Atoi(s); err == nil && n >= 100 && n <= 999 {
		return nil
	}
	return fmt.Errorf("status %q: want a number such as 429, a class such as 5xx, or error", s)
}

func statusMatches(want string, got int) bool {
	switch {
	case want == "":
		return true
	case want == "error":
		return got >= 400
	case strings.HasSuffix(want, "xx"):
		return got/100 == int(want[0]-'0')
	}
	n, _ := strconv.Atoi(want)
	return n == got
}

func (f *Filter) matches(e *Entry) bool {
	if f.Model != "" && e.Model != f.Model && e.UpstreamModel != f.Model {
		return false
	}
	if f.Provider != "" && e.Provider != f.Provider && !e.tried(f.Provider) {
		return false
	}
	if f.KeyID != "" && e.KeyID != f.KeyID {
		return false
	}
	if f.Team != "" && e.Team != f.Team {
		return false
	}
	return statusMatches(f.Status, e.Status)
}

func (e *Entry) tried(provider string) bool {
	for _, a := range e.Attempts {
		if a.Provider == provider {
			return true
		}
	}
	return false
}

// List returns the newest entries that match f, newest first. It takes no
// lock: entries recorded while it runs may or may not be in the answer,
// and a slot overwritten meanwhile is skipped rather than shown out of
// order.
func (l *Log) List(f Filter) []*Entry {
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, MaxLimit, len(l.slots))
	out := make([]*Entry, 0, min(limit, 64))
	n := l.next.Load()
	size := uint64(len(l.slots))
	for seq := n; seq > 0 && n-seq < size && len(out) < limit; seq-- {
		e := l.slots[(seq-1)%size].Load()
		if e == nil || e.seq != seq-1 || !f.matches(e) {
			continue
		}
		out = append(out, e)
	}
	return out
}

// Get returns the newest entry with request id id.
func (l *Log) Get(id string) (*Entry, bool) {
	if id == "" {
		return nil, false
	}
	n := l.next.Load()
	size := uint64(len(l.slots))
	for seq := n; seq > 0 && n-seq < size; seq-- {
		if e := l.slots[(seq-1)%size].Load(); e != nil && e.seq == seq-1 && e.ID == id {
			return e, true
		}
	}
	return nil, false
}

// Len is how many entries the log holds.
func (l *Log) Len() int { return int(min(l.next.Load(), uint64(len(l.slots)))) }
