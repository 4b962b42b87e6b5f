package nixgen

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/req2nix/req2nix/internal/lazyre"
	"github.com/req2nix/req2nix/pypi/pep440"
)

// interpreter is one CPython of a nixpkgs release.
type interpreter struct {
	Attr    string // python312
	Version string // 3.12.10 (at the release's branch-off; later patch releases differ only in the patch number)
	Pre     bool   // a pre-release interpreter: only chosen when asked for
	Default bool   // the release's python3: the set Hydra builds, so the binary cache has it
}

var requestedRE = lazyre.New(`^(?:python)?(3)\.?(\d+)(?:\.\d+)?$`)

// ChoosePython picks the interpreter attribute of the pin and its version.
// requested ("3.12", "3.12.4", "python312"; "" for no preference) maps to
// python3XY and must exist in the pin. Otherwise the pin's python3 is
// chosen when it satisfies requiresPython (a PEP 440 specifier set, "" for
// any): Hydra builds the python3 package set, so only its packages are
// binary-cache hits, which is the point of reusing nixpkgs. Failing that,
// the newest non-pre-release interpreter that satisfies requiresPython. A
// requested interpreter that violates requiresPython is an error too.
func ChoosePython(pin Pin, requested, requiresPython string) (attr, version string, err error) {
	spec, err := pep440.ParseSpecifiers(requiresPython)
	if err != nil {
		return "", "", fmt.Errorf("requires-python %q: %w", requiresPython, err)
	}
	table := pinInterpreters(pin)
	if requested != "" {
		return chooseRequested(table, pin, requested, requiresPython, spec)
	}
	for _, it := range table {
		if it.Default && satisfies(spec, it.Version) {
			return it.Attr, it.Version, nil
		}
	}
	for i := len(table) - 1; i >= 0; i-- {
		if !table[i].Pre && satisfies(spec, table[i].Version) {
			return table[i].Attr, table[i].Version, nil
		}
	}
	if pre := preReleasesFitting(table, spec); len(pre) > 0 {
		return "", "", fmt.Errorf("only %s of nixpkgs %s satisfies requires-python %q, and it is a pre-release interpreter, which req2nix chooses only when asked: pass --python %s to use it, or pin another nixpkgs", describeInterpreters(pre), pin.label(), requiresPython, minorOf(pre[len(pre)-1].Version))
	}
	return "", "", fmt.Errorf("no Python of nixpkgs %s (%s) satisfies requires-python %q: pin another nixpkgs or relax requires-python", pin.label(), attrList(table), requiresPython)
}

// preReleasesFitting returns the pre-release interpreters of the table
// that satisfy spec.
func preReleasesFitting(table []interpreter, spec pep440.Specifiers) []interpreter {
	var out []interpreter
	for _, it := range table {
		if it.Pre && satisfies(spec, it.Version) {
			out = append(out, it)
		}
	}
	return out
}

// describeInterpreters is "python314 (3.14.0)" or "python314 (3.14.0) or
// python315 (3.15.0)".
func describeInterpreters(its []interpreter) string {
	parts := make([]string, len(its))
	for i, it := range its {
		parts[i] = fmt.Sprintf("%s (%s)", it.Attr, it.Version)
	}
	return strings.Join(parts, " or ")
}

func chooseRequested(table []interpreter, pin Pin, requested, requiresPython string, spec pep440.Specifiers) (string, string, error) {
	m := requestedRE.R().FindStringSubmatch(strings.TrimSpace(requested))
	if m == nil {
		return "", "", fmt.Errorf("--python %q: expected a CPython 3 version such as 3.12 or an attribute such as python312", requested)
	}
	minor, _ := strconv.Atoi(m[2])
	want := fmt.Sprintf("python3%d", minor)
	for _, it := range table {
		if it.Attr != want {
			continue
		}
		if !satisfies(spec, it.Version) {
			return "", "", fmt.Errorf("--python %s: %s %s does not satisfy the project's requires-python %q; %s", requested, it.Attr, it.Version, requiresPython, fittingHint(table, spec))
		}
		return it.Attr, it.Version, nil
	}
	return "", "", fmt.Errorf("--python %s: nixpkgs %s has no %s (it has %s)", requested, pin.label(), want, attrList(table))
}

// fittingHint names the interpreters of the pin that requires-python allows.
func fittingHint(table []interpreter, spec pep440.Specifiers) string {
	var fit []interpreter
	for _, it := range table {
		if satisfies(spec, it.Version) {
			fit = append(fit, it)
		}
	}
	if len(fit) == 0 {
		return "no Python of this nixpkgs does: pin another nixpkgs or relax requires-python"
	}
	return "choose one that does (" + attrList(fit) + ") or leave --python out"
}

func satisfies(spec pep440.Specifiers, version string) bool {
	v, err := pep440.Parse(version)
	return err == nil && spec.Contains(v, true)
}

func attrList(table []interpreter) string {
	names := make([]string, len(table))
	for i, it := range table {
		names[i] = it.Attr
	}
	return strings.Join(names, ", ")
}
