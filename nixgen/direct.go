package nixgen

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/req2nix/req2nix/internal/lazyre"
	"github.com/req2nix/req2nix/resolver"
)

// Fetchers of direct references, beside "fetchPypi" and "fetchurl".
const (
	// FetcherPath is a local file or directory as a Nix path: Nix copies
	// and hashes its contents, so it is pinned by construction.
	FetcherPath = "path"
	// FetcherFetchgit is pkgs.fetchgit at a commit, pinned by the NAR hash
	// of its checkout: a fixed-output fetch, substitutable and allowed in
	// pure and restricted evaluation.
	FetcherFetchgit = "fetchgit"
	// FetcherGit is builtins.fetchGit at a full commit, for git sources
	// whose checkout hash is unknown (the commit pins the content).
	FetcherGit = "fetchGit"
)

// directSource is the package's source as the resolver pinned it, or as
// its URL says (a resolution made elsewhere).
func directSource(p resolver.Package) (resolver.DirectSource, error) {
	if p.Source != nil {
		return *p.Source, nil
	}
	return resolver.ParseDirectURL(p.DirectURL)
}

// decideDirect plans a direct reference (name @ url, a local path, a git
// commit): never nixpkgs' package as is, always the referenced source; an
// override of nixpkgs' expression when nixpkgs has the project and the
// source is built (not a wheel), else a new package.
func decideDirect(d *Decision, p resolver.Package) {
	src, err := directSource(p)
	if err != nil {
		d.Kind, d.Problem = KindNew, fmt.Sprintf("%s: direct reference %s: %v", p.Name, resolver.DirectPinKey(p.DirectURL), err)
		return
	}
	wheel := false
	switch src.Kind {
	case resolver.DirectArchive:
		if len(p.Files) != 1 {
			d.Kind, d.Problem = KindNew, fmt.Sprintf("%s %s has no archive to fetch%s", p.Name, p.Version, directHint(p))
			return
		}
		d.Src, d.Problem = source(p, p.Files[0])
		wheel = p.Files[0].Kind == "wheel"
	case resolver.DirectLocalArchive:
		wheel = strings.HasSuffix(src.Path, ".whl")
		d.Src = &Source{Fetcher: FetcherPath, Path: src.Path, Filename: path.Base(src.Path), FileKind: fileKind(wheel)}
	case resolver.DirectDirectory:
		d.Src = &Source{Fetcher: FetcherPath, Path: path.Join(src.Path, src.Subdirectory), FileKind: "directory"}
	case resolver.DirectGit:
		d.Src, d.Problem = gitSource(p, src)
		d.Notes = append(d.Notes, gitNotes(p, src)...)
	}
	if d.Problem == "" && d.Src != nil {
		d.Problem = checkDirectSource(p.Name, d.Src)
	}
	switch {
	case wheel:
		d.Kind, d.Format, d.BinaryWheel = KindNew, "wheel", !isPure(d.Src.Filename)
	case d.InNixpkgs:
		d.Kind = KindOverride
	default:
		d.Kind, d.Format, d.BuildSystem = KindNew, "pyproject", append([]string(nil), defaultBuildSystem...)
	}
}

// gitSource fetches a git commit: with pkgs.fetchgit pinned by the
// checkout's NAR hash when the resolver hashed it, else with
// builtins.fetchGit pinned by the commit.
func gitSource(p resolver.Package, src resolver.DirectSource) (*Source, string) {
	if src.Rev == "" {
		return nil, fmt.Sprintf("%s: git reference %s names no commit: write the full 40-hex commit after '@' (a resolution that reads the repository resolves the ref itself)", p.Name, resolver.DirectPinKey(p.DirectURL))
	}
	if !gitCommitRE.R().MatchString(src.Rev) {
		return nil, fmt.Sprintf("%s: git commit %q is not 40 lower-case hex digits", p.Name, src.Rev)
	}
	if sub := src.Subdirectory; sub != "" && (path.Clean(sub) != sub || path.IsAbs(sub) || sub == ".." || strings.HasPrefix(sub, "../")) {
		return nil, fmt.Sprintf("%s: subdirectory %q is not a clean path inside the repository", p.Name, sub)
	}
	s := &Source{Fetcher: FetcherGit, URL: src.URL, Rev: src.Rev, Subdirectory: src.Subdirectory, FileKind: "git"}
	if src.TreeHash != "" {
		if !isSRI(src.TreeHash) {
			return nil, fmt.Sprintf("%s: git checkout hash %q is not an SRI sha256 (sha256-<44 base64 characters>)", p.Name, src.TreeHash)
		}
		s.Fetcher, s.Hash = FetcherFetchgit, src.TreeHash
	}
	return s, ""
}

var gitCommitRE = lazyre.New(`^[0-9a-f]{40}$`)

// gitNotes explain what a git source's build may lack: its submodules
// (fetched by neither the hash nor the output) and an unknown build
// backend.
func gitNotes(p resolver.Package, src resolver.DirectSource) []string {
	var notes []string
	if len(src.Submodules) > 0 {
		notes = append(notes, "its git submodules ("+strings.Join(src.Submodules, ", ")+") are not fetched: vendor what the build needs, or use an sdist")
	}
	if p.BuildRequires == nil {
		notes = append(notes, "built from a git commit with setuptools unless its [build-system] is known: add its build backend to build-system if it uses another")
	}
	return notes
}

func fileKind(wheel bool) string {
	if wheel {
		return "wheel"
	}
	return "sdist"
}

// checkDirectSource rejects values no output can carry (NUL bytes, ...);
// everything else goes into string literals.
func checkDirectSource(name string, s *Source) string {
	for _, v := range []string{s.URL, s.Path, s.Rev, s.Subdirectory} {
		if err := checkNixValue("source of "+name, v); err != nil {
			return err.Error()
		}
	}
	return ""
}

// writeDirectSrc writes the src of a path or git source and reports
// whether s was one. pkgs.fetchgit gets fetchSubmodules = false (its
// default is true): the hash is of the checkout without them.
// builtins.fetchGit gets allRefs = true: without it Nix only finds commits
// reachable from the default branch.
func writeDirectSrc(p *printer, s *Source) bool {
	switch s.Fetcher {
	case FetcherPath:
		p.bind("src", s.PathExpr)
	case FetcherFetchgit:
		p.open("src = pkgs.fetchgit {")
		p.bind("url", nixString(s.URL))
		p.bind("rev", nixString(s.Rev))
		p.bind("hash", nixString(s.Hash))
		p.bind("fetchSubmodules", "false")
		if s.Subdirectory != "" {
			p.bind("name", nixString("source")) // for sourceRoot below
		}
		p.close("};")
		writeSourceRoot(p, s)
	case FetcherGit:
		p.open("src = builtins.fetchGit {")
		p.bind("url", nixString(s.URL))
		p.bind("rev", nixString(s.Rev))
		p.bind("allRefs", "true")
		p.close("};")
		writeSourceRoot(p, s)
	default:
		return false
	}
	return true
}

// writeSourceRoot starts the build in the project's directory inside a
// git checkout, whose store path is named "source".
func writeSourceRoot(p *printer, s *Source) {
	if s.Subdirectory != "" {
		p.bind("sourceRoot", nixString("source/"+s.Subdirectory))
	}
}

// pathLiteral is what a Nix path literal may hold without quoting.
var pathLiteral = lazyre.New(`^[A-Za-z0-9._+-]+(/[A-Za-z0-9._+-]+)*$`)

// relativePathExpr is the Nix expression of the local path abs as seen from
// a file in dir: a path literal relative to dir ("./pkg", "../pkg") when
// its characters allow one, else ./. + "/..." (any name stays inside a
// string literal); an absolute one when dir is "".
func relativePathExpr(abs, dir string) string {
	p := filepath.ToSlash(abs)
	if dir != "" {
		if absDir, err := filepath.Abs(dir); err == nil {
			dir = absDir
		}
		if rel, err := filepath.Rel(dir, abs); err == nil {
			p = filepath.ToSlash(rel)
		}
	}
	if path.IsAbs(p) {
		if pathLiteral.R().MatchString(strings.TrimPrefix(p, "/")) {
			return p
		}
		return "(" + pathExpr(p) + ")"
	}
	switch {
	case p == ".":
		return "./."
	case pathLiteral.R().MatchString(p) && strings.HasPrefix(p, "../"):
		return p
	case pathLiteral.R().MatchString(p):
		return "./" + p
	}
	return "(" + pathExpr(p) + ")"
}

// resolvePaths fills in the path expressions of local sources, relative to
// the output's directory, noting those outside it.
func resolvePaths(ds []Decision, outputDir string) {
	for i := range ds {
		if s := ds[i].Src; s != nil && s.Fetcher == FetcherPath {
			s.PathExpr = relativePathExpr(s.Path, outputDir)
			if s.PathExpr == "./.." || strings.HasPrefix(s.PathExpr, "../") || strings.HasPrefix(s.PathExpr, "/") || strings.HasPrefix(s.PathExpr, "(/.") || strings.HasPrefix(s.PathExpr, `(./. + "/..`) {
				ds[i].Notes = append(ds[i].Notes, "its source is outside the output's directory: a flake cannot read it in pure evaluation")
			}
		}
	}
}

// readBuildRequires reads [build-system] requires from a pyproject.toml;
// false when the file or the key is absent or unreadable.
func readBuildRequires(file string) ([]string, bool) {
	body, err := os.ReadFile(file)
	if err != nil || len(body) > 4<<20 {
		return nil, false
	}
	var doc struct {
		BuildSystem *struct {
			Requires []string `toml:"requires"`
		} `toml:"build-system"`
	}
	if err := toml.NewDecoder(bytes.NewReader(body)).Decode(&doc); err != nil || doc.BuildSystem == nil || doc.BuildSystem.Requires == nil {
		return nil, false
	}
	return doc.BuildSystem.Requires, true
}
