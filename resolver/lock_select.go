package resolver

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/req2nix/req2nix/pypi/lockfile"
	"github.com/req2nix/req2nix/pypi/pep440"
	"github.com/req2nix/req2nix/pypi/pep508"
)

// checkTarget fails when the lock is not for the target: its
// requires-python excludes the interpreter, or none of its environments
// (pylock.toml) holds.
func (r *lockRun) checkTarget() error {
	if !r.lock.RequiresPython.Admits(r.target.python) {
		return r.lockError(0, "the lock is for Python %s, which excludes the target Python %s; choose a target it allows (--python)",
			r.lock.RequiresPython, r.target.python)
	}
	if len(r.lock.Environments) == 0 {
		return nil
	}
	var envs []string
	for _, m := range r.lock.Environments {
		if m.Evaluate(r.env) {
			return nil
		}
		envs = append(envs, m.String())
	}
	return r.lockError(0, "the lock supports only the environments %s, and %s is none of them",
		strings.Join(envs, "; "), r.target.describe())
}

// checkSelection fails on an extra or group neither the lock nor its
// project file defines.
func (r *lockRun) checkSelection() error {
	for _, check := range []struct {
		what     string
		selected []string
		known    []string
	}{
		{"extra", slices.Sorted(maps.Keys(r.extras)), r.knownExtras()},
		{"dependency group", r.requestedGroups(), r.knownGroups()},
	} {
		for _, name := range check.selected {
			if !slices.Contains(check.known, name) {
				return r.lockError(0, "%s %q is not in the lock; it has %s", check.what, name, listOrNone(check.known))
			}
		}
	}
	return nil
}

// requestedGroups are the groups the options name (not the defaults).
func (r *lockRun) requestedGroups() []string {
	var out []string
	for _, g := range slices.Sorted(maps.Keys(r.groups)) {
		if !slices.Contains(r.lock.DefaultGroups, g) {
			out = append(out, g)
		}
	}
	return out
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// selectPackages lists what the target installs, each name once.
func (r *lockRun) selectPackages() ([]*locked, error) {
	if r.lock.Walk {
		return r.walk()
	}
	return r.flatSelect()
}

// flatSelect keeps the packages whose groups are selected and whose
// marker holds (pylock.toml markers may test "extras" and
// "dependency_groups"), as PEP 751's installation steps do: a selected
// package whose requires-python excludes the target, or a name selected
// twice, is an error.
func (r *lockRun) flatSelect() ([]*locked, error) {
	var out []*locked
	byName := map[string]*locked{}
	for i := range r.lock.Packages {
		p := &r.lock.Packages[i]
		if !r.inSelectedGroup(p.Groups) || !p.Marker.Evaluate(r.env) {
			continue
		}
		if err := r.checkPackagePython(p); err != nil {
			return nil, err
		}
		if first, dup := byName[p.Name]; dup {
			return nil, r.lockError(p.Line, "%s and %s (line %d) are both selected for %s; the lock must tell them apart with markers",
				p, first.pkg, first.pkg.Line, r.target.describe())
		}
		l := &locked{pkg: p, extras: nameSetOf(p.Extras), deps: map[string]bool{}}
		byName[p.Name] = l
		out = append(out, l)
	}
	r.markFlatRoots(out)
	return out, nil
}

// inSelectedGroup reports whether a package with these groups is installed
// ("" is the default set; no groups at all means always).
func (r *lockRun) inSelectedGroup(groups []string) bool {
	if len(groups) == 0 {
		return true
	}
	for _, g := range groups {
		if g == "" || r.groups[g] {
			return true
		}
	}
	return false
}

func (r *lockRun) checkPackagePython(p *lockfile.Package) error {
	if p.RequiresPython.Admits(r.target.python) {
		return nil
	}
	return r.lockError(p.Line, "%s requires Python %s, which excludes the target Python %s; choose a target it allows (--python)",
		p, p.RequiresPython, r.target.python)
}

// markFlatRoots marks the project's own dependencies: those its project
// file declares, else (no project file) those nothing selected depends on.
func (r *lockRun) markFlatRoots(out []*locked) {
	declared := map[string]bool{}
	if r.lock.Project != nil {
		for _, d := range r.lock.Project.Declared {
			declared[pep508.NormalizeName(d.Name)] = true
		}
	} else {
		for _, l := range out {
			declared[l.pkg.Name] = true
		}
		for _, l := range out {
			for _, d := range l.pkg.Dependencies {
				delete(declared, d.Name)
			}
		}
	}
	for _, l := range out {
		l.root = declared[l.pkg.Name]
	}
}

func nameSetOf(names []string) map[string]bool {
	out := map[string]bool{}
	for _, n := range names {
		out[n] = true
	}
	return out
}

// walk follows the lock's edges from its roots (uv.lock, poetry.lock):
// a root applies when its group and extra are selected, an edge when its
// marker (and, in poetry.lock, its Python constraint) holds; an edge with
// extras installs them, which adds the edges of those extras. The roots
// are installed first, so that an edge that accepts several locked
// versions takes the one the project itself asks for.
func (r *lockRun) walk() ([]*locked, error) {
	w := &lockWalk{run: r, byIndex: map[int]*locked{}, byName: map[string]*locked{}}
	var roots []lockfile.Dependency
	var installed []*locked
	for _, root := range r.lock.Roots {
		if (root.Group != "" && !r.groups[root.Group]) || (root.Extra != "" && !r.extras[root.Extra]) || !w.applies(root) {
			continue
		}
		l, err := w.take(nil, root)
		if err != nil {
			return nil, err
		}
		l.root = true
		roots, installed = append(roots, root), append(installed, l)
	}
	for i, l := range installed {
		if err := w.followAll(l, l.pkg.Dependencies); err != nil {
			return nil, err
		}
		if err := w.addExtras(l, roots[i].Extras); err != nil {
			return nil, err
		}
	}
	return w.order, nil
}

// lockWalk is the state of a walk.
type lockWalk struct {
	run     *lockRun
	byIndex map[int]*locked    // by position in lock.Packages
	byName  map[string]*locked // a name installs once
	order   []*locked
}

// applies reports whether an edge holds for the target.
func (w *lockWalk) applies(d lockfile.Dependency) bool {
	return d.Marker.Evaluate(w.run.env) && d.Python.Admits(w.run.target.python)
}

// follow takes the edge d from the package from, installs what it leads
// to with the extras it names, and follows that package's own edges when
// it is new.
func (w *lockWalk) follow(from *locked, d lockfile.Dependency) error {
	if !w.applies(d) {
		return nil
	}
	seen := len(w.order)
	l, err := w.take(from, d)
	if err != nil {
		return err
	}
	if len(w.order) > seen { // new: follow its edges
		if err := w.followAll(l, l.pkg.Dependencies); err != nil {
			return err
		}
	}
	return w.addExtras(l, d.Extras)
}

// take returns the package the edge d leads to (from nil: a root),
// installing it without following its edges when it is new, and records
// the edge.
func (w *lockWalk) take(from *locked, d lockfile.Dependency) (*locked, error) {
	i, err := w.candidate(from, d)
	if err != nil {
		return nil, err
	}
	l, seen := w.byIndex[i]
	if !seen {
		p := &w.run.lock.Packages[i]
		if other, dup := w.byName[p.Name]; dup {
			return nil, w.run.lockError(p.Line, "%s and %s (line %d) are both needed for %s; the lock must tell them apart with markers",
				p, other.pkg, other.pkg.Line, w.run.target.describe())
		}
		if err := w.run.checkPackagePython(p); err != nil {
			return nil, err
		}
		l = &locked{pkg: p, extras: map[string]bool{}, deps: map[string]bool{}}
		w.byIndex[i], w.byName[p.Name] = l, l
		w.order = append(w.order, l)
	}
	if from != nil && l.pkg.Name != from.pkg.Name {
		from.deps[l.pkg.Name] = true
	}
	return l, nil
}

// addExtras installs extras of l that were not yet installed.
func (w *lockWalk) addExtras(l *locked, extras []string) error {
	for _, e := range extras {
		if l.extras[e] {
			continue
		}
		l.extras[e] = true
		if err := w.followAll(l, l.pkg.Optional[e]); err != nil {
			return err
		}
	}
	return nil
}

func (w *lockWalk) followAll(from *locked, deps []lockfile.Dependency) error {
	for _, d := range deps {
		if err := w.follow(from, d); err != nil {
			return err
		}
	}
	return nil
}

// candidate finds the locked package an edge means: one already installed
// under that name when it fits, else by the version the edge names
// (uv.lock) or accepts (poetry.lock), then by the Python it supports, then
// by its own marker (poetry.lock 2.1).
func (w *lockWalk) candidate(from *locked, d lockfile.Dependency) (int, error) {
	r := w.run
	var byName, matching []int
	for i := range r.lock.Packages {
		p := &r.lock.Packages[i]
		if p.Name != d.Name {
			continue
		}
		byName = append(byName, i)
		if versionMatches(p.Version, d) {
			if w.byIndex[i] != nil {
				return i, nil
			}
			matching = append(matching, i)
		}
	}
	matching = w.narrow(matching)
	switch {
	case len(matching) == 1:
		return matching[0], nil
	case len(byName) == 0:
		return 0, r.lockError(d.Line, "%s needs %s, which the lock does not have; the lock is incomplete: %s", edgeOrigin(from), d.Name, r.refreshHint())
	case len(matching) == 0:
		return 0, r.lockError(d.Line, "%s needs %s %s, and the lock has only %s; the lock is inconsistent: %s", edgeOrigin(from), d.Name,
			edgeWants(d), lockedVersions(r.lock, byName), r.refreshHint())
	}
	return 0, r.lockError(d.Line, "%s needs %s, which the lock has %d times (%s) with nothing to tell them apart for %s",
		edgeOrigin(from), d.Name, len(matching), lockedVersions(r.lock, matching), r.target.describe())
}

// narrow keeps, of several candidates, those for the target's Python, then
// those whose own marker holds (with any selected extra).
func (w *lockWalk) narrow(idx []int) []int {
	pkgs := w.run.lock.Packages
	for _, keep := range []func(*lockfile.Package) bool{
		func(p *lockfile.Package) bool { return p.RequiresPython.Admits(w.run.target.python) },
		func(p *lockfile.Package) bool { return w.run.appliesWith(p.Marker, w.run.extras) },
	} {
		if len(idx) <= 1 {
			break
		}
		if kept := slices.DeleteFunc(slices.Clone(idx), func(i int) bool { return !keep(&pkgs[i]) }); len(kept) > 0 {
			idx = kept
		}
	}
	return idx
}

// versionMatches reports whether a locked version is what an edge wants.
func versionMatches(version string, d lockfile.Dependency) bool {
	if d.Version == "" && len(d.Specifier) == 0 {
		return true
	}
	v, err := pep440.Parse(version)
	if err != nil {
		return d.Version == version && len(d.Specifier) == 0
	}
	if d.Version != "" {
		want, err := pep440.Parse(d.Version)
		if err != nil || want.Compare(v) != 0 {
			return false
		}
	}
	return d.Specifier.Admits(v)
}

func edgeOrigin(from *locked) string {
	if from == nil {
		return "the project"
	}
	return from.pkg.String()
}

func edgeWants(d lockfile.Dependency) string {
	if d.Version != "" {
		return d.Version
	}
	return d.Specifier.String()
}

func lockedVersions(lock *lockfile.Lock, idx []int) string {
	var vs []string
	for _, i := range idx {
		vs = append(vs, lock.Packages[i].Version)
	}
	return strings.Join(vs, ", ")
}

// refreshHint names the command that rewrites the lock.
func (r *lockRun) refreshHint() string {
	return fmt.Sprintf("run %s to refresh it", refreshCommand(r.lock))
}
