package nixgen

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"path"
	"sort"
	"strings"

	"github.com/req2nix/req2nix/internal/lazyre"
	"github.com/req2nix/req2nix/pypi/pep508"
	"github.com/req2nix/req2nix/pypi/tags"
	"github.com/req2nix/req2nix/resolver"
)

// Kind says how a resolved package is provided.
type Kind string

const (
	// KindAsIs: nixpkgs ships this exact version; ps.<attr> is used as is.
	KindAsIs Kind = "as-is"
	// KindOverride: nixpkgs has the package at another (or an unknown)
	// version; its expression is reused with overridePythonAttrs.
	KindOverride Kind = "override"
	// KindNew: built with buildPythonPackage; when InNixpkgs it replaces
	// nixpkgs' attribute of the same project.
	KindNew Kind = "new"
	// KindPip: installed by pip from the shell's hook (--fallback pip):
	// Nix cannot build it, or the user said so (Decision.PipWhy).
	KindPip Kind = "pip"
)

// Cache says whether Nix can take a package from the binary cache.
type Cache string

const (
	// CacheHit: as is, and nothing in its nixpkgs dependency closure
	// (run-time dependencies and build systems) is overridden or new.
	CacheHit Cache = "hit"
	// CacheRebuilt: as is, but packages in its nixpkgs dependency closure
	// are overridden or new (Decision.RebuiltBecause), so Nix rebuilds it.
	CacheRebuilt Cache = "rebuilt"
	// CacheUnknown: as is, but the index lacks dependency edges, so
	// whether it is rebuilt cannot be told.
	CacheUnknown Cache = "unknown"
	// CacheBuilt: overridden or new, so built locally.
	CacheBuilt Cache = "built"
	// CacheInterpreter: as is, but built for an interpreter whose package
	// set the binary cache does not hold (an exact release, the optimized
	// build, a swapped interpreter's rebuilt packages).
	CacheInterpreter Cache = "interpreter"
)

// Plan is everything decided about one resolution for one interpreter and
// system: the single data structure that the shell, flake and overlay
// emitters and the JSON report render (they decide nothing). Make it with
// MakePlan. Its fields are plain data, so that a caller may keep one plan
// per target system and compare them.
type Plan struct {
	PythonAttr string     // interpreter attribute, e.g. "python312"
	Python     string     // the resolution's target Python version, e.g. "3.12.10" ("" = unknown)
	Platform   string     // the resolution's target system, e.g. "x86_64-linux"
	Index      string     // Index.Source: where what nixpkgs ships was learnt
	Packages   []Decision // one per resolved package, sorted by name
	Warnings   []string   // the resolution's warnings, sorted

	// EdgesKnown: the index knows nixpkgs' dependency edges, so the Cache
	// of as-is packages is CacheHit or CacheRebuilt, never CacheUnknown.
	EdgesKnown bool

	// The recipes (recipes_plan.go), nil or empty when unused. Interpreter
	// is the interpreter req2nix defines (an exact release, the optimized
	// build; PythonAttr is then its attribute) and HashFrom where the
	// release's hash came from; Swap reuses the binary-cached pure packages
	// of another interpreter of the same minor version (PythonAttr is then
	// the pin's free-threading one, say); Check is what the shell asserts
	// about the interpreter it runs; Fallback ("pip" or "fhs") how the
	// KindPip packages are installed; App the project itself, built.
	Interpreter *InterpreterSpec
	HashFrom    string
	Swap        *InterpreterSwap
	Check       *PythonRequest
	Fallback    string
	PipIndexURL string // the index pip installs from ("" for PyPI)
	App         *App
}

// envAttrs are the attributes the environment's withPackages lists: the
// rebuilt ones under an interpreter swap (the reused ones enter as one
// module), else every package Nix provides (pip installs the KindPip
// ones).
func (p *Plan) envAttrs() []string {
	if p.Swap != nil {
		return p.Swap.Rebuilt
	}
	attrs := make([]string, 0, len(p.Packages))
	for _, d := range p.Packages {
		if d.Kind != KindPip {
			attrs = append(attrs, d.Attr)
		}
	}
	return attrs
}

// Decision is how one resolved package appears in the output.
type Decision struct {
	Name           string // PEP 503 name
	Version        string // resolved version
	Attr           string // attribute in the Python package set
	NixpkgsVersion string // the version nixpkgs ships ("" = unknown or absent)
	InNixpkgs      bool   // nixpkgs has an attribute for the project
	Kind           Kind
	Src            *Source // nil for KindAsIs

	// Format of a KindNew build: "wheel" (install a wheel) or "pyproject"
	// (PEP 517 build of the sdist). Empty for the other kinds.
	Format      string
	BinaryWheel bool // a platform wheel, patched with autoPatchelfHook (last resort)
	// BuildSystem lists the build-system attributes of a pyproject build,
	// read from the source's [build-system] requires. For an override, nil
	// means nixpkgs' own build-system is kept (the sdist could not be read).
	BuildSystem []string
	// ImportsCheck lists the top-level modules the build imports to check
	// itself (pythonImportsCheck), read from a wheel; nil when unknown.
	ImportsCheck []string
	Deps         []string // attributes of the resolved dependencies (override and new), sorted
	Root         bool     // named by a root requirement
	Notes        []string // human-readable remarks (dropped dependency-cycle edges, ...)
	Problem      string   // why the package cannot be emitted; "" when it can

	// Cache accounting (see Cache): RebuiltBecause names the overridden or
	// new packages of an as-is package's nixpkgs closure, sorted; Adds the
	// packages that nixpkgs' dependency list of an as-is package brings in
	// although the resolution did not choose them (or chose another
	// version of them).
	Cache          Cache
	RebuiltBecause []string
	Adds           []Added

	// MissingBuildSystem names the build requirements of its sdist that
	// neither nixpkgs nor the resolution has (the notes say so too).
	MissingBuildSystem []string

	// Recipes. PipWhy says why a KindPip package is left to pip, and Pip is
	// what pip installs (the version and the hashes of its files).
	// Compiled (and why) says whether it has compiled code, and Reused
	// whether it is taken from the binary-cached interpreter's set as
	// built there: both are set under an interpreter swap only.
	PipWhy      string
	Pip         *PipRequirement
	Compiled    bool
	CompiledWhy string
	Reused      bool

	Resolved resolver.Package // the resolution's package: extras, dependencies by name, files
}

// KeptAtOtherVersion reports whether an as-is package is nixpkgs' own at
// another version than the resolved one: a build tool nixpkgs keeps (see
// FixedVersions) whose version the resolution could not follow.
func (d Decision) KeptAtOtherVersion() bool {
	return d.Kind == KindAsIs && !sameVersion(d.NixpkgsVersion, d.Version)
}

// Added is a package that nixpkgs' dependencies of an as-is package put in
// the environment outside the resolution.
type Added struct {
	Name    string // PEP 503 name (nixpkgs' pname, normalised)
	Attr    string
	Version string // the version nixpkgs ships ("" = unknown)
	// Resolved is the version the resolution chose for the same project
	// under another attribute (django_5 while nixpkgs' package wants
	// django), so the environment would hold two versions; "" when the
	// resolution does not have the project.
	Resolved string
}

// Source is a hash-pinned file fetch.
type Source struct {
	Fetcher  string // "fetchPypi" or "fetchurl"
	URL      string // the file's URL as the index gave it
	Hash     string // SRI, "sha256-<base64>"
	Filename string
	FileKind string // "sdist" or "wheel"

	// fetchPypi arguments (Fetcher == "fetchPypi"): pname and version exactly
	// as in the filename, and the sdist's extension or the wheel's tags.
	PName, PVersion, Extension  string
	Dist, Python, ABI, Platform string

	// Direct references (see direct.go): a local path (Fetcher ==
	// FetcherPath, FileKind "directory", "sdist" or "wheel") and its Nix
	// expression relative to PlanOptions.OutputDir; a git commit (Fetcher ==
	// FetcherGit, URL the repository, FileKind "git") and the project's
	// subdirectory in it.
	Path, PathExpr    string
	Rev, Subdirectory string
}

// Facts is what planning must learn from distribution files, which an
// implementation downloads (and should cache: a re-run must be fast and
// work offline). Both methods are called concurrently. An error is not
// fatal: the plan falls back (nixpkgs' build-system, setuptools, no
// import check) and says so.
type Facts interface {
	// BuildRequires returns the [build-system] requires of an sdist's
	// pyproject.toml (PEP 518 requirement strings); nil when it has no
	// pyproject.toml or no requires, which means setuptools, as in pip.
	BuildRequires(ctx context.Context, sdist resolver.File) ([]string, error)
	// TopLevelModules returns the importable top-level modules a wheel
	// installs (from its top_level.txt or its file list).
	TopLevelModules(ctx context.Context, wheel resolver.File) ([]string, error)
}

// PlanOptions controls MakePlan.
type PlanOptions struct {
	// OutputDir is the directory the output will be written to (relative
	// to the current directory, or absolute): local direct references
	// (-e ./pkg) become Nix paths relative to it. "" writes absolute paths.
	OutputDir string

	// Interpreter is the interpreter the environment runs (zero: the
	// index's, as the pin has it).
	Interpreter Interpreter
	// Fallback is "pip" or "fhs" to leave to pip the packages Nix cannot
	// build (no sdist and only platform wheels, a build system nixpkgs
	// lacks) and those named in Pip; "" builds everything with Nix (Pip
	// alone means "pip").
	Fallback string
	Pip      []string // names pip installs (--pip NAME)
	// PipIndexURL is the index the resolution used, for pip: a Simple API
	// root over http(s), without credentials; "" means PyPI.
	PipIndexURL string
	// App, when set, is the project built as an application.
	App *AppProject
}

// reservedAttrs are lower-case names that the Python package set (or the
// scope around it) defines without being packages; a new package named like
// one gets another attribute name even when the index does not list it.
var reservedAttrs = map[string]bool{
	"bootstrap": true, "lib": true, "pkgs": true, "python": true,
	"stdenv": true, "callpackage": true, "newscope": true, "packages": true,
}

// defaultBuildSystem is used for sdists whose build backend is unknown:
// setuptools is what pip falls back to without [build-system] (PEP 517/518).
var defaultBuildSystem = []string{"setuptools"}

// MakePlan decides, for every resolved package, whether nixpkgs' package is
// used as is, overridden, or a new one is built, with which attribute name,
// from which file, with which build system and import check, and whether
// Nix can take it from the binary cache. facts may be nil (nothing is
// downloaded; build systems and import checks fall back). Problems (a file
// without a sha256, a dependency outside the resolution) are recorded in
// Decision.Problem and returned joined as the error, with the plan.
func MakePlan(ctx context.Context, res *resolver.Resolution, ix *Index, facts Facts, opts PlanOptions) (*Plan, error) {
	if res == nil || ix == nil {
		return nil, errors.New("nixgen: a plan needs a resolution and a nixpkgs index")
	}
	if !pythonAttrRE.R().MatchString(ix.PythonAttr) {
		return nil, fmt.Errorf("python interpreter attribute %q: expected a name such as python312", ix.PythonAttr)
	}
	attr, err := opts.Interpreter.attr(ix.PythonAttr)
	if err != nil {
		return nil, err
	}
	if err := checkInterpreterMatch(attr, res.Python, res.FreeThreaded); err != nil {
		return nil, err
	}
	p := &Plan{
		PythonAttr: attr, Python: res.Python, Platform: res.Platform, Index: ix.Source,
		Packages: decideAll(res, ix), Warnings: sortedCopy(res.Warnings),
		Interpreter: opts.Interpreter.Build, HashFrom: opts.Interpreter.HashFrom, Check: opts.Interpreter.Check,
	}
	resolvePaths(p.Packages, opts.OutputDir)
	learnFacts(ctx, p, ix, facts)
	if err := planPip(ctx, p, facts, opts); err != nil {
		return nil, err
	}
	accountCache(p, ix)
	planSwap(ctx, p, ix, facts, opts.Interpreter)
	accountInterpreter(p)
	err = planApp(p, ix, opts.App)
	return p, errors.Join(err, problems(p.Packages))
}

// decideAll decides every package, names new ones and links dependencies.
func decideAll(res *resolver.Resolution, ix *Index) []Decision {
	pkgs := append([]resolver.Package(nil), res.Packages...)
	sort.SliceStable(pkgs, func(i, j int) bool { return pkgs[i].Name < pkgs[j].Name })
	ds := make([]Decision, len(pkgs))
	taken := map[string]bool{}
	for i, p := range pkgs {
		ds[i] = decide(p, ix)
		ds[i].Resolved = p
		dropCredentials(&ds[i])
		if ds[i].Attr != "" {
			taken[ds[i].Attr] = true
		}
	}
	seen := map[string]bool{}
	for i := range ds {
		key := pep508.NormalizeName(ds[i].Name)
		if seen[key] && ds[i].Problem == "" {
			ds[i].Problem = fmt.Sprintf("package %s appears twice in the resolution", ds[i].Name)
		}
		seen[key] = true
		if ds[i].Attr == "" {
			ds[i].Attr = freeAttr(pep508.NormalizeName(ds[i].Name), ix, taken)
			taken[ds[i].Attr] = true
		}
	}
	linkDeps(pkgs, ds)
	return ds
}

// dropCredentials removes credentials from a source URL: the output is
// meant to be committed, and Nix's fetchers authenticate through a netrc
// file instead (nix.conf's netrc-file, readable by the build sandbox). Over
// HTTP any userinfo is a credential (often a token as the user name); over
// SSH the user name ("git@") is not, only a password would be.
func dropCredentials(d *Decision) {
	if d.Src == nil || d.Src.URL == "" {
		return
	}
	u, err := url.Parse(d.Src.URL)
	if err != nil || u.User == nil {
		return
	}
	_, hasPassword := u.User.Password()
	if strings.Contains(u.Scheme, "ssh") && !hasPassword {
		return
	}
	u.User = nil
	d.Src.URL = u.String()
	d.Notes = append(d.Notes, "credentials removed from the URL: give Nix a netrc-file for "+u.Host)
}

// keptBuildTools are taken from nixpkgs whatever version the resolution
// chose (mach-nix learnt the same: overriding them rebuilds the world or
// recurses in nixpkgs' bootstrap). FixedVersions makes the resolver choose
// nixpkgs' versions of them, so that the two agree.
var keptBuildTools = map[string]bool{"pip": true, "setuptools": true, "wheel": true}

// keptWhy says why a kept package is not overridden, in the resolver's
// explanations and the notes.
const keptWhy = "not overridden: every package builds with it"

// FixedVersions returns the versions the resolution must take for the
// packages req2nix keeps as nixpkgs' own (pip, setuptools, wheel), when the
// index knows them: given to resolver.Options.Fixed, the lock lines, the
// report and the environment then agree, and a requirement nixpkgs' version
// does not meet fails the resolution with "nixpkgs fixes pip at 25.0.1
// (not overridden: every package builds with it)".
func FixedVersions(ix *Index) map[string]resolver.Fixed {
	out := map[string]resolver.Fixed{}
	for name := range keptBuildTools {
		if e, ok := ix.Lookup(name); ok && e.Version != "" {
			out[name] = resolver.Fixed{Version: e.Version, By: "nixpkgs", Why: keptWhy}
		}
	}
	return out
}

// keptNote says that nixpkgs' own build tool is used at another version
// than the resolution's, and why the resolution did not follow it.
func keptNote(p resolver.Package, e Entry) string {
	why := "the nixpkgs index does not say which version it ships"
	if e.Version != "" {
		why = "the package index has no " + e.Version
	}
	return fmt.Sprintf("nixpkgs' %s %s is used, not the resolved %s (%s); the resolution could not follow it: %s",
		p.Name, orUnknown(e.Version), p.Version, keptWhy, why)
}

func orUnknown(v string) string {
	if v == "" {
		return "unknown"
	}
	return v
}

// decide chooses the kind and source of one package; Attr stays empty for
// a new package, which gets a free name afterwards.
func decide(p resolver.Package, ix *Index) Decision {
	d := Decision{Name: p.Name, Version: p.Version, Root: p.Root, Cache: CacheBuilt}
	if problem := checkPackage(p); problem != "" {
		d.Problem = problem
		d.Kind = KindNew
		return d
	}
	e, ok := ix.lookupVersion(p.Name, p.Version)
	if ok {
		d.Attr, d.NixpkgsVersion, d.InNixpkgs = e.Attr, e.Version, true
	} else {
		takeUnsupported(&d, ix)
	}
	if p.DirectURL != "" {
		decideDirect(&d, p)
		return d
	}
	if ok && (sameVersion(e.Version, p.Version) || keptBuildTools[p.Name]) {
		d.Kind, d.Cache = KindAsIs, CacheUnknown
		if !sameVersion(e.Version, p.Version) {
			d.Notes = append(d.Notes, keptNote(p, e))
		}
		return d
	}
	sdist, wheel := pickFiles(p.Files)
	switch {
	case wheel != nil && isPure(wheel.Filename):
		// A pure-Python package is installed from its wheel, also in place
		// of nixpkgs' package at another version: nothing of nixpkgs'
		// source-tree recipe (patches, postPatch, substitutions, written
		// for its own version) can break the build.
		d.Kind, d.Format = KindNew, "wheel"
		d.Src, d.Problem = source(p, *wheel)
	case ok && sdist != nil:
		d.Kind = KindOverride
		d.Src, d.Problem = source(p, *sdist)
	case sdist != nil:
		d.Kind, d.Format = KindNew, "pyproject"
		d.Src, d.Problem = source(p, *sdist)
	case wheel != nil:
		d.Kind, d.Format, d.BinaryWheel = KindNew, "wheel", true
		d.Src, d.Problem = source(p, *wheel)
	default:
		d.Kind = KindNew
		d.Problem = fmt.Sprintf("%s %s has no sdist or wheel to fetch%s", p.Name, p.Version, directHint(p))
	}
	return d
}

// checkPackage rejects values no output can carry.
func checkPackage(p resolver.Package) string {
	if p.Name == "" || p.Version == "" {
		return fmt.Sprintf("resolved package %q %q lacks a name or a version", p.Name, p.Version)
	}
	for _, v := range append([]string{p.Name, p.Version}, p.Dependencies...) {
		if err := checkNixValue("package "+p.Name, v); err != nil {
			return err.Error()
		}
	}
	return ""
}

func directHint(p resolver.Package) string {
	if p.DirectURL != "" {
		return fmt.Sprintf(" (direct reference %s: only archive URLs with a known sha256 can be pinned; add #sha256=<hex> to the URL)", p.DirectURL)
	}
	return ""
}

// pickFiles returns the first sdist and the first wheel of files.
func pickFiles(files []resolver.File) (sdist, wheel *resolver.File) {
	for i := range files {
		switch files[i].Kind {
		case "sdist":
			if sdist == nil {
				sdist = &files[i]
			}
		case "wheel":
			if wheel == nil {
				wheel = &files[i]
			}
		}
	}
	return sdist, wheel
}

func isPure(filename string) bool {
	w, err := tags.ParseWheel(filename)
	return err == nil && w.Pure()
}

// freeAttr returns name, or name-pypi, name-pypi2, ... when the package set
// already uses name for something else (another project, a helper, an
// alias): replacing it would change packages that depend on it.
func freeAttr(name string, ix *Index, taken map[string]bool) string {
	used := func(a string) bool { return taken[a] || ix.hasAttr(a) || reservedAttrs[a] }
	if !used(name) {
		return name
	}
	for n := 1; ; n++ {
		a := name + "-pypi"
		if n > 1 {
			a += fmt.Sprint(n)
		}
		if !used(a) {
			return a
		}
	}
}

// source builds the fetch of file f of package p, or says why it cannot.
func source(p resolver.Package, f resolver.File) (*Source, string) {
	for _, v := range []string{f.URL, f.Filename} {
		if err := checkNixValue("file of "+p.Name, v); err != nil {
			return nil, err.Error()
		}
	}
	hash, err := sriSHA256(f.SHA256)
	if err != nil {
		return nil, fmt.Sprintf("%s %s: file %s: %v", p.Name, p.Version, f.Filename, err)
	}
	if f.URL == "" {
		return nil, fmt.Sprintf("%s %s: file %s has no URL", p.Name, p.Version, f.Filename)
	}
	s := &Source{Fetcher: "fetchurl", URL: f.URL, Hash: hash, Filename: f.Filename, FileKind: f.Kind}
	if f.Kind == "sdist" {
		fetchPypiSdist(s, p.Name)
	} else {
		fetchPypiWheel(s, p.Name)
	}
	return s, ""
}

// sriSHA256 converts PyPI's lower-case hex sha256 to SRI.
func sriSHA256(hexDigest string) (string, error) {
	b, err := hex.DecodeString(hexDigest)
	if err != nil || len(b) != 32 {
		return "", fmt.Errorf("sha256 %q is not 64 hex digits: every fetch must be hash-pinned", hexDigest)
	}
	return "sha256-" + base64.StdEncoding.EncodeToString(b), nil
}

var (
	// safeSegment is what may go into a fetchPypi URL segment unescaped.
	safeSegment = lazyre.New(`^[A-Za-z0-9][A-Za-z0-9._+!-]*$`)
	// hashedPath is PyPI's storage layout /packages/ab/cd/<60 hex>/<file>.
	hashedPath = lazyre.New(`^/packages/[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{60}/[^/]+$`)
)

// pypiFileURL reports whether u is a plain https://files.pythonhosted.org
// URL whose last segment is filename, returning its path.
func pypiFileURL(u, filename string) (string, bool) {
	pu, err := url.Parse(u)
	if err != nil || pu.Scheme != "https" || pu.Host != "files.pythonhosted.org" ||
		pu.User != nil || pu.RawQuery != "" || pu.Fragment != "" || pu.RawPath != "" {
		return "", false
	}
	return pu.Path, path.Base(pu.Path) == filename
}

// fetchPypiSdist switches s to fetchPypi when fetchPypi fetches the same
// file: fetchPypi asks for mirror://pypi/<c>/<pname>/<pname>-<version>.<ext>
// (files.pythonhosted.org/packages/source/...), which PyPI's conveyor
// redirects to the file of project <pname> with exactly that filename. So
// the URL must be PyPI's own (hashed storage path or that source path) with
// that filename, pname and version must be the filename's own spelling,
// plain ASCII, and pname must normalise to the project.
func fetchPypiSdist(s *Source, project string) {
	p, ok := pypiFileURL(s.URL, s.Filename)
	if !ok {
		return
	}
	sd, err := tags.ParseSdist(s.Filename, project)
	if err != nil || !safeSegment.R().MatchString(sd.Name) || !safeSegment.R().MatchString(sd.Version) ||
		sd.Name+"-"+sd.Version+"."+sd.Extension != s.Filename ||
		pep508.NormalizeName(sd.Name) != pep508.NormalizeName(project) {
		return
	}
	if !hashedPath.R().MatchString(p) && p != "/packages/source/"+sd.Name[:1]+"/"+sd.Name+"/"+s.Filename {
		return
	}
	s.Fetcher, s.PName, s.PVersion, s.Extension = "fetchPypi", sd.Name, sd.Version, sd.Extension
}

// fetchPypiWheel switches s to fetchPypi for a wheel only when its URL is
// already in fetchPypi's form /packages/<dist>/<c>/<pname>/<file>: the
// <dist> segment is PyPI's python_version of the file, which a hashed
// storage URL does not reveal, and a build tag cannot be expressed.
func fetchPypiWheel(s *Source, project string) {
	p, ok := pypiFileURL(s.URL, s.Filename)
	if !ok {
		return
	}
	w, err := tags.ParseWheel(s.Filename)
	if err != nil || w.Build != "" || !safeSegment.R().MatchString(w.Distribution) || !safeSegment.R().MatchString(w.Version) ||
		pep508.NormalizeName(w.Distribution) != pep508.NormalizeName(project) {
		return
	}
	py, abi, plat := strings.Join(w.Python, "."), strings.Join(w.ABI, "."), strings.Join(w.Platform, ".")
	if w.Distribution+"-"+w.Version+"-"+py+"-"+abi+"-"+plat+".whl" != s.Filename {
		return
	}
	segs := strings.Split(strings.TrimPrefix(p, "/packages/"), "/")
	if len(segs) != 4 || !safeSegment.R().MatchString(segs[0]) || segs[1] != w.Distribution[:1] || segs[2] != w.Distribution {
		return
	}
	s.Fetcher, s.PName, s.PVersion = "fetchPypi", w.Distribution, w.Version
	s.Dist, s.Python, s.ABI, s.Platform = segs[0], py, abi, plat
}

// linkDeps fills Deps of overridden and new packages with the attributes of
// their resolved dependencies. Edges that would close a dependency cycle
// are dropped (Nix cannot build mutually dependent derivations); the
// packages involved are all listed in the environment anyway.
func linkDeps(pkgs []resolver.Package, ds []Decision) {
	index := map[string]int{}
	for i, d := range ds {
		if _, dup := index[pep508.NormalizeName(d.Name)]; !dup {
			index[pep508.NormalizeName(d.Name)] = i
		}
	}
	const (
		unvisited = iota
		onStack
		done
	)
	state := make([]int, len(ds))
	var visit func(i int)
	visit = func(i int) {
		state[i] = onStack
		for _, dep := range pkgs[i].Dependencies {
			j, ok := index[pep508.NormalizeName(dep)]
			switch {
			case !ok:
				if ds[i].Problem == "" {
					ds[i].Problem = fmt.Sprintf("%s %s depends on %s, which is not in the resolution", ds[i].Name, ds[i].Version, dep)
				}
			case j == i:
			case state[j] == onStack:
				ds[i].Notes = append(ds[i].Notes, fmt.Sprintf("dependency on %s dropped: it closes a dependency cycle", ds[j].Name))
			default:
				if state[j] == unvisited {
					visit(j)
				}
				ds[i].Deps = append(ds[i].Deps, ds[j].Attr)
			}
		}
		sort.Strings(ds[i].Deps)
		state[i] = done
	}
	for i := range ds {
		if state[i] == unvisited {
			visit(i)
		}
	}
	for i := range ds {
		if ds[i].Kind == KindAsIs {
			ds[i].Deps = nil
		}
	}
}
