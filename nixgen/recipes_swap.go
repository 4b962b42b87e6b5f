package nixgen

import (
	"fmt"
	"slices"
	"strings"

	"github.com/req2nix/req2nix/pypi/tags"
)

// InterpreterSwap is an environment for another interpreter of the pin with
// the same minor version as a binary-cached one (the free-threading
// python313FreeThreading next to python313, or any --interpreter ATTR):
// packages with compiled code are rebuilt for the target interpreter
// (recipePython), pure packages are taken as the binary cache has them for
// the cached interpreter, their site-packages linked into the target's
// (lib/python3.13/site-packages into lib/python3.13t/site-packages). The
// environment stays nixpkgs' own withPackages (a makeBinaryWrapper wrapper
// of the target interpreter whose site-packages joins both): the reused
// packages enter it as one module of the target interpreter
// (toPythonModule), so buildEnv still refuses a file both sets provide.
type InterpreterSwap struct {
	Cached  string   // the binary-cached interpreter of the same minor version: python313
	Rebuilt []string // attributes built for the target interpreter
	Reused  []string // attributes taken from Cached's package set as built there
	// PerSystem: the file's systems differ, so each adds its own rebuilt
	// and reused packages (here.packages, here.reused) to these shared ones.
	PerSystem bool
}

// The swap's own bindings.
const (
	swapCachedPython = "pythonCached"   // Cached, overridden with the same packageOverrides
	swapReusedList   = "reusedPackages" // the reused packages and their closure in Cached's set
	swapReusedModule = "reusedModule"   // their site-packages as a module of the target interpreter
)

func (s InterpreterSwap) check() error {
	if !baseAttrRE.R().MatchString(s.Cached) || strings.HasSuffix(s.Cached, "FreeThreading") {
		return fmt.Errorf("cached interpreter %q: expected a GIL CPython attribute of the pin such as python313", s.Cached)
	}
	seen := map[string]bool{}
	for _, a := range s.Rebuilt {
		seen[a] = true
	}
	for _, a := range s.Reused {
		if seen[a] {
			return fmt.Errorf("%s is both rebuilt for the target interpreter and reused from %s: both copies would be in the environment", a, s.Cached)
		}
	}
	return nil
}

// Bindings renders the let bindings of the swap (at indentation 0), to be
// written after recipePython: the cached interpreter with the same
// packageOverrides, the closure of the reused packages in its set (without
// the interpreter), and their site-packages, copied as a tree of symlinks
// (cp -rs merges namespace packages; a file two packages provide fails the
// build) into a module of the target interpreter. Nothing when no package
// is reused.
func (s InterpreterSwap) Bindings() (string, error) {
	if err := s.check(); err != nil {
		return "", err
	}
	if !s.reuses() {
		return "", nil
	}
	var p printer
	p.line("# Pure packages as the binary cache has them for " + s.Cached + ", made importable")
	p.line("# by the target interpreter: their site-packages linked into its own.")
	p.open(swapCachedPython + " = " + recipePkgs + "." + s.Cached + ".override {")
	p.bind("self", swapCachedPython)
	p.line("inherit packageOverrides;")
	p.close("};")
	p.open(swapReusedList + " = builtins.filter (p: p != " + swapCachedPython + ") (")
	s.writeReusedList(&p)
	p.close(");")
	p.open(swapReusedModule + " = " + recipePython + ".pkgs.toPythonModule (")
	p.indentedString(recipePkgs+".runCommand "+`"${`+recipePython+`.libPrefix}-packages-from-${`+swapCachedPython+`.libPrefix}" { } `, []string{
		indentedLine(`mkdir -p "$out/`, recipePython+".sitePackages", `"`),
		indentedLine("for pkg in ", recipePkgs+".lib.escapeShellArgs "+swapReusedList, "; do"),
		indentedLine(`  if [ -d "$pkg/`, swapCachedPython+".sitePackages", `" ]; then`),
		indentedLine(`    cp -rs --no-preserve=mode "$pkg/`, swapCachedPython+".sitePackages", `/." "$out/`, recipePython+".sitePackages", `/"`),
		indentedLine("  fi"),
		indentedLine("done"),
	}, "")
	p.close(");")
	return p.String(), nil
}

// reuses reports whether some system reuses packages.
func (s InterpreterSwap) reuses() bool {
	return len(s.Reused) > 0 || s.PerSystem
}

// writeReusedList writes the closure of the reused packages in the cached
// set: the shared ones, and the system's own when systems differ.
func (s InterpreterSwap) writeReusedList(p *printer) {
	modules := swapCachedPython + ".pkgs.requiredPythonModules "
	shared := prefixed(swapCachedPython+".pkgs.", s.Reused)
	own := "here.reused " + swapCachedPython + ".pkgs"
	switch {
	case !s.PerSystem:
		p.list(modules, shared, "")
	case len(shared) == 0:
		p.line(modules + "(" + own + ")")
	default:
		p.open(modules + "(")
		p.list("", shared, "")
		p.line("++ " + own)
		p.close(")")
	}
}

// EnvItems are the swap's items of recipePython.withPackages (ps: [ … ]):
// the rebuilt packages and the reused module.
func (s InterpreterSwap) EnvItems() []string {
	return append(prefixed("ps.", s.Rebuilt), s.moduleItems()...)
}

// moduleItems is the reused module, when some system reuses packages.
func (s InterpreterSwap) moduleItems() []string {
	if s.reuses() {
		return []string{swapReusedModule}
	}
	return nil
}

func prefixed(prefix string, attrs []string) []string {
	out := make([]string, len(attrs))
	for i, a := range attrs {
		out[i] = prefix + nixAttr(a)
	}
	return out
}

// SwapPackage is a package of the environment as SplitForSwap sees it.
type SwapPackage struct {
	Attr     string
	Deps     []string // attributes it depends on (at run time, as the package set propagates them)
	Compiled bool     // it has compiled code (see CompiledCode)
}

// SplitForSwap divides an environment's packages between those rebuilt
// for the target interpreter and those reused from the cached one. A
// reused package brings its whole closure as built for the cached
// interpreter, and a rebuilt one its closure as built for the target: the
// two must not meet, or one project would be there twice (buildEnv
// refuses it) or a compiled one built for the wrong ABI. So every package
// connected to a compiled one by dependencies, in either direction, is
// rebuilt: the connected components of the dependency graph without
// compiled code are reused. Both lists are sorted.
func SplitForSwap(packages []SwapPackage) (rebuilt, reused []string) {
	neighbours := map[string][]string{}
	for _, p := range packages {
		neighbours[p.Attr] = append(neighbours[p.Attr], p.Deps...)
		for _, d := range p.Deps {
			neighbours[d] = append(neighbours[d], p.Attr)
		}
	}
	rebuild := map[string]bool{}
	var queue []string
	for _, p := range packages {
		if p.Compiled && !rebuild[p.Attr] {
			rebuild[p.Attr] = true
			queue = append(queue, p.Attr)
		}
	}
	for len(queue) > 0 {
		a := queue[0]
		queue = queue[1:]
		for _, n := range neighbours[a] {
			if !rebuild[n] {
				rebuild[n] = true
				queue = append(queue, n)
			}
		}
	}
	for _, p := range packages {
		if rebuild[p.Attr] {
			rebuilt = append(rebuilt, p.Attr)
		} else {
			reused = append(reused, p.Attr)
		}
	}
	slices.Sort(rebuilt)
	slices.Sort(reused)
	return slices.Compact(rebuilt), slices.Compact(reused)
}

// extensionBuildSystems are build backends (nixpkgs attribute or PyPI
// name, normalised) whose only purpose is compiling extensions.
var extensionBuildSystems = map[string]bool{
	"cffi": true, "cmake": true, "cython": true, "maturin": true, "meson": true, "meson-python": true,
	"nanobind": true, "ninja": true, "py-build-cmake": true, "pybind11": true, "scikit-build": true,
	"scikit-build-core": true, "setuptools-rust": true,
}

// pureBuildSystems are build backends that cannot build extensions.
var pureBuildSystems = map[string]bool{
	"flit-core": true, "flit": true, "hatchling": true, "hatch-vcs": true, "hatch-fancy-pypi-readme": true,
	"pdm-backend": true, "pdm-pep517": true, "poetry-core": true, "uv-build": true, "wheel": true,
	"setuptools-scm": true, "whey": true,
}

// CompiledCode says whether a release has compiled code, from the names of
// its files on the index and its build systems (as nixpkgs attributes or
// PyPI names), and why: a wheel that is not "none-any" (a platform or ABI
// tag) means compiled; only pure wheels mean pure; without wheels, a build
// backend that compiles extensions means compiled and one that cannot
// means pure. Anything else (an sdist built with setuptools, which may or
// may not compile C) counts as compiled: rebuilding a pure package costs
// little, reusing a compiled one for the wrong ABI breaks the environment.
func CompiledCode(filenames, buildSystems []string) (bool, string) {
	pureWheel := ""
	for _, f := range filenames {
		w, err := tags.ParseWheel(f)
		if err != nil {
			continue
		}
		if !w.Pure() {
			return true, "wheel " + f + " is platform-specific"
		}
		pureWheel = f
	}
	if pureWheel != "" {
		return false, "its wheels are pure (" + pureWheel + ")"
	}
	allPure := len(buildSystems) > 0
	for _, b := range buildSystems {
		b = strings.ReplaceAll(strings.ToLower(b), "_", "-")
		if extensionBuildSystems[b] {
			return true, "it builds with " + b
		}
		allPure = allPure && pureBuildSystems[b]
	}
	if allPure {
		return false, "it builds with " + strings.Join(buildSystems, ", ") + ", which compiles nothing"
	}
	return true, "no wheel tells, and its build system may compile extensions"
}
