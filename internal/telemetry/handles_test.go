package telemetry

import (
	"io"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// TestHandlesAreTheVectorsSeries: a cached handle is the series
// WithLabelValues gives, created no earlier than at its first use, and
// concurrent first uses agree.
func TestHandlesAreTheVectorsSeries(t *testing.T) {
	reg := NewRegistry()
	m, err := NewMetrics(reg, []string{"fast"})
	if err != nil {
		t.Fatal(err)
	}
	scrape := func() map[string]float64 {
		w := httptest.NewRecorder()
		Handler(reg).ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
		b, _ := io.ReadAll(w.Result().Body)
		return series(t, string(b))
	}
	count := func(s map[string]float64, prefix string) int {
		n := 0
		for k := range s {
			if strings.HasPrefix(k, prefix) {
				n++
			}
		}
		return n
	}
	if n := count(scrape(), "railyard_requests_total{"); n != 0 {
		t.Fatalf("%d request series before any request", n)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m.h.requests.get(seriesKey{a: "openai", b: "fast", c: "p", n: statusKey(200)}).Inc()
		}()
	}
	wg.Wait()
	if c := m.h.requests.get(seriesKey{a: "openai", b: "fast", c: "p", n: 200}); c != m.requests.WithLabelValues("openai", "fast", "p", "200") {
		t.Fatal("the cached handle is not the vector's series")
	}
	m.h.duration.get(seriesKey{a: "fast", b: "p", n: boolN(true)}).Observe(1)
	m.h.requests.get(seriesKey{a: "openai", b: "fast", c: "p", n: statusKey(1000)}).Inc()
	s := scrape()
	for k, want := range map[string]float64{
		`railyard_requests_total{dialect="openai",model="fast",provider="p",status="200"}`: 8,
		`railyard_requests_total{dialect="openai",model="fast",provider="p",status="0"}`:   1,
		`railyard_request_duration_seconds_count{model="fast",provider="p",stream="true"}`: 1,
	} {
		if s[k] != want {
			t.Errorf("%s = %v, want %v", k, s[k], want)
		}
	}
	if n := count(s, "railyard_tokens_total{"); n != 0 {
		t.Fatalf("%d token series though none was used", n)
	}
}
