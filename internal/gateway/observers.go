package gateway

import "net/http"

// Observers combines observers (metrics and traces, the request log) so
// that each sees every request and attempt, in the order given. Nil
// observers are dropped; with none left it returns nil, with one that one,
// so the pipeline pays for the combination only when there is one.
func Observers(obs ...Observer) Observer {
	var kept multiObserver
	for _, o := range obs {
		if o != nil {
			kept = append(kept, o)
		}
	}
	switch len(kept) {
	case 0:
		return nil
	case 1:
		return kept[0]
	}
	return kept
}

type multiObserver []Observer

// inlineObservers is how many observers a combination holds without a
// second allocation per request and per attempt.
const inlineObservers = 4

func (m multiObserver) StartRequest(r *http.Request, s RequestStart) RequestObserver {
	q := &multiRequest{}
	q.qs = q.arr[:0]
	for _, o := range m {
		q.qs = append(q.qs, o.StartRequest(r, s))
	}
	return q
}

type multiRequest struct {
	qs  []RequestObserver
	arr [inlineObservers]RequestObserver
	// first is the first attempt's observer, inline: most requests make
	// one attempt, which then costs no allocation of its own.
	first     multiAttempt
	firstUsed bool
}

func (m *multiRequest) StartAttempt(a Attempt) AttemptObserver {
	var at *multiAttempt
	if !m.firstUsed { // never concurrent (RequestObserver)
		m.firstUsed, at = true, &m.first
	} else {
		at = &multiAttempt{}
	}
	at.as = at.arr[:0]
	for _, q := range m.qs {
		at.as = append(at.as, q.StartAttempt(a))
	}
	return at
}

func (m *multiRequest) End(s Summary) {
	for _, q := range m.qs {
		q.End(s)
	}
}

// TraceID names the first trace among the observers, for the access log.
func (m *multiRequest) TraceID() string {
	for _, q := range m.qs {
		if t, ok := q.(traceIDer); ok {
			if id := t.TraceID(); id != "" {
				return id
			}
		}
	}
	return ""
}

type multiAttempt struct {
	as  []AttemptObserver
	arr [inlineObservers]AttemptObserver
}

func (m *multiAttempt) Inject(h http.Header) {
	for _, a := range m.as {
		a.Inject(h)
	}
}

func (m *multiAttempt) End(r AttemptResult) {
	for _, a := range m.as {
		a.End(r)
	}
}
