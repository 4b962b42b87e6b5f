package lockfile

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/req2nix/req2nix/pypi/pep508"
)

// uv.lock as uv writes it (version 1, any revision): one [[package]] per
// locked distribution, identified by name, version and source; edges name
// the version (and source) only when a name is locked more than once.
type uvDoc struct {
	Version        *int        `toml:"version"`
	RequiresPython string      `toml:"requires-python"`
	Manifest       uvManifest  `toml:"manifest"`
	Packages       []uvPackage `toml:"package"`
}

type uvManifest struct {
	Members []string `toml:"members"`
}

type uvPackage struct {
	Name                 string                    `toml:"name"`
	Version              string                    `toml:"version"`
	Source               uvSource                  `toml:"source"`
	Dependencies         []uvDependency            `toml:"dependencies"`
	OptionalDependencies map[string][]uvDependency `toml:"optional-dependencies"`
	DevDependencies      map[string][]uvDependency `toml:"dev-dependencies"`
	Sdist                *uvFile                   `toml:"sdist"`
	Wheels               []uvFile                  `toml:"wheels"`
}

type uvSource struct {
	Registry     string `toml:"registry"`
	Git          string `toml:"git"`
	URL          string `toml:"url"`
	Path         string `toml:"path"`
	Directory    string `toml:"directory"`
	Editable     string `toml:"editable"`
	Virtual      string `toml:"virtual"`
	Subdirectory string `toml:"subdirectory"`
}

type uvDependency struct {
	Name    string   `toml:"name"`
	Version string   `toml:"version"`
	Extra   []string `toml:"extra"`
	Marker  string   `toml:"marker"`
}

type uvFile struct {
	URL      string `toml:"url"`
	Path     string `toml:"path"`
	Filename string `toml:"filename"`
	Hash     string `toml:"hash"`
}

// uvLockVersion is the uv.lock version read; a revision within it only
// adds keys.
const uvLockVersion = 1

// parseUV reads a uv.lock.
func parseUV(file string, data []byte) (*Lock, error) {
	var doc uvDoc
	if err := decodeTOML(file, data, &doc); err != nil {
		return nil, err
	}
	if doc.Version == nil || *doc.Version != uvLockVersion {
		return nil, errorAt(file, 0, "not a uv.lock of version %d (version = %s); req2nix reads version %d: regenerate it with a uv that writes it, or upgrade req2nix",
			uvLockVersion, optionalInt(doc.Version), uvLockVersion)
	}
	lock := &Lock{Format: UV, Path: file, Walk: true}
	var err error
	if lock.RequiresPython, err = parsePython(file, 0, "the lock", doc.RequiresPython); err != nil {
		return nil, err
	}
	lines := arrayTableLines(data, "package")
	for i := range doc.Packages {
		p, err := readUVPackage(file, lineOf(lines, i), &doc.Packages[i])
		if err != nil {
			return nil, err
		}
		if p.Source.Kind == FromIndex && p.Source.URL != "" {
			lock.Indexes = appendUnique(lock.Indexes, p.Source.URL)
		}
		lock.Packages = append(lock.Packages, p)
	}
	setUVRoots(lock, doc.Manifest.Members)
	return lock, nil
}

func optionalInt(v *int) string {
	if v == nil {
		return "missing"
	}
	return fmt.Sprint(*v)
}

// readUVPackage reads one [[package]].
func readUVPackage(file string, line int, up *uvPackage) (Package, error) {
	p, err := newPackage(file, line, up.Name, up.Version)
	if err != nil {
		return p, err
	}
	name := p.Name
	if p.Source, err = readUVSource(file, line, name, up.Source); err != nil {
		return p, err
	}
	if p.Dependencies, err = readUVDependencies(file, line, name, up.Dependencies); err != nil {
		return p, err
	}
	if p.Optional, err = readUVDependencyMap(file, line, name, up.OptionalDependencies); err != nil {
		return p, err
	}
	if p.DevGroups, err = readUVDependencyMap(file, line, name, up.DevDependencies); err != nil {
		return p, err
	}
	p.Files, err = readUVFiles(file, line, &p, up)
	return p, err
}

// readUVSource reads the source table: exactly one kind.
func readUVSource(file string, line int, name string, s uvSource) (Source, error) {
	var out []Source
	add := func(value string, src Source) {
		if value != "" {
			out = append(out, src)
		}
	}
	add(s.Registry, Source{Kind: FromIndex, URL: s.Registry})
	add(s.URL, Source{Kind: FromURL, URL: s.URL, Subdirectory: s.Subdirectory})
	add(s.Path, Source{Kind: FromPath, Path: s.Path})
	add(s.Directory, Source{Kind: FromDirectory, Path: s.Directory})
	add(s.Editable, Source{Kind: FromDirectory, Path: s.Editable, Editable: true})
	add(s.Virtual, Source{Kind: FromDirectory, Path: s.Virtual, Virtual: true})
	if s.Git != "" {
		src, err := parseUVGit(s.Git)
		if err != nil {
			return Source{}, errorAt(file, line, "%s: source git %q: %v", name, s.Git, err)
		}
		out = append(out, src)
	}
	if len(out) != 1 {
		return Source{}, errorAt(file, line, "%s: source must name exactly one of registry, git, url, path, directory, editable, virtual", name)
	}
	return out[0], nil
}

// parseUVGit reads uv's git source URL: the repository with the requested
// revision and subdirectory in the query, the commit in the fragment
// ("https://host/repo?tag=v1&subdirectory=pkg#<commit>").
func parseUVGit(raw string) (Source, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Source{}, err
	}
	if u.Fragment == "" {
		return Source{}, fmt.Errorf("no commit after '#'")
	}
	src := Source{Kind: FromGit, VCS: "git", Commit: strings.ToLower(u.Fragment)}
	q := u.Query()
	src.Subdirectory = q.Get("subdirectory")
	for _, key := range []string{"rev", "tag", "branch"} {
		if v := q.Get(key); v != "" {
			src.Requested = v
		}
	}
	u.RawQuery, u.Fragment, u.RawFragment = "", "", ""
	src.URL = u.String()
	return src, nil
}

func readUVDependencies(file string, line int, name string, deps []uvDependency) ([]Dependency, error) {
	out := []Dependency{}
	for _, d := range deps {
		dn, err := packageName(file, line, d.Name)
		if err != nil {
			return nil, err
		}
		m, err := parseMarker(file, line, name+" → "+dn, d.Marker)
		if err != nil {
			return nil, err
		}
		out = append(out, Dependency{Name: dn, Version: d.Version, Marker: m, Extras: normalizedNames(d.Extra), Line: line})
	}
	return out, nil
}

func readUVDependencyMap(file string, line int, name string, m map[string][]uvDependency) (map[string][]Dependency, error) {
	if len(m) == 0 {
		return nil, nil
	}
	out := map[string][]Dependency{}
	for _, key := range slices.Sorted(maps.Keys(m)) {
		deps, err := readUVDependencies(file, line, name, m[key])
		if err != nil {
			return nil, err
		}
		k := pep508.NormalizeName(key)
		out[k] = append(out[k], deps...)
	}
	return out, nil
}

// readUVFiles reads the sdist and wheels. Hashes are optional in uv.lock
// (files of git and local sources have none).
func readUVFiles(file string, line int, p *Package, up *uvPackage) ([]File, error) {
	var files []File
	if up.Sdist != nil {
		f, err := readUVFile(file, line, p.Name+" sdist", up.Sdist)
		if err != nil {
			return nil, err
		}
		if f.Name == "" && p.Source.Kind == FromURL {
			f.Name = lastComponent("", p.Source.URL)
		}
		files = append(files, f)
	}
	for i := range up.Wheels {
		f, err := readUVFile(file, line, p.Name+" wheel", &up.Wheels[i])
		if err != nil {
			return nil, err
		}
		if err := checkWheelName(file, line, p, f.Name); err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}

func readUVFile(file string, line int, what string, uf *uvFile) (File, error) {
	f := File{Name: uf.Filename, URL: uf.URL, Path: uf.Path}
	if f.Name == "" {
		f.Name = lastComponent(uf.Path, uf.URL)
	}
	if uf.Hash != "" {
		h, err := parseHash(file, line, what, uf.Hash)
		if err != nil {
			return f, err
		}
		f.Hashes = h
	}
	return f, nil
}

// setUVRoots finds the project the lock is for and makes its dependencies
// the roots: the package whose source is the lock's own directory ("."),
// else the workspace members the manifest lists (a virtual workspace
// root), else every package nothing depends on.
func setUVRoots(lock *Lock, members []string) {
	for i := range lock.Packages {
		p := &lock.Packages[i]
		if p.Source.Kind == FromDirectory && (p.Source.Path == "." || p.Source.Path == "") {
			p.Self = true
			addProjectRoots(lock, p)
		}
	}
	if len(lock.Roots) > 0 || hasSelf(lock) {
		return
	}
	names := normalizedNames(members)
	if len(names) == 0 {
		names = undepended(lock)
	}
	for _, n := range names {
		lock.Roots = append(lock.Roots, Dependency{Name: n})
	}
}

func hasSelf(lock *Lock) bool {
	for _, p := range lock.Packages {
		if p.Self {
			return true
		}
	}
	return false
}

// addProjectRoots adds the project's dependencies, extras and groups to
// the roots, and their names to the lock's extras and groups.
func addProjectRoots(lock *Lock, p *Package) {
	lock.Roots = append(lock.Roots, p.Dependencies...)
	for _, extra := range slices.Sorted(maps.Keys(p.Optional)) {
		lock.Extras = appendUnique(lock.Extras, extra)
		for _, d := range p.Optional[extra] {
			d.Extra = extra
			lock.Roots = append(lock.Roots, d)
		}
	}
	for _, group := range slices.Sorted(maps.Keys(p.DevGroups)) {
		lock.Groups = appendUnique(lock.Groups, group)
		for _, d := range p.DevGroups[group] {
			d.Group = group
			lock.Roots = append(lock.Roots, d)
		}
	}
}

// undepended lists the names no package depends on, sorted.
func undepended(lock *Lock) []string {
	used := map[string]bool{}
	for _, p := range lock.Packages {
		for _, d := range p.Dependencies {
			used[d.Name] = true
		}
		for _, deps := range p.Optional {
			for _, d := range deps {
				used[d.Name] = true
			}
		}
	}
	var names []string
	for _, p := range lock.Packages {
		if !used[p.Name] {
			names = appendUnique(names, p.Name)
		}
	}
	return normalizedNames(names)
}
