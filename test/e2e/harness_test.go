// Package e2e drives the built railyard binary with the official OpenAI and
// Anthropic Go SDKs as clients and the railyard simulator as upstream.
//
// The binary is RAILYARD_BIN when set (CI builds the release binary), else
// built once into a temporary directory by TestMain.
package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var binary string

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	binary = os.Getenv("RAILYARD_BIN")
	if binary == "" {
		dir, err := os.MkdirTemp("", "railyard-e2e")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		binary = filepath.Join(dir, "railyard")
		cmd := exec.Command("go", "build", "-o", binary, "github.com/railyard-ai/railyard/cmd/railyard")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "build railyard:", err)
			return 1
		}
	}
	return m.Run()
}

// freeAddr returns a loopback address that was free a moment ago.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// proc is a running railyard process.
type proc struct {
	cmd  *exec.Cmd
	addr string
	out  *syncBuffer
	// exited is closed once the process has been waited for; err is then
	// cmd.Wait's result. Both cleanup and tests may wait, any number of times.
	exited chan struct{}
	err    error
}

// URL is the process's base URL.
func (p *proc) URL() string { return "http://" + p.addr }

// Output is what the process printed so far.
func (p *proc) Output() string { return p.out.String() }

// wait waits up to d for the process to exit and returns cmd.Wait's error;
// ok is false on timeout.
func (p *proc) wait(d time.Duration) (err error, ok bool) {
	select {
	case <-p.exited:
		return p.err, true
	case <-time.After(d):
		return nil, false
	}
}

// procOptions are the less common ways to start a process.
type procOptions struct {
	// dir is the working directory; default the test binary's.
	dir string
	// env replaces the environment when not nil; default os.Environ with
	// the provider API keys blanked.
	env []string
}

// start runs `railyard <args...> --listen ADDR` and waits for /healthz.
func start(t testing.TB, args ...string) *proc {
	t.Helper()
	return startWith(t, procOptions{}, args...)
}

// startWith is start with options.
func startWith(t testing.TB, o procOptions, args ...string) *proc {
	t.Helper()
	addr := freeAddr(t)
	args = append(args, "--listen", addr)
	cmd := exec.Command(binary, args...)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Dir = workDir(t, o.dir)
	cmd.Env = o.env
	if cmd.Env == nil {
		cmd.Env = append(os.Environ(), "OPENAI_API_KEY=", "ANTHROPIC_API_KEY=")
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, addr: addr, out: out, exited: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		if _, ok := p.wait(10 * time.Second); !ok {
			_ = cmd.Process.Kill()
			<-p.exited
		}
		if t.Failed() {
			t.Logf("railyard %s output:\n%s", strings.Join(args, " "), out.String())
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if err, ok := p.wait(0); ok {
			t.Fatalf("railyard %v exited early: %v\n%s", args, err, out.String())
		}
		resp, err := http.Get(p.URL() + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("railyard %v did not become healthy:\n%s", args, out.String())
	return nil
}

// run runs `railyard <args...>` to completion (bounded by 20s) and returns
// its exit code and combined output.
func run(t testing.TB, o procOptions, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir = workDir(t, o.dir)
	cmd.Env = o.env
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, string(out)
	case errors.As(err, &exit):
		return exit.ExitCode(), string(out)
	}
	t.Fatalf("railyard %v: %v\n%s", args, err, out)
	return -1, ""
}

// writeConfig writes a config file into the test's temp dir.
func writeConfig(t testing.TB, yaml string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "railyard.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// post sends a raw JSON request and returns status, headers and body.
func post(t testing.TB, url string, body string, header map[string]string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// runFor runs `railyard <args...>` for d, sends SIGTERM, and returns its
// exit code and combined output (-1 if it had to be killed).
func runFor(t testing.TB, d time.Duration, env []string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr, cmd.Env = out, out, env
	cmd.Dir = workDir(t, "")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return exitCode(t, err), out.String()
	case <-time.After(d):
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-done:
		return exitCode(t, err), out.String()
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		return -1, out.String()
	}
}

func exitCode(t testing.TB, err error) int {
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		return exit.ExitCode()
	}
	t.Fatal(err)
	return -1
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
