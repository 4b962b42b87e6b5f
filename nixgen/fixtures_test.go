package nixgen

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/req2nix/req2nix/resolver"
)

// Hand-built resolutions for the golden, parse and evaluation tests. Hashes
// and PyPI storage paths are derived from the filename, so every file has
// its own valid sha256 and a URL of PyPI's hashed layout.

func fakeSHA256(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// pypiURL is the hashed storage URL PyPI's JSON API gives for a file.
func pypiURL(filename string) string {
	x := fakeSHA256("blake2b:" + filename)
	x += x
	return "https://files.pythonhosted.org/packages/" + x[:2] + "/" + x[2:4] + "/" + x[4:64] + "/" + filename
}

func sdistAt(url, filename string) resolver.File {
	return resolver.File{Kind: "sdist", Filename: filename, URL: url, SHA256: fakeSHA256(filename)}
}

func wheelAt(url, filename string) resolver.File {
	return resolver.File{Kind: "wheel", Filename: filename, URL: url, SHA256: fakeSHA256(filename)}
}

func sdist(filename string) resolver.File { return sdistAt(pypiURL(filename), filename) }
func wheel(filename string) resolver.File { return wheelAt(pypiURL(filename), filename) }

func pkg(name, version string, deps []string, files ...resolver.File) resolver.Package {
	return resolver.Package{Name: name, Version: version, Dependencies: deps, Files: files, MetadataSource: "json-api"}
}

func root(p resolver.Package) resolver.Package { p.Root = true; return p }

// flaskResolution is the flask closure of the 2020 mirror: as-is, override
// (pname spelled "Flask", "Werkzeug" in the filenames) and a dependency
// that nixpkgs' flask has (blinker) but this flask does not.
func flaskResolution() *resolver.Resolution {
	return &resolver.Resolution{
		Python: "3.12.10", Platform: "x86_64-linux",
		Packages: []resolver.Package{
			pkg("click", "7.1.1", nil, sdist("click-7.1.1.tar.gz")),
			root(pkg("flask", "1.1.2", []string{"click", "itsdangerous", "jinja2", "werkzeug"}, sdist("Flask-1.1.2.tar.gz"))),
			pkg("itsdangerous", "1.1.0", nil, sdist("itsdangerous-1.1.0.tar.gz")),
			pkg("jinja2", "2.11.2", []string{"markupsafe"}, sdist("Jinja2-2.11.2.tar.gz")),
			pkg("markupsafe", "1.1.1", nil, sdist("MarkupSafe-1.1.1.tar.gz")),
			pkg("werkzeug", "1.0.1", nil, sdist("Werkzeug-1.0.1.tar.gz")),
		},
	}
}

// mixedResolution exercises every kind and fetcher: exact versions under a
// versioned attribute (django_5), pure and binary wheels, PEP 625 and .zip
// sdists, fetchPypi-form wheel URLs, other hosts, a name nixpkgs uses for a
// helper, a name that is not a Nix identifier, a dependency cycle, and a
// nixpkgs package offered only as a wheel.
func mixedResolution() *resolver.Resolution {
	return &resolver.Resolution{
		Python: "3.12.10", Platform: "x86_64-linux",
		Packages: []resolver.Package{
			root(pkg("3to2", "1.1.1", nil, sdist("3to2-1.1.1.zip"))),
			pkg("asgiref", "3.8.1", nil, sdist("asgiref-3.8.1.tar.gz"), wheel("asgiref-3.8.1-py3-none-any.whl")),
			root(pkg("bootstrap", "5.3.0", nil, sdistAt("https://example.org/dist/bootstrap-5.3.0.tar.gz", "bootstrap-5.3.0.tar.gz"))),
			pkg("certifi", "2025.1.31", nil, sdist("certifi-2025.1.31.tar.gz")),
			root(pkg("cyclic-a", "1.0", []string{"cyclic-b"}, wheelAt("https://pypi.example.com/simple/files/cyclic_a-1.0-py3-none-any.whl", "cyclic_a-1.0-py3-none-any.whl"))),
			pkg("cyclic-b", "1.0", []string{"cyclic-a"}, wheelAt("https://pypi.example.com/simple/files/cyclic_b-1.0-py3-none-any.whl", "cyclic_b-1.0-py3-none-any.whl")),
			root(pkg("django", "5.1.7", []string{"asgiref"}, sdist("django-5.1.7.tar.gz"))),
			pkg("idna", "3.10", nil, sdist("idna-3.10.tar.gz")),
			root(pkg("numpy", "2.2.4", nil, wheel("numpy-2.2.4-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"))),
			root(pkg("pyyaml", "5.3.1", nil, sdist("PyYAML-5.3.1.zip"))),
			root(pkg("requests", "2.32.3", []string{"certifi", "idna", "urllib3"}, sdist("requests-2.32.3.tar.gz"))),
			root(pkg("six", "1.16.0", nil, wheelAt("https://files.pythonhosted.org/packages/py2.py3/s/six/six-1.16.0-py2.py3-none-any.whl", "six-1.16.0-py2.py3-none-any.whl"))),
			root(pkg("typing-extensions", "4.12.2", nil, sdist("typing_extensions-4.12.2.tar.gz"))),
			pkg("urllib3", "1.26.20", nil, sdist("urllib3-1.26.20.tar.gz")),
		},
		Warnings: []string{"numpy: only a binary wheel is available"},
	}
}

// hostileStrings are values an untrusted index could send to break out of
// a Nix string, an attribute name or a comment.
var hostileStrings = []string{
	`a"b`,
	`x${builtins.abort "pwned"}`,
	`back\slash\`,
	"new\nline\r\n# req2nix-lock: evil==6.6.6",
	`''quote''${x}''`,
	`$${dollar}`,
	`ünï-cödé ☃`,
	`or`,
	`inherit`,
	"tab\there",
	`"; } // builtins.abort "x"; #`,
}

// hostileResolution puts hostileStrings in names, versions, filenames and
// URLs of new packages (the only kind whose every value comes from the
// index), with dependencies between them.
func hostileResolution() *resolver.Resolution {
	var pkgs []resolver.Package
	for i, s := range hostileStrings {
		file := s + ".tar.gz"
		url := "https://evil.example/" + s + "/" + file
		var deps []string
		if i > 0 {
			deps = []string{hostileStrings[i-1]}
		}
		p := root(pkg(s, "1.0"+s, deps, sdistAt(url, file)))
		pkgs = append(pkgs, p)
	}
	return &resolver.Resolution{Python: "3.12.10", Platform: "x86_64-linux", Packages: pkgs}
}

var goldenCases = []struct {
	name string
	res  func() *resolver.Resolution
}{
	{"flask", flaskResolution},
	{"mixed", mixedResolution},
	{"hostile", hostileResolution},
	{"direct", directResolution},
}

// goldenOptions are the options every golden is generated with.
func goldenOptions(format string) Options {
	return Options{
		Format:   format,
		Command:  "req2nix --format " + format + " requirements.txt",
		Inputs:   []string{"requirements.txt"},
		IndexURL: "https://pypi.org/pypi",
	}
}

var formatFiles = map[string]string{
	FormatShell: "shell.nix", FormatFlake: "flake.nix", FormatOverlay: "overlay.nix", FormatJSON: "report.json", FormatApp: "default.nix",
}

var allFormats = []string{FormatShell, FormatFlake, FormatOverlay, FormatJSON}

// fakeFacts answers Facts from maps keyed by file name; any other file
// fails, as an unreadable download does.
type fakeFacts struct {
	buildRequires map[string][]string // sdist -> [build-system] requires (nil: none)
	modules       map[string][]string // wheel -> top-level modules
}

func (f fakeFacts) BuildRequires(_ context.Context, file resolver.File) ([]string, error) {
	if r, ok := f.buildRequires[file.Filename]; ok {
		return r, nil
	}
	return nil, fmt.Errorf("%s: not a fixture file", file.Filename)
}

func (f fakeFacts) TopLevelModules(_ context.Context, file resolver.File) ([]string, error) {
	if m, ok := f.modules[file.Filename]; ok {
		return m, nil
	}
	return nil, fmt.Errorf("%s: not a fixture file", file.Filename)
}

// goldenFacts are what the golden resolutions' files hold: sdists with and
// without a pyproject.toml, build backends that changed between versions
// (Werkzeug 1.0.1 used setuptools, nixpkgs' 3.x flit-core), a requirement
// for another Python, and wheels' modules. Files not listed are unreadable.
var goldenFacts = fakeFacts{
	buildRequires: map[string][]string{
		"Flask-1.1.2.tar.gz":              nil,
		"Werkzeug-1.0.1.tar.gz":           {"setuptools>=40.8.0", "wheel"},
		"Jinja2-2.11.2.tar.gz":            nil,
		"urllib3-1.26.20.tar.gz":          {"setuptools", "tomli ; python_version < '3.11'"},
		"3to2-1.1.1.zip":                  {"hatchling>=1.10"},
		"bootstrap-5.3.0.tar.gz":          {"flit_core>=3.2,<4"},
		"PyYAML-5.3.1.zip":                {"setuptools", "cython<3"},
		"mysdist-1.0.tar.gz":              {"pdm-backend"},
		"typing_extensions-4.12.2.tar.gz": {"flit_core>=3.4,<4"},
	},
	modules: map[string][]string{
		"asgiref-3.8.1-py3-none-any.whl":                                         {"asgiref"},
		"cyclic_a-1.0-py3-none-any.whl":                                          {"cyclic_a", "tests"},
		"cyclic_b-1.0-py3-none-any.whl":                                          {"cyclic_b", "_cyclic_b_speedups"},
		"six-1.16.0-py2.py3-none-any.whl":                                        {"six"},
		"flask-3.0.3-py3-none-any.whl":                                           {"flask"},
		"numpy-2.2.4-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl": {"numpy"},
	},
}

// planWith plans res against ix as the goldens are (goldenFacts,
// goldenOutputDir), returning the plan even when it has problems.
func planWith(t testing.TB, res *resolver.Resolution, ix *Index) *Plan {
	t.Helper()
	p, err := MakePlan(context.Background(), res, ix, goldenFacts, PlanOptions{OutputDir: goldenOutputDir})
	if p == nil {
		t.Fatalf("MakePlan: %v", err)
	}
	return p
}

// generate plans res against ix as the goldens are and renders it.
func generate(res *resolver.Resolution, ix *Index, opts Options) ([]byte, error) {
	p, err := MakePlan(context.Background(), res, ix, goldenFacts, PlanOptions{OutputDir: goldenOutputDir})
	if err != nil {
		return nil, err
	}
	return p.Render(opts)
}

func stubIndex(t testing.TB) *Index {
	t.Helper()
	ix, err := LoadIndexFile(filepath.Join("testdata", "stub-index.json"), "python312")
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func stubDir(t testing.TB) string {
	t.Helper()
	d, err := filepath.Abs(filepath.Join("testdata", "stub-nixpkgs"))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// nix runs nix-instantiate against the dummy store (no daemon, no
// network), skipping the test when Nix is not installed.
func nix(t testing.TB, args ...string) ([]byte, error) {
	t.Helper()
	requireNix(t)
	cmd := exec.Command("nix-instantiate", append([]string{"--store", "dummy://"}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, &nixError{err: err, stderr: strings.TrimSpace(stderr.String())}
	}
	return stdout.Bytes(), nil
}

// requireNix skips the test when nix-instantiate is missing, or fails it
// when REQ2NIX_REQUIRE_NIX is set (CI installs Nix and must not skip).
func requireNix(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("nix-instantiate"); err != nil {
		if os.Getenv("REQ2NIX_REQUIRE_NIX") != "" {
			t.Fatal("nix-instantiate not installed but REQ2NIX_REQUIRE_NIX is set")
		}
		t.Skip("nix-instantiate not installed (Debian: apt-get install nix-bin)")
	}
}

type nixError struct {
	err    error
	stderr string
}

func (e *nixError) Error() string { return e.err.Error() + ": " + e.stderr }
