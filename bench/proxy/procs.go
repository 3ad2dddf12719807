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
	key  string // the virtual key clients send, when governance is on
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
// others to Anthropic providers (full translation). With gov, a master key
// turns governance on (every request needs a virtual key; limits, budget
// and ledger apply).
func railyardConfig(listen, up, dir string, gov bool) string {
	auth := ""
	if gov {
		auth = "auth: {master_key: bench-master-key-0123456789}\n"
	}
	return fmt.Sprintf(`listen: %s
store: "sqlite://%s/railyard.db"
%slog: {level: info}
providers:
  - {name: up-openai, type: openai, base_url: "http://%[4]s/oa/v1", api_key: bench-key}
  - {name: up-anthropic, type: anthropic, base_url: "http://%[4]s/an", api_key: bench-key}
  - {name: up-stream, type: anthropic, base_url: "http://%[4]s/ans", api_key: bench-key}
  - {name: up-hold, type: anthropic, base_url: "http://%[4]s/hold", api_key: bench-key}
models:
  - {name: fast, targets: [{provider: up-openai, model: gpt-4o-mini}]}
  - {name: xlate, targets: [{provider: up-anthropic, model: claude-haiku-4-5}]}
  - {name: stream, targets: [{provider: up-stream, model: claude-haiku-4-5}]}
  - {name: hold, targets: [{provider: up-hold, model: claude-haiku-4-5}]}
`, listen, dir, auth, up)
}

// startRailyard runs `railyard serve` with the benchmark config in a fresh
// directory under dir (its own SQLite store and ledger), its access log
// going to a file there, and waits until /healthz answers. With gov it
// first creates a virtual key with a request and token rate limit and a
// budget, all far above what the run uses, so that every request is
// authenticated, counted, reserved against the budget and written to the
// ledger without being refused; the key is in child.key.
func startRailyard(bin, dir, up string, gov bool) (*child, error) {
	dir, err := os.MkdirTemp(dir, "railyard-")
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	cfg := filepath.Join(dir, "railyard.yaml")
	if err := os.WriteFile(cfg, []byte(railyardConfig(addr, up, dir, gov)), 0o600); err != nil {
		return nil, err
	}
	key := ""
	if gov {
		out, err := exec.Command(bin, "keys", "create", "--config", cfg, "--name", "bench",
			"--rpm", "1000000", "--tpm", "1000000000", "--budget-usd", "1000000").CombinedOutput()
		if err != nil {
			return nil, fmt.Errorf("railyard keys create: %v: %s", err, out)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		key = strings.TrimSpace(lines[len(lines)-1])
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
	c := &child{name: "railyard", cmd: cmd, addr: addr, key: key}
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
