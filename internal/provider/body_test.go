package provider

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

func TestSetBodyReadsOnceRewindsUntilRelease(t *testing.T) {
	b := []byte(`{"model":"m","messages":[]}`)
	req, _ := http.NewRequest(http.MethodPost, "http://x/", nil)
	sb := setBody(req, b, nil)
	if req.ContentLength != int64(len(b)) {
		t.Fatalf("ContentLength %d, want %d", req.ContentLength, len(b))
	}
	got, err := io.ReadAll(req.Body)
	if err != nil || !bytes.Equal(got, b) {
		t.Fatalf("body %q, %v", got, err)
	}
	if ob := req.Body.(*onceBody); ob.b != nil {
		t.Fatal("the body still holds its bytes after being read to the end")
	}
	rb, err := req.GetBody()
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := io.ReadAll(rb); !bytes.Equal(got, b) {
		t.Fatalf("rewound body %q", got)
	}
	sb.release()
	if _, err := req.GetBody(); err == nil {
		t.Fatal("GetBody after release succeeded")
	}

	empty, _ := http.NewRequest(http.MethodPost, "http://x/", nil)
	setBody(empty, nil, nil).release()
	if empty.Body != http.NoBody || empty.ContentLength != 0 {
		t.Fatalf("empty body: %v, %d", empty.Body, empty.ContentLength)
	}
	if rb, err := empty.GetBody(); err != nil || rb != http.NoBody {
		t.Fatalf("empty GetBody: %v, %v", rb, err)
	}
}

// TestSendBodyAndLength: the upstream gets the whole body with its length
// (not chunked), on a fresh and on a reused connection.
func TestSendBodyAndLength(t *testing.T) {
	body := bytes.Repeat([]byte("x"), 10000)
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		got, _ := io.ReadAll(r.Body)
		if !bytes.Equal(got, body) || r.ContentLength != int64(len(body)) || len(r.TransferEncoding) > 0 {
			t.Errorf("upstream got %d bytes, length %d, transfer encoding %v", len(got), r.ContentLength, r.TransferEncoding)
		}
		w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	p := &Provider{Name: "p", BaseURL: srv.URL, client: NewClient(TransportOptions{FirstByteTimeout: 5 * time.Second})}
	for range 2 {
		resp, err := p.Send(context.Background(), "/v1/x", body, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if n := calls.Load(); n != 2 {
		t.Fatalf("upstream answered %d calls, want 2", n)
	}
}
