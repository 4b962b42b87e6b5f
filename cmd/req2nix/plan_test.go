package main

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/req2nix/req2nix/nixgen"
	"github.com/req2nix/req2nix/pypi/pypitest"
)

// planIndex is a nixpkgs index with dependency edges for planServer's
// projects: flask at another version built with flit-core, urllib3 at
// another version (requests, as is, depends on it), and nixpkgs' own pip.
const planIndex = `{
  "source": "plan test",
  "python_attr": "python313",
  "packages": [
    {"attr": "certifi", "version": "2025.1.31", "build_system": ["setuptools"]},
    {"attr": "click", "version": "8.1.8", "build_system": ["flit-core"]},
    {"attr": "flask", "version": "3.1.0", "dependencies": ["click"], "build_system": ["flit-core"]},
    {"attr": "flit-core", "version": "3.11.0"},
    {"attr": "hatchling", "version": "1.27.0"},
    {"attr": "idna", "version": "3.10", "build_system": ["flit-core"]},
    {"attr": "pip", "version": "25.0.1", "build_system": ["setuptools"]},
    {"attr": "requests", "version": "2.32.3", "dependencies": ["certifi", "idna", "urllib3"], "build_system": ["setuptools"]},
    {"attr": "setuptools", "version": "80.9.0"},
    {"attr": "urllib3", "version": "2.3.0", "build_system": ["hatchling"]}
  ]
}`

// planServer serves real archives: flask 1.1.2's sdist has no
// pyproject.toml (setuptools, where nixpkgs' flask uses flit-core) and no
// wheel; urllib3 1.26.20 has a pure wheel shipping the urllib3 package;
// tinyweb, which nixpkgs lacks, a pure wheel shipping tinyweb and tests.
func planServer(t *testing.T) *pypitest.Server {
	none := []string{}
	return pypitest.NewServer(t,
		pypitest.Release{Name: "certifi", Version: "2025.1.31", Modules: []string{"certifi"}},
		pypitest.Release{Name: "click", Version: "8.1.8", Modules: []string{"click"}},
		pypitest.Release{Name: "Flask", Version: "1.1.2", RequiresDist: []string{"click>=5.1"}, Wheels: none},
		pypitest.Release{Name: "Flask", Version: "3.1.0", RequiresDist: []string{"click>=8.1.3"}, BuildRequires: []string{"flit_core<4"}, Wheels: none},
		pypitest.Release{Name: "idna", Version: "3.10", Modules: []string{"idna"}},
		pypitest.Release{Name: "pip", Version: "20.0.2"},
		pypitest.Release{Name: "pip", Version: "25.0.1"},
		pypitest.Release{Name: "pip", Version: "25.1"},
		pypitest.Release{Name: "requests", Version: "2.32.3", RequiresDist: []string{"certifi>=2017.4.17", "idna<4,>=2.5", "urllib3<3,>=1.21.1"}, Modules: []string{"requests"}},
		pypitest.Release{Name: "tinyweb", Version: "1.0", Modules: []string{"tinyweb", "tests"}},
		pypitest.Release{Name: "urllib3", Version: "1.26.20", BuildRequires: []string{"setuptools"}, Wheels: []string{"py2.py3-none-any"}, Modules: []string{"urllib3"}},
		pypitest.Release{Name: "urllib3", Version: "2.3.0", Modules: []string{"urllib3"}},
	)
}

// TestPlanThroughBinary runs the plan's rules end to end: an override
// whose sdist changed build backend gets that version's build system, a
// pure-Python package at another version than nixpkgs' is built from its
// wheel (with an import check read from the wheel), an as-is package
// depending on it is counted as rebuilt (binary_cache, rebuilt_because),
// nixpkgs' pip is chosen over the newest, and an offline re-run gives the
// same output from what the first run remembered.
func TestPlanThroughBinary(t *testing.T) {
	srv := planServer(t)
	s := newSession(t)
	index := s.write("nixpkgs-index.json", planIndex)
	s.write("requirements.txt", "flask==1.1.2\nrequests\nurllib3<2\ntinyweb\npip\n")
	flags := []string{"-i", srv.URL, "--nixpkgs-index", index}
	report := s.mustRun(0, append(flags, "--format", "json", "requirements.txt")...)
	var r nixgen.Report
	if err := json.Unmarshal([]byte(report.stdout), &r); err != nil {
		t.Fatalf("%v\n%s", err, report.stdout)
	}
	yes, no := true, false
	want := map[string]nixgen.ReportPackage{
		"certifi":  {Version: "2025.1.31", Kind: nixgen.KindAsIs, BinaryCache: &yes},
		"click":    {Version: "8.1.8", Kind: nixgen.KindAsIs, BinaryCache: &yes},
		"flask":    {Version: "1.1.2", Kind: nixgen.KindOverride, BuildSystem: []string{"setuptools"}, BinaryCache: &no},
		"idna":     {Version: "3.10", Kind: nixgen.KindAsIs, BinaryCache: &yes},
		"pip":      {Version: "25.0.1", Kind: nixgen.KindAsIs, BinaryCache: &yes},
		"requests": {Version: "2.32.3", Kind: nixgen.KindAsIs, BinaryCache: &no, RebuiltBecause: []string{"urllib3"}},
		"tinyweb":  {Version: "1.0", Kind: nixgen.KindNew, Format: "wheel", ImportsCheck: []string{"tinyweb"}, BinaryCache: &no},
		"urllib3":  {Version: "1.26.20", Kind: nixgen.KindNew, Format: "wheel", ImportsCheck: []string{"urllib3"}, BinaryCache: &no},
	}
	if len(r.Packages) != len(want) || !r.Nixpkgs.DependencyEdges {
		t.Errorf("%d packages (want %d), dependency_edges %v", len(r.Packages), len(want), r.Nixpkgs.DependencyEdges)
	}
	for _, p := range r.Packages {
		w := want[p.Name]
		got := nixgen.ReportPackage{Version: p.Version, Kind: p.Kind, Format: p.Format, BuildSystem: p.BuildSystem,
			ImportsCheck: p.ImportsCheck, BinaryCache: p.BinaryCache, RebuiltBecause: p.RebuiltBecause}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("%s: %s", p.Name, diffFields(got, w))
		}
	}
	if !strings.Contains(report.stderr, "1 rebuilt because a dependency changed: requests (urllib3)\n") ||
		!strings.Contains(report.stderr, "2 overridden to another version: flask 1.1.2 (nixpkgs has 3.1.0), urllib3 1.26.20 (nixpkgs has 2.3.0; from its wheel)\n") {
		t.Errorf("summary:\n%s", report.stderr)
	}

	shell := s.mustRun(0, append(flags, "requirements.txt")...)
	for _, w := range []string{
		"# req2nix-lock: pip==25.0.1\n",
		"flask = pyprev.flask.overridePythonAttrs (old: {",
		"      build-system = [ pyfinal.setuptools ];\n",
		"urllib3 = pyfinal.buildPythonPackage {",
		`      pythonImportsCheck = [ "urllib3" ];` + "\n",
		`      pythonImportsCheck = [ "tinyweb" ];` + "\n",
	} {
		if !strings.Contains(shell.stdout, w) {
			t.Errorf("shell.nix lacks %q:\n%s", w, shell.stdout)
		}
	}
	if strings.Contains(shell.stdout, "urllib3 = pyprev.urllib3.overridePythonAttrs") {
		t.Error("urllib3 is overridden from nixpkgs' recipe, not built from its wheel")
	}

	srv.Close() // from here on, any request fails
	offline := s.mustRun(0, append(flags, "--offline", "requirements.txt")...)
	if offline.stdout != shell.stdout {
		t.Errorf("the offline re-run differs:\n%s", unifiedDiff("online", "offline", shell.stdout, offline.stdout))
	}
}

// diffFields shows two report packages side by side.
func diffFields(got, want nixgen.ReportPackage) string {
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	return "got  " + string(g) + "\n     want " + string(w)
}

// TestNixpkgsFixesBuildTools: pip, setuptools and wheel are resolved at the
// versions the nixpkgs index says nixpkgs keeps (the fixture's pip 24.0,
// setuptools 70.0.0, wheel 0.43.0), not the newest; a requirement nixpkgs'
// version does not meet fails, saying so.
func TestNixpkgsFixesBuildTools(t *testing.T) {
	tests := []struct {
		requirements string
		code         int
		want         string // in the lock lines, or the error
	}{
		{"pip\nsetuptools>=69\nwheel\n", 0, "# req2nix-lock: pip==24.0\n# req2nix-lock: setuptools==70.0.0\n# req2nix-lock: wheel==0.43.0\n"},
		{"pip<20.1\n", 1, "Because requirements.txt:1 requires pip<20.1 and nixpkgs fixes pip at 24.0 (not overridden: every package builds with it), version solving failed."},
		{"setuptools>=75\n", 1, "nixpkgs fixes setuptools at 70.0.0 (not overridden: every package builds with it)"},
	}
	for _, tt := range tests {
		t.Run(strings.TrimSpace(tt.requirements), func(t *testing.T) {
			s := newSession(t)
			s.write("requirements.txt", tt.requirements)
			r := s.mustRun(tt.code, args("requirements.txt")...)
			out := r.stdout
			if tt.code != 0 {
				out = r.stderr
			}
			if !strings.Contains(out, tt.want) {
				t.Errorf("want %q in:\n%s", tt.want, out)
			}
			if tt.code == 0 && strings.Contains(r.stderr, "warning:") {
				t.Errorf("a kept build tool at nixpkgs' version needs no warning:\n%s", r.stderr)
			}
		})
	}
}
