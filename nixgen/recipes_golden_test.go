package nixgen

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/req2nix/req2nix/resolver"
)

// The recipes' goldens: one small resolution per system over the stub
// nixpkgs' package set, planned with each recipe, merged, and rendered in
// every format the recipe allows (testdata/golden/recipe-<name>.<file>).
// The systems differ as real ones do: each has its own wheels, and macOS
// adds six (standing for a pure package behind sys_platform == "darwin",
// which nixpkgs ships: an interpreter swap reuses it there only). Their
// index is the stub's with dependency edges (testdata/recipes-index.json),
// which an interpreter swap needs.

// recipeFacts are goldenFacts plus every file of some releases on the
// index (ReleaseFiles): a platform wheel the target cannot use tells that
// markupsafe is compiled, and binlib has a wheel for each system.
type recipeFacts struct {
	fakeFacts
	release map[string][]resolver.File // "name version" -> files
}

func (f recipeFacts) ReleaseFiles(_ context.Context, name, version string) ([]resolver.File, error) {
	return f.release[name+" "+version], nil // nil: the resolution's files are used
}

var recipeGoldenFacts = recipeFacts{
	fakeFacts: fakeFacts{modules: map[string][]string{"usesbin-1.0-py3-none-any.whl": {"usesbin"}}},
	release: map[string][]resolver.File{
		"markupsafe 1.1.1": {sdist("MarkupSafe-1.1.1.tar.gz"), wheel("MarkupSafe-1.1.1-cp312-cp312-manylinux_2_17_x86_64.whl")},
		"binlib 1.0": {
			wheel("binlib-1.0-cp312-cp312-manylinux_2_17_x86_64.whl"),
			wheel("binlib-1.0-cp312-cp312-manylinux_2_17_aarch64.whl"),
			wheel("binlib-1.0-cp312-cp312-macosx_10_9_x86_64.whl"),
			wheel("binlib-1.0-cp312-cp312-macosx_11_0_arm64.whl"),
		},
	},
}

// purePkg is a release with an sdist and a pure wheel.
func purePkg(name, version string, deps ...string) resolver.Package {
	return pkg(name, version, deps, sdist(name+"-"+version+".tar.gz"), wheel(name+"-"+version+"-py3-none-any.whl"))
}

// wheelPlatform is a platform tag of each system's wheels.
var wheelPlatform = map[string]string{
	"x86_64-linux": "manylinux_2_17_x86_64", "aarch64-linux": "manylinux_2_17_aarch64",
	"x86_64-darwin": "macosx_10_9_x86_64", "aarch64-darwin": "macosx_11_0_arm64",
}

// recipeResolution is requests and jinja2 (with markupsafe, compiled:
// its wheel for the target's ABI) and click, for Python python on system,
// and six on macOS; extra packages are added.
func recipeResolution(python string, freeThreaded bool, system string, extra ...resolver.Package) *resolver.Resolution {
	abi := "cp3" + python[2:4] + "-cp3" + python[2:4]
	if freeThreaded {
		abi += "t"
	}
	pkgs := []resolver.Package{
		purePkg("certifi", "2025.1.31"),
		root(purePkg("click", "7.1.1")),
		purePkg("idna", "3.10"),
		root(purePkg("jinja2", "2.11.2", "markupsafe")),
		pkg("markupsafe", "1.1.1", nil, sdist("MarkupSafe-1.1.1.tar.gz"), wheel("MarkupSafe-1.1.1-"+abi+"-"+wheelPlatform[system]+".whl")),
		root(purePkg("requests", "2.32.3", "certifi", "idna", "urllib3")),
		purePkg("urllib3", "2.3.0"),
	}
	if strings.HasSuffix(system, "-darwin") {
		pkgs = append(pkgs, root(purePkg("six", "1.17.0")))
	}
	return &resolver.Resolution{Python: python, Platform: system, FreeThreaded: freeThreaded, Packages: append(pkgs, extra...)}
}

// pipPackages need pip: binlib has only binary wheels (Nix installs the
// macOS ones as they are; pip the Linux ones), usesbin depends on it.
func pipPackages(system string) []resolver.Package {
	return []resolver.Package{
		root(pkg("binlib", "1.0", nil, wheel("binlib-1.0-cp312-cp312-"+wheelPlatform[system]+".whl"))),
		root(pkg("usesbin", "1.0", []string{"binlib"}, wheel("usesbin-1.0-py3-none-any.whl"))),
	}
}

// recipeApp is the application of the app case: the project's own files
// are written by the tests that evaluate it.
var recipeApp = &AppProject{
	Name: "myapp", Version: "0.1.0", Root: ".", Files: []string{"pyproject.toml", "src"},
	BuildRequires: []string{"hatchling>=1.20"}, Dependencies: []string{"jinja2", "requests"}, Scripts: []string{"myapp"},
}

type recipeCase struct {
	name      string
	indexAttr string
	res       func(system string) *resolver.Resolution
	opts      func(t testing.TB) PlanOptions
	formats   []string
}

var recipeCases = []recipeCase{
	{"exact", "python311", func(s string) *resolver.Resolution { return recipeResolution("3.11.11", false, s) },
		func(t testing.TB) PlanOptions {
			r, _ := ParsePythonRequest("3.11.11")
			return PlanOptions{Interpreter: Interpreter{Build: &InterpreterSpec{Base: "python311", Release: cpythonRelease(t, "3.11.11")}, HashFrom: "the release table", Check: &r}}
		}, []string{FormatShell, FormatFlake, FormatOverlay, FormatJSON}},
	{"optimized", "python312", func(s string) *resolver.Resolution { return recipeResolution("3.12.10", false, s) },
		func(testing.TB) PlanOptions {
			return PlanOptions{Interpreter: Interpreter{Build: &InterpreterSpec{Base: "python312", Optimized: true}}}
		}, []string{FormatShell, FormatFlake, FormatOverlay, FormatJSON}},
	{"freethreading", "python313", func(s string) *resolver.Resolution { return recipeResolution("3.13.3", true, s) },
		func(testing.TB) PlanOptions {
			return PlanOptions{Interpreter: Interpreter{Attr: "python313FreeThreading", Check: &PythonRequest{Minor: 13, Patch: -1, FreeThreaded: true}}}
		}, []string{FormatShell, FormatFlake, FormatOverlay, FormatJSON}},
	{"pip", "python312", func(s string) *resolver.Resolution { return recipeResolution("3.12.10", false, s, pipPackages(s)...) },
		func(testing.TB) PlanOptions {
			return PlanOptions{Fallback: FallbackPip, Pip: []string{"Click"}, PipIndexURL: "https://user:secret@pypi.example.org/simple/"}
		}, []string{FormatShell, FormatFlake, FormatJSON}},
	{"fhs", "python312", func(s string) *resolver.Resolution { return recipeResolution("3.12.10", false, s, pipPackages(s)...) },
		func(testing.TB) PlanOptions { return PlanOptions{Fallback: FallbackFHS} },
		[]string{FormatShell, FormatFlake, FormatJSON}},
	{"app", "python312", func(s string) *resolver.Resolution { return recipeResolution("3.12.10", false, s) },
		func(testing.TB) PlanOptions { return PlanOptions{App: recipeApp} },
		[]string{FormatShell, FormatFlake, FormatApp, FormatJSON}},
}

func recipeIndex(t testing.TB, attr string) *Index {
	t.Helper()
	ix, err := LoadIndexFile(filepath.Join("testdata", "recipes-index.json"), attr)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// plan plans the case for each system as its goldens are, and merges the
// plans.
func (c recipeCase) plan(t testing.TB) *MultiPlan {
	t.Helper()
	opts := c.opts(t)
	opts.OutputDir = goldenOutputDir
	m := &resolver.MultiResolution{Systems: resolver.AllSystems(), BySystem: map[string]*resolver.Resolution{}}
	plans := map[string]*Plan{}
	for _, s := range m.Systems {
		m.BySystem[s] = c.res(s)
		p, err := MakePlan(context.Background(), m.BySystem[s], recipeIndex(t, c.indexAttr).ForPlatform(s), recipeGoldenFacts, opts)
		if err != nil {
			t.Fatalf("%s on %s: %v", c.name, s, err)
		}
		plans[s] = p
	}
	mp, err := MergePlans(m, plans)
	if err != nil {
		t.Fatalf("%s: %v", c.name, err)
	}
	return mp
}

func recipeGoldenPath(name, format string) string {
	return goldenPath("recipe-"+name, format)
}

// TestRecipeGolden compares every recipe's outputs with their goldens (go
// test ./nixgen -run TestRecipeGolden -update rewrites them).
func TestRecipeGolden(t *testing.T) {
	for _, c := range recipeCases {
		p := c.plan(t)
		for _, format := range c.formats {
			t.Run(c.name+"/"+format, func(t *testing.T) {
				got, err := p.Render(goldenOptions(format))
				if err != nil {
					t.Fatal(err)
				}
				path := recipeGoldenPath(c.name, format)
				compareGolden(t, path, got)
				if format != FormatJSON {
					if _, err := nix(t, "--parse", path); err != nil {
						t.Errorf("%s does not parse: %v", path, err)
					}
				}
			})
		}
	}
}
