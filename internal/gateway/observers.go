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

func (m multiObserver) StartRequest(r *http.Request, s RequestStart) RequestObserver {
	q := make(multiRequest, len(m))
	for i, o := range m {
		q[i] = o.StartRequest(r, s)
	}
	return q
}

type multiRequest []RequestObserver

func (m multiRequest) StartAttempt(a Attempt) AttemptObserver {
	at := make(multiAttempt, len(m))
	for i, q := range m {
		at[i] = q.StartAttempt(a)
	}
	return at
}

func (m multiRequest) End(s Summary) {
	for _, q := range m {
		q.End(s)
	}
}

// TraceID names the first trace among the observers, for the access log.
func (m multiRequest) TraceID() string {
	for _, q := range m {
		if t, ok := q.(traceIDer); ok {
			if id := t.TraceID(); id != "" {
				return id
			}
		}
	}
	return ""
}

type multiAttempt []AttemptObserver

func (m multiAttempt) Inject(h http.Header) {
	for _, a := range m {
		a.Inject(h)
	}
}

func (m multiAttempt) End(r AttemptResult) {
	for _, a := range m {
		a.End(r)
	}
}
