package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"
)

// loadClient is the load generator's HTTP client: one keep-alive
// connection per worker, no compression, so the proxies see the same
// connection pattern.
func loadClient(conns int) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}}
}

// call is one request to send: where, and what.
type call struct {
	url  string
	body []byte
	key  string // bearer token; "" sends a dummy one
}

func (c call) token() string {
	if c.key != "" {
		return c.key
	}
	return "bench"
}

// sample is the outcome of one request.
type sample struct {
	total time.Duration // send to last byte
	first time.Duration // send to first body byte
	bytes int
}

// runLoad drives a closed loop: workers send c back to back until the
// context ends, each starting its next request when the last finished.
// It returns the samples of requests that completed with 200, and the
// number of failures.
func runLoad(ctx context.Context, client *http.Client, c call, workers int) ([]sample, int) {
	var mu sync.Mutex
	var all []sample
	fails := 0
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			var mine []sample
			bad := 0
			buf := make([]byte, 32<<10)
			for ctx.Err() == nil {
				s, err := do(ctx, client, c, buf)
				if err != nil {
					if ctx.Err() == nil {
						bad++
					}
					continue
				}
				mine = append(mine, s)
			}
			mu.Lock()
			all = append(all, mine...)
			fails += bad
			mu.Unlock()
		})
	}
	wg.Wait()
	return all, fails
}

// do sends one request and reads the reply to its end.
func do(ctx context.Context, client *http.Client, c call, buf []byte) (sample, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(c.body))
	if err != nil {
		return sample{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.token())
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return sample{}, err
	}
	defer resp.Body.Close()
	var s sample
	for {
		n, err := resp.Body.Read(buf)
		if n > 0 && s.bytes == 0 {
			s.first = time.Since(start)
		}
		s.bytes += n
		if err == io.EOF {
			break
		}
		if err != nil {
			return sample{}, err
		}
	}
	s.total = time.Since(start)
	if resp.StatusCode != http.StatusOK {
		return sample{}, fmt.Errorf("status %d", resp.StatusCode)
	}
	return s, nil
}

// openStreams opens n streams at once and returns when every one has
// delivered its first bytes (or failed), with the number that are open and
// a func that closes them all.
func openStreams(ctx context.Context, client *http.Client, c call, n int) (int, func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg, done sync.WaitGroup
	var mu sync.Mutex
	open := 0
	sem := make(chan struct{}, 256) // bound the connect storm
	for range n {
		wg.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			sem <- struct{}{}
			ok := openOne(ctx, client, c)
			<-sem
			mu.Lock()
			if ok != nil {
				open++
			}
			mu.Unlock()
			wg.Done()
			if ok != nil {
				<-ctx.Done()
				ok.Close()
			}
		}()
	}
	wg.Wait()
	return open, func() { cancel(); done.Wait() }
}

func openOne(ctx context.Context, client *http.Client, c call) io.ReadCloser {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(c.body))
	if err != nil {
		return nil
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.token())
	resp, err := client.Do(req)
	if err != nil {
		return nil
	}
	buf := make([]byte, 64)
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil
	}
	if _, err := resp.Body.Read(buf); err != nil && !errors.Is(err, io.EOF) {
		resp.Body.Close()
		return nil
	}
	return resp.Body
}

// quantile returns the q-quantile of d (sorted in place).
func quantile(d []time.Duration, q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	i := int(q * float64(len(d)-1))
	return d[i]
}
