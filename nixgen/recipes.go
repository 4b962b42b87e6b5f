package nixgen

// Recipes: the Nix people otherwise write by hand around a Python
// environment (issue 13). Each renders from plain data to nixfmt-style text
// that refers to names the output binds (see the recipe* constants); every
// value from outside (versions, hashes, attributes, names, paths) goes
// through nixString, nixAttr or a checked pattern, never raw into Nix or a
// shell script.
//
//   - InterpreterOverlay: an exact CPython release (and/or the optimized
//     build) as a nixpkgs overlay over the pin's interpreter.
//   - InterpreterCheckCode: the Python that asserts the interpreter.
//   - InterpreterSwap: an environment for another interpreter of the same
//     minor version (free-threading) that reuses the binary-cached pure
//     packages (recipes_swap.go).
//   - PipFallback, FHSEnv: pip for what Nix cannot build (recipes_pip.go).
//   - App: the project itself as an application (recipes_app.go).

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/req2nix/req2nix/internal/lazyre"
)

// The names the recipes' Nix refers to; the output binds them in its let.
const (
	recipePkgs   = "pkgs"      // the nixpkgs package set (with the interpreter overlay applied)
	recipePython = "python"    // the interpreter, overridden with packageOverrides and self = python
	recipeEnv    = "pythonEnv" // python.withPackages (...): the environment
)

// baseAttrRE is a pin's CPython attribute an interpreter recipe starts from.
var baseAttrRE = lazyre.New(`^python3([0-9]+)(FreeThreading)?$`)

// InterpreterSpec is an interpreter req2nix defines itself, from one of the
// pin's CPython attributes: an exact release built from source, the
// optimized (PGO and LTO) build, or both.
type InterpreterSpec struct {
	Base      string          // the pin's attribute: python311, python313FreeThreading
	Release   *CPythonRelease // the exact release to build; nil keeps the pin's (Version and Hash are used)
	Optimized bool            // enableOptimizations = true
}

// Attr is the overlay's attribute (and the interpreter's pythonAttr):
// python3_11_11, python312Optimized, python3_13_1FreeThreadingOptimized.
// It is never the base's: an interpreter defined under another one's
// pythonAttr gets that one as its build-side interpreter (see
// InterpreterOverlay).
func (s InterpreterSpec) Attr() string {
	m := baseAttrRE.R().FindStringSubmatch(s.Base)
	attr := s.Base
	if s.Release != nil && m != nil {
		attr = "python" + strings.NewReplacer(".", "_").Replace(s.Release.Version) + m[2]
	}
	if s.Optimized {
		attr += "Optimized"
	}
	return attr
}

// check validates the spec and returns the release's request form.
func (s InterpreterSpec) check() (PythonRequest, error) {
	m := baseAttrRE.R().FindStringSubmatch(s.Base)
	if m == nil {
		return PythonRequest{}, fmt.Errorf("interpreter %q: expected a CPython attribute of the pin such as python311 or python313FreeThreading", s.Base)
	}
	if s.Release == nil {
		if !s.Optimized {
			return PythonRequest{}, fmt.Errorf("interpreter %s: neither a release nor the optimized build: the pin's attribute needs no overlay", s.Base)
		}
		return PythonRequest{}, nil
	}
	r, err := ParsePythonRequest(s.Release.Version)
	if err != nil || !r.Exact() || r.FreeThreaded {
		return PythonRequest{}, fmt.Errorf("interpreter %s: release %q is not an exact CPython release such as 3.11.11", s.Base, s.Release.Version)
	}
	if strconv.Itoa(r.Minor) != m[1] {
		return PythonRequest{}, fmt.Errorf("interpreter %s: Python %s is not a release of Python 3.%s", s.Base, r, m[1])
	}
	if !isSRI(s.Release.Hash) {
		return PythonRequest{}, fmt.Errorf("interpreter %s: the hash of Python %s, %q, is not an SRI sha256 (sha256-…=)", s.Base, r, s.Release.Hash)
	}
	return r, nil
}

// InterpreterOverlay renders the nixpkgs overlay defining s.Attr(): the
// pin's interpreter re-called by .override — nixpkgs' own cpython
// expression with the passthruFun (passthrufun.nix, imported with the
// arguments it takes) that interpreters/python/default.nix gave it — with
// the release's sourceVersion and hash, so that version-derived paths,
// version-conditional patches and passthru (pythonVersion, sitePackages)
// follow the release; overriding src alone would keep the pin's. The
// interpreter gets its own attribute and pythonAttr, and self from the
// overlay's final set: the cpython expression takes its build-side
// interpreter (which the packages' hooks run) from
// pkgsBuildHost.${pythonAttr}, overridden with only the scalar arguments
// (the hash, but not the sourceVersion set), so under the base's pythonAttr
// it would be the pin's release fetched with this release's hash.
func InterpreterOverlay(s InterpreterSpec) (string, error) {
	var p printer
	p.open("final: prev: {")
	if err := writeInterpreterOverride(&p, s); err != nil {
		return "", err
	}
	p.close("}")
	return p.String(), nil
}

// writeInterpreterOverride writes the overlay's binding of s.Attr() (see
// InterpreterOverlay), with more arguments of the override (such as
// "inherit packageOverrides;") at its end.
func writeInterpreterOverride(p *printer, s InterpreterSpec, more ...string) error {
	r, err := s.check()
	if err != nil {
		return err
	}
	attr := s.Attr()
	for _, c := range interpreterComments(s, r) {
		p.line("# " + c)
	}
	p.open(nixAttr(attr) + " = prev." + nixAttr(s.Base) + ".override {")
	p.bind("self", "final."+nixAttr(attr))
	p.bind("pythonAttr", nixString(attr))
	if s.Release != nil {
		p.open("sourceVersion = {")
		p.bind("major", nixString("3"))
		p.bind("minor", nixString(strconv.Itoa(r.Minor)))
		p.bind("patch", nixString(strconv.Itoa(r.Patch)))
		p.bind("suffix", nixString(r.Suffix))
		p.close("};")
		p.bind("hash", nixString(s.Release.Hash))
	}
	if s.Optimized {
		p.bind("enableOptimizations", "true")
	}
	for _, m := range more {
		p.line(m)
	}
	p.close("};")
	return nil
}

func interpreterComments(s InterpreterSpec, r PythonRequest) []string {
	var cs []string
	if s.Release != nil {
		cs = append(cs,
			"CPython "+r.String()+", built from source by nixpkgs' cpython expression:",
			s.Base+" with this release's sourceVersion and hash. .override re-calls",
			"that expression with the arguments nixpkgs gave it (passthruFun too);",
			"calling it by path would copy nixpkgs into the store and depend on",
			"passthrufun.nix's arguments, which change between releases.")
	}
	if s.Optimized {
		cs = append(cs, "With profile-guided optimization and LTO: faster, not bit-reproducible.")
	}
	return append(cs,
		"Under its own attribute and pythonAttr, so that its build-side",
		"interpreter (pkgsBuildHost."+s.Attr()+") is this one too.")
}

// InterpreterCost is the summary's line for an interpreter built from
// source: what it costs and how to avoid it.
func InterpreterCost(s InterpreterSpec) string {
	what := "the optimized build of " + s.Base
	avoid := "drop --optimized-python"
	if s.Release != nil {
		what = "CPython " + s.Release.Version
		avoid = "use --python " + minorOf(s.Release.Version) + " (the pin's " + minorOf(s.Release.Version) + ") to reuse the binary cache"
		if s.Optimized {
			what += ", optimized,"
		}
	}
	return what + " is built from source, and so is every Python package of the environment (the binary cache has them only for the pin's interpreters): expect a long first build; " + avoid + "."
}

// InterpreterCheckCode is Python code asserting that the running
// interpreter is what r asks for: the exact release (sys.version_info, with
// the pre-release level and serial for a pre-release) and the
// free-threading build (Py_GIL_DISABLED). It exits with a message naming
// both versions otherwise, and is "" for a request that pins neither. It
// holds no single quote, so a shell can quote it in '...'.
func InterpreterCheckCode(r PythonRequest) string {
	var conds []string
	want := r.String()
	if r.Exact() {
		info := fmt.Sprintf("sys.version_info[:3] == (3, %d, %d)", r.Minor, r.Patch)
		if r.Suffix != "" {
			level, serial := releaseLevel(r.Suffix)
			info = fmt.Sprintf("sys.version_info[:5] == (3, %d, %d, %q, %s)", r.Minor, r.Patch, level, serial)
		}
		conds = append(conds, info)
	}
	if r.FreeThreaded {
		conds = append(conds, `sysconfig.get_config_var("Py_GIL_DISABLED") == 1`)
	}
	if len(conds) == 0 {
		return ""
	}
	return fmt.Sprintf(`import sys, sysconfig; sys.exit(None if %s else "req2nix: this environment should run Python %s but runs " + sys.version)`,
		strings.Join(conds, " and "), want)
}

// releaseLevel maps a version's pre-release suffix to sys.version_info's
// releaselevel and serial ("rc2" -> "candidate", 2).
func releaseLevel(suffix string) (string, string) {
	for _, l := range []struct{ prefix, level string }{{"rc", "candidate"}, {"a", "alpha"}, {"b", "beta"}} {
		if serial, ok := strings.CutPrefix(suffix, l.prefix); ok {
			return l.level, serial
		}
	}
	return "final", "0"
}

// InterpreterCheckHook is the shell line of a shellHook running the check
// with the environment's interpreter (a failure prints the message; the
// shell still opens).
func InterpreterCheckHook(r PythonRequest) []string {
	code := InterpreterCheckCode(r)
	if code == "" {
		return nil
	}
	return []string{indentedLine("", recipeEnv+".interpreter", " -c '"+code+"'")}
}

// InterpreterCheckDerivation renders a derivation (for a flake's checks)
// that fails unless the environment runs the interpreter r asks for.
func InterpreterCheckDerivation(r PythonRequest) string {
	code := InterpreterCheckCode(r)
	if code == "" {
		return ""
	}
	var p printer
	p.indentedString(recipePkgs+".runCommand "+nixString("python-interpreter-check")+" { } ", []string{
		indentedLine("", recipeEnv+".interpreter", " -c '"+code+"'"),
		indentedLine("touch \"$out\""),
	}, "")
	return p.String()
}

// indentedLine assembles one line of a Nix indented string (” … ”):
// parts alternate literal text (escaped, so it stays literal) and Nix
// expressions (interpolated as ${…}).
func indentedLine(parts ...string) string {
	var b strings.Builder
	for i, part := range parts {
		if i%2 == 1 {
			b.WriteString("${" + part + "}")
			continue
		}
		b.WriteString(indentedLit(part, i+1 < len(parts)))
	}
	return b.String()
}

// indentedLit escapes text for a Nix indented string as Nix's lexer reads
// one: ” would end the string (”' is a literal ”), ${ would interpolate
// (”$ is a literal $), a lone ' would merge with an escape that follows
// into ”' (so it is interpolated as ${"'"} there), and a $ before an
// interpolation would swallow it ($${ is literal). beforeInterp says that
// an interpolation follows the text. Tokens are escaped from the right,
// each knowing what its successor's escape begins with.
func indentedLit(s string, beforeInterp bool) string {
	var tokens []string // '' pairs and single bytes
	for i := 0; i < len(s); i++ {
		if strings.HasPrefix(s[i:], "''") {
			tokens = append(tokens, "''")
			i++
			continue
		}
		tokens = append(tokens, s[i:i+1])
	}
	out := make([]string, len(tokens))
	next := "" // the escape of what follows the current token
	if beforeInterp {
		next = "${"
	}
	for i := len(tokens) - 1; i >= 0; i-- {
		switch tok := tokens[i]; {
		case tok == "''":
			out[i] = "'''"
		case tok == "'" && strings.HasPrefix(next, "''"):
			out[i] = `${"'"}`
		case tok == "$" && (strings.HasPrefix(next, "{") || strings.HasPrefix(next, "${")):
			out[i] = "''$"
		default:
			out[i] = tok
		}
		next = out[i] + next
	}
	return strings.Join(out, "")
}

// indentedString writes prefix, then an indented string of lines (built by
// indentedLine), then suffix.
func (p *printer) indentedString(prefix string, lines []string, suffix string) {
	p.open(prefix + "''")
	for _, l := range lines {
		p.line(l)
	}
	p.close("''" + suffix)
}
