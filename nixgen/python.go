package nixgen

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/req2nix/req2nix/pypi/pep440"
)

// Pin is the nixpkgs the output is built against.
type Pin struct {
	Rev    string // git commit of NixOS/nixpkgs
	SHA256 string // NAR hash of the unpacked tarball (fetchTarball's sha256), SRI or base32
	URL    string // tarball URL; derived from Rev when empty
	Path   string // a local nixpkgs checkout used instead of fetchTarball, when set
	Name   string // release branch, e.g. "nixos-25.05", used to know its interpreters
}

// DefaultPin returns the embedded default: nixos-25.05 at
// b1b3291469652d5a2edb0becc4ef0246fff97a7c (2025-08-23). Nix 2.8, Debian
// bookworm's, can still evaluate 25.05 (lib/minver.nix is 2.3.17 there;
// 25.11 needs 2.18).
//
// Source of the rev and narHash: the flake.lock of
// Blatzar/hp-omen-light-module @ f41dab6b9a7f2bf87970205268153b5d7c756084,
// as collected in shared/nixpkgs/pins.json. A github flake.lock narHash is
// the NAR hash of the unpacked tarball, which is what fetchTarball's sha256
// takes (edolstra/flake-compat passes it the same way).
func DefaultPin() Pin {
	const rev = "b1b3291469652d5a2edb0becc4ef0246fff97a7c"
	return Pin{
		Rev:    rev,
		SHA256: "sha256-wY1+2JPH0ZZC4BQefoZw/k+3+DowFyfOxv17CN/idKs=",
		URL:    tarballURL(rev),
		Name:   "nixos-25.05",
	}
}

func tarballURL(rev string) string {
	return "https://github.com/NixOS/nixpkgs/archive/" + rev + ".tar.gz"
}

// tarball returns the pin's tarball URL.
func (p Pin) tarball() string {
	if p.URL != "" {
		return p.URL
	}
	return tarballURL(p.Rev)
}

// validate checks that the pin can be written out: a path, or a rev/URL
// with its hash (every fetch in the output is hash-pinned).
func (p Pin) validate() error {
	if p.Path != "" {
		return checkNixValue("nixpkgs path", p.Path)
	}
	if p.Rev == "" && p.URL == "" {
		return fmt.Errorf("nixpkgs pin has neither a rev nor a path: give --nixpkgs REV --nixpkgs-sha256 HASH or a local nixpkgs")
	}
	if p.SHA256 == "" {
		return fmt.Errorf("nixpkgs pin %s has no sha256: give --nixpkgs-sha256 (the narHash of the tarball, e.g. from nix-prefetch-url --unpack)", p.Rev+p.URL)
	}
	for _, s := range []string{p.Rev, p.SHA256, p.URL, p.Name} {
		if err := checkNixValue("nixpkgs pin value", s); err != nil {
			return err
		}
	}
	return nil
}

// interpreter is one CPython of a nixpkgs release.
type interpreter struct {
	Attr    string // python312
	Version string // 3.12.10 (at the release's branch-off; later patch releases differ only in the patch number)
	Pre     bool   // a pre-release interpreter: only chosen when asked for
	Default bool   // the release's python3: the set Hydra builds, so the binary cache has it
}

// interpreters lists CPython attributes per nixpkgs release, from
// shared/nixpkgs/python-interpreters.json: 25.05 from
// interpreters/python/default.nix at the 25.05 branch-off (tangled mirror
// 25.11-pre; python314 was an alpha then), 25.11 from its Nov-2025
// default.nix. python27 is left out: req2nix targets Python 3.
var interpreters = map[string][]interpreter{
	"25.05": {
		{"python310", "3.10.17", false, false},
		{"python311", "3.11.12", false, false},
		{"python312", "3.12.10", false, true},
		{"python313", "3.13.3", false, false},
		{"python314", "3.14.0", true, false},
	},
	"25.11": {
		{"python310", "3.10.19", false, false},
		{"python311", "3.11.14", false, false},
		{"python312", "3.12.12", false, false},
		{"python313", "3.13.9", false, true},
		{"python314", "3.14.0", false, false},
		{"python315", "3.15.0", true, false},
	},
}

// fallbackInterpreters is used for pins of unknown release: the CPythons
// that both 25.05 and 25.11 have, with patch versions unknown (".0" is
// assumed, which only matters for requires-python clauses naming patch
// releases).
var fallbackInterpreters = []interpreter{
	{"python310", "3.10.0", false, false},
	{"python311", "3.11.0", false, false},
	{"python312", "3.12.0", false, false},
	{"python313", "3.13.0", false, false},
}

var releaseRE = regexp.MustCompile(`(\d\d\.\d\d)`)

// pinInterpreters returns the interpreter table of a pin's release, known
// from Pin.Name ("nixos-25.05", "25.11", "nixpkgs-25.05-darwin") or, for a
// local checkout, from its .version file (which holds e.g. "25.05").
func pinInterpreters(p Pin) []interpreter {
	release := p.Name
	if release == "" && p.Path != "" {
		if v, err := os.ReadFile(filepath.Join(p.Path, ".version")); err == nil {
			release = string(v)
		}
	}
	if m := releaseRE.FindString(release); m != "" {
		if t, ok := interpreters[m]; ok {
			return t
		}
	}
	return fallbackInterpreters
}

var requestedRE = regexp.MustCompile(`^(?:python)?(3)\.?(\d+)(?:\.\d+)?$`)

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
		return "", "", fmt.Errorf("only %s of nixpkgs %s satisfies requires-python %q, and it is a pre-release interpreter, which req2nix chooses only when asked: pass --python %s to use it, or pin another nixpkgs", describeInterpreters(pre), pin.label(), requiresPython, minorOf(pre[len(pre)-1]))
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

// minorOf is the --python value that selects an interpreter: "3.14" for
// python314.
func minorOf(it interpreter) string { return "3." + strings.TrimPrefix(it.Attr, "python3") }

func chooseRequested(table []interpreter, pin Pin, requested, requiresPython string, spec pep440.Specifiers) (string, string, error) {
	m := requestedRE.FindStringSubmatch(strings.TrimSpace(requested))
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

// label names the pin for messages.
func (p Pin) label() string {
	switch {
	case p.Path != "":
		return p.Path
	case p.Name != "" && p.Rev != "":
		return p.Name + " " + p.Rev
	case p.Rev != "":
		return p.Rev
	}
	return p.URL
}
