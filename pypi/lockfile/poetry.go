package lockfile

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/req2nix/req2nix/pypi/pep440"
	"github.com/req2nix/req2nix/pypi/pep508"
	"github.com/req2nix/req2nix/pypi/reqfile"
)

// poetry.lock as Poetry writes it (lock-version 1.1 to 2.1; Poetry
// publishes no schema, this follows what it writes): one [[package]] per
// locked version with its files (names and hashes, no URLs; in 1.1 under
// [metadata.files]), its dependencies in Poetry's constraint syntax, its
// extras as requirement strings, and a [package.source] for anything not
// from PyPI. The groups and extras of the project are in the
// pyproject.toml beside it, which Load reads.
type poetryDoc struct {
	Packages []poetryPackage `toml:"package"`
	Metadata poetryMetadata  `toml:"metadata"`
}

type poetryMetadata struct {
	LockVersion    string                  `toml:"lock-version"`
	PythonVersions string                  `toml:"python-versions"`
	Files          map[string][]poetryFile `toml:"files"` // lock-version 1.1
}

type poetryPackage struct {
	Name           string              `toml:"name"`
	Version        string              `toml:"version"`
	PythonVersions string              `toml:"python-versions"`
	Develop        bool                `toml:"develop"`
	Groups         []string            `toml:"groups"`  // 2.1
	Markers        any                 `toml:"markers"` // 2.1: a marker, or one per group
	Files          []poetryFile        `toml:"files"`
	Dependencies   map[string]any      `toml:"dependencies"`
	Extras         map[string][]string `toml:"extras"`
	Source         *poetrySource       `toml:"source"`
}

type poetryFile struct {
	File string `toml:"file"`
	Hash string `toml:"hash"`
}

type poetrySource struct {
	Type              string `toml:"type"`
	URL               string `toml:"url"`
	Reference         string `toml:"reference"`
	ResolvedReference string `toml:"resolved_reference"`
	Subdirectory      string `toml:"subdirectory"`
}

// parsePoetry reads a poetry.lock.
func parsePoetry(file string, data []byte) (*Lock, error) {
	var doc poetryDoc
	if err := decodeTOML(file, data, &doc); err != nil {
		return nil, err
	}
	if err := checkPoetryVersion(file, doc.Metadata.LockVersion); err != nil {
		return nil, err
	}
	lock := &Lock{Format: Poetry, Path: file, Walk: true}
	var err error
	if lock.RequiresPython, err = poetryUnion(file, 0, "[metadata] python-versions", doc.Metadata.PythonVersions); err != nil {
		return nil, err
	}
	lines := arrayTableLines(data, "package")
	for i := range doc.Packages {
		pp := &doc.Packages[i]
		if pp.Files == nil {
			pp.Files = doc.Metadata.Files[pp.Name]
		}
		p, err := readPoetryPackage(file, lineOf(lines, i), pp)
		if err != nil {
			return nil, err
		}
		if p.Source.Kind == FromIndex && p.Source.URL != "" {
			lock.Indexes = appendUnique(lock.Indexes, p.Source.URL)
		}
		lock.Packages = append(lock.Packages, p)
	}
	return lock, nil
}

// checkPoetryVersion accepts lock-version 1.x and 2.x.
func checkPoetryVersion(file, v string) error {
	if v == "" {
		return errorAt(file, 0, "no [metadata] lock-version; this is not a poetry.lock Poetry wrote")
	}
	parsed, err := pep440.Parse(v)
	if err != nil || parsed.Release()[0] < 1 || parsed.Release()[0] > 2 {
		return errorAt(file, 0, "lock-version %q is not supported: req2nix reads poetry.lock versions 1.1 to 2.1", v)
	}
	return nil
}

// poetryUnion translates a Poetry constraint, possibly a union of ranges
// ("~2.7 || ^3.8"), into its PEP 440 alternatives.
func poetryUnion(file string, line int, what, c string) (Constraint, error) {
	var out Constraint
	for _, alt := range strings.Split(c, "||") {
		spec, err := poetrySpecifier(alt)
		if err != nil {
			return nil, errorAt(file, line, "%s %q: %v", what, c, err)
		}
		if spec.IsEmpty() {
			return nil, nil // one alternative admits every Python
		}
		out = append(out, spec)
	}
	return out, nil
}

// poetrySpecifier translates one Poetry constraint (no union) into PEP 440.
func poetrySpecifier(c string) (pep440.Specifiers, error) {
	s, err := reqfile.PoetryConstraint(c)
	if err != nil {
		return pep440.Specifiers{}, err
	}
	return pep440.ParseSpecifiers(s)
}

// readPoetryPackage reads one [[package]].
func readPoetryPackage(file string, line int, pp *poetryPackage) (Package, error) {
	p, err := newPackage(file, line, pp.Name, pp.Version)
	if err == nil && p.Version == "" {
		err = errorAt(file, line, "%s: no version", p.Name)
	}
	if err != nil {
		return p, err
	}
	name := p.Name
	if p.RequiresPython, err = poetryUnion(file, line, name+": python-versions", pp.PythonVersions); err != nil {
		return p, err
	}
	if p.Source, err = readPoetrySource(file, line, name, pp); err != nil {
		return p, err
	}
	if p.Marker, err = parseMarker(file, line, name+": markers", poetryMarkers(pp.Markers, pp.Groups)); err != nil {
		return p, err
	}
	for _, f := range pp.Files {
		h, err := parseHash(file, line, name+" "+f.File, f.Hash)
		if err != nil {
			return p, err
		}
		p.Files = append(p.Files, File{Name: f.File, Hashes: h})
	}
	if p.Dependencies, err = readPoetryDependencies(file, line, name, pp.Dependencies); err != nil {
		return p, err
	}
	p.Optional, err = readPoetryExtras(file, line, name, pp.Extras)
	return p, err
}

// poetryMarkers is a package's markers (lock-version 2.1) as one marker:
// a table of markers per group holds when any of them does, and always
// when a group of the package has none. They tell apart the versions of a
// name locked more than once.
func poetryMarkers(v any, groups []string) string {
	switch m := v.(type) {
	case string:
		return m
	case map[string]any:
		for _, g := range groups {
			if _, ok := m[g]; !ok {
				return ""
			}
		}
		var parts []string
		for _, group := range slices.Sorted(maps.Keys(m)) {
			if s, ok := m[group].(string); ok && strings.TrimSpace(s) != "" {
				parts = append(parts, "("+s+")")
			}
		}
		return strings.Join(parts, " or ")
	}
	return ""
}

// readPoetrySource maps [package.source]: git, a local directory or file,
// an archive URL, or another index ("legacy"); none is PyPI.
func readPoetrySource(file string, line int, name string, pp *poetryPackage) (Source, error) {
	s := pp.Source
	if s == nil {
		return Source{Kind: FromIndex}, nil
	}
	switch s.Type {
	case "git":
		commit := s.ResolvedReference
		if commit == "" {
			return Source{}, errorAt(file, line, "%s: git source %s has no resolved_reference (the commit)", name, s.URL)
		}
		return Source{Kind: FromGit, VCS: "git", URL: s.URL, Commit: strings.ToLower(commit), Requested: s.Reference, Subdirectory: s.Subdirectory}, nil
	case "directory":
		return Source{Kind: FromDirectory, Path: s.URL, Editable: pp.Develop, Subdirectory: s.Subdirectory}, nil
	case "file":
		return Source{Kind: FromPath, Path: s.URL, Subdirectory: s.Subdirectory}, nil
	case "url":
		return Source{Kind: FromURL, URL: s.URL, Subdirectory: s.Subdirectory}, nil
	case "legacy", "":
		return Source{Kind: FromIndex, URL: s.URL}, nil
	}
	return Source{}, errorAt(file, line, "%s: source type %q is not one req2nix knows (git, directory, file, url, legacy)", name, s.Type)
}

// readPoetryDependencies reads [package.dependencies]: a constraint
// string, a table (version, markers, python, extras, optional) or an
// array of such tables (one per Python or platform). Optional ones are
// reached through the package's extras instead.
func readPoetryDependencies(file string, line int, name string, deps map[string]any) ([]Dependency, error) {
	out := []Dependency{}
	for _, key := range slices.Sorted(maps.Keys(deps)) {
		dn, err := packageName(file, line, key)
		if err != nil {
			return nil, err
		}
		what := name + " → " + key
		for _, spec := range poetryAlternatives(deps[key]) {
			d, optional, err := readPoetryDependency(file, line, what, spec)
			if err != nil {
				return nil, err
			}
			if !optional {
				d.Name = dn
				out = append(out, d)
			}
		}
	}
	return out, nil
}

// poetryAlternatives lists a dependency's constraints: one, or several.
func poetryAlternatives(v any) []any {
	if list, ok := v.([]any); ok {
		return list
	}
	return []any{v}
}

// readPoetryDependency reads one constraint: a string, or a table.
func readPoetryDependency(file string, line int, what string, v any) (d Dependency, optional bool, err error) {
	d.Line = line
	switch spec := v.(type) {
	case string:
		d.Specifier, err = poetryDependencyVersion(file, line, what, spec)
		return d, false, err
	case map[string]any:
		return readPoetryDependencyTable(file, line, what, spec)
	}
	return d, false, errorAt(file, line, "%s: a dependency is a version string or a table, not %T", what, v)
}

func readPoetryDependencyTable(file string, line int, what string, t map[string]any) (d Dependency, optional bool, err error) {
	d.Line = line
	str := func(key string) string { s, _ := t[key].(string); return s }
	if d.Specifier, err = poetryDependencyVersion(file, line, what, str("version")); err != nil {
		return d, false, err
	}
	if d.Marker, err = parseMarker(file, line, what, str("markers")); err != nil {
		return d, false, err
	}
	if d.Python, err = poetryUnion(file, line, what+": python", str("python")); err != nil {
		return d, false, err
	}
	if extras, ok := t["extras"].([]any); ok {
		for _, e := range extras {
			if s, ok := e.(string); ok {
				d.Extras = append(d.Extras, pep508.NormalizeName(s))
			}
		}
	}
	optional, _ = t["optional"].(bool)
	return d, optional, nil
}

func poetryDependencyVersion(file string, line int, what, c string) (Constraint, error) {
	return poetryUnion(file, line, what+": version", c)
}

// readPoetryExtras reads [package.extras]: per extra, PEP 508 requirement
// strings (Poetry writes "name (>=1,<2)" and "name ; marker").
func readPoetryExtras(file string, line int, name string, extras map[string][]string) (map[string][]Dependency, error) {
	if len(extras) == 0 {
		return nil, nil
	}
	out := map[string][]Dependency{}
	for _, extra := range slices.Sorted(maps.Keys(extras)) {
		key := pep508.NormalizeName(extra)
		for _, s := range extras[extra] {
			r, err := pep508.ParseRequirement(s)
			if err != nil {
				return nil, &reqfile.Error{Source: reqfile.Source{File: file, Line: line},
					Msg: fmt.Sprintf("%s: extra %s: %q: %v", name, extra, s, err), Err: err}
			}
			out[key] = append(out[key], Dependency{Name: pep508.NormalizeName(r.Name), Specifier: specifierConstraint(r.Specifiers),
				Marker: r.Marker, Extras: normalizedNames(r.Extras), Line: line})
		}
	}
	return out, nil
}
