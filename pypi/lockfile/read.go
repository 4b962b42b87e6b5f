package lockfile

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"

	"github.com/req2nix/req2nix/pypi/pep440"
	"github.com/req2nix/req2nix/pypi/pep508"
	"github.com/req2nix/req2nix/pypi/reqfile"
)

// maxLockSize bounds what is read: real lock files are at most a few MB.
const maxLockSize = 64 << 20

// readFile reads a lock or project file, refusing absurd sizes.
func readFile(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, &reqfile.Error{Source: reqfile.Source{File: path}, Msg: pathProblem(err), Err: err}
	}
	if st.IsDir() || st.Size() > maxLockSize {
		return nil, errorAt(path, 0, "not a lock file (a directory, or larger than %d MB)", maxLockSize>>20)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &reqfile.Error{Source: reqfile.Source{File: path}, Msg: pathProblem(err), Err: err}
	}
	return data, nil
}

func pathProblem(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return "cannot read it: " + pe.Err.Error()
	}
	return "cannot read it: " + err.Error()
}

// errorAt is a problem at a line of a lock file (0: the whole file).
func errorAt(file string, line int, format string, args ...any) *reqfile.Error {
	return &reqfile.Error{Source: reqfile.Source{File: file, Line: line}, Msg: fmt.Sprintf(format, args...)}
}

// decodeTOML decodes a TOML document into v, reporting syntax and type
// errors at their line.
func decodeTOML(path string, data []byte, v any) error {
	err := toml.NewDecoder(bytes.NewReader(data)).Decode(v)
	if err == nil {
		return nil
	}
	msg := strings.TrimPrefix(err.Error(), "toml: ")
	var de *toml.DecodeError
	if errors.As(err, &de) {
		row, col := de.Position()
		return &reqfile.Error{Source: reqfile.Source{File: path, Line: row}, Col: col, Msg: "invalid TOML: " + msg, Err: err}
	}
	return &reqfile.Error{Source: reqfile.Source{File: path}, Msg: "not a valid " + filepath.Base(path) + ": " + msg, Err: err}
}

// arrayTableLines returns the line of every [[name]] header of a TOML
// document, in order: the i-th is the line of the i-th element.
func arrayTableLines(data []byte, name string) []int {
	var lines []int
	var p unstable.Parser
	p.Reset(data)
	for p.NextExpression() {
		e := p.Expression()
		if e.Kind != unstable.ArrayTable {
			continue
		}
		it := e.Key()
		if it.Next() && string(it.Node().Data) == name {
			key := it.Node()
			if !it.Next() {
				lines = append(lines, p.Shape(key.Raw).Start.Line)
			}
		}
	}
	return lines
}

// lineOf is lines[i], or 0 when the index has fewer entries (a document
// whose elements are inline tables, or that the parser could not index).
func lineOf(lines []int, i int) int {
	if i < len(lines) {
		return lines[i]
	}
	return 0
}

// packageName validates and normalises a package name.
func packageName(file string, line int, name string) (string, error) {
	if !pep508.ValidName(name) {
		return "", errorAt(file, line, "package name %q is not a valid project name", name)
	}
	return pep508.NormalizeName(name), nil
}

// newPackage starts a package of a lock: its normalised name and its
// version, which must be PEP 440 when given.
func newPackage(file string, line int, name, version string) (Package, error) {
	norm, err := packageName(file, line, name)
	if err != nil {
		return Package{}, err
	}
	p := Package{Name: norm, Version: version, Line: line}
	if version != "" {
		err = parseVersion(file, line, norm, version)
	}
	return p, err
}

// parseVersion checks that a locked version is a PEP 440 version.
func parseVersion(file string, line int, name, version string) error {
	if _, err := pep440.Parse(version); err != nil {
		return errorAt(file, line, "%s: version %q is not a PEP 440 version", name, version)
	}
	return nil
}

// parseMarker parses a marker written in a lock ("" is no marker).
func parseMarker(file string, line int, what, marker string) (pep508.Marker, error) {
	if strings.TrimSpace(marker) == "" {
		return pep508.Marker{}, nil
	}
	m, err := pep508.ParseMarker(marker)
	if err != nil {
		return m, &reqfile.Error{Source: reqfile.Source{File: file, Line: line}, Msg: what + ": invalid marker: " + err.Error(), Err: err}
	}
	return m, nil
}

// parsePython parses a PEP 440 requires-python ("" is any Python).
func parsePython(file string, line int, what, spec string) (Constraint, error) {
	if strings.TrimSpace(spec) == "" {
		return nil, nil
	}
	s, err := pep440.ParseSpecifiers(spec)
	if err != nil {
		return nil, errorAt(file, line, "%s: requires-python %q: %v", what, spec, err)
	}
	return Constraint{s}, nil
}

// normalizedNames normalises, sorts and deduplicates names.
func normalizedNames(names []string) []string {
	out := make([]string, 0, len(names))
	for _, n := range names {
		out = append(out, pep508.NormalizeName(n))
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// appendUnique appends s unless list has it.
func appendUnique(list []string, s string) []string {
	if s == "" || slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// hexDigest lower-cases a hex digest; ok is false when it is not hex.
func hexDigest(s string) (string, bool) {
	if s == "" {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return "", false
		}
	}
	return strings.ToLower(s), true
}

// parseHash reads "algorithm:hexdigest" (uv.lock, poetry.lock,
// Pipfile.lock) into a one-entry map.
func parseHash(file string, line int, what, h string) (map[string]string, error) {
	algo, digest, ok := strings.Cut(h, ":")
	hexd, isHex := hexDigest(digest)
	if !ok || algo == "" || !isHex {
		return nil, errorAt(file, line, "%s: hash %q is not algorithm:hexdigest (such as sha256:<64 hex digits>)", what, h)
	}
	return map[string]string{strings.ToLower(algo): hexd}, nil
}

// checkHashes lower-cases a hashes table (pylock.toml) and checks each
// digest is hex; a lock must give at least one.
func checkHashes(file string, line int, what string, hashes map[string]string) (map[string]string, error) {
	if len(hashes) == 0 {
		return nil, errorAt(file, line, "%s: no hashes; every file of a lock must have one", what)
	}
	out := make(map[string]string, len(hashes))
	for algo, digest := range hashes {
		hexd, ok := hexDigest(digest)
		if !ok {
			return nil, errorAt(file, line, "%s: %s hash %q is not a hex digest", what, algo, digest)
		}
		out[strings.ToLower(algo)] = hexd
	}
	return out, nil
}
