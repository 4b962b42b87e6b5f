// Command req2nix turns requirements.txt or pyproject.toml into a pinned,
// hash-locked shell.nix (or flake.nix, overlay.nix, or a JSON report). It
// only wires the stages together: pypi/reqfile reads the inputs, pypi talks
// to the index, resolver chooses versions and nixgen writes Nix.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1 // resolution, network or --check failure
	exitUsage   = 2 // bad flags or input files
)

func main() {
	tuneGC()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// tuneGC lets the heap grow to five times the live data before collecting
// (Go's default is twice): req2nix is a short-lived process whose heap is
// mostly the package documents and the nixpkgs index it keeps to the end,
// and on a warm re-run (a pre-commit hook) collecting them took a quarter
// of its CPU time. A 1 GiB soft limit keeps large resolutions in check.
// GOGC and GOMEMLIMIT in the environment still win.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(1 << 30)
	}
}

// run is the whole command, with its environment passed in for tests.
func run(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	o, err := parseArgs(args, env, stdout)
	if errors.Is(err, errHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "req2nix: %v\nRun 'req2nix --help' for usage.\n", err)
		return exitUsage
	}
	if o.version {
		fmt.Fprintln(stdout, "req2nix", version())
		return exitOK
	}
	ui := newUI(o, stderr, env)
	result, err := generate(ctx, o, env, ui)
	ui.finishProgress()
	if err != nil && ctx.Err() != nil {
		// Ctrl-C: every stage stops with "context canceled"; say it plainly.
		return ui.fail(errors.New("interrupted; nothing was written"))
	}
	if err != nil {
		return ui.fail(err)
	}
	code, err := deliverOutputs(o, result, stdout)
	if err != nil {
		return ui.fail(err)
	}
	ui.summary(result)
	return code
}
