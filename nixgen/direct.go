package nixgen

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/req2nix/req2nix/resolver"
)

// Fetchers of direct references, beside "fetchPypi" and "fetchurl".
const (
	// FetcherPath is a local file or directory as a Nix path: Nix copies
	// and hashes its contents, so it is pinned by construction.
	FetcherPath = "path"
	// FetcherGit is builtins.fetchGit at a full commit.
	FetcherGit = "fetchGit"
)

// decideDirect plans a direct reference (name @ url, a local path, a git
// commit): never nixpkgs' package as is, always the referenced source; an
// override of nixpkgs' expression when nixpkgs has the project and the
// source is built (not a wheel), else a new package.
func decideDirect(d *Decision, p resolver.Package) {
	src, err := resolver.ParseDirectURL(p.DirectURL)
	if err != nil {
		d.Kind, d.Problem = KindNew, fmt.Sprintf("%s: direct reference %s: %v", p.Name, p.DirectURL, err)
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
		d.Src = &Source{Fetcher: FetcherGit, URL: src.URL, Rev: src.Rev, Subdirectory: src.Subdirectory, FileKind: "git"}
		d.Notes = append(d.Notes, "built from a git commit with setuptools unless its [build-system] is known: add its build backend to build-system if it uses another")
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
// whether s was one. builtins.fetchGit gets allRefs = true: without it Nix
// only finds commits reachable from the default branch.
func writeDirectSrc(p *printer, s *Source) bool {
	switch s.Fetcher {
	case FetcherPath:
		p.bind("src", s.PathExpr)
	case FetcherGit:
		p.open("src = builtins.fetchGit {")
		p.bind("url", nixString(s.URL))
		p.bind("rev", nixString(s.Rev))
		p.bind("allRefs", "true")
		p.close("};")
		if s.Subdirectory != "" {
			// fetchGit's store path is named "source"; the build starts in
			// the project's directory inside it.
			p.bind("sourceRoot", nixString("source/"+s.Subdirectory))
		}
	default:
		return false
	}
	return true
}

// pathLiteral is what a Nix path literal may hold without quoting.
var pathLiteral = regexp.MustCompile(`^[A-Za-z0-9._+-]+(/[A-Za-z0-9._+-]+)*$`)

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
		if pathLiteral.MatchString(strings.TrimPrefix(p, "/")) {
			return p
		}
		return "(" + pathExpr(p) + ")"
	}
	switch {
	case p == ".":
		return "./."
	case pathLiteral.MatchString(p) && strings.HasPrefix(p, "../"):
		return p
	case pathLiteral.MatchString(p):
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
