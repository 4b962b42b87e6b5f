package nixgen

// Planning the recipes (issue 13): which packages pip installs, which are
// rebuilt for a swapped interpreter and which are reused from the
// binary-cached one, and the project as an application. MakePlan calls
// these after the packages are decided; the renderers only write what
// they recorded.

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/req2nix/req2nix/pypi/pep508"
	"github.com/req2nix/req2nix/resolver"
)

// ReleaseFiles is what a Facts implementation may also answer: every file
// of a release on the index (the resolution keeps only the sdist and the
// target's best wheel). The recipes use them to tell compiled packages
// (any platform wheel of the release) and to give pip the hashes of every
// file, so that one requirements file serves every system. Without it,
// the resolution's files are used.
type ReleaseFiles interface {
	ReleaseFiles(ctx context.Context, name, version string) ([]resolver.File, error)
}

// attr is the interpreter attribute the output uses.
func (it Interpreter) attr(indexAttr string) (string, error) {
	switch {
	case it.Build != nil:
		if _, err := it.Build.check(); err != nil {
			return "", err
		}
		return it.Build.Attr(), nil
	case it.Attr != "":
		if !interpreterAttrRE.R().MatchString(it.Attr) {
			return "", fmt.Errorf("interpreter %q: expected an interpreter attribute of the pin such as python313FreeThreading", it.Attr)
		}
		return it.Attr, nil
	}
	return indexAttr, nil
}

// Fallbacks (PlanOptions.Fallback).
const (
	FallbackPip = "pip" // pip from mkShell's shellHook
	FallbackFHS = "fhs" // the same, in a buildFHSEnv (Linux; elsewhere plain pip)
)

// planPip leaves to pip the packages Nix cannot build — a binary wheel as
// the only file (Nix would install it with autoPatchelfHook as a last
// resort), a build system neither nixpkgs nor the resolution has — and
// those named with --pip; then every package depending on one of them:
// Nix cannot build a package whose dependency it does not have (its
// runtime-dependency check would fail), while pip, with --no-deps, finds
// the Nix-built dependencies in the environment.
func planPip(ctx context.Context, p *Plan, facts Facts, opts PlanOptions) error {
	fallback := opts.Fallback
	if fallback == "" && len(opts.Pip) > 0 {
		fallback = FallbackPip
	}
	switch fallback {
	case "":
		return nil
	case FallbackPip, FallbackFHS:
	default:
		return fmt.Errorf("fallback %q: expected pip or fhs", fallback)
	}
	why := pipSeeds(p, opts.Pip)
	spreadToDependents(p.Packages, why)
	for i := range p.Packages {
		if reason, ok := why[i]; ok {
			toPip(ctx, &p.Packages[i], reason, facts)
		}
	}
	if len(why) > 0 {
		p.Fallback, p.PipIndexURL = fallback, pipIndexURL(opts.PipIndexURL)
	}
	return nil
}

// pipSeeds are the packages pip installs by themselves, with why.
func pipSeeds(p *Plan, named []string) map[int]string {
	asked := map[string]bool{}
	for _, n := range named {
		asked[pep508.NormalizeName(n)] = true
	}
	why := map[int]string{}
	for i, d := range p.Packages {
		switch {
		case asked[pep508.NormalizeName(d.Name)]:
			why[i] = "named with --pip"
		case d.Problem != "" || d.Resolved.DirectURL != "":
		case d.BinaryWheel && linuxWheel(d.Src.Filename):
			// A macOS wheel needs no patching: Nix installs it as it is.
			why[i] = "no sdist, only the binary wheel " + d.Src.Filename + ", which Nix can only patch (autoPatchelfHook)"
		case len(d.MissingBuildSystem) > 0:
			why[i] = "its build system " + strings.Join(d.MissingBuildSystem, ", ") + " is not in nixpkgs"
		}
	}
	return why
}

// spreadToDependents adds to why every package that depends, directly or
// not, on one already in it.
func spreadToDependents(ds []Decision, why map[int]string) {
	index := map[string]int{}
	for i, d := range ds {
		index[pep508.NormalizeName(d.Name)] = i
	}
	dependents := map[int][]int{}
	for i, d := range ds {
		for _, dep := range d.Resolved.Dependencies {
			if j, ok := index[pep508.NormalizeName(dep)]; ok && j != i {
				dependents[j] = append(dependents[j], i)
			}
		}
	}
	var queue []int
	for i := range ds {
		if _, ok := why[i]; ok {
			queue = append(queue, i)
		}
	}
	for len(queue) > 0 {
		j := queue[0]
		queue = queue[1:]
		for _, i := range dependents[j] {
			if _, ok := why[i]; !ok {
				why[i] = "depends on " + ds[j].Name + ", which pip installs"
				queue = append(queue, i)
			}
		}
	}
}

// toPip turns a decision into a pip requirement: the resolved version and
// the sha256 of every file of the release (of the resolution's files when
// the index's list is unknown).
func toPip(ctx context.Context, d *Decision, why string, facts Facts) {
	if d.Problem != "" {
		return
	}
	if d.Resolved.DirectURL != "" {
		d.Problem = fmt.Sprintf("%s is a direct reference (%s): pip cannot install it with --require-hashes from req2nix's requirements file; leave it to Nix (drop --pip %s)", d.Name, resolver.DirectPinKey(d.Resolved.DirectURL), d.Name)
		return
	}
	var hashes []string
	for _, f := range releaseFilesOf(ctx, facts, d) {
		if hexSHA256RE.R().MatchString(f.SHA256) && !slices.Contains(hashes, f.SHA256) {
			hashes = append(hashes, f.SHA256)
		}
	}
	if len(hashes) == 0 {
		d.Problem = fmt.Sprintf("%s %s: no file with a sha256, so pip cannot install it hash-checked", d.Name, d.Version)
		return
	}
	slices.Sort(hashes)
	d.Kind, d.PipWhy = KindPip, why
	d.Pip = &PipRequirement{Name: d.Name, Version: d.Version, SHA256: hashes}
	d.Src, d.Format, d.BinaryWheel, d.BuildSystem, d.ImportsCheck, d.Deps = nil, "", false, nil, nil, nil
	d.Notes = slices.DeleteFunc(d.Notes, isNixBuildNote)
}

// isNixBuildNote tells notes about building with Nix, which no longer
// apply to a package pip installs.
func isNixBuildNote(n string) bool {
	for _, prefix := range []string{"build requirement ", "built with setuptools", "nixpkgs' build-system is kept"} {
		if strings.HasPrefix(n, prefix) {
			return true
		}
	}
	return false
}

// releaseFilesOf is every file of the package's release, from the index
// when facts can tell, else the resolution's.
func releaseFilesOf(ctx context.Context, facts Facts, d *Decision) []resolver.File {
	if rf, ok := facts.(ReleaseFiles); ok && d.Resolved.DirectURL == "" {
		if files, err := rf.ReleaseFiles(ctx, d.Name, d.Version); err == nil && len(files) > 0 {
			return files
		}
	}
	return d.Resolved.Files
}

// swapNode is a package of the swapped environment's graph: a planned one
// (index >= 0) or one nixpkgs adds (index -1).
type swapNode struct {
	SwapPackage
	index int
}

// planSwap divides the packages of an environment running another
// interpreter than the index's (python313FreeThreading next to python313)
// between those rebuilt for it and those reused as the binary cache has
// them for the index's interpreter (see SplitForSwap). Only as-is packages
// the binary cache has, without compiled code, can be reused; everything
// connected to another is rebuilt, and the graph is nixpkgs' own (as the
// package set propagates dependencies), including the packages nixpkgs'
// dependencies add. Without dependency edges nothing is reused.
func planSwap(ctx context.Context, p *Plan, ix *Index, facts Facts, it Interpreter) {
	if it.Build != nil || it.Attr == "" || it.Attr == ix.PythonAttr {
		return
	}
	var nodes []swapNode
	planned := map[string]bool{}
	for i := range p.Packages {
		d := &p.Packages[i]
		if d.Kind == KindPip {
			continue
		}
		var files []string
		for _, f := range releaseFilesOf(ctx, facts, d) {
			files = append(files, f.Filename)
		}
		buildSystem, deps := d.BuildSystem, d.Deps
		if e, ok := ix.EntryByAttr(d.Attr); ok && d.Kind == KindAsIs {
			buildSystem, deps = e.BuildSystem, e.Dependencies
		}
		d.Compiled, d.CompiledWhy = CompiledCode(files, buildSystem)
		mustRebuild := d.Compiled || d.Kind != KindAsIs || d.Cache != CacheHit
		nodes = append(nodes, swapNode{SwapPackage{Attr: d.Attr, Deps: deps, Compiled: mustRebuild}, i})
		planned[d.Attr] = true
	}
	nodes = append(nodes, addedNodes(nodes, planned, ix)...)
	var all []SwapPackage
	for _, n := range nodes {
		all = append(all, n.SwapPackage)
	}
	_, reused := SplitForSwap(all)
	swap := &InterpreterSwap{Cached: ix.PythonAttr}
	for _, n := range nodes {
		if n.index < 0 {
			continue
		}
		d := &p.Packages[n.index]
		d.Reused = slices.Contains(reused, d.Attr)
		if d.Reused {
			swap.Reused = append(swap.Reused, d.Attr)
		} else {
			swap.Rebuilt = append(swap.Rebuilt, d.Attr)
		}
	}
	p.Swap = swap
}

// accountInterpreter marks the as-is packages built for an interpreter
// the binary cache lacks: all of them under an interpreter req2nix
// defines, those not reused under a swap.
func accountInterpreter(p *Plan) {
	if p.Interpreter == nil && p.Swap == nil {
		return
	}
	for i := range p.Packages {
		if d := &p.Packages[i]; d.Kind == KindAsIs && !d.Reused && d.Cache != CacheRebuilt {
			d.Cache = CacheInterpreter
		}
	}
}

// addedNodes are the packages outside the plan that nixpkgs' run-time
// dependencies of its as-is packages bring, with their own edges; whether
// they have compiled code is read from their build system (unknown counts
// as compiled).
func addedNodes(nodes []swapNode, planned map[string]bool, ix *Index) []swapNode {
	var out []swapNode
	seen := map[string]bool{}
	var queue []string
	for _, n := range nodes {
		queue = append(queue, n.Deps...)
	}
	for len(queue) > 0 {
		a := queue[0]
		queue = queue[1:]
		if planned[a] || seen[a] {
			continue
		}
		seen[a] = true
		e, _ := ix.EntryByAttr(a)
		compiled, _ := CompiledCode(nil, e.BuildSystem)
		out = append(out, swapNode{SwapPackage{Attr: a, Deps: e.Dependencies, Compiled: compiled}, -1})
		queue = append(queue, e.Dependencies...)
	}
	return out
}

// AppProject is the project itself as PlanOptions.App describes it, read
// from its pyproject.toml by the caller.
type AppProject struct {
	Name    string // [project] name (or Poetry's)
	Version string // "" when dynamic
	// Root is the project directory relative to the output's directory;
	// Files its files and directories the build needs, relative to Root.
	Root  string
	Files []string
	// BuildRequires is its [build-system] requires (PEP 508).
	BuildRequires []string
	// Dependencies are the names of its own requirements (not of
	// dependency groups); those the resolution lacks (their markers
	// exclude the target) are left out.
	Dependencies []string
	Scripts      []string // its console scripts ([project.scripts], Poetry's scripts)
}

// scmBuildPlugins take the version from version control.
var scmBuildPlugins = map[string]bool{
	"setuptools-scm": true, "hatch-vcs": true, "versioningit": true, "dunamai": true,
	"poetry-dynamic-versioning": true,
}

// planApp maps the project's build system and dependencies to attributes
// of the environment's package set. A build requirement neither nixpkgs
// nor the resolution has, or a dependency pip installs, makes the
// application unbuildable: an error, not a file that fails later.
func planApp(p *Plan, ix *Index, a *AppProject) error {
	if a == nil {
		return nil
	}
	app := &App{PName: a.Name, Version: a.Version, Root: a.Root, Files: a.Files, MainProgram: mainProgram(a)}
	b := newBuildSystems(p, ix)
	reqs := a.BuildRequires
	if reqs == nil {
		reqs = []string{"setuptools"} // PEP 518: no [build-system] means setuptools
	}
	for _, req := range reqs {
		name, applies := b.requirement(req)
		if !applies {
			continue
		}
		if scmBuildPlugins[name] && a.Version == "" {
			app.SCMVersion = true
		}
		attr, ok := b.resolved[name]
		if !ok {
			e, found := ix.Lookup(name)
			if !found {
				return fmt.Errorf("--app: the project's build requirement %s is neither in nixpkgs nor in the resolution, so Nix cannot build the project; add it to the requirements (a dependency group will do) or check its name", quoteNote(req))
			}
			attr = e.Attr
		}
		app.BuildSystem = append(app.BuildSystem, attr)
	}
	byName := map[string]Decision{}
	for _, d := range p.Packages {
		byName[pep508.NormalizeName(d.Name)] = d
	}
	for _, name := range a.Dependencies {
		d, ok := byName[pep508.NormalizeName(name)]
		switch {
		case !ok:
		case d.Kind == KindPip:
			return fmt.Errorf("--app: the project depends on %s, which pip installs (%s), so Nix cannot build the project", d.Name, d.PipWhy)
		default:
			app.Dependencies = append(app.Dependencies, d.Attr)
		}
	}
	if app.Version == "" {
		app.Version = "0.0.0"
	}
	slices.Sort(app.BuildSystem)
	slices.Sort(app.Dependencies)
	app.BuildSystem, app.Dependencies = slices.Compact(app.BuildSystem), slices.Compact(app.Dependencies)
	if _, err := app.Expr(); err != nil {
		return fmt.Errorf("--app: %w", err)
	}
	p.App = app
	return nil
}

// mainProgram is the console script apps.default runs: the one named like
// the project, else the only one; "" when that cannot be told.
func mainProgram(a *AppProject) string {
	for _, s := range a.Scripts {
		if pep508.NormalizeName(s) == pep508.NormalizeName(a.Name) {
			return s
		}
	}
	if len(a.Scripts) == 1 {
		return a.Scripts[0]
	}
	return ""
}

// appFileExcluded says which top-level entries of a project its
// application's source leaves out: what the build does not read and what
// changes without the project changing (Nix files, lock files, virtual
// environments, build output, version control, tests).
func appFileExcluded(name string, isDir bool) bool {
	lower := strings.ToLower(name)
	switch {
	case strings.HasPrefix(name, "."), strings.HasSuffix(lower, ".nix"), lower == "flake.lock",
		lower == "result", strings.HasPrefix(lower, "result-"), lower == "__pycache__",
		lower == "build", lower == "dist", strings.HasSuffix(lower, ".egg-info"), lower == "node_modules",
		lower == "uv.lock", lower == "poetry.lock", lower == "pipfile.lock", strings.HasPrefix(lower, "pylock.") && path.Ext(lower) == ".toml",
		isDir && (lower == "tests" || lower == "test" || lower == "venv" || lower == "env"):
		return true
	}
	return false
}

// AppFiles chooses, from the names of a project directory's top-level
// entries (dirs marks the directories), the files its application's source
// holds, sorted (see appFileExcluded).
func AppFiles(names []string, dirs map[string]bool) []string {
	var out []string
	for _, n := range names {
		if !appFileExcluded(n, dirs[n]) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}
