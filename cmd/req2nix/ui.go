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
	systems      systemProgress
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

// resolverEvent records the resolver's progress for the bar: of all
// systems, the most packages found and the fewest resolved.
func (u *ui) resolverEvent(e resolver.Event) {
	found, resolved := u.systems.record(e)
	u.discovered.Store(int64(found))
	u.resolved.Store(int64(resolved))
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

// summary is the one-screen report: where each package comes from, what
// Nix substitutes from the binary cache and what it rebuilds, what nixpkgs
// adds, and any warnings.
func (u *ui) summary(r *result) {
	if u.quiet {
		return
	}
	m := r.plan
	fmt.Fprintf(u.stderr, "req2nix: %s\n", headline(m))
	fmt.Fprintf(u.stderr, "  %s\n", pinSummary(r.nixpkgs, r.index))
	if r.lockNote != "" {
		fmt.Fprintf(u.stderr, "  %s\n", r.lockNote)
	}
	u.printBySystem(m, "  ", func(p *nixgen.Plan) string { return u.rowsText(p, r.format) })
	u.printBySystem(m, "  ", func(p *nixgen.Plan) string {
		if added := addedByNixpkgs(p); len(added) > 0 {
			return fmt.Sprintf("plus %s that nixpkgs' dependencies add outside the resolution: %s\n", count(len(added), "package"), strings.Join(added, ", "))
		}
		return ""
	})
	for _, line := range recipeLines(r) {
		fmt.Fprintf(u.stderr, "  %s\n", line)
	}
	u.printBySystem(m, "  ", planRecipeText)
	for _, line := range appLines(r) {
		fmt.Fprintf(u.stderr, "  %s\n", line)
	}
	u.printDifferences(m)
	u.printBySystem(m, "", func(p *nixgen.Plan) string {
		if hint := rebuildHint(p); hint != "" {
			return hint + "\n"
		}
		return ""
	})
	if r.index.Source == nixgen.EmbeddedSource && anyOverridden(m) && !hasFallbackNote(r.warnings) {
		fmt.Fprintln(u.stderr, "hint: with attribute names only, nothing can be reused as is; without --no-eval-nixpkgs (where Nix is\n      installed), or with --nixpkgs-index FILE, req2nix learns the versions nixpkgs ships")
	}
	warnings := append(append([]string{}, r.warnings...), packageNotes(m)...)
	sort.Strings(warnings)
	for _, w := range warnings {
		fmt.Fprintf(u.stderr, "warning: %s\n", w)
	}
}

// summaryRow is one line of the summary: a count, what it counts and the
// packages counted.
type summaryRow struct {
	title string
	items []string
}

// summaryRows sorts the packages as nixgen.CacheCounts counts them in an
// output of format. Without dependency edges in the index, the as-is
// packages are one row: an upper bound of the binary-cache hits, since
// rebuilds cannot be told.
func summaryRows(p *nixgen.Plan, format string) []summaryRow {
	var hit, rebuilt, unknown, overridden, built, pip, interp []string
	for _, d := range p.Packages {
		label := d.Name + " " + d.Version
		if d.KeptAtOtherVersion() {
			label = d.Name + " (nixpkgs' own, not " + d.Version + ")"
		}
		cache := d.CacheIn(format)
		switch {
		case d.Kind == nixgen.KindPip:
			pip = append(pip, label)
		case d.Kind == nixgen.KindAsIs && cache == nixgen.CacheHit:
			hit = append(hit, label)
		case d.Kind == nixgen.KindAsIs && cache == nixgen.CacheRebuilt:
			rebuilt = append(rebuilt, d.Name+" ("+strings.Join(d.RebuiltBecause, ", ")+")")
		case d.Kind == nixgen.KindAsIs && cache == nixgen.CacheInterpreter:
			interp = append(interp, label)
		case d.Kind == nixgen.KindAsIs:
			unknown = append(unknown, label)
		case d.InNixpkgs:
			overridden = append(overridden, label+overrideDetail(d))
		default:
			built = append(built, label)
		}
	}
	rows := []summaryRow{
		{"from the binary cache (nixpkgs as is)", hit},
		{"rebuilt because a dependency changed", rebuilt},
	}
	if !p.EdgesKnown {
		rows = []summaryRow{{"from nixpkgs as is: at most that many from the binary cache (the nixpkgs index has no dependency edges, so rebuilds cannot be counted)", unknown}}
	}
	if len(interp) > 0 {
		rows = append(rows, summaryRow{"nixpkgs' version, rebuilt for " + p.PythonAttr + " (the binary cache has nixpkgs' interpreters only)", interp})
	}
	rows = append(rows,
		summaryRow{"overridden to another version", overridden},
		summaryRow{"built new", built})
	if len(pip) > 0 {
		rows = append(rows, summaryRow{"installed by pip on entering the shell", pip})
	}
	return rows
}

// overrideDetail says what nixpkgs has and how the other version is built.
func overrideDetail(d nixgen.Decision) string {
	var parts []string
	if d.NixpkgsVersion != "" {
		parts = append(parts, "nixpkgs has "+d.NixpkgsVersion)
	}
	if d.Kind == nixgen.KindNew && d.Format == "wheel" && !d.BinaryWheel {
		parts = append(parts, "from its wheel")
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, "; ") + ")"
}

// addedByNixpkgs lists, once each, the packages nixpkgs' dependencies of
// as-is packages put in the environment outside the resolution.
func addedByNixpkgs(p *nixgen.Plan) []string {
	by := map[string][]string{}
	for _, d := range p.Packages {
		for _, a := range d.Adds {
			label := a.Name + " " + a.Version
			if a.Resolved != "" {
				label += " beside the resolved " + a.Resolved
			}
			by[label] = append(by[label], d.Name)
		}
	}
	var out []string
	for label, froms := range by {
		out = append(out, label+" (for "+strings.Join(froms, ", ")+")")
	}
	sort.Strings(out)
	return out
}

// manyRebuilds is how many as-is packages one override must force to be
// rebuilt before the summary names it as a choice worth relaxing.
const manyRebuilds = 3

// rebuildHint names the overrides that force most rebuilds, when one
// forces many, so that the user can relax the constraint that excludes
// nixpkgs' version.
func rebuildHint(p *nixgen.Plan) string {
	causes := p.RebuildCauses()
	if len(causes) == 0 || len(causes[0].Rebuilt) < manyRebuilds {
		return ""
	}
	nixpkgs := map[string]string{}
	for _, d := range p.Packages {
		nixpkgs[d.Name] = d.NixpkgsVersion
	}
	var parts []string
	for _, c := range causes[:min(3, len(causes))] {
		if len(c.Rebuilt) < manyRebuilds {
			break
		}
		part := fmt.Sprintf("%s rebuilds %d (%s)", c.Name, len(c.Rebuilt), shortList(c.Rebuilt, 4))
		if v := nixpkgs[c.Name]; v != "" {
			part += ", nixpkgs has " + v
		}
		parts = append(parts, part)
	}
	return "hint: the overrides forcing most rebuilds: " + strings.Join(parts, "; ") +
		"; requirements that allow nixpkgs' version let those packages come from the binary cache"
}

// shortList joins names, eliding after n.
func shortList(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:n], ", ") + ", …"
}

// hasFallbackNote reports whether a warning already says why nixpkgs'
// versions are unknown.
func hasFallbackNote(warnings []string) bool {
	for _, w := range warnings {
		if strings.HasPrefix(w, "nixpkgs' package versions are unknown") {
			return true
		}
	}
	return false
}

// progressLine says what a slow, once-only step is doing (evaluating or
// downloading nixpkgs), so that the wait is explained.
func (u *ui) progressLine(msg string) {
	if !u.quiet {
		fmt.Fprintf(u.stderr, "req2nix: %s\n", msg)
	}
}

// count says "1 package", "2 packages".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
