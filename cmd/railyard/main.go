// Command railyard is an AI gateway: one API in front of every model. This
// package holds flags and wiring only, a file per subcommand.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `railyard: one API in front of every model.

Usage:
  railyard serve  [--config FILE] [--listen ADDR]   run the gateway
  railyard demo   [--config FILE] [--listen ADDR]   run the gateway and send a request in each dialect through it
  railyard sim    [--config FILE] [--listen ADDR]   run a simulated model provider
  railyard check  --config FILE                     validate a config; exit 1 with the reason
  railyard keys   create|list|revoke ...            virtual keys in the configured store
  railyard usage  [--by key|team|model|provider|day] [--since 24h] [--json]
  railyard version

With no --config, serve reads ./railyard.yaml if present, else builds a config
from the environment (OPENAI_API_KEY, ANTHROPIC_API_KEY, a local Ollama or
vLLM), falling back to the built-in simulator.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches a subcommand and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, rest := args[0], args[1:]
	var err error
	switch cmd {
	case "serve":
		err = runServe(ctx, rest, stdout, stderr, false)
	case "demo":
		err = runServe(ctx, rest, stdout, stderr, true)
	case "sim":
		err = runSim(ctx, rest, stdout, stderr)
	case "check":
		err = runCheck(rest, stdout, stderr)
	case "keys":
		err = runKeys(ctx, rest, stdout, stderr)
	case "usage":
		err = runUsage(ctx, rest, stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "railyard", version)
		return 0
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "railyard: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if err != nil {
		if err == errUsage {
			return 2
		}
		fmt.Fprintln(stderr, "railyard:", err)
		return 1
	}
	return 0
}
