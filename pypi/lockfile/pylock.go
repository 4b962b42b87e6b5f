package lockfile

import (
	"fmt"
	"net/url"
	"path"
	"strings"

	"github.com/req2nix/req2nix/pypi/pep440"
	"github.com/req2nix/req2nix/pypi/pep508"
	"github.com/req2nix/req2nix/pypi/tags"
)

// pylock.toml as PEP 751 (the PyPA "pylock.toml specification") defines it.
// Keys the installation does not need (upload-time, size,
// attestation-identities, tool) are not decoded.
type pylockDoc struct {
	LockVersion      *string         `toml:"lock-version"`
	Environments     []string        `toml:"environments"`
	RequiresPython   string          `toml:"requires-python"`
	Extras           []string        `toml:"extras"`
	DependencyGroups []string        `toml:"dependency-groups"`
	DefaultGroups    []string        `toml:"default-groups"`
	CreatedBy        *string         `toml:"created-by"`
	Packages         []pylockPackage `toml:"packages"`
}

type pylockPackage struct {
	Name           string             `toml:"name"`
	Version        string             `toml:"version"`
	Marker         string             `toml:"marker"`
	RequiresPython string             `toml:"requires-python"`
	Dependencies   []pylockDependency `toml:"dependencies"`
	Index          string             `toml:"index"`
	VCS            *pylockVCS         `toml:"vcs"`
	Directory      *pylockDirectory   `toml:"directory"`
	Archive        *pylockFile        `toml:"archive"`
	Sdist          *pylockFile        `toml:"sdist"`
	Wheels         []pylockFile       `toml:"wheels"`
}

// pylockDependency is an entry of packages.dependencies: informational,
// "enough to identify the package" — its name, and its version when the
// name is locked more than once.
type pylockDependency struct {
	Name    string `toml:"name"`
	Version string `toml:"version"`
}

type pylockVCS struct {
	Type              string `toml:"type"`
	URL               string `toml:"url"`
	Path              string `toml:"path"`
	RequestedRevision string `toml:"requested-revision"`
	CommitID          string `toml:"commit-id"`
	Subdirectory      string `toml:"subdirectory"`
}

type pylockDirectory struct {
	Path         string `toml:"path"`
	Editable     bool   `toml:"editable"`
	Subdirectory string `toml:"subdirectory"`
}

// pylockFile is an sdist, a wheel or an archive.
type pylockFile struct {
	Name         string            `toml:"name"`
	URL          string            `toml:"url"`
	Path         string            `toml:"path"`
	Hashes       map[string]string `toml:"hashes"`
	Subdirectory string            `toml:"subdirectory"` // archive only
}

// parsePylock reads a pylock.toml, checking what PEP 751 requires.
func parsePylock(file string, data []byte) (*Lock, error) {
	var doc pylockDoc
	if err := decodeTOML(file, data, &doc); err != nil {
		return nil, err
	}
	lock := &Lock{Format: Pylock, Path: file}
	if err := readPylockHeader(lock, &doc); err != nil {
		return nil, err
	}
	lines := arrayTableLines(data, "packages")
	for i := range doc.Packages {
		p, err := readPylockPackage(file, lineOf(lines, i), &doc.Packages[i])
		if err != nil {
			return nil, err
		}
		lock.Packages = append(lock.Packages, p)
		if idx := doc.Packages[i].Index; idx != "" {
			lock.Indexes = appendUnique(lock.Indexes, idx)
		}
	}
	return lock, nil
}

// readPylockHeader checks the top-level keys: lock-version 1.x (a later
// minor version is read with a warning, as the specification asks),
// created-by and packages present, environments and requires-python valid.
func readPylockHeader(lock *Lock, doc *pylockDoc) error {
	file := lock.Path
	if doc.LockVersion == nil {
		return errorAt(file, 0, "no lock-version; a pylock.toml must have lock-version = \"1.0\"")
	}
	v, err := pep440.Parse(*doc.LockVersion)
	if err != nil || v.Release()[0] != 1 {
		return errorAt(file, 0, "lock-version %q is not supported: req2nix reads pylock.toml version 1 (PEP 751)", *doc.LockVersion)
	}
	if v.Compare(pep440.MustParse("1.0")) > 0 {
		lock.Warnings = append(lock.Warnings, fmt.Sprintf("%s: lock-version %s is newer than 1.0, which req2nix implements; keys it does not know are ignored", file, *doc.LockVersion))
	}
	if doc.CreatedBy == nil {
		return errorAt(file, 0, "no created-by; a pylock.toml must name the tool that wrote it")
	}
	if doc.Packages == nil {
		return errorAt(file, 0, "no [[packages]]; a pylock.toml must list its packages (an empty list is `packages = []`)")
	}
	lock.CreatedBy = *doc.CreatedBy
	for _, env := range doc.Environments {
		m, err := parseMarker(file, 0, "environments", env)
		if err != nil {
			return err
		}
		lock.Environments = append(lock.Environments, m)
	}
	if lock.RequiresPython, err = parsePython(file, 0, "the lock", doc.RequiresPython); err != nil {
		return err
	}
	lock.Extras = normalizedNames(doc.Extras)
	lock.Groups = normalizedNames(doc.DependencyGroups)
	lock.DefaultGroups = normalizedNames(doc.DefaultGroups)
	return nil
}

// readPylockPackage reads one [[packages]] entry.
func readPylockPackage(file string, line int, pp *pylockPackage) (Package, error) {
	p, err := newPackage(file, line, pp.Name, pp.Version)
	if err != nil {
		return p, err
	}
	name := p.Name
	if p.Marker, err = parseMarker(file, line, name, pp.Marker); err != nil {
		return p, err
	}
	if p.RequiresPython, err = parsePython(file, line, name, pp.RequiresPython); err != nil {
		return p, err
	}
	if pp.Dependencies != nil {
		p.Dependencies = []Dependency{}
		for _, d := range pp.Dependencies {
			if pep508.ValidName(d.Name) {
				p.Dependencies = append(p.Dependencies, Dependency{Name: pep508.NormalizeName(d.Name), Version: d.Version, Line: line})
			}
		}
	}
	if err := readPylockSource(file, line, pp, &p); err != nil {
		return p, err
	}
	return p, nil
}

// readPylockSource reads where the package comes from: exactly one of vcs,
// directory and archive, or else an sdist and/or wheels.
func readPylockSource(file string, line int, pp *pylockPackage, p *Package) error {
	dists := len(pp.Wheels)
	if pp.Sdist != nil {
		dists++
	}
	direct := 0
	for _, set := range []bool{pp.VCS != nil, pp.Directory != nil, pp.Archive != nil} {
		if set {
			direct++
		}
	}
	switch {
	case dists > 0 && direct > 0:
		return errorAt(file, line, "%s: has vcs, directory or archive and also sdist or wheels; a package has one kind of source", p.Name)
	case dists == 0 && direct != 1:
		return errorAt(file, line, "%s: needs exactly one of vcs, directory, archive, sdist or wheels", p.Name)
	case pp.VCS != nil:
		return readPylockVCS(file, line, pp.VCS, p)
	case pp.Directory != nil:
		if pp.Directory.Path == "" {
			return errorAt(file, line, "%s: directory has no path", p.Name)
		}
		p.Source = Source{Kind: FromDirectory, Path: pp.Directory.Path, Editable: pp.Directory.Editable, Subdirectory: pp.Directory.Subdirectory}
		return nil
	case pp.Archive != nil:
		return readPylockArchive(file, line, pp.Archive, p)
	}
	p.Source = Source{Kind: FromIndex, URL: pp.Index}
	return readPylockDists(file, line, pp, p)
}

func readPylockVCS(file string, line int, v *pylockVCS, p *Package) error {
	switch {
	case v.Type == "":
		return errorAt(file, line, "%s: vcs has no type", p.Name)
	case v.CommitID == "":
		return errorAt(file, line, "%s: vcs has no commit-id", p.Name)
	case v.URL == "" && v.Path == "":
		return errorAt(file, line, "%s: vcs has neither url nor path", p.Name)
	}
	repo := v.URL
	if repo == "" {
		repo = v.Path
	}
	p.Source = Source{Kind: FromGit, VCS: strings.ToLower(v.Type), URL: repo, Commit: strings.ToLower(v.CommitID),
		Requested: v.RequestedRevision, Subdirectory: v.Subdirectory}
	return nil
}

func readPylockArchive(file string, line int, a *pylockFile, p *Package) error {
	f, err := readPylockFile(file, line, p.Name+" archive", a)
	if err != nil {
		return err
	}
	p.Source = Source{Kind: FromURL, URL: a.URL, Subdirectory: a.Subdirectory}
	if a.URL == "" {
		p.Source = Source{Kind: FromPath, Path: a.Path, Subdirectory: a.Subdirectory}
	}
	p.Files = []File{f}
	return nil
}

// readPylockDists reads the sdist and the wheels; their file names must be
// valid and name the package (and its version, when given).
func readPylockDists(file string, line int, pp *pylockPackage, p *Package) error {
	if pp.Sdist != nil {
		f, err := readPylockFile(file, line, p.Name+" sdist", pp.Sdist)
		if err != nil {
			return err
		}
		if err := checkSdistName(file, line, p, f.Name); err != nil {
			return err
		}
		p.Files = append(p.Files, f)
	}
	for i := range pp.Wheels {
		f, err := readPylockFile(file, line, p.Name+" wheel", &pp.Wheels[i])
		if err != nil {
			return err
		}
		if err := checkWheelName(file, line, p, f.Name); err != nil {
			return err
		}
		p.Files = append(p.Files, f)
	}
	return nil
}

// readPylockFile reads a file's location and hashes; its name defaults to
// the last component of its path or URL.
func readPylockFile(file string, line int, what string, pf *pylockFile) (File, error) {
	if pf.URL == "" && pf.Path == "" {
		return File{}, errorAt(file, line, "%s: has neither url nor path", what)
	}
	hashes, err := checkHashes(file, line, what, pf.Hashes)
	if err != nil {
		return File{}, err
	}
	f := File{Name: pf.Name, URL: pf.URL, Path: pf.Path, Hashes: hashes}
	if f.Name == "" {
		f.Name = lastComponent(pf.Path, pf.URL)
	}
	if f.Name == "" {
		return f, errorAt(file, line, "%s: cannot tell its file name; give name", what)
	}
	return f, nil
}

// lastComponent is the file name at the end of a path or URL.
func lastComponent(p, u string) string {
	if p != "" {
		p = strings.ReplaceAll(p, `\`, "/")
		return path.Base(p)
	}
	parsed, err := url.Parse(u)
	if err != nil {
		return ""
	}
	base := path.Base(parsed.Path)
	if base == "/" || base == "." {
		return ""
	}
	return base
}

// checkWheelName checks a wheel's file name and that it names the package.
func checkWheelName(file string, line int, p *Package, name string) error {
	w, err := tags.ParseWheel(name)
	if err != nil {
		return errorAt(file, line, "%s: %v", p.Name, err)
	}
	return checkNameVersion(file, line, p, name, w.Distribution, w.Version)
}

// checkSdistName checks an sdist's file name and that it names the package.
func checkSdistName(file string, line int, p *Package, name string) error {
	s, err := tags.ParseSdist(name, p.Name)
	if err != nil {
		return errorAt(file, line, "%s: %v", p.Name, err)
	}
	return checkNameVersion(file, line, p, name, p.Name, s.Version)
}

func checkNameVersion(file string, line int, p *Package, filename, name, version string) error {
	if pep508.NormalizeName(name) != p.Name {
		return errorAt(file, line, "%s: file %s is of another project", p.Name, filename)
	}
	if p.Version == "" {
		return nil
	}
	fv, err1 := pep440.Parse(version)
	pv, err2 := pep440.Parse(p.Version)
	if err1 != nil || err2 != nil || fv.Compare(pv) != 0 {
		return errorAt(file, line, "%s: file %s is not of version %s", p.Name, filename, p.Version)
	}
	return nil
}
