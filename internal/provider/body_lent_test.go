package provider

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/railyard-ai/railyard/internal/bufpool"
)

// TestLentBodyGoesBackOnlyWhenDone: a lent buffer is returned (sentBody
// drops it) only after release AND after every reading (the first and
// each rewind) handed out its last byte, in either order; a reading left
// halfway keeps it out of the pool.
func TestLentBodyGoesBackOnlyWhenDone(t *testing.T) {
	lend := func() (*http.Request, *sentBody) {
		lent := bufpool.Get()
		lent.B = append(lent.B, `{"model":"m","messages":[]}`...)
		req, _ := http.NewRequest(http.MethodPost, "http://x/", nil)
		return req, setBody(req, lent.B, lent)
	}
	returned := func(s *sentBody) bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.lent == nil
	}

	// Read, then released.
	req, sb := lend()
	io.ReadAll(req.Body)
	if returned(sb) {
		t.Fatal("returned before release")
	}
	sb.release()
	if !returned(sb) {
		t.Fatal("not returned after the read and the release")
	}

	// Released while the transport still reads: returned at the last byte.
	req, sb = lend()
	sb.release()
	if returned(sb) {
		t.Fatal("returned while the first reading is unfinished")
	}
	io.ReadAll(req.Body)
	if !returned(sb) {
		t.Fatal("not returned after the last reading ended")
	}

	// A rewind counts as a reading of its own.
	req, sb = lend()
	io.ReadAll(req.Body)
	rb, err := req.GetBody()
	if err != nil {
		t.Fatal(err)
	}
	p := make([]byte, 3)
	rb.Read(p) // halfway
	sb.release()
	if returned(sb) {
		t.Fatal("returned while a rewind is unfinished")
	}
	io.ReadAll(rb)
	if !returned(sb) {
		t.Fatal("not returned after the rewind ended")
	}

	// A reading abandoned halfway: never returned.
	req, sb = lend()
	req.Body.Read(p)
	sb.release()
	if returned(sb) {
		t.Fatal("returned while a reading may still go on")
	}
}

// TestSendLent: the upstream gets the lent body whole, request after
// request, while buffers cycle through the pool.
func TestSendLent(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ := io.ReadAll(r.Body)
		if want := r.Header.Get("X-Want"); string(got) != want {
			t.Errorf("upstream got %q, want %q", got, want)
		}
		w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	p := &Provider{Name: "p", BaseURL: srv.URL, client: NewClient(TransportOptions{FirstByteTimeout: 5 * time.Second})}
	for i := range 50 {
		b := bufpool.Get()
		b.B = append(b.B, bytes.Repeat([]byte{'a' + byte(i%26)}, 100+i*97)...)
		want := string(b.B)
		resp, err := p.SendLent(context.Background(), "/v1/x", b, func(h http.Header) { h.Set("X-Want", want) })
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}
