package nixgen

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/req2nix/req2nix/resolver"
)

// TestFixtureGoldensEvaluate evaluates the golden outputs of the fixture
// projects (written end to end by cmd/req2nix) against the stub nixpkgs
// given the nixpkgs packages their report names, and checks them like this
// package's own goldens (see checkEnv): the environment the report
// describes, fetched from the resolution's files. Skipped when there are none.
func TestFixtureGoldensEvaluate(t *testing.T) {
	reports, _ := filepath.Glob(filepath.Join("..", "fixtures", "projects", "*", "golden", "report.json"))
	if len(reports) == 0 {
		t.Skip("no fixture goldens")
	}
	for _, report := range reports {
		dir := filepath.Dir(report)
		project := filepath.Base(filepath.Dir(dir))
		data, err := os.ReadFile(report)
		if err != nil {
			t.Fatal(err)
		}
		var r Report
		if err := json.Unmarshal(data, &r); err != nil {
			t.Fatalf("%s: %v", report, err)
		}
		ds, stubPackages := fromReport(r)
		want := reportWant(t, r)
		stubArgs := "{ pythonPackages = builtins.fromJSON " + nixString(stubPackages) + "; }"
		for _, format := range []string{FormatShell, FormatFlake, FormatOverlay} {
			file, _ := filepath.Abs(filepath.Join(dir, formatFiles[format]))
			if _, err := os.Stat(file); err != nil {
				continue
			}
			t.Run(project+"/"+format, func(t *testing.T) {
				attrs := make([]string, len(ds))
				for i, d := range ds {
					attrs[i] = d.Attr
				}
				env := evalEnv(t, evalCase{format: format, file: file, python: r.Python.Attr, attrs: attrs, stubArgs: stubArgs})
				checkEnv(t, env, r.Python.Attr, want, ds, nil)
			})
		}
	}
}

// fromReport rebuilds the decisions of a JSON report, and the stub package
// list (JSON) standing for the nixpkgs it was made against: as-is packages
// with their resolved dependencies, overridden and replaced ones at
// nixpkgs' version, and the build systems the report names.
func fromReport(r Report) ([]Decision, string) {
	attrOf := map[string]string{}
	for _, p := range r.Packages {
		attrOf[p.Name] = p.Attr
	}
	attrsOf := func(names []string) []string {
		out := []string{}
		for _, n := range names {
			out = append(out, attrOf[n])
		}
		sort.Strings(out)
		return out
	}
	type stubPackage struct {
		Attr         string   `json:"attr"`
		PName        string   `json:"pname"`
		Version      string   `json:"version"`
		Dependencies []string `json:"dependencies"`
		BuildSystem  []string `json:"build-system"`
	}
	var ds []Decision
	var stub []stubPackage
	listed := map[string]bool{}
	for _, p := range r.Packages {
		rp := resolver.Package{Name: p.Name, Version: p.Version, Dependencies: p.Dependencies, Root: p.Root}
		for _, f := range p.Files {
			rp.Files = append(rp.Files, resolver.File{Kind: f.Kind, Filename: f.Filename, URL: f.URL, SHA256: f.SHA256})
		}
		d := Decision{Name: p.Name, Version: p.Version, Attr: p.Attr, Kind: p.Kind, NixpkgsVersion: p.NixpkgsVersion,
			Format: p.Format, BuildSystem: p.BuildSystem, ImportsCheck: p.ImportsCheck, Resolved: rp}
		switch {
		case p.Kind == KindAsIs:
			stub = append(stub, stubPackage{p.Attr, p.Name, p.NixpkgsVersion, attrsOf(p.Dependencies), []string{"setuptools"}})
		case p.NixpkgsVersion != "":
			stub = append(stub, stubPackage{p.Attr, p.Name, p.NixpkgsVersion, []string{}, []string{"setuptools"}})
		}
		if p.Kind != KindAsIs {
			d.Deps = attrsOf(p.Dependencies)
		}
		listed[p.Attr] = true
		ds = append(ds, d)
	}
	for _, p := range r.Packages {
		for _, a := range p.BuildSystem {
			if !listed[a] && a != "setuptools" {
				stub = append(stub, stubPackage{a, a, "0", []string{}, []string{}})
				listed[a] = true
			}
		}
	}
	data, _ := json.Marshal(stub)
	return ds, string(data)
}
