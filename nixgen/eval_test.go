package nixgen

import (
	"encoding/json"
	"fmt"
	"net/url"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/req2nix/req2nix/pypi/pep508"
	"github.com/req2nix/req2nix/resolver"
)

// envPackage is one package of a stub environment, as inspect.nix reports it.
type envPackage struct {
	PName             string   `json:"pname"`
	Version           string   `json:"version"`
	Format            *string  `json:"format"`
	DoCheck           bool     `json:"doCheck"`
	URL               string   `json:"url"`
	Hash              string   `json:"hash"`
	Patches           int      `json:"patches"`
	Dependencies      []string `json:"dependencies"`
	BuildSystem       []string `json:"build-system"`
	NativeBuildInputs []string `json:"nativeBuildInputs"`
	SourceRoot        *string  `json:"sourceRoot"` // git direct references in a subdirectory
}

type envReport struct {
	Python   string       `json:"python"`
	Packages []envPackage `json:"packages"`
}

// stubFakeHash is the hash of every src of the stub's own packages.
const stubFakeHash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

// evalCase is one output file to evaluate against the stub nixpkgs.
type evalCase struct {
	format string   // FormatShell, FormatFlake or FormatOverlay
	file   string   // absolute path of the output
	python string   // interpreter attribute, for overlay.nix
	attrs  []string // attributes to put in the environment, for overlay.nix
	// stubArgs, when set, is the argument set the stub is imported with
	// (e.g. its own package list), passed to shell.nix as pkgs; otherwise
	// shell.nix imports the stub itself as its nixpkgs.
	stubArgs string
}

// expr returns a Nix expression evaluating the output against the stub to
// inspect.nix's summary of its Python environment.
func (c evalCase) expr(stub string) string {
	inspect := "import " + nixString(filepath.Join(stub, "inspect.nix"))
	args := c.stubArgs
	if args == "" {
		args = "{ }"
	}
	switch c.format {
	case FormatShell:
		shellArgs := "{ nixpkgs = " + pathExpr(stub) + "; }"
		if c.stubArgs != "" {
			shellArgs = "{ pkgs = import (" + pathExpr(stub) + ") " + args + "; }"
		}
		return fmt.Sprintf(`let shell = %s %s; in %s (builtins.head shell.packages)`,
			importOutput(c.file), shellArgs, inspect)
	case FormatFlake:
		// Every system's shell must evaluate, and to the same environment.
		// The systems are the four, or only the resolution's platform when a
		// package comes from a platform-specific wheel (the golden shows
		// which).
		return fmt.Sprintf(`let
		  out = (%s).outputs { nixpkgs = import (%s) %s; };
		  envs = map (s: %s (builtins.head out.devShells.${s}.default.packages)) (builtins.attrNames out.devShells);
		  systems = builtins.attrNames out.devShells;
		in assert systems == [ "aarch64-darwin" "aarch64-linux" "x86_64-darwin" "x86_64-linux" ] || systems == [ "x86_64-linux" ];
		   assert builtins.all (e: e == builtins.head envs) envs;
		   builtins.head envs`,
			importOutput(c.file), pathExpr(filepath.Join(stub, "flake-input.nix")), args, inspect)
	}
	list := make([]string, len(c.attrs))
	for i, a := range c.attrs {
		list[i] = "ps." + nixAttr(a)
	}
	return fmt.Sprintf(`let
	  pkgs = import (%s) %s;
	  python = pkgs.%s.override { self = python; packageOverrides = %s { inherit pkgs; }; };
	in %s (python.withPackages (ps: [ %s ]))`,
		pathExpr(stub), args, c.python, importOutput(c.file), inspect, strings.Join(list, " "))
}

// evalEnv evaluates an output against the stub and decodes the summary.
func evalEnv(t *testing.T, c evalCase) envReport {
	t.Helper()
	out, err := nix(t, "--eval", "--strict", "--json", "-E", c.expr(stubDir(t)))
	if err != nil {
		t.Fatal(err)
	}
	var env envReport
	if err := json.Unmarshal(out, &env); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return env
}

// TestGoldenEvaluates evaluates every Nix golden with real Nix against the
// stub nixpkgs and checks the environment: exactly the resolved packages at
// the resolved versions, each overridden or new one fetched from the
// resolution's file with its hash, checks off and patches dropped, and the
// as-is ones untouched nixpkgs packages.
func TestGoldenEvaluates(t *testing.T) {
	ix := stubIndex(t)
	for _, c := range goldenCases {
		res := c.res()
		ds := planWith(t, res, ix).Packages
		attrs := make([]string, len(ds))
		for i, d := range ds {
			attrs[i] = d.Attr
		}
		for _, format := range []string{FormatShell, FormatFlake, FormatOverlay} {
			t.Run(c.name+"/"+format, func(t *testing.T) {
				file, _ := filepath.Abs(goldenPath(c.name, format))
				env := evalEnv(t, evalCase{format: format, file: file, python: "python312", attrs: attrs})
				checkEnv(t, env, "python312", res, ds)
			})
		}
	}
}

func checkEnv(t *testing.T, env envReport, python string, res *resolver.Resolution, ds []Decision) {
	t.Helper()
	if env.Python != python {
		t.Errorf("environment interpreter %s, want %s", env.Python, python)
	}
	got := map[string]envPackage{}
	for _, p := range env.Packages {
		got[pep508.NormalizeName(p.PName)] = p
	}
	var gotNames, wantNames []string
	for n, p := range got {
		gotNames = append(gotNames, n+"=="+p.Version)
	}
	for _, p := range res.Packages {
		wantNames = append(wantNames, pep508.NormalizeName(p.Name)+"=="+p.Version)
	}
	sort.Strings(gotNames)
	sort.Strings(wantNames)
	if strings.Join(gotNames, " ") != strings.Join(wantNames, " ") {
		t.Fatalf("environment holds\n  %v\nwant exactly the resolution\n  %v", gotNames, wantNames)
	}
	files := map[string]resolver.Package{}
	for _, p := range res.Packages {
		files[pep508.NormalizeName(p.Name)] = p
	}
	attrName := map[string]string{}
	for _, d := range ds {
		attrName[d.Attr] = pep508.NormalizeName(d.Name)
	}
	for _, d := range ds {
		name := pep508.NormalizeName(d.Name)
		checkEnvPackage(t, d, got[name], files[name], attrName)
	}
}

func checkEnvPackage(t *testing.T, d Decision, p envPackage, rp resolver.Package, attrName map[string]string) {
	t.Helper()
	if d.Kind == KindAsIs {
		if p.Hash != stubFakeHash || !strings.HasPrefix(p.URL, "mirror://pypi/") {
			t.Errorf("%s: as-is package is not nixpkgs' own (src %s %s)", d.Name, p.URL, p.Hash)
		}
		return
	}
	if p.DoCheck || p.Patches != 0 {
		t.Errorf("%s: doCheck %v, %d patches; want checks off and no patches", d.Name, p.DoCheck, p.Patches)
	}
	if !fetchedFileOf(p.URL, p.Hash, rp.Files) && !directSrcOf(p, rp) {
		t.Errorf("%s: fetches %s (%s), which is none of the resolution's files %+v", d.Name, p.URL, p.Hash, rp.Files)
	}
	if d.Kind == KindOverride {
		return
	}
	wantDeps := append([]string(nil), d.Deps...)
	gotDeps := append([]string(nil), p.Dependencies...)
	for i := range gotDeps {
		gotDeps[i] = pep508.NormalizeName(gotDeps[i])
	}
	for i := range wantDeps {
		wantDeps[i] = attrName[wantDeps[i]]
	}
	sort.Strings(gotDeps)
	sort.Strings(wantDeps)
	if strings.Join(gotDeps, "\x00") != strings.Join(wantDeps, "\x00") {
		t.Errorf("%s: dependencies %q, want %q", d.Name, gotDeps, wantDeps)
	}
}

// fetchedFileOf reports whether a fetch (url, SRI hash) is one of files:
// the same hash and either the file's exact URL, or fetchPypi's
// mirror://pypi/<c>/<pname>/<filename> for a file stored on PyPI under that
// filename, which PyPI redirects to that file.
func fetchedFileOf(fetchURL, hash string, files []resolver.File) bool {
	for _, f := range files {
		sri, err := sriSHA256(f.SHA256)
		if err != nil || sri != hash {
			continue
		}
		if fetchURL == f.URL {
			return true
		}
		u, err := url.Parse(f.URL)
		if err == nil && u.Host == "files.pythonhosted.org" && strings.HasPrefix(fetchURL, "mirror://pypi/") &&
			path.Base(fetchURL) == f.Filename && path.Base(u.Path) == f.Filename {
			return true
		}
	}
	return false
}
