package nixgen

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/req2nix/req2nix/resolver"
)

// SchemaVersion is the version of the JSON report's schema (semantic
// versioning: a minor version only adds fields, so readers accept any 1.x;
// ReadPins rejects other major versions).
const SchemaVersion = "1.2.0"

// Report is the JSON output format (Options.Format "json"), schema 1.2.0.
// Fields marked omitempty are absent when empty; lists are sorted.
// 1.1.0 added binary_cache, rebuilt_because, nixpkgs_adds and
// imports_check to packages, dependency_edges to nixpkgs, and
// exclude_newer (the --exclude-newer cutoff). 1.2.0 covers
// several systems (systems, failed and differences, and per package the
// systems it holds for, see ReportPackage.Systems; platform is only set
// for a report of one system) and added the recipes: the interpreter's
// base, hash, hash_from, optimized, free_threaded, cached and check;
// fallback and app; the package kind "pip" with pip_why and pip_sha256;
// compiled, compiled_why and reused.
type Report struct {
	SchemaVersion string          `json:"schema_version"` // SchemaVersion
	Generator     string          `json:"generator"`      // "req2nix"
	Command       string          `json:"command,omitempty"`
	Inputs        []string        `json:"inputs,omitempty"`
	IndexURL      string          `json:"index_url,omitempty"`     // the package index resolved against
	ExcludeNewer  string          `json:"exclude_newer,omitempty"` // the --exclude-newer date honoured
	Python        ReportPython    `json:"python"`
	Platform      string          `json:"platform,omitempty"` // the one system, e.g. "x86_64-linux"; absent for several
	Systems       []string        `json:"systems"`            // the systems the output covers (resolved or failed)
	Failed        []ReportFailure `json:"failed,omitempty"`   // systems without an environment, and why
	Nixpkgs       ReportNixpkgs   `json:"nixpkgs"`
	Packages      []ReportPackage `json:"packages"` // sorted by name, then by first system
	// Differences lists the packages not at one version on every resolved
	// system, and why (resolver.Difference), sorted by name.
	Differences []ReportDifference `json:"differences,omitempty"`
	Warnings    []string           `json:"warnings,omitempty"` // a warning of some systems only starts "on SYSTEM, ...: "
	Fallback    string             `json:"fallback,omitempty"` // "pip" or "fhs": how the "pip" packages are installed
	App         *ReportApp         `json:"app,omitempty"`      // the project built as an application (--app)
}

// ReportPython is the interpreter.
type ReportPython struct {
	Attr    string `json:"attr"`              // e.g. "python312", "python3_11_11", "python313FreeThreading"
	Version string `json:"version,omitempty"` // the resolution's target version
	// An interpreter req2nix defines: the pin's attribute it is defined
	// from, an exact release's source hash (SRI) and where that hash came
	// from ("the release table", "--python-hash" or a download URL), and
	// the optimized build.
	Base      string `json:"base,omitempty"`
	Hash      string `json:"hash,omitempty"`
	HashFrom  string `json:"hash_from,omitempty"`
	Optimized bool   `json:"optimized,omitempty"`
	// FreeThreaded: the free-threading build; Cached: the binary-cached
	// interpreter whose pure packages the environment reuses; Check: what
	// the shell asserts about the running interpreter ("3.11.11", "3.13t").
	FreeThreaded bool   `json:"free_threaded,omitempty"`
	Cached       string `json:"cached,omitempty"`
	Check        string `json:"check,omitempty"`
}

// ReportApp is the project built as an application.
type ReportApp struct {
	Name         string   `json:"name"`
	Version      string   `json:"version"`
	BuildSystem  []string `json:"build_system"` // attributes
	Dependencies []string `json:"dependencies"` // attributes
	Files        []string `json:"files"`        // its source, relative to the project
	MainProgram  string   `json:"main_program,omitempty"`
}

// ReportNixpkgs is the nixpkgs pin and the index of its package set.
type ReportNixpkgs struct {
	Rev    string `json:"rev,omitempty"`
	SHA256 string `json:"sha256,omitempty"`
	URL    string `json:"url,omitempty"`
	Path   string `json:"path,omitempty"`
	Name   string `json:"name,omitempty"`
	Index  string `json:"index"` // Index.Source: where attribute names and versions came from
	// DependencyEdges: the index knows nixpkgs' dependency edges, so
	// binary_cache is known for every package.
	DependencyEdges bool `json:"dependency_edges"`
}

// ReportPackage is one resolved package and how it is provided. A
// package provided differently on some systems (another version, another
// wheel, built where nixpkgs does not support it) appears once per way,
// each with the systems it holds for.
type ReportPackage struct {
	Name string `json:"name"`
	// Systems are the resolved systems this entry holds for; absent when
	// it holds for all of them.
	Systems        []string      `json:"systems,omitempty"`
	Version        string        `json:"version"`
	Kind           Kind          `json:"kind"` // "as-is", "override", "new" or "pip"
	Attr           string        `json:"attr"`
	NixpkgsVersion string        `json:"nixpkgs_version,omitempty"`
	Root           bool          `json:"root,omitempty"`
	Extras         []string      `json:"extras,omitempty"`
	Dependencies   []string      `json:"dependencies,omitempty"` // names, as resolved
	DirectURL      string        `json:"direct_url,omitempty"`
	Source         *ReportSource `json:"source,omitempty"` // absent for "as-is"
	Format         string        `json:"format,omitempty"` // "wheel" or "pyproject" for "new"
	BinaryWheel    bool          `json:"binary_wheel,omitempty"`
	BuildSystem    []string      `json:"build_system,omitempty"`  // attributes; absent for an override keeping nixpkgs' own
	ImportsCheck   []string      `json:"imports_check,omitempty"` // modules imported after the build (pythonImportsCheck)
	// BinaryCache: Nix substitutes the package from the binary cache
	// (as-is, and nothing in its nixpkgs closure changed); absent when
	// that is unknown (the index has no dependency edges).
	BinaryCache    *bool         `json:"binary_cache,omitempty"`
	RebuiltBecause []string      `json:"rebuilt_because,omitempty"` // as-is but rebuilt: the overridden or new packages of its nixpkgs closure
	NixpkgsAdds    []ReportAdded `json:"nixpkgs_adds,omitempty"`    // packages nixpkgs' dependency list brings in outside the resolution
	Notes          []string      `json:"notes,omitempty"`
	Files          []ReportFile  `json:"files,omitempty"` // every file the resolutions listed (of its systems)
	// Kind "pip": why pip installs it, and the sha256 of every file pip
	// may install (the requirements file's --hash options).
	PipWhy    string   `json:"pip_why,omitempty"`
	PipSHA256 []string `json:"pip_sha256,omitempty"`
	// Under an interpreter swap (python.cached): whether it has compiled
	// code (and why), and whether it is reused as built for the cached
	// interpreter (else rebuilt for the environment's).
	Compiled    *bool  `json:"compiled,omitempty"`
	CompiledWhy string `json:"compiled_why,omitempty"`
	Reused      *bool  `json:"reused,omitempty"`
}

// ReportAdded is a package nixpkgs' dependencies of an as-is package put
// in the environment although the resolution did not choose it (or chose
// another version: resolved).
type ReportAdded struct {
	Name     string `json:"name"`
	Attr     string `json:"attr"`
	Version  string `json:"version,omitempty"`  // nixpkgs' version
	Resolved string `json:"resolved,omitempty"` // the version the resolution chose under another attribute
}

// ReportFile is one distribution file of a resolved package.
type ReportFile struct {
	Kind     string `json:"kind"` // "sdist" or "wheel"
	Filename string `json:"filename"`
	URL      string `json:"url"`
	SHA256   string `json:"sha256"` // lower-case hex, as the index gave it
}

// ReportSource is the fetch used for a package.
type ReportSource struct {
	Fetcher  string `json:"fetcher"` // "fetchPypi", "fetchurl", "fetchgit", "fetchGit" or "path"
	URL      string `json:"url"`
	Filename string `json:"filename"`
	Kind     string `json:"kind"`           // "sdist" or "wheel"
	Hash     string `json:"hash"`           // SRI (fetchgit: the checkout's NAR hash); "" for path and fetchGit sources
	Path     string `json:"path,omitempty"` // fetcher "path": the local file or directory
	Rev      string `json:"rev,omitempty"`  // fetchers "fetchgit" and "fetchGit": the commit
}

// report renders the JSON report.
func (g *gen) report() ([]byte, error) {
	pin := g.opts.Pin
	r := Report{
		SchemaVersion: SchemaVersion,
		Generator:     "req2nix",
		Command:       g.opts.Command,
		Inputs:        g.opts.Inputs,
		IndexURL:      g.opts.IndexURL,
		ExcludeNewer:  g.opts.ExcludeNewer,
		Python:        reportPython(g.m.Plans[g.m.Resolved[0]]),
		Nixpkgs:       ReportNixpkgs{Rev: pin.Rev, SHA256: pin.SHA256, URL: pin.URL, Path: pin.Path, Name: pin.Name, Index: g.m.Index, DependencyEdges: g.m.EdgesKnown},
		Warnings:      g.m.Warnings(),
		Fallback:      g.m.Fallback,
		App:           reportApp(g.m.App),
	}
	g.m.reportSystems(&r)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // "setuptools>=61", not "setuptools\u003e=61": the report is not HTML
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func reportPackage(d Decision, swapped bool) ReportPackage {
	p := d.Resolved
	rp := ReportPackage{
		Name: d.Name, Version: d.Version, Kind: d.Kind, Attr: d.Attr,
		NixpkgsVersion: d.NixpkgsVersion, Root: d.Root, Extras: p.Extras,
		Dependencies: p.Dependencies, DirectURL: resolver.DirectPinKey(p.DirectURL), Format: d.Format,
		BinaryWheel: d.BinaryWheel, BuildSystem: d.BuildSystem, ImportsCheck: d.ImportsCheck,
		BinaryCache: binaryCache(d.Cache), RebuiltBecause: d.RebuiltBecause, Notes: d.Notes,
	}
	for _, a := range d.Adds {
		rp.NixpkgsAdds = append(rp.NixpkgsAdds, ReportAdded(a))
	}
	if d.Kind == KindPip {
		rp.BinaryCache, rp.PipWhy = nil, d.PipWhy
		if d.Pip != nil {
			rp.PipSHA256 = d.Pip.SHA256
		}
	}
	if swapped && d.Kind != KindPip {
		compiled, reused := d.Compiled, d.Reused
		rp.Compiled, rp.CompiledWhy, rp.Reused = &compiled, d.CompiledWhy, &reused
	}
	for _, f := range p.Files {
		rp.Files = append(rp.Files, ReportFile{Kind: f.Kind, Filename: f.Filename, URL: f.URL, SHA256: f.SHA256})
	}
	if s := d.Src; s != nil {
		rp.Source = &ReportSource{Fetcher: s.Fetcher, URL: s.URL, Filename: s.Filename, Kind: s.FileKind, Hash: s.Hash, Path: s.Path, Rev: s.Rev}
	}
	return rp
}

// reportPython describes the plan's interpreter.
func reportPython(p *Plan) ReportPython {
	r := ReportPython{Attr: p.PythonAttr, Version: p.Python, FreeThreaded: strings.Contains(p.PythonAttr, "FreeThreading")}
	if s := p.Interpreter; s != nil {
		r.Base, r.Optimized = s.Base, s.Optimized
		if s.Release != nil {
			r.Hash, r.HashFrom = s.Release.Hash, p.HashFrom
		}
	}
	if p.Swap != nil {
		r.Cached = p.Swap.Cached
	}
	if p.Check != nil && InterpreterCheckCode(*p.Check) != "" {
		r.Check = p.Check.String()
	}
	return r
}

func reportApp(a *App) *ReportApp {
	if a == nil {
		return nil
	}
	return &ReportApp{Name: a.PName, Version: a.Version, BuildSystem: nonNilList(a.BuildSystem), Dependencies: nonNilList(a.Dependencies), Files: a.Files, MainProgram: a.MainProgram}
}

func nonNilList(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}

// binaryCache is the report's binary_cache: true or false, absent when
// unknown.
func binaryCache(c Cache) *bool {
	if c == CacheUnknown {
		return nil
	}
	hit := c == CacheHit
	return &hit
}

func sortedCopy(ss []string) []string {
	out := append([]string(nil), ss...)
	sort.Strings(out)
	return out
}

// ReadPins returns the versions a previous run chose on every system
// (project name -> version), read back from any output format: the
// "# req2nix-lock:" lines of the header comment of shell.nix, flake.nix
// and overlay.nix, or the packages of a JSON report of schema 1.x. The
// versions of one system only are left out (see ReadSystemPins).
func ReadPins(data []byte) (map[string]string, error) {
	pins, err := ReadSystemPins(data)
	return pins.All, err
}

// isJSONReport tells a JSON report from a Nix file.
func isJSONReport(data []byte) bool {
	trimmed := bytes.TrimSpace(data)
	return len(trimmed) > 0 && trimmed[0] == '{'
}

// excludeNewerPrefix starts the header line recording --exclude-newer.
const excludeNewerPrefix = "# Exclude newer: "

// ReadExcludeNewer returns the --exclude-newer date a previous run
// recorded ("" for none), from any output format: the header line of
// shell.nix, flake.nix and overlay.nix, or exclude_newer of a JSON report.
func ReadExcludeNewer(data []byte) (string, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var r struct {
			ExcludeNewer string `json:"exclude_newer"`
		}
		if err := json.Unmarshal(trimmed, &r); err != nil {
			return "", fmt.Errorf("previous req2nix output: not a JSON report: %w", err)
		}
		return r.ExcludeNewer, nil
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if !strings.HasPrefix(line, "#") {
			break
		}
		if v, ok := strings.CutPrefix(line, excludeNewerPrefix); ok {
			return strings.TrimSpace(v), nil
		}
	}
	return "", sc.Err()
}

// compatibleSchema accepts every schema version this reader understands.
var compatibleSchema = mustConstraint("^1")

func mustConstraint(s string) *semver.Constraints {
	c, err := semver.NewConstraint(s)
	if err != nil {
		panic(err)
	}
	return c
}

// readJSONPins reads a report's packages: a package at one version on
// every system it is on is pinned for all, the others on the systems
// their entries name.
func readJSONPins(data []byte) (Pins, error) {
	var r struct {
		SchemaVersion *string  `json:"schema_version"`
		Systems       []string `json:"systems"`
		Packages      []struct {
			Name    string   `json:"name"`
			Version string   `json:"version"`
			Systems []string `json:"systems"`
		} `json:"packages"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return Pins{}, fmt.Errorf("previous req2nix output: not a JSON report: %w", err)
	}
	if r.SchemaVersion == nil {
		return Pins{}, fmt.Errorf("previous req2nix output: JSON without schema_version is not a req2nix report")
	}
	v, err := semver.NewVersion(*r.SchemaVersion)
	if err != nil || !compatibleSchema.Check(v) {
		return Pins{}, fmt.Errorf("previous req2nix output: report schema_version %q is not compatible with %s (this req2nix reads 1.x)", *r.SchemaVersion, SchemaVersion)
	}
	versions := map[string]map[string]bool{}
	for _, p := range r.Packages {
		if versions[p.Name] == nil {
			versions[p.Name] = map[string]bool{}
		}
		versions[p.Name][p.Version] = true
	}
	pins := newPins()
	for i, p := range r.Packages {
		systems := []string{""}
		if len(versions[p.Name]) > 1 {
			systems = p.Systems
		}
		for _, s := range systems {
			if err := pins.add(s, p.Name, p.Version); err != nil {
				return Pins{}, fmt.Errorf("previous req2nix output: packages[%d]: %w", i, err)
			}
		}
	}
	return pins, nil
}

// readLockLines reads the lock lines of the leading comment block.
func readLockLines(data []byte) (Pins, error) {
	pins := newPins()
	found, err := scanLockLines(data, func(system, rest string) error {
		name, version, err := parseLockLine(rest)
		if err != nil {
			return err
		}
		return pins.add(system, name, version)
	})
	if err != nil {
		return Pins{}, err
	}
	if !found {
		return Pins{}, fmt.Errorf("previous req2nix output: no %q lines in its header: not generated by req2nix, or edited", strings.TrimSpace(lockPrefix))
	}
	return pins, nil
}

// eachLockLine calls fn with what follows lockPrefix on each lock line of
// the leading comment block that holds on every system, and reports
// whether there was any lock line.
func eachLockLine(data []byte, fn func(rest string) error) (bool, error) {
	return scanLockLines(data, func(system, rest string) error {
		if system != "" {
			return nil
		}
		return fn(rest)
	})
}

// scanLockLines calls fn with the system ("" for every system) and what
// follows the prefix on each lock line of the leading comment block, and
// reports whether there was one.
func scanLockLines(data []byte, fn func(system, rest string) error) (bool, error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	found := false
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if !strings.HasPrefix(line, "#") {
			break
		}
		system, rest, ok := cutLockPrefix(line)
		if !ok {
			continue
		}
		found = true
		if err := fn(system, rest); err != nil {
			return found, fmt.Errorf("previous req2nix output, line %d %q: %w", n, line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return found, fmt.Errorf("previous req2nix output: %w", err)
	}
	return found, nil
}

// cutLockPrefix splits a lock line into its system ("" for every system)
// and what follows the prefix.
func cutLockPrefix(line string) (system, rest string, ok bool) {
	if rest, ok := strings.CutPrefix(line, lockPrefix); ok {
		return "", rest, true
	}
	rest, ok = strings.CutPrefix(line, systemLockPrefix)
	if !ok {
		return "", "", false
	}
	system, rest, ok = strings.Cut(rest, ": ")
	if !ok || system == "" || strings.ContainsAny(system, " :") {
		return "", "", false
	}
	return system, rest, true
}

// parseLockLine reads name==version (%-encoded) from a lock line.
func parseLockLine(rest string) (name, version string, err error) {
	rest, _, _ = strings.Cut(rest, " ") // direct references' fields follow (ReadDirectPins)
	encName, encVersion, ok := strings.Cut(rest, "==")
	if !ok {
		return "", "", fmt.Errorf("expected name==version")
	}
	name, err1 := url.PathUnescape(encName)
	version, err2 := url.PathUnescape(encVersion)
	if err1 != nil || err2 != nil {
		return "", "", fmt.Errorf("bad %%-escape in name==version")
	}
	if name == "" || version == "" {
		return "", "", fmt.Errorf("empty name or version")
	}
	return name, version, nil
}

func addPin(pins map[string]string, name, version string) error {
	if name == "" || version == "" {
		return fmt.Errorf("empty name or version")
	}
	if old, dup := pins[name]; dup && old != version {
		return fmt.Errorf("%s pinned twice, to %s and %s", name, old, version)
	}
	pins[name] = version
	return nil
}
