package resolver

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"

	"github.com/req2nix/req2nix/pypi"
	"github.com/req2nix/req2nix/pypi/pep440"
	"github.com/req2nix/req2nix/pypi/pep508"
	"github.com/req2nix/req2nix/pypi/reqfile"
)

// pkgDef is one package identity of a resolution.
type pkgDef struct {
	name   string // normalised project name
	extra  string // for virtual "name[extra]" packages
	base   pkg    // for extras: the real package
	info   *projectInfo
	direct *directRef
	// missing is set when no index offers the project (a
	// *pypi.NotFoundError, or a *pypi.QuarantinedError): it then has no
	// versions, so that a dependency on it rules out what needs it (as in
	// pip), while a root requirement on it is reported as this error.
	missing error
}

func (d *pkgDef) display() string {
	if d.extra != "" {
		return d.name + "[" + d.extra + "]"
	}
	return d.name
}

// directRef is a package given by URL: one version, not looked up.
type directRef struct {
	req           reqfile.Requirement
	src           DirectSource // a git ref resolved to its commit
	name          string       // the name the source's metadata declares, or ""
	nameNote      string       // why a setup.py's name is not known, when it is not
	buildRequires []string     // a source tree's [build-system] requires, nil when unknown
	version       string       // from the artifact's metadata or filename, else ""
	meta          *releaseMeta // nil when the dependencies cannot be read
	sha256        string       // an archive's pinned digest, else ""
}

// world implements source over a Provider: it registers packages as the
// solver discovers them, turns specifiers into version sets, applies the
// candidate rules and preferences, and records what the output needs.
type world struct {
	opts     Options
	env      pep508.Environment
	envs     sync.Map // extra -> env with it (envWith)
	target   *target
	fetch    *fetcher
	in       *reqfile.File
	rootReqs []reqfile.Requirement // root requirements whose markers hold
	self     string                // normalised [project] name: dependencies on it are the root

	defs        []*pkgDef
	ids         map[string]pkg // display name -> id
	direct      map[string]reqfile.Requirement
	prepared    map[string]*preparedRef // root direct references read before solving, by URL
	constraints map[string][]reqfile.Requirement
	upgrade     map[string]bool
	namedPre    map[string][][2]int // name -> (package, version) whose requirement on it names a pre-release (the root's: (rootPkg, 0))
	depPins     map[string]vset     // releases a dependency pins exactly (== / ===): yanked ones among them may be chosen
	edges       map[[2]int][]pkg    // (pkg, version) -> dependency targets
	metas       map[[2]int]*pypi.Metadata
	depCache    map[[2]int]depResult
	tries       map[pkg]int // versions chosen per package (more than one: backtracking)
	warnings    map[string]bool
	warnMu      sync.Mutex // direct references are read concurrently
	resolved    int
}

func (w *world) warn(format string, args ...any) {
	w.warnMu.Lock()
	defer w.warnMu.Unlock()
	w.warnings[fmt.Sprintf(format, args...)] = true
}

// unavailableProject reports an error saying no index offers the project:
// not found, or quarantined (PEP 792). Such a project has no versions.
func unavailableProject(err error) bool {
	var nf *pypi.NotFoundError
	var q *pypi.QuarantinedError
	return errors.As(err, &nf) || errors.As(err, &q)
}

func (w *world) name(p pkg) string { return w.defs[p].display() }

func (w *world) decidedVersion(p pkg, decided func(pkg) (int, bool)) (int, bool) {
	if d := w.defs[p]; d.extra != "" {
		return decided(d.base)
	}
	return 0, false
}

func (w *world) choose(p pkg, allowed vset, decided func(pkg) (int, bool)) (int, bool) {
	d := w.defs[p]
	if d.info == nil { // root or direct reference: one version
		return 0, allowed.has(0)
	}
	pre := w.prePolicy(d.name, decided)
	c := d.info.candidates(allowed, d.info.usable, pre)
	if c.isEmpty() { // as in pip, a yanked release only when nothing else fits
		c = d.info.candidates(allowed, w.usableSet(d), pre)
	}
	if v, ok := w.decidedVersion(p, decided); ok && c.has(v) {
		return v, true
	}
	v, ok := w.preferred(d.info, d.name, c)
	if w.tries[p]++; ok && w.tries[p] > 1 {
		w.prefetchAlternatives(d.name, d.info, c, v)
	}
	return v, ok
}

// preferred picks from c: the version the other systems chose
// (ResolveSystems), then the pinned, nixpkgs' and the newest version.
func (w *world) preferred(info *projectInfo, name string, c vset) (int, bool) {
	if agreed := w.opts.agreed[name]; agreed != "" {
		if i := info.index(agreed); i >= 0 && c.has(i) {
			return i, true
		}
	}
	return info.preferred(c, w.pinned(name), w.nixpkgs(name))
}

func (w *world) pinned(name string) string {
	if w.opts.Upgrade || w.upgrade[name] {
		return ""
	}
	return w.opts.Pinned[name]
}

func (w *world) nixpkgs(name string) string {
	if !w.opts.PreferNixpkgs {
		return ""
	}
	return nixpkgsVersion(w.opts.Nixpkgs, w.opts.NixpkgsVersion, name)
}

// nixpkgsVersion is the version nixpkgs ships of name (normalised), from
// the map when there is one, else from the function (see
// Options.NixpkgsVersion); "" when unknown.
func nixpkgsVersion(versions map[string]string, version func(string) string, name string) string {
	if versions == nil && version != nil {
		return version(name)
	}
	return versions[name]
}

// priority: forced choices first (the root, direct references, extras of a
// decided package, packages with at most one candidate left), then
// packages the user asked to upgrade (-P), then packages pinned by a
// previous run or agreed with other systems (keeping them stable), then
// the rest.
func (w *world) priority(p pkg, allowed vset, decided func(pkg) (int, bool)) int {
	d := w.defs[p]
	if d.info == nil {
		return 0
	}
	if _, ok := w.decidedVersion(p, decided); ok {
		return 0
	}
	if allowed.intersect(w.usableSet(d)).count() <= 1 {
		return 0
	}
	if w.upgrade[d.name] {
		return 1 // -P NAME: the user asked to move it, so it goes before the pins it may have to move
	}
	for _, pin := range []string{w.opts.agreed[d.name], w.pinned(d.name)} {
		if pin == "" {
			continue
		}
		if i := d.info.index(pin); i >= 0 && allowed.has(i) {
			return 2
		}
	}
	return 3
}

// register returns the id of a package, registering it (and waiting for its
// project document) on first sight. Constraints on a newly seen project are
// appended to deps.
func (w *world) register(ctx context.Context, name, extra string, deps *[]dependency) (pkg, error) {
	key := name
	if extra != "" {
		key += "[" + extra + "]"
	}
	if p, ok := w.ids[key]; ok {
		return p, nil
	}
	d := &pkgDef{name: name, extra: extra}
	if extra != "" {
		base, err := w.register(ctx, name, "", deps)
		if err != nil {
			return 0, err
		}
		d.base, d.info, d.direct = base, w.defs[base].info, w.defs[base].direct
	} else if r, ok := w.direct[name]; ok {
		ref, err := w.directRef(ctx, r)
		if err != nil {
			return 0, err
		}
		d.direct = ref
	} else {
		info, err := w.fetch.info(ctx, name)
		if unavailableProject(err) {
			d.missing = err
			info, err = w.target.analyse(&pypi.Project{Name: name}), nil
		}
		if err != nil {
			return 0, err
		}
		d.info = info
	}
	p := pkg(len(w.defs))
	w.defs = append(w.defs, d)
	w.ids[key] = p
	if extra == "" {
		w.addConstraints(d, p, deps)
	}
	w.progress(key)
	return p, nil
}

// addConstraints appends the constraints on a newly registered project:
// the user's, and a version fixed by the environment (Options.Fixed).
func (w *world) addConstraints(d *pkgDef, p pkg, deps *[]dependency) {
	for _, c := range w.constraints[d.name] {
		*deps = append(*deps, dependency{pkg: p, set: w.setFor(d, c.Requirement, [2]int{int(rootPkg), 0}), origin: c.Source.String(), constraint: true})
	}
	if dep, ok := w.fixedConstraint(d, p); ok {
		*deps = append(*deps, dep)
	}
}

// fixedConstraint is the constraint of Options.Fixed on a project: its one
// release at that version, allowed even when yanked (as an exact pin is).
// A version the index lacks is dropped with a warning: failing would leave
// the user no way out, and the caller reports the difference.
func (w *world) fixedConstraint(d *pkgDef, p pkg) (dependency, bool) {
	f, ok := w.opts.Fixed[d.name]
	if !ok || d.info == nil || d.missing != nil {
		return dependency{}, false
	}
	i := d.info.index(f.Version)
	if i < 0 {
		w.warn("%s, but the index has no %s %s, so the resolution does not follow it", f.text(d.name), d.name, f.Version)
		return dependency{}, false
	}
	set := singleton(len(d.info.versions)+1, i).withLabel("==" + d.info.versions[i].String())
	if pins, ok := w.depPins[d.name]; ok {
		w.depPins[d.name] = pins.union(set)
	} else {
		w.depPins[d.name] = set
	}
	return dependency{pkg: p, set: set, constraint: true, fact: f.text(d.name)}, true
}

func (w *world) progress(name string) {
	if w.opts.Progress != nil {
		w.opts.Progress(Event{Discovered: len(w.defs) - 1, Resolved: w.resolved, Package: name})
	}
}

// setFor turns a requirement of from (a package and version) into a set of
// the package's versions, noting specifiers that name a pre-release.
func (w *world) setFor(d *pkgDef, r pep508.Requirement, from [2]int) vset {
	if d.info == nil {
		return w.directSet(d.direct, r.Specifiers)
	}
	if r.Specifiers.Prereleases() {
		w.namedPre[d.name] = append(w.namedPre[d.name], from)
	}
	set := d.info.specSet(r.Specifiers)
	if len(exactPins(r.Specifiers)) > 0 {
		pins := set
		if seen, ok := w.depPins[d.name]; ok {
			pins = pins.union(seen)
		}
		w.depPins[d.name] = pins
	}
	return set
}

// prePolicy says which pre-releases of name may be chosen. pip's
// --all-releases and --only-final (per project, from the requirements
// files) come first; then pre-releases are allowed although final releases
// fit (PEP 440) with --pre, or when a requirement in force names one, that
// is one of the root's or of a version decided now. As in pip, a
// requirement of a version abandoned by backtracking no longer counts.
// (This only orders the candidates, so it may depend on the decisions
// without making learned incompatibilities wrong.)
func (w *world) prePolicy(name string, decided func(pkg) (int, bool)) pep440.PrereleasePolicy {
	switch p := w.in.PrereleasePolicy(name); {
	case p != pep440.PrereleasesDefault:
		return p
	case w.opts.Pre:
		return pep440.PrereleasesAllow
	}
	for _, from := range w.namedPre[name] {
		if pkg(from[0]) == rootPkg {
			return pep440.PrereleasesAllow
		}
		if v, ok := decided(pkg(from[0])); ok && v == from[1] {
			return pep440.PrereleasesAllow
		}
	}
	return pep440.PrereleasesDefault
}

// usableSet is the set of d's releases that may be chosen: those usable
// for the target and, as pip does (PEP 592), yanked ones that a
// dependency pins exactly (the root's pins are already in info.usable).
func (w *world) usableSet(d *pkgDef) vset {
	pins, ok := w.depPins[d.name]
	if !ok {
		return d.info.usable
	}
	return d.info.usable.union(pins.intersect(d.info.yankedOnly))
}

// directSet evaluates a specifier against a direct reference's one version
// (index 0; index 1 is the phantom). An unknown version matches.
func (w *world) directSet(ref *directRef, spec pep440.Specifiers) vset {
	if spec.IsEmpty() {
		return singleton(2, 0).withLabel(anyLabel)
	}
	v, err := pep440.Parse(ref.version)
	if ref.version == "" || err != nil {
		w.warn("the specifier %s on %s is not checked: the version of the direct reference %s is not known", spec, pep508.NormalizeName(ref.req.Name), pypi.Redact(ref.req.URL))
	}
	if ref.version == "" || err != nil || spec.Contains(v, true) {
		return singleton(2, 0).withLabel(spec.String())
	}
	return singleton(2, 1).withLabel(spec.String())
}

// depResult is a memoised answer of dependencies.
type depResult struct {
	deps        []dependency
	unavailable string
}

// dependencies lists what version v of p needs (memoised: after a backjump
// the solver may decide the same version again).
func (w *world) dependencies(ctx context.Context, p pkg, v int) ([]dependency, string, error) {
	k := [2]int{int(p), v}
	if r, ok := w.depCache[k]; ok {
		return r.deps, r.unavailable, nil
	}
	deps, unavailable, err := w.readDependencies(ctx, p, v)
	if err == nil {
		w.depCache[k] = depResult{deps, unavailable}
	}
	return deps, unavailable, err
}

func (w *world) readDependencies(ctx context.Context, p pkg, v int) ([]dependency, string, error) {
	d := w.defs[p]
	var reqs []reqfile.Requirement
	switch {
	case p == rootPkg:
		reqs = w.rootReqs
	case d.direct != nil:
		if d.direct.meta == nil {
			return w.extraBase(d, v), "", nil
		}
		reqs = w.metaReqs(d.direct.meta, d.direct.version, d.extra)
	default:
		rm, err := w.fetch.metadata(d.name, d.info.proj.Releases[v]).wait(ctx)
		if err != nil {
			return nil, "", fmt.Errorf("metadata of %s %s: %w", d.name, d.info.versions[v], err)
		}
		if why := w.metadataProblem(rm, d.info.proj.Releases[v]); why != "" {
			return nil, why, nil
		}
		reqs = w.metaReqs(rm, d.info.versions[v].String(), d.extra)
		w.metas[[2]int{int(p), v}] = rm.meta
	}
	deps := w.extraBase(d, v)
	for _, r := range reqs {
		w.fetch.discover(pep508.NormalizeName(r.Name), r.Requirement)
	}
	for _, r := range reqs {
		more, err := w.requirementEdges(ctx, p, v, r)
		if err != nil {
			return nil, "", err
		}
		deps = append(deps, more...)
	}
	return deps, "", nil
}

// metadataProblem says why a release cannot be used after reading its
// metadata: a Requires-Python excluding the target (when its files did not
// say), or Requires-Dist entries that do not parse.
func (w *world) metadataProblem(rm *releaseMeta, r pypi.Release) string {
	if releaseRequiresPython(r) == "" && !w.target.pythonMatches(rm.meta.RequiresPython) {
		return pythonWhy(rm.meta.RequiresPython)
	}
	if len(rm.invalid) > 0 {
		return "has invalid metadata: " + rm.invalid[0]
	}
	return ""
}

// extraBase is the dependency of "name[extra]==V" on "name==V".
func (w *world) extraBase(d *pkgDef, v int) []dependency {
	if d.extra == "" {
		return nil
	}
	return []dependency{{pkg: d.base, set: singleton(w.real(d.base)+1, v)}}
}

// requirementEdges turns one requirement into dependency edges: on the package and on
// each of its extras.
func (w *world) requirementEdges(ctx context.Context, p pkg, v int, r reqfile.Requirement) ([]dependency, error) {
	var deps []dependency
	name := pep508.NormalizeName(r.Name)
	if name == w.self {
		return nil, nil // the project being locked: the root itself
	}
	origin := ""
	if p == rootPkg {
		origin = r.Source.String()
	}
	targets := []string{""}
	for _, x := range r.Extras {
		targets = append(targets, pep508.NormalizeName(x))
	}
	for _, extra := range targets {
		q, err := w.register(ctx, name, extra, &deps)
		if err == nil && p == rootPkg && w.defs[q].missing != nil {
			err = w.defs[q].missing
		}
		if err != nil {
			switch {
			case p != rootPkg:
				err = fmt.Errorf("%s (required by %s %s): %w", name, w.name(p), w.versionString(p, v), err)
			case origin != "" && unavailableProject(err):
				err = fmt.Errorf("%s: %w", origin, err) // the message names the package
			case origin != "":
				err = fmt.Errorf("%s (%s): %w", name, origin, err)
			}
			return nil, err
		}
		deps = append(deps, dependency{pkg: q, set: w.setFor(w.defs[q], r.Requirement, [2]int{int(p), v}), origin: origin})
		w.edges[[2]int{int(p), v}] = append(w.edges[[2]int{int(p), v}], q)
	}
	return deps, nil
}

// metaReqs returns the Requires-Dist entries of a release that apply on the
// target: with extra == "" for the package itself, or those an extra adds.
func (w *world) metaReqs(rm *releaseMeta, version, extra string) []reqfile.Requirement {
	meta := rm.meta
	var out []reqfile.Requirement
	for _, r := range rm.reqs {
		base := r.Marker.Evaluate(w.envWith(""))
		if extra == "" && !base || extra != "" && (base || !r.Marker.Evaluate(w.envWith(extra))) {
			continue
		}
		if r.URL != "" {
			w.warn("%s %s depends on %s by URL (%s); it is resolved from the index instead", meta.Name, version, r.Name, r.URL)
			r.URL = ""
		}
		out = append(out, reqfile.Requirement{Requirement: r})
	}
	if extra != "" && len(out) == 0 && !providesExtra(meta, extra) {
		w.warn("%s %s does not provide the extra %q", meta.Name, version, extra)
	}
	return out
}

func providesExtra(meta *pypi.Metadata, extra string) bool {
	for _, x := range meta.ProvidesExtra {
		if pep508.NormalizeName(x) == extra {
			return true
		}
	}
	return false
}

// envWith is the target's marker environment with "extra" set, built once
// per extra: markers are evaluated for every requirement read. Callers
// must not modify it.
func (w *world) envWith(extra string) pep508.Environment {
	if env, ok := w.envs.Load(extra); ok {
		return env.(pep508.Environment)
	}
	env := maps.Clone(w.env)
	env["extra"] = extra
	cached, _ := w.envs.LoadOrStore(extra, env)
	return cached.(pep508.Environment)
}

// real returns the number of real versions of p (its sets have one more
// element, the phantom, except the root's).
func (w *world) real(p pkg) int {
	if d := w.defs[p]; d.info != nil {
		return len(d.info.versions)
	}
	return 1
}

func (w *world) versionString(p pkg, v int) string {
	d := w.defs[p]
	switch {
	case d.info != nil:
		return d.info.versions[v].String()
	case d.direct != nil:
		return d.direct.version
	}
	return ""
}

// rootNames lists the normalised names the root requirements name.
func (w *world) rootNames() map[string]bool {
	out := map[string]bool{}
	for _, r := range w.in.Requirements {
		out[pep508.NormalizeName(r.Name)] = true
	}
	return out
}
