package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/req2nix/req2nix/nixgen"
	"github.com/req2nix/req2nix/pypi"
	"github.com/req2nix/req2nix/pypi/reqfile"
	"github.com/req2nix/req2nix/resolver"
)

// ui is everything req2nix says on stderr: debug notes (-v), the progress
// bar (terminals only), the summary and errors.
type ui struct {
	stderr  io.Writer
	quiet   bool
	verbose bool
	color   bool
	logger  *slog.Logger

	showProgress bool
	discovered   atomic.Int64
	resolved     atomic.Int64
	stop         chan struct{}
	done         sync.WaitGroup
}

func newUI(o *options, stderr io.Writer, env func(string) string) *ui {
	tty := isTerminal(stderr)
	u := &ui{
		stderr:       stderr,
		quiet:        o.quiet,
		verbose:      o.verbose,
		color:        tty && env("NO_COLOR") == "",
		showProgress: tty && !o.quiet && !o.verbose && !o.noProgress,
	}
	level := slog.LevelWarn
	if o.verbose {
		level = slog.LevelDebug
	}
	if o.quiet {
		level = slog.LevelError + 1
	}
	u.logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	return u
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// startProgress draws a spinner with live counts until finishProgress.
func (u *ui) startProgress(c *pypi.Client) {
	if !u.showProgress {
		return
	}
	bar := progressbar.NewOptions(-1,
		progressbar.OptionSetWriter(u.stderr),
		progressbar.OptionSpinnerType(14),
		progressbar.OptionEnableColorCodes(u.color),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetDescription("resolving"),
	)
	u.stop = make(chan struct{})
	u.done.Add(1)
	go func() {
		defer u.done.Done()
		tick := time.NewTicker(80 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-u.stop:
				_ = bar.Finish()
				return
			case <-tick.C:
				s := c.Stats()
				bar.Describe(fmt.Sprintf("resolving: %d packages found, %d resolved · %d requests done, %d in flight",
					u.discovered.Load(), u.resolved.Load(), s.Requests, s.InFlight))
				_ = bar.Add(1)
			}
		}
	}()
}

// resolverEvent records the resolver's progress for the bar.
func (u *ui) resolverEvent(e resolver.Event) {
	u.discovered.Store(int64(e.Discovered))
	u.resolved.Store(int64(e.Resolved))
}

func (u *ui) finishProgress() {
	if u.stop != nil {
		close(u.stop)
		u.done.Wait()
		u.stop = nil
	}
}

// fail prints err as one readable paragraph and returns the exit status.
func (u *ui) fail(err error) int {
	code := exitFailure
	var inErr *inputError
	var rfErr *reqfile.Error
	if errors.As(err, &inErr) || errors.As(err, &rfErr) || isUsageError(err) || errors.Is(err, resolver.ErrUnpinnable) || errors.Is(err, resolver.ErrDirectReference) {
		code = exitUsage
	}
	prefix := "req2nix: "
	if u.color {
		prefix = "\x1b[1;31mreq2nix:\x1b[0m "
	}
	var check *checkError
	if errors.As(err, &check) {
		if !u.quiet {
			fmt.Fprintf(u.stderr, "%s%v\n", prefix, err)
		}
		return code
	}
	fmt.Fprintf(u.stderr, "%s%v\n", prefix, err)
	if u.verbose {
		printErrorChain(u.stderr, err)
	}
	return code
}

// printErrorChain lists the layers of a wrapped error, outermost first, for
// -v: which stage failed and what it wrapped.
func printErrorChain(w io.Writer, err error) {
	fmt.Fprintln(w, "\nerror chain:")
	for depth := 0; err != nil && depth < 16; depth++ {
		fmt.Fprintf(w, "  %T: %v\n", err, err)
		err = errors.Unwrap(err)
	}
}

// summary is the one-screen report: where each package comes from and any
// warnings.
func (u *ui) summary(r *result) {
	if u.quiet {
		return
	}
	groups := map[nixgen.Kind][]string{}
	for _, d := range r.plan {
		label := d.Name + " " + d.Version
		switch {
		case d.Kind == nixgen.KindOverride && d.NixpkgsVersion != "":
			label += " (nixpkgs has " + d.NixpkgsVersion + ")"
		case d.Kind == nixgen.KindAsIs && d.NixpkgsVersion != d.Version:
			label = d.Name + " (nixpkgs' own, not " + d.Version + ")"
		}
		groups[d.Kind] = append(groups[d.Kind], label)
	}
	fmt.Fprintf(u.stderr, "req2nix: %s for %s on %s; nixpkgs index: %s\n",
		count(len(r.plan), "package"), r.pythonAttr, r.resolution.Platform, r.index.Source)
	if r.lockNote != "" {
		fmt.Fprintf(u.stderr, "req2nix: %s\n", r.lockNote)
	}
	for _, row := range []struct {
		kind  nixgen.Kind
		title string
	}{
		{nixgen.KindAsIs, "from nixpkgs as is (binary cache)"},
		{nixgen.KindOverride, "overridden to another version"},
		{nixgen.KindNew, "built new"},
	} {
		names := groups[row.kind]
		fmt.Fprintf(u.stderr, "  %3d %s", len(names), row.title)
		if len(names) > 0 && (u.verbose || len(names) <= 8) {
			fmt.Fprintf(u.stderr, ": %s", strings.Join(names, ", "))
		}
		fmt.Fprintln(u.stderr)
	}
	if len(r.index.Versions()) == 0 && len(groups[nixgen.KindOverride]) > 0 {
		fmt.Fprintln(u.stderr, "hint: this nixpkgs index knows attribute names only, so nothing can be reused as is;\n      --eval-nixpkgs (needs Nix) or --nixpkgs-index FILE tell req2nix the versions nixpkgs ships")
	}
	warnings := append([]string{}, r.warnings...)
	for _, d := range r.plan {
		for _, n := range d.Notes {
			warnings = append(warnings, d.Name+": "+n)
		}
	}
	sort.Strings(warnings)
	for _, w := range warnings {
		fmt.Fprintf(u.stderr, "warning: %s\n", w)
	}
}

// count says "1 package", "2 packages".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
