package nixgen

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
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
	SourceRoot        *string  `json:"sourceRoot"`         // git direct references in a subdirectory
	SourceHooks       []string `json:"sourceHooks"`        // postPatch, preBuild, ... the recipe carries
	ImportsCheck      []string `json:"pythonImportsCheck"` // null when not set
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
// stub nixpkgs and checks the environment (see checkEnv) against the
// golden JSON report of the same resolution.
func TestGoldenEvaluates(t *testing.T) {
	ix := stubIndex(t)
	for _, c := range goldenCases {
		res := c.res()
		ds := planWith(t, res, ix).Packages
		attrs := make([]string, len(ds))
		for i, d := range ds {
			attrs[i] = d.Attr
		}
		want := reportWant(t, readReport(t, goldenPath(c.name, FormatJSON)))
		for _, format := range []string{FormatShell, FormatFlake, FormatOverlay} {
			t.Run(c.name+"/"+format, func(t *testing.T) {
				file, _ := filepath.Abs(goldenPath(c.name, format))
				env := evalEnv(t, evalCase{format: format, file: file, python: "python312", attrs: attrs})
				checkEnv(t, env, "python312", want, ds, ix)
			})
		}
	}
}

// checkVersions checks that an environment's packages ({pname, version},
// each once) are exactly want's (normalised name -> version).
func checkVersions(t *testing.T, got [][2]string, want map[string]string) {
	t.Helper()
	var gotNames, wantNames []string
	seen := map[string]bool{}
	for _, nv := range got {
		name, version := pep508.NormalizeName(nv[0]), nv[1]
		if seen[name] {
			t.Errorf("%s appears twice in the environment", name)
		}
		seen[name] = true
		gotNames = append(gotNames, name+"=="+version)
	}
	for n, v := range want {
		wantNames = append(wantNames, n+"=="+v)
	}
	sort.Strings(gotNames)
	sort.Strings(wantNames)
	if !slices.Equal(gotNames, wantNames) {
		t.Fatalf("environment holds\n  %v\nwant exactly the report's\n  %v", gotNames, wantNames)
	}
}

// readReport reads a JSON report.
func readReport(t *testing.T, file string) Report {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var r Report
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return r
}

// reportWant is the environment a report describes: name -> version of its
// packages, and of those nixpkgs' dependencies add.
func reportWant(t *testing.T, r Report) map[string]string {
	t.Helper()
	want := map[string]string{}
	for _, p := range r.Packages {
		want[pep508.NormalizeName(p.Name)] = p.Version
		for _, a := range p.NixpkgsAdds {
			if a.Resolved != "" {
				t.Fatalf("%s: the report says nixpkgs adds %s %s beside the resolved %s", p.Name, a.Name, a.Version, a.Resolved)
			}
			want[a.Name] = a.Version
		}
	}
	return want
}

// planWant is the environment the JSON report of plan describes.
func planWant(t *testing.T, plan *Plan) map[string]string {
	t.Helper()
	out, err := plan.Render(Options{Format: FormatJSON})
	if err != nil {
		t.Fatal(err)
	}
	var r Report
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatal(err)
	}
	return reportWant(t, r)
}

// checkEnv checks an evaluated environment: its interpreter, exactly the
// packages and versions the report says (want), and each package against
// its decision (checkEnvPackage). ix names the build systems' pnames; nil
// when the attribute is the pname.
func checkEnv(t *testing.T, env envReport, python string, want map[string]string, ds []Decision, ix *Index) {
	t.Helper()
	if env.Python != python {
		t.Errorf("environment interpreter %s, want %s", env.Python, python)
	}
	got := map[string]envPackage{}
	var versions [][2]string
	for _, p := range env.Packages {
		got[pep508.NormalizeName(p.PName)] = p
		versions = append(versions, [2]string{p.PName, p.Version})
	}
	checkVersions(t, versions, want)
	pname := map[string]string{}
	for _, d := range ds {
		pname[d.Attr] = pep508.NormalizeName(d.Name)
	}
	pnameOf := func(attr string) string {
		if n, ok := pname[attr]; ok {
			return n
		}
		if ix != nil {
			if e, ok := ix.EntryByAttr(attr); ok {
				return pep508.NormalizeName(e.PName)
			}
		}
		return attr
	}
	for _, d := range ds {
		name := pep508.NormalizeName(d.Name)
		checkEnvPackage(t, d, got[name], pnameOf)
	}
}

// checkEnvPackage checks one package against its decision: an as-is one
// is nixpkgs' untouched; the others fetch one of the resolution's files
// with its hash, with checks off and patches dropped, and the build system
// the plan read from the sdist (nixpkgs' own when unknown). A new package
// has exactly the resolved dependencies and the plan's import check; one
// built from a wheel carries no source-tree hook.
func checkEnvPackage(t *testing.T, d Decision, p envPackage, pnameOf func(attr string) string) {
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
	if !fetchedFileOf(p.URL, p.Hash, d.Resolved.Files) && !directSrcOf(p, d.Resolved) {
		t.Errorf("%s: fetches %s (%s), which is none of the resolution's files %+v", d.Name, p.URL, p.Hash, d.Resolved.Files)
	}
	if d.BuildSystem != nil {
		checkNames(t, d.Name+": build-system", p.BuildSystem, mapped(d.BuildSystem, pnameOf))
	}
	if d.Kind == KindOverride {
		return
	}
	if d.Format == "wheel" && len(p.SourceHooks) > 0 {
		t.Errorf("%s: built from a wheel, but carries the source-tree hooks %q", d.Name, p.SourceHooks)
	}
	if !slices.Equal(p.ImportsCheck, d.ImportsCheck) {
		t.Errorf("%s: pythonImportsCheck %q, want %q", d.Name, p.ImportsCheck, d.ImportsCheck)
	}
	checkNames(t, d.Name+": dependencies", p.Dependencies, mapped(d.Deps, pnameOf))
}

// mapped applies f to every element.
func mapped(ss []string, f func(string) string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = f(s)
	}
	return out
}

// checkNames compares two lists of project names, normalised and sorted.
func checkNames(t *testing.T, what string, got, want []string) {
	t.Helper()
	norm := func(ss []string) string {
		out := make([]string, len(ss))
		for i, s := range ss {
			out[i] = pep508.NormalizeName(s)
		}
		sort.Strings(out)
		return strings.Join(out, " ")
	}
	if norm(got) != norm(want) {
		t.Errorf("%s %q, want %q", what, norm(got), norm(want))
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
