package resolver

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/req2nix/req2nix/pypi"
	"github.com/req2nix/req2nix/pypi/pep440"
	"github.com/req2nix/req2nix/pypi/pep508"
	"github.com/req2nix/req2nix/pypi/reqfile"
	"github.com/req2nix/req2nix/pypi/tags"
	"github.com/req2nix/req2nix/pypi/vcs"
)

// Options set the target and the preferences of a resolution.
type Options struct {
	Python          string            // target interpreter, "3.12" or "3.12.4" ("" = 3.12)
	Platform        string            // x86_64-linux (also for ""), aarch64-linux, x86_64-darwin, aarch64-darwin
	FreeThreaded    bool              // the target is CPython's free-threading build (cp313t wheels, no abi3); markers are the same (PEP 508 has no ABI marker)
	Pre             bool              // allow pre-releases everywhere (--pre); reqfile.File.Pre also sets it
	Pinned          map[string]string // name (normalised here) -> version chosen by a previous run (preference 1)
	Upgrade         bool              // ignore Pinned entirely
	UpgradePackages []string          // ignore Pinned for these names
	Nixpkgs         map[string]string // name (normalised here) -> version nixpkgs ships ("" = present, version unknown) (preference 2)
	// NixpkgsVersion answers for Nixpkgs when that is nil: the version
	// nixpkgs ships of a package by normalised name, "" when it has none
	// or its version is unknown. An index of thousands of packages answers
	// this way without being copied into a map on every run.
	NixpkgsVersion func(name string) string
	PreferNixpkgs  bool // the switch for preference 2
	// ExcludeNewer, when set, ignores every file uploaded at or after it
	// (as uv's --exclude-newer), and files whose index gives no upload
	// time: the resolution as it was then.
	ExcludeNewer time.Time
	Fixed        map[string]Fixed // name (normalised here) -> the version it must have whenever it is resolved
	Progress     func(Event)      // optional, called from the resolving goroutine; may be nil

	agreed map[string]string // name -> version the other systems chose (ResolveSystems): preferred above Pinned, even with Upgrade
	shared *sharedAnalysis   // analysis shared with other resolutions (ResolveSystems); nil = this resolution's own
	// Git reads git repositories for git direct references (*vcs.Git).
	// Without it, a git reference must name a full commit, and its
	// dependencies are not read.
	Git GitRepos
	// DirectPins are what a previous run pinned of direct references, by
	// DirectPinKey of the requirement's URL: a git ref's commit, an
	// unhashed archive's sha256. They are kept unless Upgrade or
	// UpgradePackages names the package.
	DirectPins map[string]DirectPin
}

// GitRepos reads git repositories: it resolves a ref ("" = the default
// branch) to a full commit, and returns a commit's checkout (its files and
// content hash), fetching it when needed. *vcs.Git implements it.
type GitRepos interface {
	Resolve(ctx context.Context, url, ref string) (string, error)
	Checkout(ctx context.Context, url, commit string) (*vcs.Checkout, error)
}

// DirectPin is what a previous run pinned of a direct reference beyond
// what its URL says (plain data: nixgen reads it back from its output).
type DirectPin struct {
	Name     string // the package the reference resolved to
	Rev      string // git: the full commit its ref named
	TreeHash string // git: that commit's DirectSource.TreeHash
	SHA256   string // archive given without a digest: the sha256 of what was downloaded
}

// DirectPinKey is the key of a direct reference's pin: its URL as written,
// without credentials (they change; the reference does not).
func DirectPinKey(rawURL string) string {
	scheme, rest, ok := strings.Cut(rawURL, "://")
	if !ok {
		return rawURL
	}
	authority, path, _ := strings.Cut(rest, "/")
	if i := strings.LastIndex(authority, "@"); i >= 0 && !strings.ContainsAny(authority[:i], "?#") {
		authority = authority[i+1:]
	}
	if !strings.Contains(rest, "/") {
		return scheme + "://" + authority
	}
	return scheme + "://" + authority + "/" + path
}

// ArtifactFilesProvider is implemented by providers that can read the
// source tree of a direct-reference archive that has no core metadata (a
// repository snapshot such as .../archive/master.zip): the named files of
// its project directory (the archive's top directory, joined with subdir).
// *pypi.Client implements it.
type ArtifactFilesProvider interface {
	ArtifactFiles(ctx context.Context, url, sha256, subdir string, names []string) (*pypi.ArchiveFiles, error)
}

// Fixed is a version a package must have whenever it is part of the
// resolution, because the environment provides it at that version whatever
// the resolution says (nixpkgs keeps its own pip, setuptools and wheel). It
// acts as a constraint ==Version, stated in explanations as "<By> fixes
// <name> at <Version> (<Why>)". When the index has no such release, the
// constraint is dropped with a warning (the environment then differs from
// the resolution, which the caller reports).
type Fixed struct {
	Version string // the version provided
	By      string // who provides it, e.g. "nixpkgs"
	Why     string // why it cannot be another version; may be ""
}

// text is the fact a Fixed states for name.
func (f Fixed) text(name string) string {
	s := fmt.Sprintf("%s fixes %s at %s", f.By, name, f.Version)
	if f.Why != "" {
		s += " (" + f.Why + ")"
	}
	return s
}

// Event reports progress: packages discovered and versions decided so far.
type Event struct {
	Discovered int    // packages (and extras) discovered so far
	Resolved   int    // packages (and extras) with a version decided, as of the last decision (backtracking lowers it)
	Package    string // the package the event is about, e.g. "flask" or "flask[dotenv]"
	System     string // the system being resolved (set by ResolveSystems; "" from Resolve)
}

// ArtifactMetadataProvider is implemented by providers that can read the
// metadata of a direct-reference archive (a wheel, or an sdist's PKG-INFO);
// sha256 is the expected digest or "".
type ArtifactMetadataProvider interface {
	ArtifactMetadata(ctx context.Context, url, sha256 string) (*pypi.Metadata, error)
}

// Resolve chooses one version of every package the root requirements of in
// need, for the target in opts. It fails with a *NoSolutionError when the
// requirements conflict (a dependency on a project no index has is one such
// conflict: as in pip, the versions that need it are avoided), and with a
// wrapped error naming the package when the provider fails (a root
// requirement on an unknown project, an unreachable index).
func Resolve(ctx context.Context, p Provider, in *reqfile.File, opts Options) (*Resolution, error) {
	_, res, err := resolveWorld(ctx, p, in, opts)
	return res, err
}

// resolveWorld is Resolve, also returning the world it resolved in (for
// ResolveSystems, which compares systems through it; nil on error).
func resolveWorld(ctx context.Context, p Provider, in *reqfile.File, opts Options) (*world, *Resolution, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := newWorld(ctx, p, in, opts)
	if err != nil {
		return nil, nil, err
	}
	defer w.fetch.stop() // after cancel (deferred calls run last first)
	defer cancel()
	s := newSolver(ctx, w)
	s.onDecide = func(q pkg, decisions int) {
		w.resolved = decisions - 1 // the root's decision is not a package
		w.progress(w.name(q))
	}
	w.startSpeculation()
	sol, err := s.solve()
	var c *conflict
	if errors.As(err, &c) {
		return nil, nil, newNoSolutionError(c.root, w)
	}
	if err != nil {
		return nil, nil, err
	}
	return w, w.resolution(sol), nil
}

func newWorld(ctx context.Context, p Provider, in *reqfile.File, opts Options) (*world, error) {
	if in == nil {
		return nil, errors.New("resolver: no input (nil *reqfile.File)")
	}
	opts.Pinned = normalizeKeys(opts.Pinned)
	if opts.Nixpkgs != nil { // nil leaves the answer to NixpkgsVersion
		opts.Nixpkgs = normalizeKeys(opts.Nixpkgs)
	}
	fixed := make(map[string]Fixed, len(opts.Fixed))
	for k, f := range opts.Fixed {
		fixed[pep508.NormalizeName(k)] = f
	}
	opts.Fixed = fixed
	if opts.Python == "" {
		opts.Python = "3.12"
	}
	if opts.Platform == "" {
		opts.Platform = "x86_64-linux"
	}
	opts.Pre = opts.Pre || in.Pre
	if opts.shared == nil {
		opts.shared = &sharedAnalysis{}
	}
	env, err := pep508.TargetEnvironment(opts.Python, opts.Platform)
	if err != nil {
		return nil, fmt.Errorf("target Python %s on %s: %w", opts.Python, opts.Platform, err)
	}
	t, err := newTarget(env, opts)
	if err != nil {
		return nil, err
	}
	t.noBinary, t.onlyBinary = nameSet(in.NoBinary), nameSet(in.OnlyBinary)
	t.onlyFinal = func(name string) bool { return in.PrereleasePolicy(name) == pep440.PrereleasesDeny }
	if err := checkRootPython(in, t.python); err != nil {
		return nil, err
	}
	w := &world{opts: opts, env: env, target: t, in: in,
		ids: map[string]pkg{}, direct: map[string]reqfile.Requirement{}, prepared: map[string]*preparedRef{},
		constraints: map[string][]reqfile.Requirement{}, upgrade: map[string]bool{},
		namedPre: map[string][][2]int{}, depPins: map[string]vset{}, edges: map[[2]int][]pkg{}, metas: map[[2]int]*pypi.Metadata{}, depCache: map[[2]int]depResult{}, tries: map[pkg]int{},
		warnings: map[string]bool{}}
	w.defs = []*pkgDef{{name: ""}}
	if in.ProjectName != "" {
		w.self = pep508.NormalizeName(in.ProjectName)
	}
	for _, n := range opts.UpgradePackages {
		w.upgrade[pep508.NormalizeName(n)] = true
	}
	w.fetch = newFetcher(ctx, p, t.analyse)
	w.fetch.shared = opts.shared
	w.fetch.speculate = w.speculate
	if err := w.checkDirectRefs(in.Requirements); err != nil {
		return nil, err
	}
	if err := w.readDirectRoot(ctx, in); err != nil {
		return nil, err
	}
	return w, nil
}

// readDirectRoot names the unnamed root direct references (reading them),
// sorts the root requirements (readRoot), and reads the other root direct
// references concurrently.
func (w *world) readDirectRoot(ctx context.Context, in *reqfile.File) error {
	reqs, err := w.nameDirectRefs(ctx, in.Requirements)
	if err != nil {
		return err
	}
	named := *in
	named.Requirements = reqs
	w.in = &named
	w.readRoot(w.in)
	var direct []reqfile.Requirement
	for _, r := range w.rootReqs {
		if r.URL != "" && w.direct[pep508.NormalizeName(r.Name)].URL == r.URL {
			direct = append(direct, r)
		}
	}
	w.prepare(ctx, direct)
	return nil
}

// nameSet is a set of normalised names (":all:" kept as is).
func nameSet(names []string) map[string]bool {
	out := map[string]bool{}
	for _, n := range names {
		if n != ":all:" {
			n = pep508.NormalizeName(n)
		}
		out[n] = true
	}
	return out
}

// normalizeKeys copies a name -> version map with PEP 503 names, so that
// callers may pass names as written.
func normalizeKeys(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[pep508.NormalizeName(k)] = v
	}
	return out
}

func newTarget(env pep508.Environment, opts Options) (*target, error) {
	python, err := pep440.Parse(env["python_full_version"])
	if err != nil {
		return nil, fmt.Errorf("target Python %s: %w", opts.Python, err)
	}
	release := python.Release()
	tt := tags.Target{Python: fmt.Sprintf("%d.%d", release[0], release[1]), Platform: opts.Platform, FreeThreaded: opts.FreeThreaded}
	if opts.FreeThreaded {
		// Fail now: a target without tags would silently take no wheel.
		if _, err := tags.NewRanker(tt); err != nil {
			return nil, fmt.Errorf("target Python %s: %w", opts.Python, err)
		}
	}
	return &target{python: python, platform: opts.Platform, tagTarget: tt, shared: opts.shared, excludeNewer: opts.ExcludeNewer,
		pins: map[string][]string{}, hashes: map[string]rootHashes{}}, nil
}

// checkRootPython fails when the project's own requires-python excludes the
// target.
func checkRootPython(in *reqfile.File, python pep440.Version) error {
	if strings.TrimSpace(in.RequiresPython) == "" {
		return nil
	}
	spec, err := pep440.ParseSpecifiers(in.RequiresPython)
	if err != nil {
		return fmt.Errorf("%s: requires-python %q: %w", in.RequiresPythonSource, in.RequiresPython, err)
	}
	if !spec.Contains(python, true) {
		return fmt.Errorf("%s: the project requires Python %s, which excludes the target Python %s; choose a target it allows",
			in.RequiresPythonSource, in.RequiresPython, python)
	}
	return nil
}

// readRoot sorts the root's requirements and constraints into what the
// world needs: applicable requirements, direct references, exact pins
// (which may select yanked releases) and hashes.
func (w *world) readRoot(in *reqfile.File) {
	env := w.envWith("")
	for _, r := range in.Requirements {
		if !r.Marker.Evaluate(env) {
			continue
		}
		w.rootReqs = append(w.rootReqs, r)
		w.noteRoot(r)
	}
	for _, c := range in.Constraints {
		if !c.Marker.Evaluate(env) {
			continue
		}
		name := pep508.NormalizeName(c.Name)
		if c.URL != "" {
			w.warn("%s: constraint %s @ %s: constraints by URL are not supported; ignored", c.Source, c.Name, c.URL)
			continue
		}
		w.constraints[name] = append(w.constraints[name], c)
		w.noteRoot(c)
	}
}

func (w *world) noteRoot(r reqfile.Requirement) {
	name := pep508.NormalizeName(r.Name)
	if r.URL != "" {
		if first, dup := w.direct[name]; !dup {
			w.direct[name] = r
		} else if first.URL != r.URL {
			w.warn("%s: %s @ %s conflicts with %s @ %s at %s; the first is used", r.Source, name, r.URL, name, first.URL, first.Source)
		}
	}
	w.target.pins[name] = append(w.target.pins[name], exactPins(r.Specifiers)...)
	if len(r.Hashes) > 0 {
		h := w.target.hashes[name]
		if h.sha256 == nil {
			h = rootHashes{sha256: map[string]bool{}, origin: r.Source.String()}
		}
		for _, s := range r.Hashes {
			algo, hex, _ := strings.Cut(s, ":")
			if algo != "sha256" {
				w.warn("%s: only sha256 hashes can be checked against the index; %s ignored", r.Source, algo)
				continue
			}
			h.sha256[strings.ToLower(hex)] = true
		}
		if len(h.sha256) > 0 {
			w.target.hashes[name] = h
		}
	}
}

// exactPins returns the versions a specifier pins with == (no wildcard) or
// ===.
func exactPins(spec pep440.Specifiers) []string {
	if spec.IsEmpty() {
		return nil
	}
	var out []string
	for _, clause := range strings.Split(spec.String(), ",") {
		clause = strings.TrimSpace(clause)
		switch {
		case strings.HasPrefix(clause, "==="):
			out = append(out, strings.TrimSpace(clause[3:]))
		case strings.HasPrefix(clause, "==") && !strings.HasSuffix(clause, ".*"):
			out = append(out, strings.TrimSpace(clause[2:]))
		}
	}
	return out
}

func withoutFragment(url string) string {
	url, _, _ = strings.Cut(url, "#")
	return url
}

func urlPath(url string) string {
	url, _, _ = strings.Cut(url, "#")
	url, _, _ = strings.Cut(url, "?")
	return url
}

func isArchiveURL(url string) bool {
	if strings.Contains(strings.SplitN(url, "://", 2)[0], "+") { // git+https:// and the like
		return false
	}
	p := urlPath(url)
	return strings.HasSuffix(p, ".whl") || isSdistName(p)
}

// urlSHA256 returns the "#sha256=" fragment of a URL, or "".
func urlSHA256(url string) string {
	_, frag, _ := strings.Cut(url, "#")
	for _, part := range strings.Split(frag, "&") {
		if v, ok := strings.CutPrefix(part, "sha256="); ok {
			return strings.ToLower(v)
		}
	}
	return ""
}

// versionFromURL reads the version from an archive's filename, or "".
func versionFromURL(url, name string) string {
	if !isArchiveURL(url) {
		return ""
	}
	file := path.Base(urlPath(url))
	if strings.HasSuffix(file, ".whl") {
		if wh, err := tags.ParseWheel(file); err == nil {
			return normalVersion(wh.Version)
		}
		return ""
	}
	if sd, err := tags.ParseSdist(file, name); err == nil {
		return normalVersion(sd.Version)
	}
	return ""
}

func normalVersion(s string) string {
	if v, err := pep440.Parse(s); err == nil {
		return v.String()
	}
	return ""
}
