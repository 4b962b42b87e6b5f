package main

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/req2nix/req2nix/fixtures"
	"github.com/req2nix/req2nix/nixgen"
	"github.com/req2nix/req2nix/pypi/pypitest"
)

// TestExactReleaseThroughBinary: an exact release the table lacks fails
// offline (exit 1, nothing written) naming the table's releases, the
// download and --python-hash; online it is downloaded once (from
// REQ2NIX_CPYTHON_URL) and hashed, and an offline re-run then gives the
// same file; --python-hash gives the hash instead; a release python.org
// does not have, a hash the table contradicts, and a hash for the pin's
// own release are refused.
func TestExactReleaseThroughBinary(t *testing.T) {
	tarball := []byte("the bytes of Python-3.12.99.tar.xz")
	var downloads atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/3.12.99/Python-3.12.99.tar.xz" {
			http.NotFound(w, r)
			return
		}
		downloads.Add(1)
		w.Write(tarball)
	}))
	defer srv.Close()
	sum := sha256.Sum256(tarball)
	hash := "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
	s := newSession(t)
	s.env = append(s.env, "REQ2NIX_CPYTHON_URL="+srv.URL)
	s.write("requirements.txt", "click\n")

	r := s.mustRun(1, args("--python", "3.12.99", "-o", "shell.nix", "requirements.txt")...)
	for _, want := range []string{"CPython 3.12.99 is not in req2nix's table of CPython releases (its 3.12 releases run from 3.12.0 to 3.12.13)", "--python-hash", "--offline: its tarball was never downloaded on this machine"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("offline: stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(s.dir, "shell.nix")); err == nil {
		t.Error("a failed run wrote shell.nix")
	}

	online := s.mustRun(0, onlineArgs("--python", "3.12.99", "requirements.txt")...)
	for _, want := range []string{"python3_12_99 = prev.python312.override {", `hash = "` + hash + `";`, `patch = "99";`, "sys.version_info[:3] == (3, 12, 99)"} {
		if !strings.Contains(online.stdout, want) {
			t.Errorf("shell.nix lacks %q", want)
		}
	}
	if !strings.Contains(online.stderr, "the hash of Python-3.12.99.tar.xz ("+hash+") comes from a download of https://www.python.org/ftp/python/3.12.99/Python-3.12.99.tar.xz") ||
		!strings.Contains(online.stderr, "CPython 3.12.99 is built from source, and so is every Python package") {
		t.Errorf("summary:\n%s", online.stderr)
	}
	offline := s.mustRun(0, args("--python", "3.12.99", "requirements.txt")...)
	if offline.stdout != online.stdout || downloads.Load() != 1 {
		t.Errorf("offline re-run differs, or %d downloads", downloads.Load())
	}

	given := s.mustRun(0, args("--python", "3.12.98", "--python-hash", hex64Of(sum[:]), "requirements.txt")...)
	if !strings.Contains(given.stdout, `hash = "`+hash+`";`) || !strings.Contains(given.stdout, "# Regenerate: req2nix --python 3.12.98 --python-hash "+hash) ||
		!strings.Contains(given.stderr, "comes from --python-hash") {
		t.Errorf("--python-hash:\n%s\n%s", given.stdout[:400], given.stderr)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{onlineArgs("--python", "3.12.97", "requirements.txt"), 2, "/3.12.97/Python-3.12.97.tar.xz has no such file: is 3.12.97 a CPython release?"},
		{args("--python", "3.11.11", "--python-hash", hash, "requirements.txt"), 2, "--python-hash " + hash + " is not the hash of Python-3.11.11.tar.xz in req2nix's table"},
		{args("--python", "3.12.13", "--python-hash", hash, "requirements.txt"), 2, "the pinned nixpkgs' python312 is 3.12.13 already"},
		{args("--python", "3.12", "--python-hash", hash, "requirements.txt"), 2, "--python-hash goes with an exact release"},
		{args("--python-hash", "sha256-tooShort=", "requirements.txt"), 2, "--python-hash \"sha256-tooShort=\": give the sha256"},
		{args("--python", "3.12t", "requirements.txt"), 2, "there is no free-threading build of Python 3.12"},
	} {
		if r := s.mustRun(tc.code, tc.args...); !strings.Contains(r.stderr, tc.want) {
			t.Errorf("req2nix %s: stderr lacks %q:\n%s", strings.Join(tc.args, " "), tc.want, r.stderr)
		}
	}
	pins := s.mustRun(0, args("--python", "3.12.13", "requirements.txt")...)
	if strings.Contains(pins.stdout, "overlays = [ ];") == false || !strings.Contains(pins.stdout, "pkgs.python312.override") || !strings.Contains(pins.stdout, "sys.version_info[:3] == (3, 12, 13)") {
		t.Errorf("the pin's own release is built anew, or not checked:\n%s", pins.stdout)
	}
}

func hex64Of(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 64)
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

// TestPythonVersionFile: without --python the project's .python-version
// decides (its first version; other lines are warnings), --python wins
// over it, an exact release in it is built, and a bad one is an input
// error naming the file and line.
func TestPythonVersionFile(t *testing.T) {
	s := newSession(t)
	os.MkdirAll(filepath.Join(s.dir, "proj"), 0o755)
	s.write("proj/requirements.txt", "click\n")
	s.write("proj/.python-version", "# pyenv local\npypy3.10\n3.12\n3.11\n")
	r := s.mustRun(0, args("proj")...)
	if !strings.Contains(r.stdout, "# Python: python312 3.12.13") || !strings.Contains(r.stderr, "Python 3.12 from proj/.python-version") ||
		!strings.Contains(r.stderr, `warning: proj/.python-version:2: skipped: Python "pypy3.10": pypy is not CPython`) ||
		!strings.Contains(r.stderr, `warning: proj/.python-version:4: "3.11" ignored: the first version of the file (3.12) is used`) {
		t.Errorf("stdout:\n%s\nstderr:\n%s", r.stdout[:300], r.stderr)
	}
	if strings.Contains(r.stdout, "--python") {
		t.Error("the file's version went into the Regenerate command: a re-run reads the file again")
	}
	r = s.mustRun(0, args("--python", "3.13", "proj")...)
	if !strings.Contains(r.stdout, "# Python: python313 ") || strings.Contains(r.stderr, ".python-version") {
		t.Errorf("--python does not win over the file:\n%s", r.stderr)
	}
	s.write("proj/.python-version", "3.12.4\n")
	if r = s.mustRun(0, args("proj")...); !strings.Contains(r.stdout, "python3_12_4 = prev.python312.override {") {
		t.Errorf("an exact release in .python-version is not built:\n%s", r.stderr)
	}
	s.write("proj/.python-version", "\n3.12.x\n")
	if r = s.mustRun(2, args("proj")...); !strings.Contains(r.stderr, `proj/.python-version:2: Python "3.12.x": not a Python version`) {
		t.Errorf("bad file: %s", r.stderr)
	}
	s.write("proj/.python-version", "3.9\n")
	if r = s.mustRun(2, args("proj")...); !strings.Contains(r.stderr, "has no python39") || !strings.Contains(r.stderr, "(Python 3.9 is asked for by proj/.python-version)") {
		t.Errorf("absent interpreter: %s", r.stderr)
	}
}

// ftIndex is a nixpkgs index for the free-threading and pip tests: fastext
// has compiled code, purelib and pureclient (which depends on it) none.
const ftIndex = `{
  "source": "recipes test",
  "python_attr": "python313",
  "packages": [
    {"attr": "click", "version": "8.1.8", "build_system": ["flit-core"]},
    {"attr": "fastext", "version": "1.0", "build_system": ["setuptools"]},
    {"attr": "flit-core", "version": "3.11.0"},
    {"attr": "pip", "version": "25.0.1", "build_system": ["setuptools"]},
    {"attr": "pureclient", "version": "1.0", "dependencies": ["purelib"], "build_system": ["flit-core"]},
    {"attr": "purelib", "version": "2.0", "build_system": ["flit-core"]},
    {"attr": "setuptools", "version": "80.9.0"}
  ]
}`

func ftServer(t *testing.T) *pypitest.Server {
	return pypitest.NewServer(t,
		pypitest.Release{Name: "click", Version: "8.1.8"},
		pypitest.Release{Name: "fastext", Version: "1.0", Wheels: []string{"cp313-cp313-manylinux_2_17_x86_64", "cp313-cp313t-manylinux_2_17_x86_64"}},
		pypitest.Release{Name: "purelib", Version: "2.0"},
		pypitest.Release{Name: "pureclient", Version: "1.0", RequiresDist: []string{"purelib>=2"}},
		pypitest.Release{Name: "binonly", Version: "1.0", NoSdist: true, Wheels: []string{"cp313-cp313-manylinux_2_17_x86_64", "cp313-cp313-macosx_11_0_arm64"}},
		pypitest.Release{Name: "pip", Version: "25.0.1"},
	)
}

// TestFreeThreadingThroughBinary resolves for the free-threading build:
// fastext takes its cp313t wheel and is rebuilt for python313FreeThreading
// (compiled); purelib and pureclient (pure) are reused from python313's
// binary cache; the shell says which, checks the build, and evaluates
// (against the stub nixpkgs) to that split.
func TestFreeThreadingThroughBinary(t *testing.T) {
	srv := ftServer(t)
	s := newSession(t)
	index := s.write("nixpkgs-index.json", ftIndex)
	s.write("requirements.txt", "fastext\npureclient\n")
	flags := []string{"-i", srv.URL, "--nixpkgs-index", index, "--python", "3.13t"}
	var r nixgen.Report
	if err := json.Unmarshal([]byte(s.mustRun(0, append(flags, "--format", "json", "requirements.txt")...).stdout), &r); err != nil {
		t.Fatal(err)
	}
	if r.Python.Attr != "python313FreeThreading" || !r.Python.FreeThreaded || r.Python.Cached != "python313" || r.Python.Check != "3.13t" {
		t.Errorf("python %+v", r.Python)
	}
	want := map[string][2]bool{"fastext": {true, false}, "purelib": {false, true}, "pureclient": {false, true}}
	for _, p := range r.Packages {
		if p.Compiled == nil || p.Reused == nil || [2]bool{*p.Compiled, *p.Reused} != want[p.Name] {
			t.Errorf("%s: compiled %v, reused %v; want %v", p.Name, p.Compiled, p.Reused, want[p.Name])
		}
		if p.Name == "fastext" && !slices.ContainsFunc(p.Files, func(f nixgen.ReportFile) bool { return strings.Contains(f.Filename, "cp313t") }) {
			t.Errorf("fastext's files %v: the free-threading wheel was not chosen", p.Files)
		}
	}
	shell := s.mustRun(0, append(flags, "-o", "shell.nix", "requirements.txt")...)
	for _, w := range []string{
		"1 package rebuilt for python313FreeThreading; compiled: fastext (wheel fastext-1.0-cp313-cp313-manylinux_2_17_x86_64.whl is platform-specific)",
		"2 reused from python313's binary cache: pureclient, purelib; their own commands run python313",
		"the shell checks that it runs Python 3.13t",
	} {
		if !strings.Contains(shell.stderr, w) {
			t.Errorf("summary lacks %q:\n%s", w, shell.stderr)
		}
	}
	requireNixInstantiate(t)
	list := `[ { attr = "fastext"; pname = "fastext"; version = "1.0"; dependencies = [ ]; } { attr = "purelib"; pname = "purelib"; version = "2.0"; dependencies = [ ]; } { attr = "pureclient"; pname = "pureclient"; version = "1.0"; dependencies = [ "purelib" ]; } ]`
	out, err := exec.Command("nix-instantiate", "--store", "dummy://", "--eval", "--strict", "--json", "-E", `let
	  pkgs = import `+stubDir(t)+` { pythonPackages = `+list+`; };
	  env = builtins.head (import `+filepath.Join(s.dir, "shell.nix")+` { inherit pkgs; }).packages;
	  reused = builtins.head (builtins.filter (p: (p.name or "") == "python3.13t-packages-from-python3.13") env.packages);
	in {
	  python = env.python.pythonAttr;
	  modules = map (p: p.pname or p.name) env.packages;
	  copies = map (a: builtins.elem a.outPath (builtins.filter builtins.isString (builtins.split " " reused.buildCommand)) || builtins.match (".*" + a.outPath + ".*") reused.buildCommand != null) [ pkgs.python313.pkgs.purelib pkgs.python313.pkgs.pureclient ];
	}`).Output()
	if err != nil {
		t.Fatalf("%v: %s", err, err.(*exec.ExitError).Stderr)
	}
	var got struct {
		Python  string
		Modules []string
		Copies  []bool
	}
	json.Unmarshal(out, &got)
	if got.Python != "python313FreeThreading" || strings.Join(got.Modules, " ") != "fastext python3.13t-packages-from-python3.13" || slices.Contains(got.Copies, false) {
		t.Errorf("evaluated: %+v", got)
	}
}

// TestPipFallbackThroughBinary: binonly, with only binary wheels, is a
// last-resort wheel build without --fallback and left to pip with it
// (every wheel's hash in the requirements file, the index named), the
// summary saying why and about .gitignore; bad combinations are usage
// errors.
func TestPipFallbackThroughBinary(t *testing.T) {
	srv := ftServer(t)
	s := newSession(t)
	index := s.write("nixpkgs-index.json", ftIndex)
	s.write("requirements.txt", "binonly\nclick\n")
	flags := []string{"-i", srv.URL, "--nixpkgs-index", index}
	report := func(extra ...string) map[string]nixgen.ReportPackage {
		var r nixgen.Report
		if err := json.Unmarshal([]byte(s.mustRun(0, append(append(flags, extra...), "--format", "json", "requirements.txt")...).stdout), &r); err != nil {
			t.Fatal(err)
		}
		out := map[string]nixgen.ReportPackage{}
		for _, p := range r.Packages {
			out[p.Name+" "+strings.Join(p.Systems, " ")] = p
		}
		return out
	}
	if p := report()["binonly x86_64-linux"]; p.Kind != nixgen.KindNew || !p.BinaryWheel {
		t.Errorf("without --fallback: %+v", p)
	}
	// The macOS wheel needs no patching: Nix installs it there.
	if p := report("--fallback", "pip")["binonly aarch64-darwin"]; p.Kind != nixgen.KindNew || !p.BinaryWheel {
		t.Errorf("with --fallback pip on aarch64-darwin: %+v", p)
	}
	p := report("--fallback", "pip")["binonly x86_64-linux"]
	if p.Kind != nixgen.KindPip || !strings.HasPrefix(p.PipWhy, "no sdist, only the binary wheel binonly-1.0-cp313-cp313-manylinux_2_17_x86_64.whl") || len(p.PipSHA256) != 2 || p.BinaryCache != nil {
		t.Errorf("with --fallback pip: %+v", p)
	}
	r := s.mustRun(0, append(flags, "--fallback", "pip", "--pip", "nosuch", "requirements.txt")...)
	for _, w := range []string{
		"--index-url " + srv.URL + "\n",
		`binonly==1.0 ; sys_platform == "linux" and platform_machine == "x86_64" --hash=sha256:` + p.PipSHA256[0] + " --hash=sha256:" + p.PipSHA256[1] + "\n",
		"    ps.pip\n",
	} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("shell.nix lacks %q", w)
		}
	}
	fhs := s.mustRun(0, append(flags, "--fallback", "fhs", "requirements.txt")...).stdout
	wantAll(t, "--fallback fhs: shell.nix", fhs, "pkgs.buildFHSEnv {", "profile = shellHook;", "if pkgs.stdenv.hostPlatform.isLinux then", "inherit shellHook;")
	// pip installs binonly on x86_64-linux, Nix on aarch64-darwin only.
	if strings.Count(r.stdout, "ps.binonly") != 1 || !strings.Contains(r.stdout, "packages = ps: [ ps.binonly ];") {
		t.Error("binonly is in the Nix environment of x86_64-linux as well")
	}
	for _, w := range []string{
		"1 installed by pip on entering the shell: binonly 1.0",
		"pip installs binonly==1.0: no sdist, only the binary wheel",
		"add .req2nix/ to .gitignore",
		"warning: --pip nosuch: no package of that name was resolved",
	} {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("summary lacks %q:\n%s", w, r.stderr)
		}
	}
	if !strings.Contains(r.stdout, "# Regenerate: req2nix --nixpkgs-index "+index+" --index-url "+srv.URL+" --pip nosuch requirements.txt") {
		t.Errorf("regenerate command: %s", r.stdout[:400])
	}
	for _, tc := range []struct{ args, want string }{
		{"--fallback pip --format overlay", "--fallback, --pip and --app need a shell"},
		{"--fallback conda", `--fallback "conda": choose pip or fhs`},
		{"--pip not/a/name", "--pip not/a/name: give a package name only"},
	} {
		if r := s.mustRun(2, append(flags, append(strings.Fields(tc.args), "requirements.txt")...)...); !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%s: %s", tc.args, r.stderr)
		}
	}
}

// appProjectDir copies a fixture project without its goldens, adding the
// files a real project has (its sources, a README, tests), and returns it.
func appProjectDir(t *testing.T, name string, extraToml string) string {
	t.Helper()
	dir := copyDir(t, filepath.Join(fixtures.Dir(), "projects", name))
	os.RemoveAll(filepath.Join(dir, "golden"))
	for file, text := range map[string]string{"src/app/__init__.py": "", "README.md": "# app\n", "tests/test_app.py": ""} {
		os.MkdirAll(filepath.Join(dir, filepath.Dir(file)), 0o755)
		os.WriteFile(filepath.Join(dir, file), []byte(text), 0o644)
	}
	if extraToml != "" {
		f, _ := os.OpenFile(filepath.Join(dir, "pyproject.toml"), os.O_APPEND|os.O_WRONLY, 0)
		f.WriteString(extraToml)
		f.Close()
	}
	return dir
}

// TestAppThroughBinary builds the fixture projects with --app: default.nix
// beside shell.nix (which --app leaves as it was), the project's build
// system and its own dependencies (not its groups'), its files but not its
// tests or Nix files; --check covers both files; the flake offers
// packages.default and apps.default; default.nix evaluates against the
// stub nixpkgs to that application.
func TestAppThroughBinary(t *testing.T) {
	for _, tc := range []struct {
		project, toml, flags, buildSystem, deps, script string
	}{
		{"pep621-app", "\n[project.scripts]\npep621-app = \"app:main\"\n", "--group dev", "hatchling", "flask python-dotenv", "pep621-app"},
		{"poetry-app", "", "--extra slug", "poetry-core", "click requests slugify-lite", ""},
	} {
		t.Run(tc.project, func(t *testing.T) {
			s := newSession(t)
			s.dir = appProjectDir(t, tc.project, tc.toml)
			flags := append(strings.Fields(tc.flags), ".")
			plain := s.mustRun(0, args(append([]string{"-o", "plain.nix"}, flags...)...)...)
			r := s.mustRun(0, args(append([]string{"--app", "-o", "shell.nix"}, flags...)...)...)
			if !strings.Contains(r.stderr, "default.nix builds "+tc.project) {
				t.Errorf("summary:\n%s", r.stderr)
			}
			shell, app := s.read("shell.nix"), s.read("default.nix")
			if strings.Replace(strings.Replace(shell, " --app", "", 1), "shell.nix", "plain.nix", 1) != s.read("plain.nix") {
				t.Errorf("--app changed shell.nix:\n%s", unifiedDiff("plain", "app", s.read("plain.nix"), shell))
			}
			_ = plain
			for _, w := range []string{"pname = " + strconv.Quote(tc.project), "build-system = [ python.pkgs." + tc.buildSystem + " ];", "./README.md", "./pyproject.toml", "./src", "\nin\napp\n"} {
				if !strings.Contains(app, w) {
					t.Errorf("default.nix lacks %q:\n%s", w, app)
				}
			}
			for _, unwanted := range []string{"./tests", "shell.nix", "cowsay"} {
				if strings.Contains(app[strings.Index(app, "app = "):], unwanted) {
					t.Errorf("default.nix's application has %q", unwanted)
				}
			}
			checkAppEvaluates(t, s, flags, tc.buildSystem, tc.deps)

			s.mustRun(0, args(append([]string{"--app", "--check", "-o", "shell.nix"}, flags...)...)...)
			os.WriteFile(filepath.Join(s.dir, "default.nix"), []byte("# edited\n"+app), 0o644)
			stale := s.mustRun(1, args(append([]string{"--app", "--check", "-o", "shell.nix"}, flags...)...)...)
			if !strings.Contains(stale.stderr, "default.nix is out of date") || !strings.Contains(stale.stdout, "-# edited") {
				t.Errorf("--check with a stale default.nix:\n%s\n%s", stale.stdout, stale.stderr)
			}

			flake := s.mustRun(0, args(append([]string{"--app", "--format", "flake"}, flags...)...)...)
			if !strings.Contains(flake.stdout, "packages = forAllSystems (system: { default = outputsFor.${system}.app; });") {
				t.Errorf("flake.nix has no packages.default:\n%s", flake.stdout)
			}
			if hasApp := strings.Contains(flake.stdout, `type = "app";`); hasApp != (tc.script != "") || tc.script != "" && !strings.Contains(flake.stdout, `meta.mainProgram = "`+tc.script+`";`) {
				t.Errorf("apps.default: %v", hasApp)
			}
		})
	}
	t.Run("refused", func(t *testing.T) {
		s := newSession(t)
		s.dir = appProjectDir(t, "pep621-app", "")
		for _, tc := range []struct {
			args []string
			code int
			want string
		}{
			{[]string{"--app", "."}, 2, "--app writes default.nix beside the shell: give -o shell.nix"},
			{[]string{"--app", "-o", "default.nix", "."}, 2, "-o default.nix: --app writes default.nix itself"},
			{[]string{"--app", "--format", "overlay", "."}, 2, "need a shell"},
			{[]string{"--app", "-o", "shell.nix", filepath.Join(fixtures.Dir(), "projects", "webapp")}, 2, "--app builds a project described by a pyproject.toml"},
		} {
			if r := s.mustRun(tc.code, args(tc.args...)...); !strings.Contains(r.stderr, tc.want) {
				t.Errorf("%v: %s", tc.args, r.stderr)
			}
		}
		os.WriteFile(filepath.Join(s.dir, "pyproject.toml"), []byte("[project]\nname = \"x\"\nversion = \"1\"\ndependencies = [\"click\"]\n[build-system]\nrequires = [\"maturin>=1\"]\n"), 0o644)
		if r := s.mustRun(1, args("--app", "-o", "shell.nix", ".")...); !strings.Contains(r.stderr, `the project's build requirement "maturin>=1" is neither in nixpkgs nor in the resolution`) {
			t.Errorf("unknown backend: %s", r.stderr)
		}
	})
}

// checkAppEvaluates evaluates the session's default.nix against the stub
// nixpkgs holding the report's packages and the build system: the
// application's build system and dependencies.
func checkAppEvaluates(t *testing.T, s *session, flags []string, buildSystem, deps string) {
	t.Helper()
	requireNixInstantiate(t)
	report := decodeReport(t, s.mustRun(0, args(append([]string{"--format", "json"}, flags...)...)...).stdout)
	var list []map[string]any
	json.Unmarshal([]byte(stubPackages(report)), &list)
	list = append(list, map[string]any{"attr": buildSystem, "pname": buildSystem, "version": "1.0", "dependencies": []string{}})
	data, _ := json.Marshal(list)
	out, err := exec.Command("nix-instantiate", "--store", "dummy://", "--eval", "--strict", "--json", "-E", `let
	  app = import `+filepath.Join(s.dir, "default.nix")+` { pkgs = import `+stubDir(t)+` { pythonPackages = builtins.fromJSON `+strconv.Quote(string(data))+`; }; };
	in { buildSystem = map (d: d.pname) app.build-system; dependencies = map (d: d.pname) app.dependencies; src = app.src.paths; }`).Output()
	if err != nil {
		t.Fatalf("%v: %s", err, err.(*exec.ExitError).Stderr)
	}
	var got struct {
		BuildSystem, Dependencies, Src []string
	}
	json.Unmarshal(out, &got)
	var names []string
	for _, d := range got.Dependencies {
		names = append(names, strings.ToLower(d))
	}
	if strings.Join(got.BuildSystem, " ") != buildSystem || strings.Join(names, " ") != deps {
		t.Errorf("application: build system %q, dependencies %q; want %s, %s", got.BuildSystem, names, buildSystem, deps)
	}
	if len(got.Src) != 3 || filepath.Base(got.Src[2]) != "src" {
		t.Errorf("source %q", got.Src)
	}
}

// TestInterpreterFlagsThroughBinary: --optimized-python and --interpreter
// through the binary: the interpreter the header names and the file
// builds, and an interpreter the pin lacks refused.
func TestInterpreterFlagsThroughBinary(t *testing.T) {
	s := newSession(t)
	s.write("requirements.txt", "click\n")
	for _, tc := range []struct {
		flags []string
		code  int
		want  []string // in stdout (0) or stderr
	}{
		{[]string{"--python", "3.12", "--optimized-python"}, 0,
			[]string{"# Python: python312Optimized 3.12.13 on", "# With profile-guided optimization and LTO"}},
		{[]string{"--interpreter", "python313FreeThreading"}, 0,
			[]string{"# Python: python313FreeThreading 3.13.15 on", "python = pkgs.python313FreeThreading.override {"}},
		{[]string{"--interpreter", "python399"}, exitUsage, []string{"has no python399 (it has python311, python312, python313, python314, python315)"}},
	} {
		r := s.mustRun(tc.code, args(append(tc.flags, "requirements.txt")...)...)
		out := r.stdout
		if tc.code != 0 {
			out = r.stderr
		}
		wantAll(t, "req2nix "+strings.Join(tc.flags, " "), out, tc.want...)
	}
}
