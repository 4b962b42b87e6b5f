package resolver

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/req2nix/req2nix/pypi"
	"github.com/req2nix/req2nix/pypi/lockfile"
	"github.com/req2nix/req2nix/pypi/pep440"
	"github.com/req2nix/req2nix/pypi/pep508"
	"github.com/req2nix/req2nix/pypi/reqfile"
)

// Lock files (lock*.go): FromLock turns a lock read by pypi/lockfile into
// the Resolution of one target, without resolving anything. The lock's
// versions stand; what is checked is that it fits the target and the
// project (lock_select.go: requires-python, environments, markers, groups
// and extras; lock_stale.go: every declared dependency is locked), and its
// files (lock_files.go: the sdist and the best wheel for the target, from
// the lock, or found on the index by name and hash when the lock has no
// URL; a hash the index does not serve is refused). Sources other than an
// index become direct references (lock_direct.go); dependency edges come
// from the lock, or from the index's metadata when the lock records none
// (lock_deps.go).

// LockOptions set the target of FromLock and what to install.
type LockOptions struct {
	Python    string            // target interpreter, "3.12" or "3.12.4" ("" = 3.12)
	Platform  string            // x86_64-linux (also for ""), aarch64-linux, x86_64-darwin, aarch64-darwin
	Extras    []string          // the project's extras to install
	Groups    []string          // the dependency groups to install (Pipfile.lock: "dev" is its develop category)
	AllExtras bool              // install every extra the lock knows
	Nixpkgs   map[string]string // name -> version nixpkgs ships, for Package.Nixpkgs
	// NixpkgsVersion answers for Nixpkgs when that is nil, as
	// Options.NixpkgsVersion does.
	NixpkgsVersion func(name string) string
	// Git checks out each git source's commit (from its cache when it
	// can), so that the output pins its content (Package.Source.TreeHash)
	// as it does for a git requirement, and its dependencies are read when
	// the lock records none. When the commit cannot be had, a previous
	// run's pin of it (DirectPins) still gives the hash; without either
	// the source is pinned by its commit alone, with a warning.
	Git        GitRepos
	DirectPins map[string]DirectPin
}

// FromLock returns what the lock installs on the target in opts: its
// packages at their locked versions, with their files, dependencies and
// sources. p is asked only for what the lock lacks (files by hash, and
// dependencies when the lock records none), concurrently. Problems with
// the lock — stale against its project file, a hash the index does not
// serve, a target it does not support — are *reqfile.Error values naming
// the file and line; index failures are wrapped errors naming the package.
func FromLock(ctx context.Context, p Provider, lock *lockfile.Lock, opts LockOptions) (*Resolution, error) {
	r, err := newLockRun(p, lock, opts)
	if err != nil {
		return nil, err
	}
	if err := r.checkTarget(); err != nil {
		return nil, err
	}
	if err := r.checkSelection(); err != nil {
		return nil, err
	}
	if err := r.checkStale(nil); err != nil {
		return nil, err
	}
	chosen, err := r.selectPackages()
	if err != nil {
		return nil, err
	}
	if err := r.checkStale(chosen); err != nil {
		return nil, err
	}
	if err := r.chooseFiles(ctx, chosen); err != nil {
		return nil, err
	}
	r.linkDependencies(ctx, chosen)
	return r.resolution(chosen), nil
}

// lockRun is one FromLock call.
type lockRun struct {
	provider Provider
	lock     *lockfile.Lock
	opts     LockOptions
	env      pep508.Environment // the target's, with the PEP 751 "extras" and "dependency_groups" sets
	target   *target
	extras   map[string]bool // selected extras, normalised
	groups   map[string]bool // selected groups (with pylock.toml's default groups)

	mu       sync.Mutex // guards warnings (files are looked up concurrently)
	warnings map[string]bool
}

// locked is one package the target installs.
type locked struct {
	pkg     *lockfile.Package
	extras  map[string]bool // extras installed with it
	root    bool            // a dependency of the project itself
	deps    map[string]bool // names of the installed packages it depends on
	files   []File
	release *pypi.Release // the index's release, once looked up
	direct  string        // the direct-reference URL of a source that is not an index
	source  *DirectSource // a git source with its checkout's hash, once read
	tree    *projectTree  // a git source's project in its checkout (for its dependencies)

	localVersion string // a local project's static version, when the lock gives none
}

func newLockRun(p Provider, lock *lockfile.Lock, opts LockOptions) (*lockRun, error) {
	if lock == nil {
		return nil, fmt.Errorf("resolver: no lock (nil *lockfile.Lock)")
	}
	if opts.Python == "" {
		opts.Python = "3.12"
	}
	if opts.Platform == "" {
		opts.Platform = "x86_64-linux"
	}
	if opts.Nixpkgs != nil { // nil leaves the answer to NixpkgsVersion
		opts.Nixpkgs = normalizeKeys(opts.Nixpkgs)
	}
	env, err := pep508.TargetEnvironment(opts.Python, opts.Platform)
	if err != nil {
		return nil, fmt.Errorf("target Python %s on %s: %w", opts.Python, opts.Platform, err)
	}
	t, err := newTarget(env, Options{Python: opts.Python, Platform: opts.Platform})
	if err != nil {
		return nil, err
	}
	r := &lockRun{provider: p, lock: lock, opts: opts, env: env, target: t, warnings: map[string]bool{}}
	r.extras, r.groups = r.selection()
	env["extras"] = strings.Join(slices.Sorted(maps.Keys(r.extras)), ",")
	env["dependency_groups"] = strings.Join(slices.Sorted(maps.Keys(r.groups)), ",")
	return r, nil
}

// selection is the set of extras and groups to install, normalised.
// pylock.toml's default groups are always installed; a group named here
// adds to them, as --group adds to the main dependencies elsewhere.
func (r *lockRun) selection() (extras, groups map[string]bool) {
	extras, groups = map[string]bool{}, map[string]bool{}
	for _, e := range r.opts.Extras {
		extras[pep508.NormalizeName(e)] = true
	}
	if r.opts.AllExtras {
		for _, e := range r.knownExtras() {
			extras[e] = true
		}
	}
	for _, g := range r.opts.Groups {
		g = pep508.NormalizeName(g)
		if r.lock.Format == lockfile.Pipenv && g == "develop" {
			g = "dev"
		}
		groups[g] = true
	}
	for _, g := range r.lock.DefaultGroups {
		groups[g] = true
	}
	return extras, groups
}

// knownExtras and knownGroups are what the lock and its project file
// define.
func (r *lockRun) knownExtras() []string {
	return r.known(r.lock.Extras, func(p *lockfile.Project) []string { return p.Extras })
}

func (r *lockRun) knownGroups() []string {
	return r.known(append(r.lock.Groups, r.lock.DefaultGroups...), func(p *lockfile.Project) []string { return p.Groups })
}

func (r *lockRun) known(fromLock []string, fromProject func(*lockfile.Project) []string) []string {
	set := map[string]bool{}
	for _, n := range fromLock {
		set[n] = true
	}
	if r.lock.Project != nil {
		for _, n := range fromProject(r.lock.Project) {
			set[n] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// lockError is a problem with the lock (exit status 2: the input).
func (r *lockRun) lockError(line int, format string, args ...any) error {
	return &reqfile.Error{Source: reqfile.Source{File: r.lock.Path, Line: line}, Msg: fmt.Sprintf(format, args...)}
}

func (r *lockRun) warn(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.warnings[fmt.Sprintf(format, args...)] = true
}

// lockDir is the directory relative paths in the lock start from.
func (r *lockRun) lockDir() string {
	dir, err := filepath.Abs(filepath.Dir(r.lock.Path))
	if err != nil {
		return filepath.Dir(r.lock.Path)
	}
	return dir
}

// resolution builds the output, sorted by name.
func (r *lockRun) resolution(chosen []*locked) *Resolution {
	res := &Resolution{Python: r.target.python.String(), Platform: r.target.platform}
	for _, l := range chosen {
		if l.pkg.Self || l.pkg.Source.Virtual {
			continue
		}
		res.Packages = append(res.Packages, r.outputPackage(l))
	}
	sort.Slice(res.Packages, func(i, j int) bool { return res.Packages[i].Name < res.Packages[j].Name })
	res.Warnings = append(slices.Sorted(maps.Keys(r.warnings)), r.lock.Warnings...)
	sort.Strings(res.Warnings)
	return res
}

func (r *lockRun) outputPackage(l *locked) Package {
	out := Package{Name: l.pkg.Name, Version: l.version(), Extras: slices.Sorted(maps.Keys(l.extras)),
		Dependencies: slices.Sorted(maps.Keys(l.deps)), Files: l.files, Root: l.root, MetadataSource: "lock",
		RequiresPython: l.pkg.RequiresPython.String(), DirectURL: l.direct}
	if l.direct != "" {
		out.MetadataSource = "direct"
	}
	out.Source = l.source
	out.Nixpkgs = sameVersion(out.Version, nixpkgsVersion(r.opts.Nixpkgs, r.opts.NixpkgsVersion, out.Name))
	return out
}

// version is the locked version, normalised; a source tree locked without
// one gets the placeholder direct references get.
func (l *locked) version() string {
	if v, err := pep440.Parse(l.pkg.Version); err == nil {
		return v.String()
	}
	if l.localVersion != "" {
		return l.localVersion
	}
	if src, err := ParseDirectURL(l.direct); err == nil {
		return placeholderVersion(src)
	}
	return "0+local"
}
