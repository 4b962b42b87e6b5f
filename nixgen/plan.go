package nixgen

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

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
	// KindNew: built with buildPythonPackage; when NixpkgsVersion or
	// Replaces is set it replaces nixpkgs' attribute of the same project.
	KindNew Kind = "new"
)

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
	BinaryWheel bool     // a platform wheel, patched with autoPatchelfHook (last resort)
	BuildSystem []string // build-system attributes of a pyproject build
	Deps        []string // attributes of the resolved dependencies (override and new), sorted
	Root        bool     // named by a root requirement
	Notes       []string // human-readable remarks (dropped dependency-cycle edges, ...)
	Problem     string   // why the package cannot be emitted; "" when it can
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
	// expression relative to Options.OutputDir; a git commit (Fetcher ==
	// FetcherGit, URL the repository, FileKind "git") and the project's
	// subdirectory in it.
	Path, PathExpr    string
	Rev, Subdirectory string
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

// Plan decides, for every resolved package, whether nixpkgs' package is used
// as is, overridden, or a new one is built, with which attribute name and
// from which file. Packages are returned sorted by name. Problems (a file
// without a sha256, a dependency outside the resolution) are recorded in
// Decision.Problem; Generate refuses to emit them. ix must not be nil.
func Plan(res *resolver.Resolution, ix *Index) []Decision {
	pkgs := append([]resolver.Package(nil), res.Packages...)
	sort.SliceStable(pkgs, func(i, j int) bool { return pkgs[i].Name < pkgs[j].Name })
	ds := make([]Decision, len(pkgs))
	taken := map[string]bool{}
	for i, p := range pkgs {
		ds[i] = decide(p, ix)
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
// recurses in nixpkgs' bootstrap).
var keptBuildTools = map[string]bool{"pip": true, "setuptools": true, "wheel": true}

func orUnknown(v string) string {
	if v == "" {
		return "unknown"
	}
	return v
}

// decide chooses the kind and source of one package; Attr stays empty for
// a new package, which gets a free name afterwards.
func decide(p resolver.Package, ix *Index) Decision {
	d := Decision{Name: p.Name, Version: p.Version, Root: p.Root}
	if problem := checkPackage(p); problem != "" {
		d.Problem = problem
		d.Kind = KindNew
		return d
	}
	e, ok := ix.lookupVersion(p.Name, p.Version)
	if ok {
		d.Attr, d.NixpkgsVersion, d.InNixpkgs = e.Attr, e.Version, true
	}
	if p.DirectURL != "" {
		decideDirect(&d, p)
		return d
	}
	if ok && sameVersion(e.Version, p.Version) {
		d.Kind = KindAsIs
		return d
	}
	if ok && keptBuildTools[p.Name] {
		d.Kind = KindAsIs
		d.Notes = append(d.Notes, fmt.Sprintf("kept nixpkgs' %s (version %s) instead of %s: nixpkgs builds nearly every package with it, so an override would rebuild them all and break its bootstrap",
			p.Name, orUnknown(e.Version), p.Version))
		return d
	}
	sdist, wheel := pickFiles(p.Files)
	switch {
	case ok && sdist != nil:
		d.Kind = KindOverride
		d.Src, d.Problem = source(p, *sdist)
	case wheel != nil && isPure(wheel.Filename):
		d.Kind, d.Format = KindNew, "wheel"
		d.Src, d.Problem = source(p, *wheel)
	case sdist != nil:
		d.Kind, d.Format, d.BuildSystem = KindNew, "pyproject", append([]string(nil), defaultBuildSystem...)
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
	safeSegment = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+!-]*$`)
	// hashedPath is PyPI's storage layout /packages/ab/cd/<60 hex>/<file>.
	hashedPath = regexp.MustCompile(`^/packages/[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{60}/[^/]+$`)
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
	if err != nil || !safeSegment.MatchString(sd.Name) || !safeSegment.MatchString(sd.Version) ||
		sd.Name+"-"+sd.Version+"."+sd.Extension != s.Filename ||
		pep508.NormalizeName(sd.Name) != pep508.NormalizeName(project) {
		return
	}
	if !hashedPath.MatchString(p) && p != "/packages/source/"+sd.Name[:1]+"/"+sd.Name+"/"+s.Filename {
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
	if err != nil || w.Build != "" || !safeSegment.MatchString(w.Distribution) || !safeSegment.MatchString(w.Version) ||
		pep508.NormalizeName(w.Distribution) != pep508.NormalizeName(project) {
		return
	}
	py, abi, plat := strings.Join(w.Python, "."), strings.Join(w.ABI, "."), strings.Join(w.Platform, ".")
	if w.Distribution+"-"+w.Version+"-"+py+"-"+abi+"-"+plat+".whl" != s.Filename {
		return
	}
	segs := strings.Split(strings.TrimPrefix(p, "/packages/"), "/")
	if len(segs) != 4 || !safeSegment.MatchString(segs[0]) || segs[1] != w.Distribution[:1] || segs[2] != w.Distribution {
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

// applyBuildRequires replaces the default build system of new sdist builds
// whose [build-system] requires are known: each requirement becomes the
// attribute of the resolved package of that name, else nixpkgs' one; a
// requirement nixpkgs lacks is noted in the output for the user to add.
func applyBuildRequires(ds []Decision, ix *Index, buildRequires map[string][]string) {
	if len(buildRequires) == 0 {
		return
	}
	reqs := map[string][]string{}
	for name, r := range buildRequires {
		reqs[pep508.NormalizeName(name)] = r
	}
	resolved := map[string]string{}
	for _, d := range ds {
		resolved[pep508.NormalizeName(d.Name)] = d.Attr
	}
	for i := range ds {
		d := &ds[i]
		r, ok := reqs[pep508.NormalizeName(d.Name)]
		if !ok || d.Kind != KindNew || d.Format != "pyproject" {
			continue
		}
		d.BuildSystem = nil
		for _, req := range r {
			name := requirementName(req)
			if attr, ok := resolved[name]; ok {
				d.BuildSystem = append(d.BuildSystem, attr)
			} else if e, ok := ix.Lookup(name); ok {
				d.BuildSystem = append(d.BuildSystem, e.Attr)
			} else {
				d.Notes = append(d.Notes, fmt.Sprintf("build requirement %q is not in nixpkgs: add it to build-system by hand", req))
			}
		}
		slices.Sort(d.BuildSystem)
		d.BuildSystem = slices.Compact(d.BuildSystem)
	}
}

// requirementName is the normalised project name of a PEP 508 requirement
// ("setuptools>=61", "hatchling ; python_version > '3'").
func requirementName(req string) string {
	if r, err := pep508.ParseRequirement(req); err == nil {
		return pep508.NormalizeName(r.Name)
	}
	return pep508.NormalizeName(strings.TrimSpace(req))
}
