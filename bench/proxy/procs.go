package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// child is a process the benchmark started and measures.
type child struct {
	name string
	cmd  *exec.Cmd
	addr string
}

func (c *child) pid() int { return c.cmd.Process.Pid }

func (c *child) stop() {
	_ = c.cmd.Process.Kill()
	_ = c.cmd.Wait()
}

// startRole re-executes this program in a role (upstream, bare) and reads
// the address it prints.
func startRole(role string, env ...string) (*child, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), append([]string{"BENCH_ROLE=" + role}, env...)...)
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		return nil, fmt.Errorf("%s did not start: %v", role, err)
	}
	return &child{name: role, cmd: cmd, addr: strings.TrimSpace(line)}, nil
}

// buildRailyard builds cmd/railyard of the module this program belongs to
// into dir.
func buildRailyard(dir string) (string, error) {
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %v", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	bin := filepath.Join(dir, "railyard")
	cmd := exec.Command("go", "build", "-trimpath", "-o", bin, "./cmd/railyard")
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("build railyard: %v", err)
	}
	return bin, nil
}

// railyardConfig routes one model name per scenario to the fixed upstream:
// fast to an OpenAI provider (same dialect as the client: fast path), the
// others to Anthropic providers (full translation).
func railyardConfig(listen, up string) string {
	return fmt.Sprintf(`listen: %s
log: {level: info}
providers:
  - {name: up-openai, type: openai, base_url: "http://%[2]s/oa/v1", api_key: bench-key}
  - {name: up-anthropic, type: anthropic, base_url: "http://%[2]s/an", api_key: bench-key}
  - {name: up-stream, type: anthropic, base_url: "http://%[2]s/ans", api_key: bench-key}
  - {name: up-hold, type: anthropic, base_url: "http://%[2]s/hold", api_key: bench-key}
models:
  - {name: fast, targets: [{provider: up-openai, model: gpt-4o-mini}]}
  - {name: xlate, targets: [{provider: up-anthropic, model: claude-haiku-4-5}]}
  - {name: stream, targets: [{provider: up-stream, model: claude-haiku-4-5}]}
  - {name: hold, targets: [{provider: up-hold, model: claude-haiku-4-5}]}
`, listen, up)
}

// startRailyard runs `railyard serve` with the benchmark config in dir,
// its access log going to a file there, and waits until /healthz answers.
func startRailyard(bin, dir, up string) (*child, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	cfg := filepath.Join(dir, "railyard.yaml")
	if err := os.WriteFile(cfg, []byte(railyardConfig(addr, up)), 0o600); err != nil {
		return nil, err
	}
	logf, err := os.OpenFile(filepath.Join(dir, "railyard.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	cmd := exec.Command(bin, "serve", "--config", cfg)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &child{name: "railyard", cmd: cmd, addr: addr}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return c, nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.stop()
	return nil, fmt.Errorf("railyard did not become healthy on %s (log: %s)", addr, filepath.Join(dir, "railyard.log"))
}
