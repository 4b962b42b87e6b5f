package nixgen

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/req2nix/req2nix/resolver"
)

// planOne plans a single-package resolution against the stub index.
func planOne(t *testing.T, p resolver.Package) Decision {
	t.Helper()
	ds := planWith(t, &resolver.Resolution{Packages: []resolver.Package{p}}, stubIndex(t)).Packages
	if len(ds) != 1 {
		t.Fatalf("Plan returned %d decisions", len(ds))
	}
	return ds[0]
}

func TestPlanKinds(t *testing.T) {
	tests := []struct {
		name       string
		pkg        resolver.Package
		kind       Kind
		attr       string
		format     string
		binary     bool
		nixVersion string
	}{
		{"exact nixpkgs version", pkg("click", "7.1.1", nil, sdist("click-7.1.1.tar.gz")), KindAsIs, "click", "", false, "7.1.1"},
		{"PEP 440-equal version", pkg("click", "7.1.1.0", nil, sdist("click-7.1.1.0.tar.gz")), KindAsIs, "click", "", false, "7.1.1"},
		{"exact version under a versioned attribute", pkg("django", "5.1.7", nil), KindAsIs, "django_5", "", false, "5.1.7"},
		{"matched by pname", pkg("markupsafe", "1.1.1", nil), KindAsIs, "markupsafe", "", false, "1.1.1"},
		{"other version, pure wheel: built from the wheel", pkg("flask", "1.1.2", nil, sdist("Flask-1.1.2.tar.gz"), wheel("Flask-1.1.2-py2.py3-none-any.whl")), KindNew, "flask", "wheel", false, "3.1.0"},
		{"other version, sdist only: override", pkg("flask", "1.1.2", nil, sdist("Flask-1.1.2.tar.gz")), KindOverride, "flask", "", false, "3.1.0"},
		{"other version, compiled: override from the sdist", pkg("markupsafe", "2.1.5", nil, sdist("MarkupSafe-2.1.5.tar.gz"), wheel("MarkupSafe-2.1.5-cp312-cp312-manylinux_2_17_x86_64.whl")), KindOverride, "markupsafe", "", false, "1.1.1"},
		{"other version, wheel only: replaced", pkg("six", "1.16.0", nil, wheel("six-1.16.0-py2.py3-none-any.whl")), KindNew, "six", "wheel", false, "1.17.0"},
		{"direct reference is never as-is", func() resolver.Package {
			p := pkg("click", "7.1.1", nil, sdistAt("https://example.org/click-7.1.1.tar.gz", "click-7.1.1.tar.gz"))
			p.DirectURL = "https://example.org/click-7.1.1.tar.gz"
			return p
		}(), KindOverride, "click", "", false, "7.1.1"},
		{"new: pure wheel preferred", pkg("attrs", "19.3.0", nil, sdist("attrs-19.3.0.tar.gz"), wheel("attrs-19.3.0-py2.py3-none-any.whl")), KindNew, "attrs", "wheel", false, ""},
		{"new: sdist when the wheel is binary", pkg("pyyaml", "5.3.1", nil, sdist("PyYAML-5.3.1.tar.gz"), wheel("PyYAML-5.3.1-cp312-cp312-manylinux_2_17_x86_64.whl")), KindNew, "pyyaml", "pyproject", false, ""},
		{"new: binary wheel as last resort", pkg("numpy", "2.2.4", nil, wheel("numpy-2.2.4-cp312-cp312-manylinux_2_17_x86_64.whl")), KindNew, "numpy", "wheel", true, ""},
		{"new: name of a helper attribute", pkg("bootstrap", "5.3.0", nil, sdist("bootstrap-5.3.0.tar.gz")), KindNew, "bootstrap-pypi", "pyproject", false, ""},
		{"new: name of a reserved attribute", pkg("python", "1.0", nil, sdist("python-1.0.tar.gz")), KindNew, "python-pypi", "pyproject", false, ""},
		{"new: name of a broken attribute", pkg("broken-pkg", "1.0", nil, sdist("broken-pkg-1.0.tar.gz")), KindNew, "broken-pkg-pypi", "pyproject", false, ""},
	}
	for _, tt := range tests {
		d := planOne(t, tt.pkg)
		if d.Problem != "" || d.Kind != tt.kind || d.Attr != tt.attr || d.Format != tt.format || d.BinaryWheel != tt.binary || d.NixpkgsVersion != tt.nixVersion {
			t.Errorf("%s: got kind %s attr %s format %q binary %v nixpkgs %q problem %q; want %s %s %q %v %q",
				tt.name, d.Kind, d.Attr, d.Format, d.BinaryWheel, d.NixpkgsVersion, d.Problem, tt.kind, tt.attr, tt.format, tt.binary, tt.nixVersion)
		}
		if (d.Kind == KindAsIs) != (d.Src == nil) {
			t.Errorf("%s: kind %s with src %+v", tt.name, d.Kind, d.Src)
		}
	}
}

// TestPlanFetcher: fetchPypi exactly when it fetches the same file.
func TestPlanFetcher(t *testing.T) {
	tests := []struct {
		name    string
		pkg     resolver.Package
		fetcher string
		pname   string
		ext     string
	}{
		{"hashed PyPI URL, tar.gz", pkg("attrs", "19.3.0", nil, sdist("attrs-19.3.0.tar.gz")), "fetchPypi", "attrs", "tar.gz"},
		{"historic capitalised name", pkg("jinja2", "2.11.3", nil, sdist("Jinja2-2.11.3.tar.gz")), "fetchPypi", "Jinja2", "tar.gz"},
		{"PEP 625 underscores", pkg("typing-extensions", "4.12.2", nil, sdist("typing_extensions-4.12.2.tar.gz")), "fetchPypi", "typing_extensions", "tar.gz"},
		{"zip sdist", pkg("pyyaml", "5.3.1", nil, sdist("PyYAML-5.3.1.zip")), "fetchPypi", "PyYAML", "zip"},
		{"fetchPypi's own source URL", pkg("attrs", "19.3.0", nil, sdistAt("https://files.pythonhosted.org/packages/source/a/attrs/attrs-19.3.0.tar.gz", "attrs-19.3.0.tar.gz")), "fetchPypi", "attrs", "tar.gz"},
		{"fetchPypi-form wheel URL", pkg("six", "1.16.0", nil, wheelAt("https://files.pythonhosted.org/packages/py2.py3/s/six/six-1.16.0-py2.py3-none-any.whl", "six-1.16.0-py2.py3-none-any.whl")), "fetchPypi", "six", ""},
		{"hashed wheel URL: dist unknown", pkg("attrs", "19.3.0", nil, wheel("attrs-19.3.0-py2.py3-none-any.whl")), "fetchurl", "", ""},
		{"wheel with a build tag", pkg("attrs", "19.3.0", nil, wheelAt("https://files.pythonhosted.org/packages/py3/a/attrs/attrs-19.3.0-1-py3-none-any.whl", "attrs-19.3.0-1-py3-none-any.whl")), "fetchurl", "", ""},
		{"other host", pkg("attrs", "19.3.0", nil, sdistAt("https://mirror.example/attrs-19.3.0.tar.gz", "attrs-19.3.0.tar.gz")), "fetchurl", "", ""},
		{"file mirror", pkg("attrs", "19.3.0", nil, sdistAt("file:///srv/pypi/attrs-19.3.0.tar.gz", "attrs-19.3.0.tar.gz")), "fetchurl", "", ""},
		{"plain http", pkg("attrs", "19.3.0", nil, sdistAt("http://files.pythonhosted.org/packages/source/a/attrs/attrs-19.3.0.tar.gz", "attrs-19.3.0.tar.gz")), "fetchurl", "", ""},
		{"query string", pkg("attrs", "19.3.0", nil, sdistAt(pypiURL("attrs-19.3.0.tar.gz")+"?x=1", "attrs-19.3.0.tar.gz")), "fetchurl", "", ""},
		{"URL names another file", pkg("attrs", "19.3.0", nil, sdistAt(pypiURL("attrs-19.3.1.tar.gz"), "attrs-19.3.0.tar.gz")), "fetchurl", "", ""},
		{"odd storage path", pkg("attrs", "19.3.0", nil, sdistAt("https://files.pythonhosted.org/packages/x/attrs-19.3.0.tar.gz", "attrs-19.3.0.tar.gz")), "fetchurl", "", ""},
		{"filename of another project", pkg("attrs", "19.3.0", nil, sdist("attr-19.3.0.tar.gz")), "fetchurl", "", ""},
		{"non-ASCII filename", pkg("attrs", "19.3.0", nil, sdist("ättrs-19.3.0.tar.gz")), "fetchurl", "", ""},
	}
	for _, tt := range tests {
		d := planOne(t, tt.pkg)
		if d.Problem != "" || d.Src == nil {
			t.Errorf("%s: problem %q", tt.name, d.Problem)
			continue
		}
		s := d.Src
		if s.Fetcher != tt.fetcher || s.PName != tt.pname || s.Extension != tt.ext {
			t.Errorf("%s: %s pname %q ext %q, want %s %q %q", tt.name, s.Fetcher, s.PName, s.Extension, tt.fetcher, tt.pname, tt.ext)
		}
		if s.URL != tt.pkg.Files[0].URL || s.Hash == "" {
			t.Errorf("%s: src %+v does not keep the file's URL and hash", tt.name, s)
		}
	}
}

func TestPlanProblems(t *testing.T) {
	direct := pkg("mylib", "1.0", nil)
	direct.DirectURL = "git+https://example.org/mylib.git@v1.0"
	tests := []struct {
		name    string
		pkgs    []resolver.Package
		wantErr string
	}{
		{"no files", []resolver.Package{pkg("attrs", "19.3.0", nil)}, "attrs 19.3.0 has no sdist or wheel"},
		{"VCS direct reference to a tag", []resolver.Package{direct}, "write the full 40-hex commit"},
		{"bad hash", []resolver.Package{pkg("attrs", "19.3.0", nil, resolver.File{Kind: "sdist", Filename: "attrs-19.3.0.tar.gz", URL: pypiURL("attrs-19.3.0.tar.gz"), SHA256: "abc"})}, "not 64 hex digits"},
		{"missing hash", []resolver.Package{pkg("attrs", "19.3.0", nil, resolver.File{Kind: "sdist", Filename: "attrs-19.3.0.tar.gz", URL: pypiURL("attrs-19.3.0.tar.gz")})}, "hash-pinned"},
		{"missing URL", []resolver.Package{pkg("attrs", "19.3.0", nil, resolver.File{Kind: "sdist", Filename: "attrs-19.3.0.tar.gz", SHA256: fakeSHA256("x")})}, "has no URL"},
		{"dependency outside the resolution", []resolver.Package{pkg("flask", "1.1.2", []string{"click"}, sdist("Flask-1.1.2.tar.gz"))}, "depends on click, which is not in the resolution"},
		{"duplicate", []resolver.Package{pkg("attrs", "19.3.0", nil, sdist("attrs-19.3.0.tar.gz")), pkg("Attrs", "19.3.0", nil, sdist("attrs-19.3.0.tar.gz"))}, "appears twice"},
		{"NUL in a version", []resolver.Package{pkg("attrs", "1\x00", nil, sdist("attrs-1.tar.gz"))}, "NUL"},
		{"invalid UTF-8 in a URL", []resolver.Package{pkg("attrs", "1", nil, sdistAt("https://x/\xff", "attrs-1.tar.gz"))}, "UTF-8"},
		{"empty version", []resolver.Package{pkg("attrs", "", nil)}, "lacks a name or a version"},
	}
	for _, tt := range tests {
		_, err := generate(&resolver.Resolution{Packages: tt.pkgs}, stubIndex(t), Options{})
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.wantErr)
		}
	}
}

func TestPlanCycle(t *testing.T) {
	res := &resolver.Resolution{Packages: []resolver.Package{
		pkg("a", "1", []string{"b"}, sdist("a-1.tar.gz")),
		pkg("b", "1", []string{"c"}, sdist("b-1.tar.gz")),
		pkg("c", "1", []string{"a", "c"}, sdist("c-1.tar.gz")),
	}}
	ds := planWith(t, res, stubIndex(t)).Packages
	got := [][]string{ds[0].Deps, ds[1].Deps, ds[2].Deps}
	if strings.Join(got[0], ",") != "b" || strings.Join(got[1], ",") != "c" || len(got[2]) != 0 {
		t.Errorf("deps after breaking the cycle: %v; want a->b, b->c, c->nothing", got)
	}
	if len(ds[2].Notes) == 0 || !strings.Contains(ds[2].Notes[0], "dependency on a dropped") {
		t.Errorf("notes of c: %q", ds[2].Notes)
	}
}

func TestSRI(t *testing.T) {
	// sha256 of the empty string, hex and SRI.
	got, err := sriSHA256("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
	if err != nil || got != "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" {
		t.Errorf("sriSHA256 = %q, %v", got, err)
	}
	for _, bad := range []string{"", "e3b0", "zz" + strings.Repeat("0", 62), strings.Repeat("0", 66)} {
		if _, err := sriSHA256(bad); err == nil {
			t.Errorf("sriSHA256(%q) accepted", bad)
		}
	}
}

// TestBuildSystems: overrides and new sdist builds get the build system
// their sdist's [build-system] requires name, mapped to attributes (the
// resolved package of that name, else nixpkgs'); markers are evaluated for
// the target; without a pyproject.toml it is setuptools, as in pip; when
// the sdist cannot be read an override keeps nixpkgs' build-system and a
// new package gets setuptools, each saying so.
func TestBuildSystems(t *testing.T) {
	facts := fakeFacts{buildRequires: map[string][]string{
		"Flask-1.1.2.tar.gz":    nil,
		"flask-3.0.3.tar.gz":    {"flit_core<4"},
		"mylib-1.0.tar.gz":      {"setuptools>=61", "Six", "typing_extensions ; python_version >= '3'", "tomli ; python_version < '3.11'", "hatch-vcs", "setuptools"},
		"empty-1.0.tar.gz":      {},
		"Werkzeug-1.0.1.tar.gz": {"setuptools", "wheel"},
	}}
	tests := []struct {
		name  string
		pkg   resolver.Package
		kind  Kind
		want  []string // nil: nixpkgs' own kept
		notes []string // substrings, one per note
	}{
		{"override without pyproject.toml: setuptools", pkg("flask", "1.1.2", nil, sdist("Flask-1.1.2.tar.gz")), KindOverride, []string{"setuptools"}, nil},
		{"override whose backend changed", pkg("flask", "3.0.3", nil, sdist("flask-3.0.3.tar.gz")), KindOverride, []string{"flit-core"}, nil},
		{"override of nixpkgs' setuptools-built package", pkg("werkzeug", "1.0.1", nil, sdist("Werkzeug-1.0.1.tar.gz")), KindOverride, []string{"setuptools", "wheel"}, nil},
		{"override whose sdist cannot be read", pkg("idna", "3.6", nil, sdist("idna-3.6.tar.gz")), KindOverride, nil, []string{"nixpkgs' build-system is kept"}},
		{"new: requires mapped, markers evaluated, duplicates removed", pkg("mylib", "1.0", nil, sdist("mylib-1.0.tar.gz")), KindNew,
			[]string{"setuptools", "six", "typing-extensions"}, []string{`"hatch-vcs" is not in nixpkgs`}},
		{"new: an empty requires list", pkg("empty", "1.0", nil, sdist("empty-1.0.tar.gz")), KindNew, []string{}, nil},
		{"new: unreadable sdist", pkg("other", "1.0", nil, sdist("other-1.0.tar.gz")), KindNew, []string{"setuptools"}, []string{"built with setuptools: the sdist's [build-system] could not be read"}},
	}
	for _, tt := range tests {
		res := &resolver.Resolution{Python: "3.12.10", Platform: "x86_64-linux", Packages: []resolver.Package{tt.pkg}}
		if tt.pkg.Name == "mylib" {
			res.Packages = append(res.Packages, pkg("typing-extensions", "4.12.2", nil, wheel("typing_extensions-4.12.2-py3-none-any.whl")))
		}
		p, err := MakePlan(context.Background(), res, stubIndex(t), facts, PlanOptions{})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		d := p.Packages[0]
		if d.Kind != tt.kind || !reflect.DeepEqual(d.BuildSystem, tt.want) || (d.BuildSystem == nil) != (tt.want == nil) {
			t.Errorf("%s: %s with build-system %#v, want %s with %#v", tt.name, d.Kind, d.BuildSystem, tt.kind, tt.want)
		}
		if len(d.Notes) != len(tt.notes) {
			t.Errorf("%s: notes %q, want %d", tt.name, d.Notes, len(tt.notes))
			continue
		}
		for i, n := range tt.notes {
			if !strings.Contains(d.Notes[i], n) {
				t.Errorf("%s: note %q, want %q", tt.name, d.Notes[i], n)
			}
		}
	}
}

func TestPlanDropsCredentials(t *testing.T) {
	res := &resolver.Resolution{Packages: []resolver.Package{{
		Name: "secretpkg", Version: "1.0",
		Files: []resolver.File{{Kind: "wheel", Filename: "secretpkg-1.0-py3-none-any.whl",
			URL:    "https://user:s3cret@pypi.corp.example/files/secretpkg-1.0-py3-none-any.whl",
			SHA256: strings.Repeat("ab", 32)}},
	}}}
	ix, err := NewIndex("python312", "test", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := generate(res, ix, Options{Format: FormatShell, Pin: DefaultPin()})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "s3cret") || strings.Contains(string(out), "user@") {
		t.Errorf("credentials written into the output:\n%s", out)
	}
	if !strings.Contains(string(out), `"https://pypi.corp.example/files/secretpkg-1.0-py3-none-any.whl"`) {
		t.Errorf("the URL without credentials is missing:\n%s", out)
	}
}

func TestPlanKeepsBuildTools(t *testing.T) {
	ix, err := NewIndex("python312", "test", []Entry{{Attr: "setuptools", Version: "75.8.0"}, {Attr: "six", Version: "1.16.0"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	sdist := func(name, version string) []resolver.File {
		return []resolver.File{{Kind: "sdist", Filename: name + "-" + version + ".tar.gz", URL: "https://files.pythonhosted.org/packages/source/" + name[:1] + "/" + name + "/" + name + "-" + version + ".tar.gz", SHA256: strings.Repeat("cd", 32)}}
	}
	res := &resolver.Resolution{Packages: []resolver.Package{
		{Name: "setuptools", Version: "46.1.3", Files: sdist("setuptools", "46.1.3")},
		{Name: "six", Version: "1.14.0", Files: sdist("six", "1.14.0")},
	}}
	got := map[string]Decision{}
	for _, d := range planWith(t, res, ix).Packages {
		got[d.Name] = d
	}
	if d := got["setuptools"]; d.Kind != KindAsIs || d.Src != nil || len(d.Notes) == 0 || !strings.Contains(d.Notes[0], "nixpkgs' setuptools 75.8.0 is used, not the resolved 46.1.3") {
		t.Errorf("setuptools: %+v, want nixpkgs' own with a note", d)
	}
	if d := got["six"]; d.Kind != KindOverride {
		t.Errorf("six: kind %s, want an override (only build tools are kept)", d.Kind)
	}
}

// recordingFacts records which files a plan asks about.
type recordingFacts struct {
	fakeFacts
	mu    sync.Mutex
	asked []string
}

func (r *recordingFacts) record(kind string, f resolver.File) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.asked = append(r.asked, kind+" "+f.Filename)
}

func (r *recordingFacts) BuildRequires(ctx context.Context, f resolver.File) ([]string, error) {
	r.record("build", f)
	return r.fakeFacts.BuildRequires(ctx, f)
}

func (r *recordingFacts) TopLevelModules(ctx context.Context, f resolver.File) ([]string, error) {
	r.record("modules", f)
	return r.fakeFacts.TopLevelModules(ctx, f)
}

// TestImportChecks: a new package checks the imports of the top-level
// modules its wheel installs (or the wheel beside its sdist), without test
// directories and private modules; an override keeps nixpkgs' check, so
// nothing is read for it; unknown or nothing left: no pythonImportsCheck
// at all, never an empty one.
func TestImportChecks(t *testing.T) {
	facts := &recordingFacts{fakeFacts: fakeFacts{
		buildRequires: map[string][]string{"pyyaml-6.0.2.tar.gz": nil, "Flask-1.1.2.tar.gz": nil},
		modules: map[string][]string{
			"attrs-25.1.0-py3-none-any.whl":                      {"attr", "attrs"},
			"pyyaml-6.0.2-cp312-cp312-manylinux_2_17_x86_64.whl": {"_yaml", "yaml"},
			"only_tests-1.0-py3-none-any.whl":                    {"tests", "_private"},
		},
	}}
	res := &resolver.Resolution{Python: "3.12.10", Platform: "x86_64-linux", Packages: []resolver.Package{
		pkg("attrs", "25.1.0", nil, wheel("attrs-25.1.0-py3-none-any.whl")),
		pkg("flask", "1.1.2", nil, sdist("Flask-1.1.2.tar.gz")),
		pkg("only-tests", "1.0", nil, wheel("only_tests-1.0-py3-none-any.whl")),
		pkg("pyyaml", "6.0.2", nil, sdist("pyyaml-6.0.2.tar.gz"), wheel("pyyaml-6.0.2-cp312-cp312-manylinux_2_17_x86_64.whl")),
		pkg("unknown", "1.0", nil, wheel("unknown-1.0-py3-none-any.whl")),
	}}
	p, err := MakePlan(context.Background(), res, stubIndex(t), facts, PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"attrs": {"attr", "attrs"}, "pyyaml": {"yaml"}}
	for _, d := range p.Packages {
		if !reflect.DeepEqual(d.ImportsCheck, want[d.Name]) {
			t.Errorf("%s: ImportsCheck %q, want %q", d.Name, d.ImportsCheck, want[d.Name])
		}
	}
	slices.Sort(facts.asked)
	wantAsked := []string{
		"build Flask-1.1.2.tar.gz",
		"build pyyaml-6.0.2.tar.gz",
		"modules attrs-25.1.0-py3-none-any.whl",
		"modules only_tests-1.0-py3-none-any.whl",
		"modules pyyaml-6.0.2-cp312-cp312-manylinux_2_17_x86_64.whl",
		"modules unknown-1.0-py3-none-any.whl",
	}
	if !reflect.DeepEqual(facts.asked, wantAsked) {
		t.Errorf("asked about %q\nwant %q", facts.asked, wantAsked)
	}
	out, err := p.Render(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(out), "pythonImportsCheck"); n != 2 || strings.Contains(string(out), "pythonImportsCheck = [ ]") ||
		!strings.Contains(string(out), `pythonImportsCheck = [ "yaml" ];`) {
		t.Errorf("want exactly the two known import checks:\n%s", out)
	}
}
