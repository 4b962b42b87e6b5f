package nixgen

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/req2nix/req2nix/resolver"
)

// planRecipe plans res against the recipes' index (python312 unless the
// resolution says otherwise) with facts and opts.
func planRecipe(t *testing.T, res *resolver.Resolution, facts Facts, opts PlanOptions) (*Plan, error) {
	t.Helper()
	attr := "python3" + strings.Split(res.Python, ".")[1]
	return MakePlan(context.Background(), res, recipeIndex(t, attr), facts, opts)
}

// kinds sums a plan up as "name:kind" (pip packages with their reason).
func kinds(p *Plan) map[string]string {
	out := map[string]string{}
	for _, d := range p.Packages {
		out[d.Name] = string(d.Kind)
		if d.Kind == KindPip {
			out[d.Name] += ": " + d.PipWhy
		}
	}
	return out
}

func TestPlanPip(t *testing.T) {
	withBackend := pkg("oddbuild", "2.0", nil, sdist("oddbuild-2.0.tar.gz"))
	facts := recipeGoldenFacts
	facts.buildRequires = map[string][]string{"oddbuild-2.0.tar.gz": {"setuptools", "weird-backend>=1"}}
	res := func(extra ...resolver.Package) *resolver.Resolution {
		return recipeResolution("3.12.10", false, "x86_64-linux", append(pipPackages("x86_64-linux"), extra...)...)
	}
	t.Run("without a fallback Nix builds everything", func(t *testing.T) {
		p, err := planRecipe(t, res(), facts, PlanOptions{})
		if err != nil || p.Fallback != "" || kinds(p)["binlib"] != "new" || !p.Packages[0].BinaryWheel && p.Packages[0].Name == "binlib" {
			t.Errorf("%v %v %v", err, p.Fallback, kinds(p))
		}
	})
	t.Run("what Nix cannot build, what depends on it, what is named", func(t *testing.T) {
		p, err := planRecipe(t, res(withBackend), facts, PlanOptions{Fallback: FallbackPip, Pip: []string{"Click"}})
		if err != nil {
			t.Fatal(err)
		}
		got := kinds(p)
		for name, want := range map[string]string{
			"binlib":   "pip: no sdist, only the binary wheel binlib-1.0-cp312-cp312-manylinux_2_17_x86_64.whl, which Nix can only patch (autoPatchelfHook)",
			"usesbin":  "pip: depends on binlib, which pip installs",
			"click":    "pip: named with --pip",
			"oddbuild": "pip: its build system weird-backend is not in nixpkgs",
			"requests": "as-is",
		} {
			if got[name] != want {
				t.Errorf("%s: %q, want %q", name, got[name], want)
			}
		}
		for _, d := range p.Packages {
			switch d.Name {
			case "binlib":
				if len(d.Pip.SHA256) != 4 || d.Src != nil || d.BinaryWheel { // the release's four wheels
					t.Errorf("binlib: %+v", d)
				}
			case "oddbuild":
				if len(d.Notes) != 0 || d.BuildSystem != nil {
					t.Errorf("oddbuild keeps Nix's build notes %q or build system %q", d.Notes, d.BuildSystem)
				}
			}
		}
		if c := p.Counts(FormatShell); c.Pip != 4 || p.Fallback != FallbackPip {
			t.Errorf("counts %+v, fallback %q", c, p.Fallback)
		}
	})
	t.Run("a macOS wheel needs no patching: Nix installs it", func(t *testing.T) {
		darwin := recipeResolution("3.12.10", false, "aarch64-darwin", pipPackages("aarch64-darwin")...)
		p, err := planRecipe(t, darwin, facts, PlanOptions{Fallback: FallbackPip})
		if got := kinds(p); err != nil || got["binlib"] != "new" || got["usesbin"] != "new" || p.Fallback != "" {
			t.Errorf("%v %v, fallback %q", err, got, p.Fallback)
		}
	})
	t.Run("hashes from the resolution without the index's files", func(t *testing.T) {
		p, err := planRecipe(t, res(), goldenFacts, PlanOptions{Fallback: FallbackFHS})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range p.Packages {
			if d.Name == "binlib" && (len(d.Pip.SHA256) != 1 || d.Pip.SHA256[0] != d.Resolved.Files[0].SHA256) {
				t.Errorf("binlib's hashes %q", d.Pip.SHA256)
			}
		}
		if p.Fallback != FallbackFHS {
			t.Errorf("fallback %q", p.Fallback)
		}
	})
	t.Run("nothing to leave to pip", func(t *testing.T) {
		p, err := planRecipe(t, recipeResolution("3.12.10", false, "x86_64-linux"), facts, PlanOptions{Fallback: FallbackPip})
		if err != nil || p.Fallback != "" {
			t.Errorf("fallback %q, %v", p.Fallback, err)
		}
	})
	t.Run("a direct reference cannot be hash-checked by pip", func(t *testing.T) {
		direct := pkg("mylib", "1.0", nil)
		direct.DirectURL = "git+https://example.org/mylib@0123456789abcdef0123456789abcdef01234567"
		_, err := planRecipe(t, res(direct), facts, PlanOptions{Pip: []string{"mylib"}})
		if err == nil || !strings.Contains(err.Error(), "mylib is a direct reference") {
			t.Errorf("%v", err)
		}
	})
	t.Run("nixpkgs' own package stays beside pip's", func(t *testing.T) {
		// requests as resolved does not depend on urllib3, but nixpkgs'
		// does: requests stays as is and from the binary cache, and
		// nixpkgs' urllib3 is added beside the one pip installs.
		r := recipeResolution("3.12.10", false, "x86_64-linux")
		for i := range r.Packages {
			if r.Packages[i].Name == "requests" {
				r.Packages[i].Dependencies = []string{"certifi", "idna"}
			}
		}
		p, err := planRecipe(t, r, facts, PlanOptions{Pip: []string{"urllib3"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range p.Packages {
			if d.Name == "requests" && (d.Kind != KindAsIs || d.Cache != CacheHit || len(d.Adds) != 1 || d.Adds[0].Name != "urllib3") {
				t.Errorf("requests: %s %s, adds %+v", d.Kind, d.Cache, d.Adds)
			}
		}
	})
}

// TestMergedPipOnOneSystem: packages that pip installs on some systems
// only (here: named with --pip, resolved on macOS alone) still get pip's
// requirements and hook in the merged file, marked for those systems.
func TestMergedPipOnOneSystem(t *testing.T) {
	c := recipeCase{name: "pip-darwin", indexAttr: "python312",
		res:  func(s string) *resolver.Resolution { return recipeResolution("3.12.10", false, s) },
		opts: func(testing.TB) PlanOptions { return PlanOptions{Pip: []string{"six"}} }}
	mp := c.plan(t)
	if mp.Fallback != FallbackPip {
		t.Errorf("merged fallback %q, want %q", mp.Fallback, FallbackPip)
	}
	reqs := mp.pipRequirements()
	if len(reqs) != 1 || reqs[0].Name != "six" || !strings.Contains(reqs[0].Marker, "darwin") || strings.Contains(reqs[0].Marker, "linux") {
		t.Fatalf("pip requirements %+v, want six for the macOS systems only", reqs)
	}
	shell, err := mp.Render(goldenOptions(FormatShell))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(shell), "six==1.17.0") {
		t.Errorf("shell.nix does not hand six to pip:\n%s", shell)
	}
}

func TestPlanSwap(t *testing.T) {
	ft := Interpreter{Attr: "python313FreeThreading"}
	split := func(p *Plan) (rebuilt, reused []string) {
		for _, d := range p.Packages {
			if d.Reused {
				reused = append(reused, d.Name)
			} else if d.Kind != KindPip {
				rebuilt = append(rebuilt, d.Name)
			}
		}
		return rebuilt, reused
	}
	for _, tc := range []struct {
		name                string
		res                 func() *resolver.Resolution
		index               string
		rebuilt, reused     string
		interpreterRebuilds string // as-is packages counted as built for the interpreter
	}{
		{"compiled markupsafe pulls jinja2", func() *resolver.Resolution { return recipeResolution("3.13.3", true, "x86_64-linux") }, "",
			"jinja2 markupsafe", "certifi click idna requests urllib3", "jinja2 markupsafe"},
		{"an override is rebuilt with what it touches", func() *resolver.Resolution {
			r := recipeResolution("3.13.3", true, "x86_64-linux")
			for i := range r.Packages {
				if r.Packages[i].Name == "urllib3" {
					r.Packages[i] = purePkg("urllib3", "1.26.20")
				}
			}
			return r
		}, "", "certifi idna jinja2 markupsafe requests urllib3", "click", "certifi idna jinja2 markupsafe"},
		{"a compiled package nixpkgs adds", func() *resolver.Resolution {
			r := recipeResolution("3.13.3", true, "x86_64-linux")
			r.Packages = slices.DeleteFunc(r.Packages, func(p resolver.Package) bool { return p.Name == "markupsafe" })
			for i := range r.Packages {
				if r.Packages[i].Name == "jinja2" {
					r.Packages[i].Dependencies = nil
				}
			}
			return r
		}, "", "jinja2", "certifi click idna requests urllib3", "jinja2"},
		{"without dependency edges nothing is reused (another --interpreter)", func() *resolver.Resolution { return recipeResolution("3.12.10", false, "x86_64-linux") }, "stub-index.json",
			"certifi click idna jinja2 markupsafe requests urllib3", "", "certifi click idna jinja2 markupsafe requests urllib3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ix, it, want := recipeIndex(t, "python313"), ft, "python313"
			if tc.index != "" {
				var err error
				if ix, err = LoadIndexFile("testdata/"+tc.index, "python312"); err != nil {
					t.Fatal(err)
				}
				it, want = Interpreter{Attr: "python312Custom"}, "python312"
			}
			p, err := MakePlan(context.Background(), tc.res(), ix, recipeGoldenFacts, PlanOptions{Interpreter: it})
			if err != nil {
				t.Fatal(err)
			}
			rebuilt, reused := split(p)
			if strings.Join(rebuilt, " ") != tc.rebuilt || strings.Join(reused, " ") != tc.reused {
				t.Errorf("rebuilt %q, reused %q; want %q, %q", rebuilt, reused, tc.rebuilt, tc.reused)
			}
			if p.Swap == nil || p.Swap.Cached != want || p.PythonAttr != it.Attr || len(p.Swap.Reused) != len(reused) {
				t.Errorf("swap %+v, interpreter %s", p.Swap, p.PythonAttr)
			}
			var interp []string
			for _, d := range p.Packages {
				if d.Cache == CacheInterpreter {
					interp = append(interp, d.Name)
				}
			}
			if strings.Join(interp, " ") != tc.interpreterRebuilds {
				t.Errorf("built for the interpreter: %q, want %q", interp, tc.interpreterRebuilds)
			}
		})
	}
	t.Run("a GIL resolution for a free-threading interpreter", func(t *testing.T) {
		_, err := MakePlan(context.Background(), recipeResolution("3.13.3", false, "x86_64-linux"), recipeIndex(t, "python313"), nil, PlanOptions{Interpreter: ft})
		if err == nil || !strings.Contains(err.Error(), "default (GIL) build") {
			t.Errorf("%v", err)
		}
	})
}

func TestPlanApp(t *testing.T) {
	app := func(change func(a *AppProject)) *AppProject {
		a := *recipeApp
		a.BuildRequires = slices.Clone(a.BuildRequires)
		if change != nil {
			change(&a)
		}
		return &a
	}
	scm := purePkg("setuptools-scm", "8.1.0")
	for _, tc := range []struct {
		name    string
		app     *AppProject
		opts    PlanOptions
		extra   []resolver.Package
		want    App
		wantErr string
	}{
		{name: "build system and dependencies", app: app(nil),
			want: App{PName: "myapp", Version: "0.1.0", BuildSystem: []string{"hatchling"}, Dependencies: []string{"jinja2", "requests"}, MainProgram: "myapp"}},
		{name: "a requirement for another Python and no scripts", app: app(func(a *AppProject) {
			a.BuildRequires = append(a.BuildRequires, "tomli ; python_version < '3.11'")
			a.Scripts = []string{"one", "two"}
		}), want: App{PName: "myapp", Version: "0.1.0", BuildSystem: []string{"hatchling"}, Dependencies: []string{"jinja2", "requests"}}},
		{name: "no [build-system]: setuptools", app: app(func(a *AppProject) { a.BuildRequires = nil; a.Scripts = []string{"serve"} }),
			want: App{PName: "myapp", Version: "0.1.0", BuildSystem: []string{"setuptools"}, Dependencies: []string{"jinja2", "requests"}, MainProgram: "serve"}},
		{name: "a version from version control", extra: []resolver.Package{scm}, app: app(func(a *AppProject) {
			a.Version = ""
			a.BuildRequires = []string{"setuptools", "setuptools_scm>=8"}
		}), want: App{PName: "myapp", Version: "0.0.0", BuildSystem: []string{"setuptools", "setuptools-scm"}, Dependencies: []string{"jinja2", "requests"}, MainProgram: "myapp", SCMVersion: true}},
		{name: "a build requirement nowhere", app: app(func(a *AppProject) { a.BuildRequires = []string{"poetry-core>=1"} }),
			wantErr: `--app: the project's build requirement "poetry-core>=1" is neither in nixpkgs nor in the resolution`},
		{name: "a dependency pip installs", app: app(nil), opts: PlanOptions{Pip: []string{"requests"}},
			wantErr: "--app: the project depends on requests, which pip installs (named with --pip)"},
		{name: "a file outside the project", app: app(func(a *AppProject) { a.Files = []string{"../elsewhere"} }),
			wantErr: `"../elsewhere" is not a file inside the project`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.App = tc.app
			p, err := planRecipe(t, recipeResolution("3.12.10", false, "x86_64-linux", tc.extra...), recipeGoldenFacts, tc.opts)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := *p.App
			got.Root, got.Files = "", nil
			if !slices.Equal(got.BuildSystem, tc.want.BuildSystem) || !slices.Equal(got.Dependencies, tc.want.Dependencies) ||
				got.PName != tc.want.PName || got.Version != tc.want.Version || got.MainProgram != tc.want.MainProgram || got.SCMVersion != tc.want.SCMVersion {
				t.Errorf("app %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestAppFiles(t *testing.T) {
	names := []string{"pyproject.toml", "src", "README.md", "tests", "test_it.py", ".git", ".venv", "shell.nix", "default.nix",
		"flake.lock", "result", "result-2", "dist", "build", "myapp.egg-info", "uv.lock", "pylock.dev.toml", "docs", "venv", "LICENSE"}
	dirs := map[string]bool{"src": true, "tests": true, ".git": true, ".venv": true, "dist": true, "build": true, "docs": true, "venv": true, "myapp.egg-info": true}
	got := strings.Join(AppFiles(names, dirs), " ")
	if want := "LICENSE README.md docs pyproject.toml src test_it.py"; got != want {
		t.Errorf("AppFiles = %s, want %s", got, want)
	}
}

// TestRecipeRenderRefuses: what an output cannot hold is refused, and
// nothing is written: pip and the application in overlay.nix, default.nix
// without an application.
func TestRecipeRenderRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, format, wantErr string
	}{
		{"pip", FormatOverlay, "overlay.nix holds the package set only"},
		{"app", FormatOverlay, "overlay.nix holds the package set only"},
		{"exact", FormatApp, "default.nix builds the project as an application: the plan has none"},
	} {
		for _, c := range recipeCases {
			if c.name != tc.name {
				continue
			}
			out, err := c.plan(t).Render(goldenOptions(tc.format))
			if err == nil || out != nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s as %s: %q, %v", tc.name, tc.format, out, err)
			}
		}
	}
}
