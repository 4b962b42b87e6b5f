package resolver

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/req2nix/req2nix/pypi/pep508"
	"github.com/req2nix/req2nix/pypi/reqfile"
)

// AllSystems are the Nix systems a multi-system resolution covers unless
// told otherwise, in the order results list them: Linux before macOS,
// x86_64 before aarch64 (the order of a flake's systems).
func AllSystems() []string {
	return []string{"x86_64-linux", "aarch64-linux", "x86_64-darwin", "aarch64-darwin"}
}

// SystemsOptions are the options of ResolveSystems.
type SystemsOptions struct {
	// Options are shared by every system. Platform is ignored; Pinned
	// applies to every system; Progress is called with Event.System set,
	// one call at a time.
	Options
	// Systems to resolve for, in any order; nil means AllSystems().
	Systems []string
	// PinnedBySystem holds a previous run's pins that apply to one system
	// only (system -> name -> version); on that system they win over
	// Options.Pinned.
	PinnedBySystem map[string]map[string]string
	// NixpkgsVersionBySystem replaces Options.Nixpkgs and NixpkgsVersion
	// on a system (system -> the version nixpkgs ships there of a package,
	// by normalised name), for a nixpkgs whose packages are not all
	// supported on every system; a system absent here uses Options'.
	NixpkgsVersionBySystem map[string]func(name string) string
}

// MultiResolution is the result of ResolveSystems: plain data, the same
// for the same inputs.
type MultiResolution struct {
	Systems     []string               // the systems asked for, in AllSystems order
	BySystem    map[string]*Resolution // the systems that resolved
	Failed      map[string]error       // the systems that did not (a *NoSolutionError), each to be reported for that system alone
	Differences []Difference           // packages not at one version on every resolved system, sorted by name
}

// Difference is a package whose version is not the same on every resolved
// system, or which some of them do not install.
type Difference struct {
	Name     string
	Versions map[string]string // resolved system -> version, "" where not installed
	Reasons  []Reason          // why, in system order
}

// Reason says why a system does not have a version another system has.
type Reason struct {
	System  string
	Version string     // the other systems' version; "" when the package is not installed on System at all
	Kind    ReasonKind // what forced it
	Detail  string     // in words, for the summary
}

// ReasonKind classifies a Reason.
type ReasonKind string

// The kinds of Reason.
const (
	// ReasonMarker: a requirement's marker leaves the package out on
	// this system (sys_platform == "darwin", platform_machine, an extra).
	ReasonMarker ReasonKind = "marker"
	// ReasonDependency: the packages requiring it are at other versions
	// on this system, or not installed there.
	ReasonDependency ReasonKind = "dependency"
	// ReasonFiles: that version has no file usable on this system (only
	// wheels for other platforms, for example).
	ReasonFiles ReasonKind = "files"
	// ReasonConflict: that version conflicts with what this system's
	// resolution needs; Detail is the explanation.
	ReasonConflict ReasonKind = "conflict"
	// ReasonAgreement: that version may fit, but this system agrees with
	// other systems that cannot have it.
	ReasonAgreement ReasonKind = "agreement"
)

// SystemError is a resolution that failed on one system, for the error of
// a ResolveSystems call on which no system resolved.
type SystemError struct {
	System string
	Err    error
}

func (e *SystemError) Error() string { return "on " + e.System + ": " + e.Err.Error() }
func (e *SystemError) Unwrap() error { return e.Err }

// maxAgreementRounds bounds the rounds of reconciliation. Each round
// settles at least one (package, version, system) trial or stops, so real
// graphs need one or two; the bound only guards against a cycle of trials
// undoing each other.
const maxAgreementRounds = 6

// ResolveSystems resolves the root requirements of in for several systems
// at once (one Resolve per system, all sharing the provider, so an index
// document is fetched once however many systems need it), and makes the
// resolutions agree wherever they can: a package several systems need gets
// one version on all of them unless a marker or the available files force
// otherwise.
//
// How agreement is reached, and why it does not depend on timing:
//
//  1. Every system resolves independently and concurrently with the usual
//     preferences (previous pin, nixpkgs, newest). Usually they agree
//     already, and the call costs one resolution's wall time.
//  2. For each package whose versions differ, the agreed version is
//     chosen among the versions some system chose that are usable (files,
//     yanked) on every system needing the package and not yet found to
//     conflict on one: the one most systems pinned (a re-run keeps its
//     lock), else the one nixpkgs ships on most systems (binary-cache hits
//     where nixpkgs supports the package), else the oldest. Where
//     preferences are the same on every system, a system picks an older
//     version only when forced to (a pinned or nixpkgs version it did not
//     pick is ruled out by its files or a trial), and the others can then
//     follow it without moving anything else; going the other way would
//     move the forced system's other packages. This is what a universal
//     lock does (uv's required-environments): a newest release without
//     macOS files puts every system on the previous one.
//  3. Each system differing from the agreed versions resolves again with
//     them as its first preference (above previous pins, even with
//     --upgrade), the rest of its choices preferred as they were. Where
//     that leaves a package different, a trial with the agreed version as
//     a hard constraint either succeeds (and is adopted) or explains the
//     conflict, which rules that version out for the package.
//  4. Steps 2 and 3 repeat until nothing changes.
//
// No system goes first: every step is a function of the previous step's
// complete results (each Resolve is deterministic, rounds are barriers,
// systems are visited in AllSystems order, ties are impossible because the
// preference order is total), so goroutine timing cannot change the
// result. A system with no solution is left out and reported in Failed;
// the call fails only when no system resolves (with the common error, or
// a *SystemError per system joined), or when the provider fails.
func ResolveSystems(ctx context.Context, p Provider, in *reqfile.File, opts SystemsOptions) (*MultiResolution, error) {
	systems, err := normalizeSystems(opts.Systems)
	if err != nil {
		return nil, err
	}
	runs := opts.runs(systems)
	if err := firstRound(ctx, p, in, runs); err != nil {
		return nil, err
	}
	out := &MultiResolution{Systems: systems, BySystem: map[string]*Resolution{}, Failed: map[string]error{}}
	a := &agreement{rejected: map[string]map[string]map[string]string{}}
	for _, r := range runs {
		if r.err != nil {
			out.Failed[r.system] = r.err
		} else {
			a.runs = append(a.runs, r)
		}
	}
	if len(a.runs) == 0 {
		return nil, allFailed(runs)
	}
	for round := 0; round < maxAgreementRounds; round++ {
		changed, err := a.reconcile(ctx, p, in)
		if err != nil {
			return nil, err
		}
		if !changed {
			break
		}
	}
	for _, r := range a.runs {
		out.BySystem[r.system] = r.res
	}
	out.Differences = a.differences()
	return out, nil
}

// systemRun is one system's current resolution.
type systemRun struct {
	system string
	opts   Options
	w      *world
	res    *Resolution
	err    error // the first round's *NoSolutionError: the system is out
}

// version returns the version of name in the run's resolution, or "".
func (r *systemRun) version(name string) string {
	if p := r.find(name); p != nil {
		return p.Version
	}
	return ""
}

func (r *systemRun) find(name string) *Package {
	i, ok := slices.BinarySearchFunc(r.res.Packages, name, func(p Package, n string) int { return strings.Compare(p.Name, n) })
	if !ok {
		return nil
	}
	return &r.res.Packages[i]
}

// normalizeSystems checks the systems and orders them as AllSystems does,
// without repeats.
func normalizeSystems(systems []string) ([]string, error) {
	all := AllSystems()
	if len(systems) == 0 {
		return all, nil
	}
	known := pep508.KnownPlatforms()
	for _, s := range systems {
		if !slices.Contains(known, s) || !slices.Contains(all, s) {
			return nil, fmt.Errorf("unknown system %q: use one of %s", s, strings.Join(all, ", "))
		}
	}
	return slices.DeleteFunc(all, func(s string) bool { return !slices.Contains(systems, s) }), nil
}

// runs prepares one run per system, sharing one analysis and one progress
// callback.
func (o SystemsOptions) runs(systems []string) []*systemRun {
	progress := serialProgress(o.Progress)
	shared := &sharedAnalysis{}
	runs := make([]*systemRun, len(systems))
	for i, s := range systems {
		runs[i] = &systemRun{system: s, opts: o.forSystem(s, shared, progress)}
	}
	return runs
}

// forSystem is the Options of one system: its platform, its pins.
func (o SystemsOptions) forSystem(system string, shared *sharedAnalysis, progress func(string, Event)) Options {
	opts := o.Options
	opts.Platform, opts.shared = system, shared
	if version, ok := o.NixpkgsVersionBySystem[system]; ok {
		opts.Nixpkgs, opts.NixpkgsVersion = nil, version
	}
	if pins := o.PinnedBySystem[system]; len(pins) > 0 {
		merged := normalizeKeys(opts.Pinned)
		maps.Copy(merged, normalizeKeys(pins))
		opts.Pinned = merged
	}
	if progress != nil {
		opts.Progress = func(e Event) { progress(system, e) }
	}
	return opts
}

// serialProgress wraps a progress callback so that concurrent resolutions
// call it one at a time, with the system set.
func serialProgress(f func(Event)) func(string, Event) {
	if f == nil {
		return nil
	}
	var mu sync.Mutex
	return func(system string, e Event) {
		mu.Lock()
		defer mu.Unlock()
		e.System = system
		f(e)
	}
}

// firstRound resolves every system independently and concurrently. A
// system without solution keeps its error; any other error (the provider,
// a cancelled context) fails the call with the first system's, so that the
// message does not depend on which goroutine failed first.
func firstRound(ctx context.Context, p Provider, in *reqfile.File, runs []*systemRun) error {
	var wg sync.WaitGroup
	hard := make([]error, len(runs))
	for i, r := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.w, r.res, r.err = resolveWorld(ctx, p, in, r.opts)
			if _, ok := errors.AsType[*NoSolutionError](r.err); r.err != nil && !ok {
				hard[i] = r.err
			}
		}()
	}
	wg.Wait()
	for _, err := range hard {
		if err != nil {
			return err
		}
	}
	return nil
}

// allFailed is the error of a call on which no system resolved: the
// explanation when every system has the same one, else each system's.
func allFailed(runs []*systemRun) error {
	same := true
	for _, r := range runs[1:] {
		same = same && r.err.Error() == runs[0].err.Error()
	}
	if same {
		return runs[0].err
	}
	var errs []error
	for _, r := range runs {
		errs = append(errs, &SystemError{System: r.system, Err: r.err})
	}
	return errors.Join(errs...)
}

// agreement reconciles the resolutions of the systems that resolved.
type agreement struct {
	runs     []*systemRun                            // in AllSystems order
	rejected map[string]map[string]map[string]string // name -> version -> system -> why that version conflicts there
}

// names lists every package of every resolution, sorted.
func (a *agreement) names() []string {
	set := map[string]bool{}
	for _, r := range a.runs {
		for _, p := range r.res.Packages {
			set[p.Name] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// holders lists the runs that install name.
func (a *agreement) holders(name string) []*systemRun {
	var out []*systemRun
	for _, r := range a.runs {
		if r.find(name) != nil {
			out = append(out, r)
		}
	}
	return out
}

// agreedVersions is step 2: for each package whose versions differ, the
// version to try everywhere, when one is left.
func (a *agreement) agreedVersions() map[string]string {
	out := map[string]string{}
	for _, name := range a.names() {
		holders := a.holders(name)
		if v, ok := a.agreedVersion(name, holders); ok {
			out[name] = v
		}
	}
	return out
}

func (a *agreement) agreedVersion(name string, holders []*systemRun) (string, bool) {
	var chosen []string
	for _, r := range holders {
		if r.find(name).DirectURL != "" {
			return "", false // one URL, one version everywhere
		}
		if v := r.version(name); !slices.Contains(chosen, v) {
			chosen = append(chosen, v)
		}
	}
	if len(chosen) < 2 {
		return "", false
	}
	a.agreementOrder(name, holders, chosen)
	for _, v := range chosen {
		if a.acceptable(name, v, holders) {
			return v, true
		}
	}
	return "", false
}

// agreementOrder orders the versions to try: the one most systems pinned
// first, then the one nixpkgs ships on most systems, then the oldest.
func (a *agreement) agreementOrder(name string, holders []*systemRun, versions []string) {
	w := holders[0].w
	info := w.defs[w.ids[name]].info
	count := func(v string, preference func(*world, string) string) int {
		n := 0
		for _, r := range holders {
			n += boolInt(sameVersion(preference(r.w, name), v))
		}
		return n
	}
	rank := func(v string) []int {
		return []int{-count(v, (*world).pinned), -count(v, (*world).nixpkgs), info.index(v)}
	}
	sort.Slice(versions, func(i, j int) bool { return slices.Compare(rank(versions[i]), rank(versions[j])) < 0 })
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// acceptable reports whether every holder may use version v of name: it
// has a usable file there and has not been found to conflict there.
func (a *agreement) acceptable(name, v string, holders []*systemRun) bool {
	for _, r := range holders {
		if _, ok := usableIndex(r.w, name, v); !ok || a.rejected[name][v][r.system] != "" {
			return false
		}
	}
	return true
}

// usableIndex returns the index of version v of name in w, and whether it
// may be chosen there (a usable file, not yanked unless pinned).
func usableIndex(w *world, name, v string) (int, bool) {
	id, ok := w.ids[name]
	if !ok || w.defs[id].info == nil {
		return -1, false
	}
	d := w.defs[id]
	i := d.info.index(v)
	return i, i >= 0 && w.usableSet(d).has(i)
}

// reconcile is one round of steps 2 and 3; it reports whether anything
// changed.
func (a *agreement) reconcile(ctx context.Context, p Provider, in *reqfile.File) (bool, error) {
	agreed := a.agreedVersions()
	if len(agreed) == 0 {
		return false, nil
	}
	prefer := a.preferences(agreed)
	outcomes := make([]*pursuit, len(a.runs))
	var wg sync.WaitGroup
	for i, r := range a.runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outcomes[i] = a.pursue(ctx, p, in, r, agreed, prefer[r.system])
		}()
	}
	wg.Wait()
	changed := false
	for i, o := range outcomes { // in system order: deterministic
		if o.err != nil {
			return false, o.err
		}
		r := a.runs[i]
		if o.w != nil {
			r.w, r.res, changed = o.w, o.res, true
		}
		for name, why := range o.rejected {
			a.reject(name, agreed[name], r.system, why)
			changed = true
		}
	}
	return changed, nil
}

func (a *agreement) reject(name, version, system, why string) {
	if a.rejected[name] == nil {
		a.rejected[name] = map[string]map[string]string{}
	}
	if a.rejected[name][version] == nil {
		a.rejected[name][version] = map[string]string{}
	}
	a.rejected[name][version][system] = why
}

// preferences is, per system, the versions a re-resolution prefers: the
// agreed ones, then the system's own choices, then the first system's
// choice for packages the system does not have yet.
func (a *agreement) preferences(agreed map[string]string) map[string]map[string]string {
	others := map[string]string{}
	for i := len(a.runs) - 1; i >= 0; i-- { // the first system's choice wins
		for _, p := range a.runs[i].res.Packages {
			others[p.Name] = p.Version
		}
	}
	out := map[string]map[string]string{}
	for _, r := range a.runs {
		prefer := maps.Clone(others)
		for _, p := range r.res.Packages {
			prefer[p.Name] = p.Version
		}
		maps.Copy(prefer, agreed)
		out[r.system] = prefer
	}
	return out
}

// pursuit is what one system's round produced: a new resolution (nil w
// when unchanged), versions found to conflict there, or a provider error.
type pursuit struct {
	w        *world
	res      *Resolution
	rejected map[string]string // name -> explanation of the agreed version's conflict
	err      error
}

// deviations lists the packages res has at another version than agreed.
func deviations(res *Resolution, agreed map[string]string) []string {
	var out []string
	for _, p := range res.Packages {
		if v, ok := agreed[p.Name]; ok && v != p.Version {
			out = append(out, p.Name)
		}
	}
	return out
}

// pursue is step 3 for one system: re-resolve preferring the agreed
// versions, then try each one still different as a hard constraint.
func (a *agreement) pursue(ctx context.Context, p Provider, in *reqfile.File, r *systemRun, agreed, prefer map[string]string) *pursuit {
	out := &pursuit{rejected: map[string]string{}}
	current := r.res
	if len(deviations(current, agreed)) == 0 {
		return out
	}
	opts := r.opts
	opts.agreed = prefer
	w, res, err := resolveWorld(ctx, p, in, opts)
	if _, ok := errors.AsType[*NoSolutionError](err); err != nil && !ok {
		return &pursuit{err: err}
	}
	if err == nil && len(deviations(res, agreed)) < len(deviations(current, agreed)) {
		out.w, out.res, current = w, res, res
	}
	tried := map[string]bool{}
	for {
		i := slices.IndexFunc(deviations(current, agreed), func(n string) bool { return !tried[n] })
		if i < 0 {
			return out
		}
		name := deviations(current, agreed)[i]
		tried[name] = true
		w, res, err := resolveWorld(ctx, p, withAgreedConstraint(in, name, agreed[name], a.holdersOf(name, agreed[name])), opts)
		var none *NoSolutionError
		switch {
		case errors.As(err, &none):
			out.rejected[name] = none.Error()
		case err != nil:
			return &pursuit{err: err}
		default:
			out.w, out.res, current = w, res, res
		}
	}
}

// holdersOf lists the systems that have version v of name.
func (a *agreement) holdersOf(name, v string) []string {
	var out []string
	for _, r := range a.runs {
		if r.version(name) == v {
			out = append(out, r.system)
		}
	}
	return out
}

// withAgreedConstraint is in with one more constraint, name==version,
// whose origin names the systems that have that version.
func withAgreedConstraint(in *reqfile.File, name, version string, systems []string) *reqfile.File {
	req, err := pep508.ParseRequirement(name + "==" + version)
	if err != nil {
		return in // a chosen version always parses
	}
	out := *in
	out.Constraints = append(slices.Clone(in.Constraints), reqfile.Requirement{
		Requirement: req,
		Source:      reqfile.Source{File: "agreement with " + strings.Join(systems, ", ")},
	})
	return &out
}

// Pins splits the versions chosen into the lock of a re-run: all holds
// every package at one version on every resolved system that installs it
// (for Options.Pinned), bySystem the others, per system (for
// SystemsOptions.PinnedBySystem). A package some systems do not install is
// still pinned for all: a pin adds no package.
func (m *MultiResolution) Pins() (all map[string]string, bySystem map[string]map[string]string) {
	all, bySystem = map[string]string{}, map[string]map[string]string{}
	versions := map[string]map[string]bool{}
	for _, res := range m.BySystem {
		for _, p := range res.Packages {
			if versions[p.Name] == nil {
				versions[p.Name] = map[string]bool{}
			}
			versions[p.Name][p.Version] = true
		}
	}
	for system, res := range m.BySystem {
		for _, p := range res.Packages {
			if len(versions[p.Name]) == 1 {
				all[p.Name] = p.Version
				continue
			}
			if bySystem[system] == nil {
				bySystem[system] = map[string]string{}
			}
			bySystem[system][p.Name] = p.Version
		}
	}
	return all, bySystem
}
