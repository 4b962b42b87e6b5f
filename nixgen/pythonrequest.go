package nixgen

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/req2nix/req2nix/internal/lazyre"
)

// PythonRequest is the interpreter a user asks for: --python, or the first
// version of a .python-version file.
//
// Its form decides its meaning: a minor version ("3.11") is the pin's
// interpreter of that minor version, from the binary cache; an exact
// release ("3.11.11", "3.15.0b4") is built from source with nixpkgs' cpython
// expression; "t" (uv's spelling, "3.13t") or "+freethreaded" is the
// free-threading build.
type PythonRequest struct {
	Minor        int    // Python 3.<Minor>; -1 when only "3" was asked (any Python 3)
	Patch        int    // the exact release's patch number; -1 for a minor version
	Suffix       string // the exact release's pre-release: "a1", "b4", "rc2" ("" for a final release)
	FreeThreaded bool   // the free-threading build (PEP 703), from 3.13 on
}

// Exact reports whether an exact release was asked for.
func (r PythonRequest) Exact() bool { return r.Patch >= 0 }

// MinorVersion is "3.<Minor>", or "3" for any Python 3.
func (r PythonRequest) MinorVersion() string {
	if r.Minor < 0 {
		return "3"
	}
	return "3." + strconv.Itoa(r.Minor)
}

// Version is the release asked for without the variant: "3.11.11",
// "3.15.0b4", or MinorVersion() for a minor version.
func (r PythonRequest) Version() string {
	if !r.Exact() {
		return r.MinorVersion()
	}
	return fmt.Sprintf("3.%d.%d%s", r.Minor, r.Patch, r.Suffix)
}

// String is the request in canonical form: "3", "3.12", "3.11.11",
// "3.13t", "3.13.1t". ParsePythonRequest reads it back unchanged.
func (r PythonRequest) String() string {
	if r.FreeThreaded {
		return r.Version() + "t"
	}
	return r.Version()
}

// Attr is the interpreter attribute of a nixpkgs pin for the request's
// minor version: "python311", or "python313FreeThreading" for the
// free-threading build ("" for any Python 3). An exact release is built by
// overriding that attribute (see InterpreterOverlay).
func (r PythonRequest) Attr() string {
	if r.Minor < 0 {
		return ""
	}
	attr := "python3" + strconv.Itoa(r.Minor)
	if r.FreeThreaded {
		attr += "FreeThreading"
	}
	return attr
}

// Release returns the embedded table's release of an exact request, or an
// *UnknownReleaseError saying what the table knows and how to proceed.
func (r PythonRequest) Release() (CPythonRelease, error) {
	if !r.Exact() {
		return CPythonRelease{}, fmt.Errorf("Python %s is a minor version, not a release", r)
	}
	if rel, ok := LookupCPython(r.Version()); ok {
		return rel, nil
	}
	return CPythonRelease{}, &UnknownReleaseError{Version: r.Version(), Known: knownReleasesOf(r.MinorVersion())}
}

var (
	// dottedRE: 3, 3.N, 3.N.P and 3.N.P with a pre-release suffix (no
	// leading zeros: no CPython release is spelled so).
	dottedRE = lazyre.New(`^([0-9]+)(?:\.(0|[1-9][0-9]*)(?:\.(0|[1-9][0-9]*)((?:a|b|rc)[1-9][0-9]*)?)?)?$`)
	// undottedRE: cp312, python312 (major 3, then the minor).
	undottedRE = lazyre.New(`^3(0|[1-9][0-9]*)$`)
	// platformPartRE: one os, arch or libc part of uv's download keys
	// (cpython-3.12.3-macos-aarch64-none).
	platformPartRE = lazyre.New(`^[a-z0-9_]+$`)
)

// otherImplementations are interpreters req2nix cannot build (uv's and
// pyenv's names), refused with a clear message.
var otherImplementations = []string{"pypy", "graalpy", "pyodide", "pyston", "jython", "ironpython", "micropython", "stackless", "miniconda", "miniforge", "anaconda", "mambaforge", "activepython", "pp", "gp"}

// ParsePythonRequest parses --python and the lines of .python-version:
// the forms of uv's Python requests that name a CPython version, plus
// nixpkgs' attribute names:
//
//	3  3.12  3.12.4  3.15.0b4       a version
//	3.13t  3.13+freethreaded        the free-threading build (3.14+gil is the default build)
//	cpython3.12  cp312  cp313t       implementation and version
//	cpython@3.12  cpython-3.12.4     uv's request and download-key forms; a key's
//	cpython-3.12.4-linux-x86_64-gnu  platform parts are ignored (the output's system decides)
//	python312  python313FreeThreading  nixpkgs' attributes
//
// Letters are case-insensitive. Version ranges, debug builds and other
// implementations are errors.
func ParsePythonRequest(s string) (PythonRequest, error) {
	text := strings.ToLower(strings.TrimSpace(s))
	r, err := parseRequest(text)
	if err != nil {
		return PythonRequest{}, fmt.Errorf("Python %q: %w", strings.TrimSpace(s), err)
	}
	return r, nil
}

func parseRequest(text string) (PythonRequest, error) {
	switch {
	case text == "":
		return PythonRequest{}, fmt.Errorf("empty: give a version such as 3.12 or 3.12.4")
	case strings.ContainsAny(text, "<>=!~,*"):
		return PythonRequest{}, fmt.Errorf("a version range is not supported: give a version (3.12) or an exact release (3.12.4)")
	case text == "cpython" || text == "cp" || text == "python" || text == "python3":
		return PythonRequest{Minor: -1, Patch: -1}, nil
	}
	for _, impl := range []string{"cpython", "cp", "python"} {
		rest, ok := strings.CutPrefix(text, impl)
		if !ok || rest == "" || !startsVersion(rest) {
			continue
		}
		switch rest[0] {
		case '@':
			return parseVersion(rest[1:], false)
		case '-':
			return parseDownloadKey(rest[1:])
		}
		return parseVersion(rest, true)
	}
	for _, impl := range otherImplementations {
		if rest, ok := strings.CutPrefix(text, impl); ok && (rest == "" || startsVersion(rest)) {
			return PythonRequest{}, fmt.Errorf("%s is not CPython: req2nix builds environments with nixpkgs' CPython", impl)
		}
	}
	if text == "system" {
		return PythonRequest{}, fmt.Errorf("pyenv's system Python is not a version: give one such as 3.12")
	}
	return parseVersion(text, false)
}

// startsVersion reports whether what follows an implementation name can be
// a version (cp312, cpython@3.12, cpython-3.12): it tells "cp312" from a
// word that merely starts with "cp".
func startsVersion(rest string) bool {
	return rest[0] == '@' || rest[0] == '-' || rest[0] >= '0' && rest[0] <= '9'
}

// parseDownloadKey reads uv's <implementation>-<version>[-<os>-<arch>-<libc>].
func parseDownloadKey(key string) (PythonRequest, error) {
	parts := strings.Split(key, "-")
	if len(parts) > 4 {
		return PythonRequest{}, fmt.Errorf("%q is not a download key (cpython-<version>-<os>-<arch>-<libc>)", key)
	}
	for _, p := range parts[1:] {
		if !platformPartRE.R().MatchString(p) {
			return PythonRequest{}, fmt.Errorf("%q is not a download key (cpython-<version>-<os>-<arch>-<libc>)", key)
		}
	}
	return parseVersion(parts[0], false)
}

// parseVersion reads a version with its variant. undotted also accepts the
// minor written right after the 3 (cp312, python312).
func parseVersion(v string, undotted bool) (PythonRequest, error) {
	number, freeThreaded, err := cutVariant(v)
	if err != nil {
		return PythonRequest{}, err
	}
	r := PythonRequest{Minor: -1, Patch: -1, FreeThreaded: freeThreaded}
	if m := undottedRE.R().FindStringSubmatch(number); undotted && m != nil {
		r.Minor, _ = strconv.Atoi(m[1])
		return r, checkVariant(r)
	}
	m := dottedRE.R().FindStringSubmatch(number)
	if m == nil {
		return PythonRequest{}, fmt.Errorf("not a Python version: give one such as 3.12 or 3.12.4")
	}
	if m[1] != "3" {
		return PythonRequest{}, fmt.Errorf("Python %s is not Python 3: req2nix builds CPython 3 environments", m[1])
	}
	if m[2] != "" {
		r.Minor, err = strconv.Atoi(m[2])
	}
	if m[3] != "" && err == nil {
		r.Patch, err = strconv.Atoi(m[3])
		r.Suffix = m[4]
	}
	if err != nil { // a number too large for int
		return PythonRequest{}, fmt.Errorf("not a Python version: %w", err)
	}
	return r, checkVariant(r)
}

// cutVariant removes the build variant: uv's short "t" or its
// "+freethreaded"/"+gil" (and nixpkgs' "FreeThreading" attribute suffix).
func cutVariant(v string) (number string, freeThreaded bool, err error) {
	if number, variant, ok := strings.Cut(v, "+"); ok {
		switch variant {
		case "freethreaded":
			return number, true, nil
		case "gil":
			return number, false, nil
		case "debug":
			return "", false, fmt.Errorf("debug builds are not supported")
		}
		return "", false, fmt.Errorf("unknown variant +%s: want +freethreaded or +gil", variant)
	}
	if number, ok := strings.CutSuffix(v, "freethreading"); ok {
		return number, true, nil
	}
	if n := len(v); n >= 2 && v[n-2] >= '0' && v[n-2] <= '9' {
		switch v[n-1] {
		case 't':
			return v[:n-1], true, nil
		case 'd':
			return "", false, fmt.Errorf("debug builds are not supported")
		}
	}
	return v, false, nil
}

func checkVariant(r PythonRequest) error {
	if r.FreeThreaded && r.Minor < 13 {
		if r.Minor < 0 {
			return fmt.Errorf("the free-threading build needs a minor version, such as 3.13t")
		}
		return fmt.Errorf("there is no free-threading build of Python 3.%d: it exists from 3.13 on", r.Minor)
	}
	return nil
}

// maxVersionFile is the largest .python-version req2nix reads: the file
// holds a few short lines; anything bigger is not one.
const maxVersionFile = 64 << 10

// ParsePythonVersionFile reads a .python-version file (name is used in
// messages), as pyenv and uv do: each line's first word is a version, lines
// that are empty or start with "#" are skipped, and the first version is the
// one used. Lines naming what req2nix cannot build (pyenv's "system", other
// implementations) are skipped with a note, as are the versions after the
// first; a line that is no version at all is an error naming it.
func ParsePythonVersionFile(name string, data []byte) (PythonRequest, []string, error) {
	if len(data) > maxVersionFile {
		return PythonRequest{}, nil, fmt.Errorf("%s: %d bytes is too large for a .python-version file", name, len(data))
	}
	if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 {
		return PythonRequest{}, nil, fmt.Errorf("%s: not a text file", name)
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	var notes []string
	found := false
	var chosen PythonRequest
	for i, line := range strings.Split(string(data), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		where := fmt.Sprintf("%s:%d", name, i+1)
		if found {
			notes = append(notes, fmt.Sprintf("%s: %s ignored: the first version of the file (%s) is used", where, strconv.Quote(fields[0]), chosen))
			continue
		}
		r, err := ParsePythonRequest(fields[0])
		switch {
		case err == nil:
			chosen, found = r, true
		case skippable(fields[0]):
			notes = append(notes, fmt.Sprintf("%s: skipped: %v", where, err))
		default:
			return PythonRequest{}, notes, fmt.Errorf("%s: %w", where, err)
		}
	}
	if !found {
		return PythonRequest{}, notes, fmt.Errorf("%s: no CPython version in the file: write one such as 3.12 (or pass --python)", name)
	}
	return chosen, notes, nil
}

// skippable reports whether a .python-version entry names something other
// than a CPython version (pyenv's system, another implementation, a path
// or executable name as uv allows), which a file may list besides one.
func skippable(word string) bool {
	w := strings.ToLower(word)
	if w == "system" || strings.ContainsAny(w, `/\`) {
		return true
	}
	for _, impl := range otherImplementations {
		if rest, ok := strings.CutPrefix(w, impl); ok && (rest == "" || startsVersion(rest)) {
			return true
		}
	}
	return false
}
