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
}

type envReport struct {
	Python   string       `json:"python"`
	Packages []envPackage `json:"packages"`
}

// stubFakeHash is the hash of every src of the stub's own packages.
const stubFakeHash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

// evalExpr returns, per Nix format, an expression evaluating the golden
// file against the stub nixpkgs to inspect.nix's summary of its Python
// environment.
func evalExpr(format, file, stub string, attrs []string) string {
	inspect := "import " + nixString(filepath.Join(stub, "inspect.nix"))
	switch format {
	case FormatShell:
		return fmt.Sprintf(`let shell = import (%s) { nixpkgs = %s; }; in %s (builtins.head shell.packages)`,
			pathExpr(file), pathExpr(stub), inspect)
	case FormatFlake:
		// Every system's shell must evaluate, and to the same environment.
		return fmt.Sprintf(`let
		  out = (import (%s)).outputs { nixpkgs = import (%s); };
		  envs = map (s: %s (builtins.head out.devShells.${s}.default.packages)) (builtins.attrNames out.devShells);
		in assert builtins.attrNames out.devShells == [ "aarch64-darwin" "aarch64-linux" "x86_64-darwin" "x86_64-linux" ];
		   assert builtins.all (e: e == builtins.head envs) envs;
		   builtins.head envs`,
			pathExpr(file), pathExpr(filepath.Join(stub, "flake-input.nix")), inspect)
	}
	list := make([]string, len(attrs))
	for i, a := range attrs {
		list[i] = "ps." + nixAttr(a)
	}
	return fmt.Sprintf(`let
	  pkgs = import (%s) { };
	  python = pkgs.python312.override { self = python; packageOverrides = import (%s) { inherit pkgs; }; };
	in %s (python.withPackages (ps: [ %s ]))`,
		pathExpr(stub), pathExpr(file), inspect, strings.Join(list, " "))
}

// TestGoldenEvaluates evaluates every Nix golden with real Nix against the
// stub nixpkgs and checks the environment: exactly the resolved packages at
// the resolved versions, each overridden or new one fetched from the
// resolution's file with its hash, checks off and patches dropped, and the
// as-is ones untouched nixpkgs packages.
func TestGoldenEvaluates(t *testing.T) {
	ix := stubIndex(t)
	stub := stubDir(t)
	for _, c := range goldenCases {
		res := c.res()
		ds := Plan(res, ix)
		attrs := make([]string, len(ds))
		for i, d := range ds {
			attrs[i] = d.Attr
		}
		for _, format := range []string{FormatShell, FormatFlake, FormatOverlay} {
			t.Run(c.name+"/"+format, func(t *testing.T) {
				file, _ := filepath.Abs(goldenPath(c.name, format))
				out, err := nix(t, "--eval", "--strict", "--json", "-E", evalExpr(format, file, stub, attrs))
				if err != nil {
					t.Fatal(err)
				}
				var env envReport
				if err := json.Unmarshal(out, &env); err != nil {
					t.Fatalf("%v: %s", err, out)
				}
				checkEnv(t, env, res, ds)
			})
		}
	}
}

func checkEnv(t *testing.T, env envReport, res *resolver.Resolution, ds []Decision) {
	t.Helper()
	if env.Python != "python312" {
		t.Errorf("environment interpreter %s, want python312", env.Python)
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
	if !fetchedFileOf(p.URL, p.Hash, rp.Files) {
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
