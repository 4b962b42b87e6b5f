package nixgen

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/req2nix/req2nix/internal/lazyre"
	"github.com/req2nix/req2nix/pypi/pep440"
)

// InterpreterTarget is the interpreter a run targets, chosen from the
// request (--python, .python-version, --interpreter) before the pin's
// package set is read: which of the pin's package sets describes what the
// binary cache holds (IndexAttr), which attribute the environment runs,
// and the version to resolve for.
type InterpreterTarget struct {
	Request *PythonRequest // what was asked; nil for nothing (the pin's python3, or requires-python's choice)
	// IndexAttr is the pin's GIL CPython attribute of the target's minor
	// version (python313): its package set is the binary-cached one the
	// index describes, and the one a swapped interpreter reuses.
	IndexAttr string
	// Attr is the pin's attribute the environment runs (before an exact
	// release or the optimized build is defined from it): IndexAttr, or
	// python313FreeThreading, or --interpreter's attribute.
	Attr string
	// Version is the version to resolve for: the release table's guess of
	// the pin's (replaced by an evaluated index's), or the exact release
	// asked for.
	Version      string
	FreeThreaded bool
	// PinVersion is the release table's version of IndexAttr in the pin
	// (an evaluated index knows it exactly: Index.PythonVersion).
	PinVersion string
}

// Exact reports whether an exact release was asked for.
func (t InterpreterTarget) Exact() bool { return t.Request != nil && t.Request.Exact() }

// InterpreterOptions are the interpreter flags besides the request.
type InterpreterOptions struct {
	// Attr (--interpreter) is another interpreter attribute of the pin of
	// the same minor version, such as python313FreeThreading: the
	// environment runs it, reusing the pure packages of the pin's
	// binary-cached interpreter of that minor version.
	Attr string
}

// interpreterAttrRE is an interpreter attribute --interpreter may name:
// python3<minor> with a variant (python313FreeThreading).
var interpreterAttrRE = lazyre.New(`^python3([0-9]+)([A-Z][A-Za-z0-9]*)?$`)

// ChooseInterpreter decides the target interpreter: the request's minor
// version (or, without one, the pin's python3 or requires-python's choice,
// see ChoosePython) must exist in the pin and satisfy requires-python, as
// must an exact release; "t" means the pin's free-threading attribute of
// that minor version; --interpreter names the attribute itself.
func ChooseInterpreter(pin Pin, req *PythonRequest, requiresPython string, opts InterpreterOptions) (InterpreterTarget, error) {
	t := InterpreterTarget{Request: req}
	minor := ""
	if req != nil && req.Minor >= 0 {
		minor = req.MinorVersion()
		t.FreeThreaded = req.FreeThreaded
	}
	if opts.Attr != "" {
		m := interpreterAttrRE.R().FindStringSubmatch(opts.Attr)
		if m == nil {
			return t, fmt.Errorf("--interpreter %q: expected an interpreter attribute of the pin such as python313FreeThreading", opts.Attr)
		}
		if minor != "" && minor != "3."+m[1] {
			return t, fmt.Errorf("--interpreter %s is Python 3.%s, but Python %s was asked for: name an interpreter of the same minor version", opts.Attr, m[1], req)
		}
		minor = "3." + m[1]
		if req != nil && req.FreeThreaded && !strings.Contains(m[2], "FreeThreading") {
			return t, fmt.Errorf("--interpreter %s is not a free-threading build, but Python %s was asked for", opts.Attr, req)
		}
		t.FreeThreaded = strings.Contains(m[2], "FreeThreading")
	}
	attr, version, err := ChoosePython(pin, minor, requiresPython)
	if err != nil {
		return t, err
	}
	t.IndexAttr, t.Attr, t.Version, t.PinVersion = attr, attr, version, version
	if t.FreeThreaded {
		t.Attr = attr + "FreeThreading"
	}
	if opts.Attr != "" {
		t.Attr = opts.Attr
	}
	if t.Exact() {
		t.Version = req.Version()
		spec, _ := pep440.ParseSpecifiers(requiresPython) // ChoosePython parsed it
		if !satisfies(spec, t.Version) {
			return t, fmt.Errorf("--python %s does not satisfy the project's requires-python %q", req, requiresPython)
		}
	}
	return t, nil
}

// BuildsRelease reports whether the exact release asked for must be built
// from source: the pin's interpreter (pinVersion, as an evaluated index or
// the release table says) is another release.
func (t InterpreterTarget) BuildsRelease(pinVersion string) bool {
	return t.Exact() && pinVersion != t.Version
}

// Interpreter is the interpreter a plan's environment runs
// (PlanOptions.Interpreter): one of the pin's, or one req2nix defines.
type Interpreter struct {
	// Attr is the pin's attribute the environment runs when it is not the
	// index's (python313FreeThreading next to python313): the pure
	// packages are then reused from the index's binary-cached set (see
	// InterpreterSwap). "" for the index's own.
	Attr string
	// Build defines the interpreter by a nixpkgs overlay: an exact release
	// or the optimized build (see InterpreterOverlay). nil for the pin's.
	Build *InterpreterSpec
	// HashFrom says where an exact release's hash came from: "the release
	// table", "--python-hash", or the URL it was downloaded from.
	HashFrom string
	// Check is what the shell and the flake's checks assert about the
	// running interpreter (exact release, free-threading); nil for nothing.
	Check *PythonRequest
}

// Interpreter is the plan's interpreter for the target, once the pin's
// version of it is known: an exact release the pin does not have
// (release, from the table, --python-hash or a download) and the
// optimized build are defined from the target's attribute.
func (t InterpreterTarget) Interpreter(pinVersion string, release *CPythonRelease, hashFrom string, optimized bool) Interpreter {
	it := Interpreter{}
	if t.Attr != t.IndexAttr {
		it.Attr = t.Attr
	}
	if (release != nil && t.BuildsRelease(pinVersion)) || optimized {
		spec := &InterpreterSpec{Base: t.Attr, Optimized: optimized}
		if release != nil && t.BuildsRelease(pinVersion) {
			spec.Release, it.HashFrom = release, hashFrom
		}
		it.Build, it.Attr = spec, ""
	}
	switch {
	case t.Exact():
		r := *t.Request
		r.FreeThreaded = t.FreeThreaded
		it.Check = &r
	case t.FreeThreaded:
		it.Check = &PythonRequest{Minor: minorNumber(t.Version), Patch: -1, FreeThreaded: true}
	}
	return it
}

// interpreterMinorRE reads the minor version (and the exact release) of
// an interpreter attribute: python312, python313FreeThreading,
// python312Optimized, python3_11_11, python3_15_0b4FreeThreadingOptimized.
var interpreterMinorRE = lazyre.New(`^python3(?:([0-9]+)|_([0-9]+)_([0-9]+(?:(?:a|b|rc)[0-9]+)?))([A-Z][A-Za-z0-9]*)?$`)

// checkInterpreterMatch rejects output for another Python than the one the
// resolution chose wheels and evaluated markers for (python312 vs 3.13.3,
// python3_11_11 vs 3.11.15, a free-threading interpreter for a GIL
// resolution or the other way round). Attributes that name no CPython
// version (pypy310) are not checked.
func checkInterpreterMatch(attr, resolvedPython string, freeThreaded bool) error {
	m := interpreterMinorRE.R().FindStringSubmatch(attr)
	if m == nil || resolvedPython == "" {
		return nil
	}
	want, exact := "3."+m[1], ""
	if m[1] == "" {
		want, exact = "3."+m[2], "3."+m[2]+"."+m[3]
	}
	if resolvedPython != want && !strings.HasPrefix(resolvedPython, want+".") || exact != "" && resolvedPython != exact {
		if exact != "" {
			want = exact
		}
		return fmt.Errorf("the resolution is for Python %s but the output uses %s (Python %s): resolve for %s or choose the matching interpreter", resolvedPython, attr, want, want)
	}
	if ft := strings.Contains(m[4], "FreeThreading"); ft != freeThreaded {
		return fmt.Errorf("the resolution is %s but the output uses %s: resolve for the interpreter the output runs", buildName(freeThreaded), attr)
	}
	return nil
}

func buildName(freeThreaded bool) string {
	if freeThreaded {
		return "for the free-threading build"
	}
	return "for the default (GIL) build"
}

// minorNumber is the minor version of "3.13.2" (13), or -1.
func minorNumber(version string) int {
	parts := strings.Split(version, ".")
	if len(parts) < 2 {
		return -1
	}
	n, err := strconv.Atoi(parts[1])
	if err != nil {
		return -1
	}
	return n
}
