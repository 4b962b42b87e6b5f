// Package reqfile reads a project's declared dependencies: requirements
// files with pip's syntax, and pyproject.toml (PEP 621, PEP 735 dependency
// groups, Poetry). The result is one plain File the resolver consumes.
package reqfile

import (
	"fmt"

	"github.com/req2nix/req2nix/pypi/pep508"
)

// NOTE: agreed API skeleton; other packages compile against these types.

// Source is where a requirement or option came from.
type Source struct {
	File string // path as the user named it (or relative to the including file's directory)
	Line int    // 1-based; 0 when unknown
}

func (s Source) String() string {
	if s.Line == 0 {
		return s.File
	}
	return fmt.Sprintf("%s:%d", s.File, s.Line)
}

// Requirement is one root requirement or constraint.
type Requirement struct {
	pep508.Requirement
	Source   Source
	Editable bool     // -e / --editable
	Hashes   []string // "sha256:<hex>" from --hash, to verify against the chosen files
}

// File is everything read from one or more input files.
type File struct {
	Requirements         []Requirement
	Constraints          []Requirement // -c files: narrow versions, add no packages
	IndexURL             string        // -i / --index-url ("" = default)
	ExtraIndexURLs       []string
	FindLinks            []string
	TrustedHosts         []string
	NoBinary             []string // ":all:", ":none:" or normalised names
	OnlyBinary           []string
	Pre                  bool
	RequiresPython       string // PEP 440 specifiers from [project] requires-python, "" when absent
	RequiresPythonSource Source
	ProjectName          string        // [project] name or [tool.poetry] name
	BuildRequires        []Requirement // [build-system] requires
	Warnings             []string      // "file:line: ..." for ignored options and the like
}
