package nixgen

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/req2nix/req2nix/resolver"
)

// goldenOutputDir is where the golden outputs are written as if: local
// direct references below it become paths relative to it.
const goldenOutputDir = "/home/user/project"

const commitA = "0123456789abcdef0123456789abcdef01234567"

// directPkg is a root direct reference.
func directPkg(name, version, url string, deps []string, files ...resolver.File) resolver.Package {
	p := root(pkg(name, version, deps, files...))
	p.DirectURL, p.MetadataSource = url, "direct"
	return p
}

// gitPkg is a git reference as the resolver pins it: its ref resolved to a
// commit, the checkout hashed.
func gitPkg(name, version, url string, src resolver.DirectSource, buildRequires []string, deps []string) resolver.Package {
	p := directPkg(name, version, url, deps)
	src.Kind = resolver.DirectGit
	p.Source, p.BuildRequires = &src, buildRequires
	return p
}

// fakeSRI is a made-up SRI sha256 of s.
func fakeSRI(s string) string {
	h := sha256.Sum256([]byte(s))
	return "sha256-" + base64.StdEncoding.EncodeToString(h[:])
}

const commitB = "89abcdef0123456789abcdef0123456789abcdef"

// directResolution has every kind of direct reference: https archives (a
// wheel on PyPI's host, an sdist elsewhere, a snapshot pinned to its
// downloaded digest), local directories (below the output, beside it, with
// a space and Nix syntax or non-ASCII in their names, one replacing
// nixpkgs' package), a local wheel, git commits given in the URL (one in a
// subdirectory, one with quotes and ${ in its URL) and git refs the
// resolver pinned (one with its build backend known, one in a
// subdirectory with submodules).
func directResolution() *resolver.Resolution {
	flaskWheel := "https://files.pythonhosted.org/packages/py3/f/flask/flask-3.0.3-py3-none-any.whl"
	return &resolver.Resolution{
		Python: "3.12.10", Platform: "x86_64-linux",
		Packages: []resolver.Package{
			directPkg("cafe", "1.0", "file:///home/user/project/caf%C3%A9", nil),
			pkg("click", "7.1.1", nil, sdist("click-7.1.1.tar.gz")),
			directPkg("evil", "0+git.0123456789ab", `git+https://example.com/a"${b}''.git@`+commitA+`#subdirectory=x"${y}`, nil),
			directPkg("flask", "3.0.3", flaskWheel+"#sha256="+fakeSHA256("flask-3.0.3-py3-none-any.whl"), []string{"click"},
				wheelAt(flaskWheel, "flask-3.0.3-py3-none-any.whl")),
			directPkg("localpkg", "0.1", "file:///home/user/project/localpkg", []string{"click"}),
			directPkg("localwheel", "2.0", "file:///home/user/project/dist/localwheel-2.0-py3-none-any.whl", nil,
				resolver.File{Kind: "wheel", Filename: "localwheel-2.0-py3-none-any.whl", URL: "file:///home/user/project/dist/localwheel-2.0-py3-none-any.whl"}),
			directPkg("mylib", "0+git.0123456789ab", "git+https://github.com/example/mylib.git@"+commitA+"#egg=mylib&subdirectory=py", nil),
			directPkg("mysdist", "1.0", "https://example.com/dl/mysdist-1.0.tar.gz", []string{"click"},
				sdistAt("https://example.com/dl/mysdist-1.0.tar.gz", "mysdist-1.0.tar.gz")),
			directPkg("requests", "2.99.0", "file:///home/user/project/vendor/requests", nil),
			gitPkg("gitpin", "0+git.89abcdef0123", "git+https://github.com/example/gitpin.git@main",
				resolver.DirectSource{URL: "https://github.com/example/gitpin.git", Ref: "main", Rev: commitB, TreeHash: fakeSRI("gitpin")}, []string{"setuptools"}, []string{"click"}),
			gitPkg("gitsub", "2.0", "git+ssh://git@example.com/mono.git#subdirectory=python",
				resolver.DirectSource{URL: "ssh://git@example.com/mono.git", Rev: commitB, Subdirectory: "python", TreeHash: fakeSRI("gitsub"), Submodules: []string{"vendor/lib"}}, nil, nil),
			func() resolver.Package {
				p := directPkg("snapshot", "0.3", "https://example.com/archive/master.zip", nil, sdistAt("https://example.com/archive/master.zip", "master.zip"))
				p.Source = &resolver.DirectSource{Kind: resolver.DirectArchive, URL: "https://example.com/archive/master.zip", SHA256: fakeSHA256("master.zip")}
				return p
			}(),
			directPkg("util", "0+local", "file:///home/user/shared/util", nil),
			directPkg("weird", "1.0", "file:///home/user/project/%24%7Bx%7D%22%20dir", nil),
		},
		Warnings: []string{"dependencies of mylib (git+https://github.com/example/mylib.git@" + commitA + "#egg=mylib&subdirectory=py) are not resolved"},
	}
}

// importOutput is a Nix expression importing an output file with a
// builtins.fetchGit that records its arguments instead of fetching: the
// tests run without a network, and the arguments are what they check.
func importOutput(file string) string {
	return `(scopedImport { builtins = builtins // { fetchGit = a: ` +
		`assert builtins.attrNames a == [ "allRefs" "rev" "url" ] && a.allRefs; ` +
		`{ type = "fetched"; url = "git+" + a.url + "@" + a.rev; hash = ""; name = "source"; }; }; } (` + pathExpr(file) + `))`
}

// directSrcOf reports whether an evaluated golden's package fetches the
// direct reference of rp (see wantDirectSrc; goldens live in
// testdata/golden).
func directSrcOf(p envPackage, rp resolver.Package) bool {
	dir, _ := filepath.Abs(filepath.Join("testdata", "golden"))
	url, root, ok := wantDirectSrc(rp, dir)
	got := ""
	if p.SourceRoot != nil {
		got = *p.SourceRoot
	}
	hash := ""
	if rp.Source != nil && rp.Source.Kind == resolver.DirectGit {
		hash = rp.Source.TreeHash
	}
	return ok && p.URL == url && got == root && p.Hash == hash
}

// wantDirectSrc is what inspect.nix reports for the src of a git or local
// direct reference in an output written to goldenOutputDir and evaluated
// from evalDir: "git+<url>@<rev>" (recorded by the stub's fetchgit or
// importOutput's fetchGit) and its sourceRoot, or "path:<the same relative
// path from evalDir>".
func wantDirectSrc(rp resolver.Package, evalDir string) (url, sourceRoot string, ok bool) {
	src, err := directSource(rp)
	if err != nil {
		return "", "", false
	}
	switch src.Kind {
	case resolver.DirectGit:
		if src.Subdirectory != "" {
			sourceRoot = "source/" + src.Subdirectory
		}
		return "git+" + src.URL + "@" + src.Rev, sourceRoot, true
	case resolver.DirectDirectory, resolver.DirectLocalArchive:
		rel, err := filepath.Rel(goldenOutputDir, filepath.Join(src.Path, src.Subdirectory))
		if err != nil {
			return "", "", false
		}
		return "path:" + filepath.Join(evalDir, rel), "", true
	}
	return "", "", false
}

// FuzzDirectSource: whatever a direct reference's URL holds, planning
// refuses it or writes Nix that evaluates (against the stub, fetchGit
// recorded) to exactly that source: nothing escapes a string or a path.
func FuzzDirectSource(f *testing.F) {
	f.Fuzz(func(t *testing.T, url string) {
		src, err := resolver.ParseDirectURL(url)
		if err != nil || src.Kind == resolver.DirectArchive {
			return // archives are fetched like index files (FuzzGenerate)
		}
		p := directPkg("x", "1", url, nil)
		if src.Kind == resolver.DirectLocalArchive {
			p.Files = []resolver.File{{Kind: "sdist", Filename: filepath.Base(src.Path), URL: url}}
		}
		res := &resolver.Resolution{Python: "3.12.10", Packages: []resolver.Package{p}}
		out, err := generate(res, stubIndex(t), goldenOptions(FormatShell))
		if err != nil {
			return
		}
		dir := t.TempDir()
		file := filepath.Join(dir, "shell.nix")
		if err := os.WriteFile(file, out, 0o644); err != nil {
			t.Fatal(err)
		}
		env := evalEnv(t, evalCase{format: FormatShell, file: file})
		want, root, _ := wantDirectSrc(p, dir)
		if len(env.Packages) != 1 || env.Packages[0].URL != want {
			t.Fatalf("evaluates to %+v, want src %q (root %q)\n%s", env.Packages, want, root, out)
		}
		if got := env.Packages[0].SourceRoot; (got == nil) != (root == "") || (got != nil && *got != root) {
			t.Fatalf("sourceRoot %v, want %q", got, root)
		}
	})
}

// TestResolvePathsOutside: a local source outside the output's directory
// (the parent included) is noted, one inside is not.
func TestResolvePathsOutside(t *testing.T) {
	tests := []struct {
		abs, dir string
		outside  bool
	}{
		{"/p/pkg", "/p", false},
		{"/p", "/p", false},
		{"/p", "/p/nix", true},
		{"/q/pkg", "/p", true},
		{"/p/pkg", "", true},
	}
	for _, tt := range tests {
		ds := []Decision{{Name: "a", Src: &Source{Fetcher: FetcherPath, Path: tt.abs}}}
		resolvePaths(ds, tt.dir)
		if noted := len(ds[0].Notes) > 0; noted != tt.outside {
			t.Errorf("%s from %q (%s): noted %v, want %v", tt.abs, tt.dir, ds[0].Src.PathExpr, noted, tt.outside)
		}
	}
}

// TestRelativePathExpr: a path literal when the characters allow one,
// else a string appended to ./. or /. (nothing leaves the string).
func TestRelativePathExpr(t *testing.T) {
	tests := []struct{ abs, dir, want string }{
		{"/p/pkg", "/p", "./pkg"},
		{"/p/a/b-1.0+x_y.whl", "/p", "./a/b-1.0+x_y.whl"},
		{"/p", "/p", "./."},
		{"/q/pkg", "/p", "../q/pkg"},
		{"/p/my pkg", "/p", `(./. + "/my pkg")`},
		{"/p/${x}\"", "/p", `(./. + "/\${x}\"")`},
		{"/p/café", "/p", `(./. + "/café")`},
		{"/p/pkg", "", "/p/pkg"},
		{"/p/my pkg", "", `(/. + "/p/my pkg")`},
	}
	for _, tt := range tests {
		if got := relativePathExpr(tt.abs, tt.dir); got != tt.want {
			t.Errorf("relativePathExpr(%q, %q) = %s, want %s", tt.abs, tt.dir, got, tt.want)
		}
	}
	wd, _ := os.Getwd()
	if got := relativePathExpr(filepath.Join(wd, "pkg"), "."); got != "./pkg" {
		t.Errorf("relative to the current directory: %s, want ./pkg", got)
	}
}

// TestDirectDecisions: how each kind of direct reference is planned.
func TestDirectDecisions(t *testing.T) {
	ds := planWith(t, directResolution(), stubIndex(t)).Packages
	got := map[string]string{}
	for _, d := range ds {
		s := "as-is"
		if d.Src != nil {
			s = d.Src.Fetcher + " " + d.Src.FileKind
		}
		got[d.Name] = strings.Join([]string{string(d.Kind), d.Format, s, d.Problem}, "|")
	}
	want := map[string]string{
		"cafe":       "new|pyproject|path directory|",
		"click":      "as-is||as-is|",
		"evil":       "new|pyproject|fetchGit git|",
		"flask":      "new|wheel|fetchPypi wheel|",
		"gitpin":     "new|pyproject|fetchgit git|",
		"gitsub":     "new|pyproject|fetchgit git|",
		"localpkg":   "new|pyproject|path directory|",
		"localwheel": "new|wheel|path wheel|",
		"mylib":      "new|pyproject|fetchGit git|",
		"mysdist":    "new|pyproject|fetchurl sdist|",
		"requests":   "override||path directory|",
		"snapshot":   "new|pyproject|fetchurl sdist|",
		"util":       "new|pyproject|path directory|",
		"weird":      "new|pyproject|path directory|",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
}

// TestDirectProblems: what cannot be emitted is refused, saying why.
func TestDirectProblems(t *testing.T) {
	tests := []struct {
		name string
		p    resolver.Package
		want string
	}{
		{"archive without a hash", directPkg("x", "1", "https://e/x-1.tar.gz", nil, resolver.File{Kind: "sdist", Filename: "x-1.tar.gz", URL: "https://e/x-1.tar.gz"}), "not 64 hex digits"},
		{"archive with no file", directPkg("x", "1", "https://e/x-1.tar.gz", nil), "add #sha256=<hex>"},
		{"git branch", directPkg("x", "1", "git+https://e/x@main", nil), "write the full 40-hex commit"},
		{"NUL in a path", directPkg("x", "1", "file:///p/a%00b", nil), "NUL"},
	}
	for _, tt := range tests {
		_, err := generate(&resolver.Resolution{Python: "3.12.10", Packages: []resolver.Package{tt.p}}, stubIndex(t), goldenOptions(FormatShell))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
}

// TestDirectBuildSystem: a local directory is built with the build
// system its pyproject.toml names (PEP 518: setuptools without one), read
// without asking Facts.
func TestDirectBuildSystem(t *testing.T) {
	withToml, without := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(withToml, "pyproject.toml"), []byte("[build-system]\nrequires = [\"setuptools>=61\", \"flit_core ; python_version < '3'\", \"unknown-backend\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		dir   string
		want  []string
		notes int
	}{
		{withToml, []string{"setuptools"}, 1},
		{without, []string{"setuptools"}, 0},
	}
	for _, tt := range tests {
		res := &resolver.Resolution{Python: "3.12.10", Platform: "x86_64-linux", Packages: []resolver.Package{directPkg("loc", "1", "file://"+filepath.ToSlash(tt.dir), nil)}}
		p, err := MakePlan(context.Background(), res, stubIndex(t), nil, PlanOptions{OutputDir: tt.dir})
		if err != nil {
			t.Fatal(err)
		}
		d := p.Packages[0]
		if !reflect.DeepEqual(d.BuildSystem, tt.want) || len(d.Notes) != tt.notes || tt.notes > 0 && !strings.Contains(d.Notes[0], "unknown-backend") {
			t.Errorf("%s: build-system %v, notes %q; want %v and %d notes", tt.dir, d.BuildSystem, d.Notes, tt.want, tt.notes)
		}
	}
}

// FuzzGitSource: whatever a git source holds (from a lock file, say),
// Generate refuses it or writes Nix that evaluates against the stub to
// exactly that fetch: the URL, commit and hash as given, and the build
// starting in the given subdirectory of the checkout.
func FuzzGitSource(f *testing.F) {
	f.Add("https://github.com/o/r.git", commitB, fakeSRI("r"), "")
	f.Add(`https://h/a"${b}''.git`, commitB, fakeSRI("x"), `py/x"${y}`)
	f.Fuzz(func(t *testing.T, url, rev, hash, sub string) {
		p := gitPkg("x", "1", "git+"+url, resolver.DirectSource{URL: url, Rev: rev, TreeHash: hash, Subdirectory: sub}, nil, nil)
		res := &resolver.Resolution{Python: "3.12.10", Packages: []resolver.Package{p}}
		out, err := generate(res, stubIndex(t), goldenOptions(FormatShell))
		if err != nil {
			return
		}
		file := filepath.Join(t.TempDir(), "shell.nix")
		if err := os.WriteFile(file, out, 0o644); err != nil {
			t.Fatal(err)
		}
		env := evalEnv(t, evalCase{format: FormatShell, file: file})
		if len(env.Packages) != 1 || env.Packages[0].URL != "git+"+url+"@"+rev || env.Packages[0].Hash != hash {
			t.Fatalf("evaluates to %+v\n%s", env.Packages, out)
		}
		if got := env.Packages[0].SourceRoot; (got == nil) != (sub == "") || got != nil && *got != "source/"+sub {
			t.Fatalf("sourceRoot %v, want source/%s", got, sub)
		}
	})
}
