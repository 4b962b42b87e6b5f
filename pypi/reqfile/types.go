// Package reqfile reads a project's declared dependencies: requirements
// files with pip's syntax, and pyproject.toml (PEP 621, PEP 735 dependency
// groups, Poetry). The result is one plain File the resolver consumes.
//
// Requirements files are read exactly as pip's req_file.py reads them:
// decoded by byte order mark or PEP 263 coding line, lines are split as Python's str.splitlines does, continuation lines are
// joined, comments stripped, ${VAR} references expanded, and each logical
// line is split into a requirement and options that are tokenised like
// shlex and parsed like optparse (including unique prefixes of long
// options). Where pip would silently ignore something that matters for a
// reproducible Nix environment, reqfile records a warning instead.
package reqfile

import (
	"fmt"
	"strconv"

	"github.com/req2nix/req2nix/pypi/pep508"
)

// Source is where a requirement or option came from.
type Source struct {
	File string // path as the user named it (or relative to the including file's directory)
	Line int    // 1-based; 0 when unknown
}

// String formats the source as "file:line", or "file" when the line is unknown.
func (s Source) String() string {
	if s.Line == 0 {
		return s.File
	}
	return fmt.Sprintf("%s:%d", s.File, s.Line)
}

// Requirement is one root requirement or constraint. A direct reference
// whose name only its source's metadata tells (a git or archive URL without
// #egg=) has Name "" and its URL set: the resolver reads the name, as pip
// does.
type Requirement struct {
	pep508.Requirement
	Source   Source
	Editable bool     // -e / --editable, or Poetry's develop = true
	Hashes   []string // "sha256:<hex>" from --hash, to verify against the chosen files
	// Version is the version named by a wheel or sdist filename of a direct
	// reference ("./dist/foo-1.0.tar.gz" gives "1.0"), "" otherwise.
	Version string
	// AllowPrereleases is Poetry's allow-prereleases = true for this
	// requirement.
	AllowPrereleases bool
}

// File is everything read from one or more input files.
type File struct {
	Requirements         []Requirement
	Constraints          []Requirement // -c files: narrow versions, add no packages
	IndexURL             string        // -i / --index-url ("" = default)
	IndexURLSource       Source        // where IndexURL was set
	ExtraIndexURLs       []string      // --extra-index-url, in order, without repeats
	NoIndex              bool          // --no-index: pip then ignores IndexURL and ExtraIndexURLs
	FindLinks            []string      // -f / --find-links (relative paths joined to the file's directory when they exist there)
	TrustedHosts         []string      // --trusted-host
	NoBinary             []string      // --no-binary: ":all:" or normalised names, after pip's override rules
	OnlyBinary           []string      // --only-binary: likewise
	AllReleases          []string      // --all-releases (and --pre, as ":all:"): ":all:" or normalised names, after pip's override rules; see PrereleasePolicy
	OnlyFinal            []string      // --only-final: likewise
	Pre                  bool          // --pre
	RequireHashes        bool          // --require-hashes
	RequiresPython       string        // PEP 440 specifiers from [project] requires-python (else Poetry's python), "" when absent
	RequiresPythonSource Source
	ProjectName          string        // [project] name or [tool.poetry] name
	BuildRequires        []Requirement // [build-system] requires
	Inputs               []string      // the files read as named (a directory stands for its dependency file), without includes
	Groups               []string      // dependency groups the pyproject.toml files define (PEP 735, Poetry), normalised, selected or not
	Extras               []string      // extras they define, likewise
	Warnings             []string      // "file:line: ..." for ignored options and the like
}

// Selection says which optional parts of a pyproject.toml to include.
// Names are compared in their PEP 503 normalised form. Groups are included
// only when named here, whether PEP 735 or Poetry groups (Poetry's own
// "optional" flag does not matter); a group named by both is one group.
type Selection struct {
	Extras    []string // [project.optional-dependencies] / [tool.poetry.extras] to include
	Groups    []string // PEP 735 [dependency-groups] / Poetry groups to include
	AllExtras bool     // include every extra
}

// Error is a problem in an input file. Its text reads
// "requirements.txt:3: <what is wrong>; <how to fix>".
type Error struct {
	Source Source
	Col    int    // 1-based column within the (logical) line; 0 when not known
	Msg    string // what is wrong and how to fix it
	Err    error  // the underlying error (for example a pep508 syntax error), or nil
}

// Error formats the error as "file:line[:col]: msg".
func (e *Error) Error() string {
	loc := e.Source.String()
	if loc == "" {
		return e.Msg
	}
	if e.Col > 0 && e.Source.Line > 0 {
		loc += ":" + strconv.Itoa(e.Col)
	}
	return loc + ": " + e.Msg
}

// Unwrap returns the underlying error, if any.
func (e *Error) Unwrap() error { return e.Err }

func errorf(src Source, format string, args ...any) *Error {
	return &Error{Source: src, Msg: fmt.Sprintf(format, args...)}
}

func warnf(src Source, format string, args ...any) string {
	return src.String() + ": " + fmt.Sprintf(format, args...)
}
