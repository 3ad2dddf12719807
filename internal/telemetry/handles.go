package telemetry

import (
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// seriesKey names one series of a metric vector: up to three string
// labels and an integer one (a status, or a bool as 0/1), in the order
// the vector's lookup function reads them.
type seriesKey struct {
	a, b, c string
	n       int
}

// handles caches a metric vector's per-series handles. WithLabelValues
// hashes every label value (FNV, byte by byte), locks the vector and
// compares the labels on each call; every request did that seven times.
// A handle is looked up here by a map key instead, and created by the
// vector the first time, exactly when WithLabelValues would have created
// the series. Label values are bounded (see Metrics), so is the cache;
// nothing deletes series from the vectors, so a cached handle stays the
// vector's.
type handles[H any] struct {
	mu     sync.RWMutex
	m      map[seriesKey]H
	lookup func(seriesKey) H
}

func newHandles[H any](lookup func(seriesKey) H) *handles[H] {
	return &handles[H]{m: make(map[seriesKey]H), lookup: lookup}
}

func (c *handles[H]) get(k seriesKey) H {
	c.mu.RLock()
	h, ok := c.m[k]
	c.mu.RUnlock()
	if ok {
		return h
	}
	h = c.lookup(k) // WithLabelValues: the same handle however often asked
	c.mu.Lock()
	c.m[k] = h
	c.mu.Unlock()
	return h
}

// seriesHandles are the cached handles of Metrics' vectors.
type seriesHandles struct {
	requests         *handles[prometheus.Counter]  // dialect, model, provider, status
	duration         *handles[prometheus.Observer] // model, provider, stream
	ttft             *handles[prometheus.Observer] // model, provider
	overhead         *handles[prometheus.Observer] // path
	tokens           *handles[prometheus.Counter]  // model, provider, kind
	cost             *handles[prometheus.Counter]  // model, provider
	upstreamDuration *handles[prometheus.Observer] // provider, result
	upstreamErrors   *handles[prometheus.Counter]  // provider, kind
}

func (m *Metrics) initHandles() {
	m.h = seriesHandles{
		requests: newHandles(func(k seriesKey) prometheus.Counter {
			return m.requests.WithLabelValues(k.a, k.b, k.c, statusLabel(k.n))
		}),
		duration: newHandles(func(k seriesKey) prometheus.Observer {
			return m.duration.WithLabelValues(k.a, k.b, strconv.FormatBool(k.n != 0))
		}),
		ttft:     newHandles(func(k seriesKey) prometheus.Observer { return m.ttft.WithLabelValues(k.a, k.b) }),
		overhead: newHandles(func(k seriesKey) prometheus.Observer { return m.overhead.WithLabelValues(k.a) }),
		tokens: newHandles(func(k seriesKey) prometheus.Counter {
			return m.tokens.WithLabelValues(k.a, k.b, k.c)
		}),
		cost: newHandles(func(k seriesKey) prometheus.Counter { return m.cost.WithLabelValues(k.a, k.b) }),
		upstreamDuration: newHandles(func(k seriesKey) prometheus.Observer {
			return m.upstreamDuration.WithLabelValues(k.a, k.b)
		}),
		upstreamErrors: newHandles(func(k seriesKey) prometheus.Counter {
			return m.upstreamErrors.WithLabelValues(k.a, k.b)
		}),
	}
}

// boolN is a bool as a seriesKey's integer label.
func boolN(b bool) int {
	if b {
		return 1
	}
	return 0
}
