package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/req2nix/req2nix/nixgen"
	"github.com/req2nix/req2nix/pypi"
	"github.com/req2nix/req2nix/pypi/reqfile"
	"github.com/req2nix/req2nix/resolver"
)

// One run covers the four systems (x86_64-linux, aarch64-linux,
// x86_64-darwin, aarch64-darwin), or those --platform names: it resolves
// for each at once over one index client (every document is fetched
// once), plans each against its view of nixpkgs (a package nixpkgs does
// not support there is built new there), and writes one file in which
// what the systems share appears once and what differs is keyed by system
// (see nixgen.MultiPlan). A system that cannot be resolved is reported for
// itself; the output serves the others.

// systemsOf is the --platform set in resolver.AllSystems order (all four
// when none is given).
func systemsOf(o *options) []string {
	if len(o.platforms) == 0 {
		return resolver.AllSystems()
	}
	return slices.DeleteFunc(resolver.AllSystems(), func(s string) bool { return !slices.Contains(o.platforms, s) })
}

// checkPlatforms refuses a --platform that is not one of the four.
func checkPlatforms(o *options) error {
	for _, p := range o.platforms {
		if !slices.Contains(resolver.AllSystems(), p) {
			return usageErrorf("--platform %q: choose among %s (repeat --platform for several; without it, all four)", p, strings.Join(resolver.AllSystems(), ", "))
		}
	}
	return nil
}

// platformFlags is the --platform part of the regenerate command: nothing
// for all four systems.
func platformFlags(o *options) []string {
	systems := systemsOf(o)
	if len(systems) == len(resolver.AllSystems()) {
		return nil
	}
	var out []string
	for _, s := range systems {
		out = append(out, "--platform", s)
	}
	return out
}

// nixpkgsBySystem is, per system, the version nixpkgs ships of a package
// it supports there (the evaluated index's platform data, where known):
// lookups into the index, which is not copied into a map per system.
func nixpkgsBySystem(ix *nixgen.Index, systems []string) map[string]func(string) string {
	out := map[string]func(string) string{}
	for _, s := range systems {
		out[s] = ix.ForPlatform(s).Version
	}
	return out
}

// resolveInput is what resolving needs besides the client.
type resolveInput struct {
	in           *reqfile.File
	lock         *lockInput
	python       string
	freeThreaded bool // the free-threading build (markers and cp313t wheels)
	ix           *nixgen.Index
	pins         nixgen.Pins
	directPins   map[string]resolver.DirectPin
	cutoff       time.Time
	git          resolver.GitRepos
}

// resolveSystems resolves the requirements (or reads the lock) for every
// system of the run.
func resolveSystems(ctx context.Context, client *pypi.Client, r resolveInput, o *options, env func(string) string, ui *ui) (*resolver.MultiResolution, error) {
	systems := systemsOf(o)
	if r.lock != nil {
		return resolveLock(ctx, client, r, o, env)
	}
	return resolver.ResolveSystems(ctx, client, r.in, resolver.SystemsOptions{
		Options: resolver.Options{
			Python:          r.python,
			FreeThreaded:    r.freeThreaded,
			Pre:             o.pre,
			Pinned:          r.pins.All,
			Upgrade:         o.upgrade,
			UpgradePackages: o.upgradePkgs,
			NixpkgsVersion:  r.ix.Version,
			PreferNixpkgs:   o.preferNixpkgs,
			ExcludeNewer:    r.cutoff,
			Fixed:           nixgen.FixedVersions(r.ix),
			Progress:        ui.resolverEvent,
			Git:             r.git,
			DirectPins:      r.directPins,
		},
		Systems:                systems,
		PinnedBySystem:         r.pins.BySystem,
		NixpkgsVersionBySystem: nixpkgsBySystem(r.ix, systems),
	})
}

// planSystems plans every resolved system against its view of nixpkgs, at
// once (the facts client shares every download), and merges the plans.
func planSystems(ctx context.Context, m *resolver.MultiResolution, ix *nixgen.Index, facts nixgen.Facts, opts nixgen.PlanOptions) (*nixgen.MultiPlan, error) {
	plans := make([]*nixgen.Plan, len(m.Systems))
	errs := make([]error, len(m.Systems))
	var wg sync.WaitGroup
	for i, s := range m.Systems {
		res := m.BySystem[s]
		if res == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			plans[i], errs[i] = nixgen.MakePlan(ctx, res, ix.ForPlatform(s), facts, opts)
		}()
	}
	wg.Wait()
	if err := systemsErrors(m.Systems, errs, len(m.BySystem)); err != nil {
		return nil, err
	}
	bySystem := map[string]*nixgen.Plan{}
	for i, s := range m.Systems {
		if plans[i] != nil {
			bySystem[s] = plans[i]
		}
	}
	return nixgen.MergePlans(m, bySystem)
}

// systemsErrors joins the errors of the systems (errs[i] is systems[i]'s),
// each text once with the systems it happened on, named unless it
// happened on all of the resolved ones.
func systemsErrors(systems []string, errs []error, resolved int) error {
	var texts []string
	on := map[string][]string{}
	first := map[string]error{}
	for i, err := range errs {
		if err == nil {
			continue
		}
		text := err.Error()
		if on[text] == nil {
			texts, first[text] = append(texts, text), err
		}
		on[text] = append(on[text], systems[i])
	}
	var out []error
	for _, text := range texts {
		if len(on[text]) == resolved {
			out = append(out, first[text])
		} else {
			out = append(out, fmt.Errorf("%s: %w", strings.Join(on[text], ", "), first[text]))
		}
	}
	return errors.Join(out...)
}

// systemsWarnings are the run's warnings about systems: each one without
// an environment, and each one whose requirements' markers all exclude it.
func systemsWarnings(m *resolver.MultiResolution, in *reqfile.File, pythonAttr string) []string {
	var out []string
	for _, s := range m.Systems {
		if err, failed := m.Failed[s]; failed {
			out = append(out, fmt.Sprintf("no environment for %s, so the output stops there with this message (leave it out with --platform): %s", s, strings.Join(strings.Fields(err.Error()), " ")))
		}
	}
	var empty []string
	for _, s := range m.Systems {
		if res := m.BySystem[s]; res != nil && len(res.Packages) == 0 {
			empty = append(empty, s)
		}
	}
	if len(empty) > 0 {
		out = append(out, emptyEnvironmentNote(in, pythonAttr, strings.Join(empty, ", ")))
	}
	return out
}

// resolvedNames is every package name some system resolved.
func resolvedNames(m *resolver.MultiResolution) map[string]bool {
	names := map[string]bool{}
	for _, res := range m.BySystem {
		for _, p := range res.Packages {
			names[p.Name] = true
		}
	}
	return names
}

// systemProgress keeps each system's resolver counts for the progress
// bar, which shows the most packages found and the fewest resolved (the
// slowest system).
type systemProgress struct {
	mu     sync.Mutex
	counts map[string][2]int
}

func (sp *systemProgress) record(e resolver.Event) (found, resolved int) {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if sp.counts == nil {
		sp.counts = map[string][2]int{}
	}
	sp.counts[e.System] = [2]int{e.Discovered, e.Resolved}
	resolved = -1
	for _, c := range sp.counts {
		found = max(found, c[0])
		if resolved < 0 || c[1] < resolved {
			resolved = c[1]
		}
	}
	return found, resolved
}

// headline is the summary's first line: how many packages, for which
// interpreter, on which systems (with each group's count when they
// differ).
func headline(m *nixgen.MultiPlan) string {
	groups := groupBySystem(m, func(p *nixgen.Plan) string { return count(len(p.Packages), "package") })
	if len(groups) == 1 {
		return fmt.Sprintf("%s for %s on %s", groups[0].text, m.PythonAttr, strings.Join(m.Resolved, ", "))
	}
	var parts []string
	for _, g := range groups {
		parts = append(parts, g.text+" on "+strings.Join(g.systems, ", "))
	}
	return m.PythonAttr + ": " + strings.Join(parts, "; ")
}

// systemText is a text some resolved systems share.
type systemText struct {
	text    string
	systems []string
}

// groupBySystem renders each resolved system's plan with f and groups the
// systems by text, in system order.
func groupBySystem(m *nixgen.MultiPlan, f func(*nixgen.Plan) string) []systemText {
	var out []systemText
	for _, s := range m.Resolved {
		t := f(m.Plans[s])
		i := slices.IndexFunc(out, func(g systemText) bool { return g.text == t })
		if i < 0 {
			i = len(out)
			out = append(out, systemText{text: t})
		}
		out[i].systems = append(out[i].systems, s)
	}
	return out
}

// printBySystem prints what f says of each system's plan: once when the
// systems agree, else under an "on SYSTEMS:" heading per group.
func (u *ui) printBySystem(m *nixgen.MultiPlan, indent string, f func(*nixgen.Plan) string) {
	groups := groupBySystem(m, f)
	for _, g := range groups {
		if g.text == "" {
			continue
		}
		if len(groups) == 1 {
			fmt.Fprint(u.stderr, indentLines(g.text, indent))
			continue
		}
		fmt.Fprintf(u.stderr, "%son %s:\n%s", indent, strings.Join(g.systems, ", "), indentLines(g.text, indent+"  "))
	}
}

func indentLines(text, indent string) string {
	lines := strings.SplitAfter(text, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = indent + l
		}
	}
	return strings.Join(lines, "")
}

// rowsText is a plan's summary rows: a count, what it counts and (when
// few, or with -v) the packages.
func (u *ui) rowsText(p *nixgen.Plan, format string) string {
	var b strings.Builder
	for _, row := range summaryRows(p, format) {
		fmt.Fprintf(&b, "%3d %s", len(row.items), row.title)
		if len(row.items) > 0 && (u.verbose || len(row.items) <= 8) {
			fmt.Fprintf(&b, ": %s", strings.Join(row.items, ", "))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// maxDifferences is how many differences the summary lists without -v.
const maxDifferences = 8

// printDifferences lists the packages that differ between systems, and
// why.
func (u *ui) printDifferences(m *nixgen.MultiPlan) {
	if len(m.Differences) == 0 {
		return
	}
	differ := "packages differ"
	if len(m.Differences) == 1 {
		differ = "package differs"
	}
	fmt.Fprintf(u.stderr, "  %d %s between systems:\n", len(m.Differences), differ)
	for i, d := range m.Differences {
		if i == maxDifferences && !u.verbose {
			fmt.Fprintf(u.stderr, "    … and %d more (-v lists them; the JSON report has them all)\n", len(m.Differences)-i)
			break
		}
		fmt.Fprintf(u.stderr, "    %s\n", strings.Join(strings.Fields(d.String()), " "))
	}
}

// anyOverridden reports whether some system's plan overrides a package.
func anyOverridden(m *nixgen.MultiPlan) bool {
	for _, p := range m.Plans {
		if p.Counts(nixgen.FormatShell).Overridden > 0 {
			return true
		}
	}
	return false
}

// packageNotes are the plans' notes on packages, as warnings: a note every
// resolved system has once, the others naming their systems.
func packageNotes(m *nixgen.MultiPlan) []string {
	holders := map[string][]string{}
	var order []string
	for _, s := range m.Resolved {
		for _, d := range m.Plans[s].Packages {
			for _, n := range d.Notes {
				w := d.Name + ": " + n
				if holders[w] == nil {
					order = append(order, w)
				}
				holders[w] = append(holders[w], s)
			}
		}
	}
	var out []string
	for _, w := range order {
		if len(holders[w]) < len(m.Resolved) {
			w = "on " + strings.Join(holders[w], ", ") + ": " + w
		}
		out = append(out, w)
	}
	return out
}
