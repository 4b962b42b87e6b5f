package lockfile

import (
	"strings"

	"github.com/req2nix/req2nix/pypi/pep440"
	"github.com/req2nix/req2nix/pypi/pep508"
	"github.com/req2nix/req2nix/pypi/reqfile"
)

// Format names a lock file format by its file name.
type Format string

const (
	Pylock Format = "pylock.toml"  // PEP 751 (also pylock.<name>.toml)
	UV     Format = "uv.lock"      // uv
	Poetry Format = "poetry.lock"  // Poetry 1.1 to 2.x (lock-version 1.1, 2.0, 2.1)
	Pipenv Format = "Pipfile.lock" // Pipenv (pipfile-spec 6)
)

// Lock is one lock file, read.
type Lock struct {
	Format    Format
	Path      string // as given
	CreatedBy string // pylock.toml's created-by ("" for the other formats)

	RequiresPython Constraint      // the Pythons the lock is for (empty: any)
	Environments   []pep508.Marker // pylock.toml: one of them must hold for the target (none: any)
	Extras         []string        // the extras the lock can install, normalised, sorted
	Groups         []string        // the groups it can install (Pipfile.lock: categories, "develop" named "dev")
	DefaultGroups  []string        // pylock.toml's default-groups: always installed

	// Walk says how packages are selected: from Roots along Dependencies
	// (uv.lock, poetry.lock), else by each package's Marker and Groups.
	Walk     bool
	Roots    []Dependency
	Packages []Package

	Project  *Project // the project file beside the lock; nil when there is none
	Indexes  []string // index URLs the lock names (redaction is the caller's), in order, without repeats
	Warnings []string // "file:line: ..." about what was read but ignored
}

// Project is what the project file beside a lock (pyproject.toml, or
// Pipfile for Pipfile.lock) declares for the selection, to check that the
// lock is not stale.
type Project struct {
	File                 string
	Declared             []reqfile.Requirement // the selected dependencies, with their file:line
	RequiresPython       string                // PEP 440, "" when absent
	RequiresPythonSource reqfile.Source
	Name                 string   // the project's own name, normalised ("" when unknown)
	Extras, Groups       []string // the extras and groups it defines, normalised, sorted
}

// Package is one locked distribution. A name may be locked more than once
// (at versions for different platforms or Pythons): markers or the edges
// leading to it tell them apart.
type Package struct {
	Name    string // normalised
	Version string // as written; "" when the lock does not say (a pylock.toml source tree)
	Line    int    // line of its table in the lock (TOML), 0 when unknown

	// Flat locks: the package is installed when Marker holds and, when
	// Groups is not empty, one of them is selected ("" is the default set).
	Marker pep508.Marker
	Groups []string

	RequiresPython Constraint
	Self           bool // uv.lock: the locked project itself, whose dependencies are followed but which is not installed
	Source         Source
	Files          []File
	Extras         []string // Pipfile.lock: the extras it is installed with

	Dependencies []Dependency            // nil when the lock does not record them
	Optional     map[string][]Dependency // what each of its extras adds (uv.lock, poetry.lock)
	DevGroups    map[string][]Dependency // uv.lock: the project's dependency groups
}

// String names the package as messages do: "name version".
func (p *Package) String() string {
	if p.Version == "" {
		return p.Name
	}
	return p.Name + " " + p.Version
}

// Dependency is an edge to a locked package (or, in Lock.Roots, a
// requirement of the project).
type Dependency struct {
	Name      string        // normalised
	Version   string        // the locked version meant, when the lock names one (uv.lock, for a name locked twice)
	Specifier Constraint    // poetry.lock: the versions it accepts (empty: any)
	Python    Constraint    // poetry.lock: the Pythons it applies to (empty: all)
	Marker    pep508.Marker // when it applies (zero: always)
	Extras    []string      // extras of the target it installs, normalised
	Group     string        // roots: the dependency group that adds it ("" = the main dependencies)
	Extra     string        // roots: the project's extra that adds it ("" = none)
	Line      int           // where it is written, 0 when unknown
}

// SourceKind says where a package comes from.
type SourceKind string

const (
	FromIndex     SourceKind = "index"     // an index: its files, by name and hash
	FromGit       SourceKind = "git"       // a git repository at a commit
	FromDirectory SourceKind = "directory" // a local project directory
	FromURL       SourceKind = "url"       // an archive (sdist or wheel) at a URL
	FromPath      SourceKind = "path"      // a local archive file
)

// Source is where a package's code comes from.
type Source struct {
	Kind         SourceKind
	URL          string // index: the index URL ("" = not named); git: the repository; url: the archive
	Path         string // directory, path: as written (relative to the lock's directory unless absolute)
	VCS          string // the version control system ("git"; pylock.toml may name others)
	Commit       string // git: the commit id, lower-case
	Requested    string // git: the revision asked for (a tag, a branch), for messages
	Subdirectory string // the project's directory inside the source
	Editable     bool
	Virtual      bool // uv.lock: a project without a build (nothing to install)
}

// File is one distribution file of a package.
type File struct {
	Name   string            // file name; "" when only the hash is known (Pipfile.lock)
	URL    string            // "" when the lock gives none
	Path   string            // a local file, relative to the lock's directory unless absolute
	Hashes map[string]string // algorithm -> lower-case hex digest
}

// SHA256 is the file's sha256 in lower-case hex, or "".
func (f File) SHA256() string { return f.Hashes["sha256"] }

// IsWheel reports whether the file is a wheel (by its name).
func (f File) IsWheel() bool { return strings.HasSuffix(f.Name, ".whl") }

// Constraint is a version constraint (a requires-python, or a poetry.lock
// dependency's versions): a version satisfies it when it satisfies one of
// its alternatives (Poetry writes unions with "||"). The empty constraint
// admits every version.
type Constraint []pep440.Specifiers

// Admits reports whether the version v satisfies the constraint.
func (c Constraint) Admits(v pep440.Version) bool {
	if len(c) == 0 {
		return true
	}
	for _, s := range c {
		if s.Contains(v, true) {
			return true
		}
	}
	return false
}

// String writes the constraint in PEP 440 terms, alternatives joined by " || ".
func (c Constraint) String() string {
	parts := make([]string, len(c))
	for i, s := range c {
		parts[i] = s.String()
		if parts[i] == "" {
			parts[i] = "*"
		}
	}
	return strings.Join(parts, " || ")
}

// specifierConstraint is the constraint of one specifier set.
func specifierConstraint(s pep440.Specifiers) Constraint {
	if s.IsEmpty() {
		return nil
	}
	return Constraint{s}
}
