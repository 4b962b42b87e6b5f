package nixgen

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/req2nix/req2nix/pypi/pep508"
	"github.com/req2nix/req2nix/resolver"
)

// MultiPlan is the plans of several target systems merged: what every
// system shares, written once, and what differs, written per system. It is
// plain data, made by MergePlans (or, for one plan, by Plan.Render), and
// rendered by MultiPlan.Render. A Plan is the one-system case: it renders
// as the MultiPlan of its own system.
type MultiPlan struct {
	PythonAttr string // the interpreter attribute, the same on every system
	Python     string // the resolutions' target Python version
	Index      string // where what nixpkgs ships was learnt
	EdgesKnown bool   // the index knows nixpkgs' dependency edges

	// Systems are the systems the output covers (asked for), in
	// resolver.AllSystems order; Resolved those of them that resolved,
	// which each have a plan. The others are in Failed.
	Systems  []string
	Resolved []string
	Plans    map[string]*Plan  // resolved system -> its own plan
	Failed   map[string]string // system -> why it has no environment (one line)

	// Shared holds the decisions written the same way on every resolved
	// system (same kind, attribute, version, source, dependencies), by
	// name; BySystem the others, per resolved system.
	Shared   []Decision
	BySystem map[string][]Decision
	// SharedEnv lists the attributes every resolved system's environment
	// holds; EnvBySystem the rest, per resolved system.
	SharedEnv   []string
	EnvBySystem map[string][]string

	// Differences says which packages differ between systems and why
	// (from resolver.MultiResolution).
	Differences []resolver.Difference

	// The recipes (see Plan), the same on every system. Swap is the part
	// of the systems' interpreter swaps they share (Rebuilt is SharedEnv);
	// ReusedBySystem lists the packages a system alone reuses.
	Interpreter    *InterpreterSpec
	HashFrom       string
	Check          *PythonRequest
	Fallback       string
	PipIndexURL    string
	App            *App
	Swap           *InterpreterSwap
	ReusedBySystem map[string][]string
}

// MergePlans merges the plans of the systems of one multi-system
// resolution: m names the systems asked for, those that failed and the
// differences; plans holds one plan per system of m.BySystem.
func MergePlans(m *resolver.MultiResolution, plans map[string]*Plan) (*MultiPlan, error) {
	if m == nil || len(plans) == 0 {
		return nil, errors.New("nixgen: nothing to merge (no resolved system)")
	}
	failed := map[string]string{}
	for s, err := range m.Failed {
		failed[s] = oneLine(err.Error())
	}
	for s := range m.BySystem {
		if plans[s] == nil {
			return nil, fmt.Errorf("nixgen: no plan for %s, which resolved", s)
		}
	}
	return mergePlans(m.Systems, plans, failed, m.Differences)
}

// mergePlans finds what the plans share. Every plan must be for the same
// interpreter; systems lists those asked for (plans and failed cover them).
func mergePlans(systems []string, plans map[string]*Plan, failed map[string]string, diffs []resolver.Difference) (*MultiPlan, error) {
	mp := &MultiPlan{
		Systems: systems, Plans: plans, Failed: failed, Differences: diffs,
		BySystem: map[string][]Decision{}, EnvBySystem: map[string][]string{},
	}
	for _, s := range systems {
		p := plans[s]
		if p == nil {
			continue
		}
		if len(mp.Resolved) == 0 {
			mp.PythonAttr, mp.Python, mp.Index, mp.EdgesKnown = p.PythonAttr, p.Python, p.Index, p.EdgesKnown
			mp.Interpreter, mp.HashFrom, mp.Check, mp.App = p.Interpreter, p.HashFrom, p.Check, p.App
		} else if p.PythonAttr != mp.PythonAttr || p.Python != mp.Python {
			return nil, fmt.Errorf("nixgen: the plan for %s is for %s %s, not %s %s like the others", s, p.PythonAttr, p.Python, mp.PythonAttr, mp.Python)
		}
		mp.Resolved = append(mp.Resolved, s)
		if mp.Fallback == "" { // only a system with packages for pip has it
			mp.Fallback, mp.PipIndexURL = p.Fallback, p.PipIndexURL
		}
	}
	if err := mp.checkSwaps(); err != nil {
		return nil, err
	}
	mp.splitDecisions()
	mp.SharedEnv, mp.EnvBySystem = mp.splitShared((*Plan).envAttrs)
	mp.mergeSwaps()
	return mp, nil
}

// checkSwaps refuses plans that swap interpreters differently (one reusing
// python313's packages, another none).
func (mp *MultiPlan) checkSwaps() error {
	first := mp.Plans[mp.Resolved[0]].Swap
	for _, s := range mp.Resolved[1:] {
		swap := mp.Plans[s].Swap
		if (swap == nil) != (first == nil) || swap != nil && swap.Cached != first.Cached {
			return fmt.Errorf("nixgen: the plan for %s swaps interpreters unlike the plan for %s", s, mp.Resolved[0])
		}
	}
	return nil
}

// mergeSwaps makes the shared interpreter swap: rebuilt is the shared
// environment, reused what every system reuses (ReusedBySystem the rest).
func (mp *MultiPlan) mergeSwaps() {
	first := mp.Plans[mp.Resolved[0]].Swap
	if first == nil {
		return
	}
	reused, bySystem := mp.splitShared(func(p *Plan) []string { return p.Swap.Reused })
	mp.ReusedBySystem = bySystem
	mp.Swap = &InterpreterSwap{Cached: first.Cached, Rebuilt: mp.SharedEnv, Reused: reused, PerSystem: mp.differs()}
}

// splitDecisions puts each decision written the same way on every
// resolved system in Shared, the others in BySystem.
func (mp *MultiPlan) splitDecisions() {
	count := map[string]int{} // output key -> resolved systems writing it
	for _, s := range mp.Resolved {
		for _, d := range mp.Plans[s].Packages {
			count[outputKey(d)]++
		}
	}
	first := mp.Resolved[0]
	for _, s := range mp.Resolved {
		for _, d := range mp.Plans[s].Packages {
			switch {
			case count[outputKey(d)] < len(mp.Resolved):
				mp.BySystem[s] = append(mp.BySystem[s], d)
			case s == first:
				mp.Shared = append(mp.Shared, d)
			}
		}
	}
}

// outputKey identifies what a decision writes: nixpkgs' attribute as is,
// or the text of its override or build (comments included).
func outputKey(d Decision) string {
	if d.Kind == KindAsIs {
		return "as-is " + d.Attr + " " + d.Version
	}
	return renderOverrideSet([]Decision{d})
}

// splitShared puts the attributes every resolved system lists (in the
// first one's order) in shared, the others in bySystem.
func (mp *MultiPlan) splitShared(attrs func(*Plan) []string) (shared []string, bySystem map[string][]string) {
	bySystem = map[string][]string{}
	count := map[string]int{}
	for _, s := range mp.Resolved {
		for _, a := range attrs(mp.Plans[s]) {
			count[a]++
		}
	}
	for _, s := range mp.Resolved {
		for _, a := range attrs(mp.Plans[s]) {
			switch {
			case count[a] < len(mp.Resolved):
				bySystem[s] = append(bySystem[s], a)
			case s == mp.Resolved[0]:
				shared = append(shared, a)
			}
		}
	}
	return shared, bySystem
}

// differs reports whether anything differs between the resolved systems:
// the output then has per-system code (perSystem).
func (mp *MultiPlan) differs() bool {
	return len(mp.BySystem) > 0 || len(mp.EnvBySystem) > 0 || len(mp.ReusedBySystem) > 0
}

// partial reports whether the output covers fewer than the four systems
// (--platform, or a system that failed): evaluating it on another must
// fail with a message saying why, not build another system's resolution.
func (mp *MultiPlan) partial() bool {
	return len(mp.Resolved) < len(resolver.AllSystems())
}

// problems joins the problems of every system's decisions.
func (mp *MultiPlan) problems() error {
	var errs []error
	for _, s := range mp.Resolved {
		if err := problems(mp.Plans[s].Packages); err != nil {
			if len(mp.Resolved) > 1 {
				err = fmt.Errorf("%s: %w", s, err)
			}
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// multi is the plan as the one-system MultiPlan. A plan without a system
// (made by hand) is taken to hold for every system.
func (p *Plan) multi() (*MultiPlan, error) {
	if p == nil {
		return nil, errors.New("nixgen: nothing to render (nil plan)")
	}
	if p.Platform == "" {
		plans := map[string]*Plan{}
		for _, s := range resolver.AllSystems() {
			plans[s] = p
		}
		return mergePlans(resolver.AllSystems(), plans, nil, nil)
	}
	return mergePlans([]string{p.Platform}, map[string]*Plan{p.Platform: p}, nil, nil)
}

// lockLine is one "# req2nix-lock" line: a package's version on every
// resolved system (System "") or on one.
type lockLine struct {
	System   string
	Decision Decision
}

// lockLines lists the pins: one line per package at one version on every
// resolved system that installs it, then, system by system, the packages
// whose versions differ (resolver.MultiResolution.Pins splits them alike).
func (mp *MultiPlan) lockLines() []lockLine {
	versions := map[string]map[string]bool{}
	for _, s := range mp.Resolved {
		for _, d := range mp.Plans[s].Packages {
			if versions[d.Name] == nil {
				versions[d.Name] = map[string]bool{}
			}
			versions[d.Name][d.Version] = true
		}
	}
	var shared, bySystem []lockLine
	seen := map[string]bool{}
	for _, s := range mp.Resolved {
		for _, d := range mp.Plans[s].Packages {
			switch {
			case len(versions[d.Name]) > 1:
				bySystem = append(bySystem, lockLine{System: s, Decision: d})
			case !seen[d.Name]:
				seen[d.Name] = true
				shared = append(shared, lockLine{Decision: d})
			}
		}
	}
	sort.SliceStable(shared, func(i, j int) bool { return shared[i].Decision.Name < shared[j].Decision.Name })
	return append(shared, bySystem...)
}

// Warnings merges the systems' warnings: one every resolved system has is
// written once, the others name their systems.
func (mp *MultiPlan) Warnings() []string {
	holders := map[string][]string{}
	for _, s := range mp.Resolved {
		for _, w := range mp.Plans[s].Warnings {
			if !slices.Contains(holders[w], s) {
				holders[w] = append(holders[w], s)
			}
		}
	}
	var out []string
	for w, systems := range holders {
		if len(systems) < len(mp.Resolved) {
			w = "on " + strings.Join(systems, ", ") + ": " + w
		}
		out = append(out, w)
	}
	sort.Strings(out)
	return out
}

// oneLine joins a multi-line message (a resolver explanation) into one
// line, for a comment or a throw.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// takeUnsupported gives a package that nixpkgs has, but not for the
// index's system (meta.platforms, meta.broken), nixpkgs' attribute: it is
// built new in its place there, so that nixpkgs' packages depending on it
// get this build rather than one that does not evaluate or build there.
func takeUnsupported(d *Decision, ix *Index) {
	if ix.system == "" {
		return
	}
	all := *ix
	all.system = ""
	e, ok := all.Lookup(d.Name)
	if !ok || ix.usable(&e) {
		return
	}
	d.Attr, d.NixpkgsVersion = e.Attr, e.Version
	// The note names no system, so that the summary says it once for all
	// the systems it holds on.
	d.Notes = append(d.Notes, fmt.Sprintf("nixpkgs' %s %s is not available on this system (its meta.platforms or meta.broken), so this build takes its place",
		e.Attr, orUnknown(e.Version)))
}

// pipRequirements are what pip installs on the resolved systems: a
// requirement every one of them has, once; the others with a marker
// naming the systems that have them (pip skips a line whose marker is
// false there).
func (mp *MultiPlan) pipRequirements() []PipRequirement {
	var keys []string
	reqs := map[string]PipRequirement{}
	systems := map[string][]string{}
	for _, s := range mp.Resolved {
		for _, d := range mp.Plans[s].Packages {
			if d.Kind != KindPip || d.Pip == nil {
				continue
			}
			key := d.Pip.Name + "==" + d.Pip.Version + " " + strings.Join(d.Pip.SHA256, " ")
			if _, seen := reqs[key]; !seen {
				keys = append(keys, key)
				reqs[key] = *d.Pip
			}
			systems[key] = append(systems[key], s)
		}
	}
	out := make([]PipRequirement, 0, len(keys))
	for _, k := range keys {
		r := reqs[k]
		if len(systems[k]) < len(mp.Resolved) {
			r.Marker = systemsMarker(systems[k])
		}
		out = append(out, r)
	}
	return out
}

// systemsMarker is the PEP 508 marker that holds on the given systems.
func systemsMarker(systems []string) string {
	if len(systems) == 1 {
		return pep508.SystemMarker(systems[0])
	}
	parts := make([]string, len(systems))
	for i, s := range systems {
		parts[i] = "(" + pep508.SystemMarker(s) + ")"
	}
	return strings.Join(parts, " or ")
}
