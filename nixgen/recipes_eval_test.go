package nixgen

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// recipeFile is a complete small shell.nix composed around recipe
// fragments the way the output will compose them: the interpreter overlay
// in pkgs' overlays; python, the swap's and the pip fallback's bindings,
// pythonEnv; then the shell (or, for probing, another expression after
// `in`).
type recipeFile struct {
	overlays []string // InterpreterOverlay texts
	python   string   // the attribute python overrides
	pyArgs   []string // more arguments of that override ("name = value;")
	bindings []string // before pythonEnv (InterpreterSwap.Bindings)
	envItems []string
	after    []string // after pythonEnv (PipFallback, FHSEnv, App bindings)
	hook     []string // shellHook lines
	result   string   // the expression after in; "" for pkgs.mkShell
}

func (f recipeFile) render(nixpkgs string) string {
	var p printer
	p.open("{")
	p.line("nixpkgs ? " + nixpkgs + ",")
	p.open("pkgs ? import nixpkgs {")
	p.line("config = { };")
	if len(f.overlays) == 0 {
		p.line("overlays = [ ];")
	} else {
		p.open("overlays = [")
		for _, o := range f.overlays {
			p.block("(", o, ")")
		}
		p.close("];")
	}
	p.close("},")
	p.close("}:")
	p.open("let")
	p.line("packageOverrides = pyfinal: pyprev: { };")
	p.open("python = pkgs." + f.python + ".override {")
	p.bind("self", "python")
	p.line("inherit packageOverrides;")
	for _, a := range f.pyArgs {
		p.line(a)
	}
	p.close("};")
	for _, b := range f.bindings {
		p.block("", b, "")
	}
	p.list("pythonEnv = python.withPackages (ps: ", f.envItems, ");")
	for _, b := range f.after {
		p.block("", b, "")
	}
	p.indent--
	p.line("in")
	if f.result != "" {
		p.line(f.result)
		return p.String()
	}
	p.open("pkgs.mkShell {")
	p.list("packages = ", []string{"pythonEnv"}, ";")
	if len(f.hook) > 0 {
		p.indentedString("shellHook = ", f.hook, ";")
	}
	p.close("}")
	return p.String()
}

// write renders f into dir/name (dir "" for a new temporary one) and
// checks that it parses.
func (f recipeFile) write(t *testing.T, dir, name string) string {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	file := filepath.Join(dir, name)
	pin := DefaultPin()
	text := f.render("fetchTarball {\n    url = " + nixString(pin.tarball()) + ";\n    sha256 = " + nixString(pin.SHA256) + ";\n  }")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := nix(t, "--parse", file); err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	return file
}

// evalJSON evaluates expr (with NIXREAL_INDEX set to index's JSON when
// index is not nil) and decodes the result into v.
func evalJSON(t *testing.T, index map[string]any, expr string, v any) {
	t.Helper()
	out, err := evalNix(t, index, expr)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(out, v); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
}

func evalNix(t *testing.T, index map[string]any, expr string) ([]byte, error) {
	t.Helper()
	requireNix(t)
	cmd := exec.Command("nix-instantiate", "--store", "dummy://", "--eval", "--strict", "--json", "-E", expr)
	cmd.Env = os.Environ()
	if index != nil {
		file := filepath.Join(t.TempDir(), "index.json")
		data, _ := json.Marshal(index)
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd.Env = append(cmd.Env, "NIXREAL_INDEX="+file)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, &nixError{err: err, stderr: strings.TrimSpace(stderr.String())}
	}
	return stdout.Bytes(), nil
}

// nixrealReport is what ../shared/nixreal/check.nix prints (the fields the
// recipes' tests read).
type nixrealReport struct {
	Python struct {
		Attr, Version, PythonVersion, SitePackages string
	} `json:"python"`
	Roots    []string `json:"roots"`
	Packages []struct {
		PName              string   `json:"pname"`
		Version            string   `json:"version"`
		PythonAttr         string   `json:"pythonAttr"`
		InterpreterMatches bool     `json:"interpreterMatches"`
		Format             string   `json:"format"`
		BuildSystem        []string `json:"buildSystem"`
		Dependencies       []string `json:"dependencies"`
	} `json:"packages"`
}

// nixrealCheck evaluates a shell.nix with nixreal's check.nix.
func nixrealCheck(t *testing.T, index map[string]any, file string) nixrealReport {
	t.Helper()
	real := nixrealDir(t)
	var r nixrealReport
	evalJSON(t, index, `import (`+pathExpr(filepath.Join(real, "check.nix"))+`) { file = `+nixString(file)+`; format = "shell"; }`, &r)
	return r
}

// testIndex is the nixpkgs nixreal models for the recipes' tests.
var testIndex = map[string]any{
	"numpy":               map[string]any{"version": "2.3.2", "build-system": []string{"meson-python", "cython"}},
	"markupsafe":          "3.0.2",
	"requests":            map[string]any{"version": "2.32.3", "dependencies": []string{"certifi", "idna"}},
	"certifi":             "2025.1.31",
	"idna":                "3.10",
	"click":               "8.2.1",
	"pip":                 map[string]any{"version": "25.1.1", "build-system": []string{}},
	"hatchling":           map[string]any{"version": "1.27.0", "build-system": []string{}},
	"meson-python":        "0.18.0",
	"cython":              "3.1.2",
	"_comment_recipes_go": "nixgen/recipes_eval_test.go",
}

// probeShell evaluates a shell.nix against nixpkgs (the stub's or
// nixreal's folder) and returns the probe's value; env is the shell's
// environment, py its interpreter.
func probeShell(t *testing.T, index map[string]any, file, nixpkgs, envExpr, probe string, v any) {
	t.Helper()
	evalJSON(t, index, `let
	  shell = import `+nixString(file)+` { nixpkgs = `+pathExpr(nixpkgs)+`; };
	  env = `+envExpr+`;
	  py = env.python;
	in `+probe, v)
}

// The environment of a shell: the stub's mkShell keeps packages, nixreal's
// (nixpkgs') puts them in nativeBuildInputs.
const (
	stubEnv = "builtins.head shell.packages"
	realEnv = "builtins.head shell.nativeBuildInputs"
)

// interpreterProbe describes the environment's interpreter: its attribute,
// version, source (sourceVersion, URL, hash: the stub's fetch keeps hash,
// nixpkgs' outputHash), the build-side interpreter's version and the
// interpreters the environment's packages were built for.
const interpreterProbe = `{
  attr = py.pythonAttr;
  inherit (py) version sourceVersion sitePackages;
  url = py.src.url or (builtins.head py.src.urls);
  hash = py.src.hash or py.src.outputHash;
  buildSide = py.pythonOnBuildForHost.version;
  optimized = py.enableOptimizations or (builtins.elem "--enable-optimizations" py.configureFlags);
  packageInterpreters = map (p: if builtins.isString p.pythonModule then p.pythonModule else p.pythonModule.pythonAttr) (
    builtins.filter (p: p ? pythonModule && (p.pname or "") != "python3") (env.packages or env.paths)
  );
}`

type interpreterFacts struct {
	Attr                string
	Version             string
	SourceVersion       map[string]string
	SitePackages        string
	URL                 string
	Hash                string
	BuildSide           string
	Optimized           bool
	PackageInterpreters []string
}

// TestInterpreterOverlayEvaluates defines interpreters with
// InterpreterOverlay in a shell and evaluates it with the stub nixpkgs and
// with nixreal (nixpkgs' own cpython expression and passthrufun.nix): the
// interpreter is the release (sourceVersion, the table's URL and hash), its
// build-side interpreter is the same release, every package of the
// environment is built for it, and the shell's hook checks it.
func TestInterpreterOverlayEvaluates(t *testing.T) {
	for _, tc := range []struct {
		name         string
		spec         InterpreterSpec
		request      string
		sitePackages string
	}{
		{"exact patch release", InterpreterSpec{Base: "python311", Release: cpythonRelease(t, "3.11.11")}, "3.11.11", "lib/python3.11/site-packages"},
		{"optimized", InterpreterSpec{Base: "python312", Optimized: true}, "", "lib/python3.12/site-packages"},
		{"exact and optimized", InterpreterSpec{Base: "python313", Release: cpythonRelease(t, "3.13.1"), Optimized: true}, "3.13.1", "lib/python3.13/site-packages"},
		{"exact free-threading release", InterpreterSpec{Base: "python313FreeThreading", Release: cpythonRelease(t, "3.13.1")}, "3.13.1t", "lib/python3.13t/site-packages"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			overlay, err := InterpreterOverlay(tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			f := recipeFile{overlays: []string{overlay}, python: tc.spec.Attr(), envItems: []string{"ps.requests"}}
			req := PythonRequest{Minor: -1, Patch: -1}
			if tc.request != "" {
				req, _ = ParsePythonRequest(tc.request)
				f.hook = InterpreterCheckHook(req)
			}
			file := f.write(t, "", "shell.nix")
			check := func(t *testing.T, got interpreterFacts, wantPackages int) {
				t.Helper()
				if got.Attr != tc.spec.Attr() || got.SitePackages != tc.sitePackages || got.Optimized != tc.spec.Optimized {
					t.Errorf("interpreter %s (%s, optimized %v), want %s (%s, optimized %v)", got.Attr, got.SitePackages, got.Optimized, tc.spec.Attr(), tc.sitePackages, tc.spec.Optimized)
				}
				if got.BuildSide != got.Version {
					t.Errorf("the build-side interpreter is Python %s, the interpreter %s", got.BuildSide, got.Version)
				}
				if r := tc.spec.Release; r != nil {
					want := map[string]string{"major": "3", "minor": strings.Split(r.Version, ".")[1], "patch": strings.Split(r.Version, ".")[2], "suffix": ""}
					if got.Version != r.Version || got.URL != r.URL || got.Hash != r.Hash || !equalMaps(got.SourceVersion, want) {
						t.Errorf("interpreter %s %v from %s (%s); want %s from %s (%s)", got.Version, got.SourceVersion, got.URL, got.Hash, r.Version, r.URL, r.Hash)
					}
				}
				if len(got.PackageInterpreters) < wantPackages {
					t.Errorf("packages %q, want at least %d", got.PackageInterpreters, wantPackages)
				}
				for _, pi := range got.PackageInterpreters {
					if pi != tc.spec.Attr() {
						t.Errorf("a package of the environment is built for %s", pi)
					}
				}
			}
			t.Run("stub", func(t *testing.T) {
				var got interpreterFacts
				probeShell(t, nil, file, stubDir(t), stubEnv, interpreterProbe, &got)
				check(t, got, 4) // requests, certifi, idna, urllib3
				var hook string
				probeShell(t, nil, file, stubDir(t), stubEnv, "shell.shellHook", &hook)
				if code := InterpreterCheckCode(req); code != "" && !strings.Contains(hook, "/bin/python"+tc.sitePackages[len("lib/python"):len(tc.sitePackages)-len("/site-packages")]+" -c '"+code+"'") {
					t.Errorf("shellHook %q does not run the check with the environment's interpreter", hook)
				}
			})
			t.Run("nixreal", func(t *testing.T) {
				var got interpreterFacts
				probeShell(t, testIndex, file, nixrealDir(t), realEnv, interpreterProbe, &got)
				check(t, got, 3) // requests, certifi, idna
				r := nixrealCheck(t, testIndex, file)
				if r.Python.Attr != tc.spec.Attr() {
					t.Errorf("check.nix: environment of %s", r.Python.Attr)
				}
				for _, p := range r.Packages {
					if !p.InterpreterMatches {
						t.Errorf("check.nix: %s is built for %s", p.PName, p.PythonAttr)
					}
				}
			})
		})
	}
}

// TestInterpreterOverrideTrap evaluates the recipe people write first — the
// pin's interpreter overridden with another sourceVersion and hash where
// the environment is defined, not in an overlay — and shows why
// InterpreterOverlay does not: its build-side interpreter (which runs every
// package's build hooks) is the pin's release fetched with the other
// release's hash (nixreal, as nixpkgs evaluates it), which the stub
// refuses.
func TestInterpreterOverrideTrap(t *testing.T) {
	r := cpythonRelease(t, "3.11.11")
	file := recipeFile{python: "python311", envItems: []string{"ps.requests"}, pyArgs: []string{
		`sourceVersion = { major = "3"; minor = "11"; patch = "11"; suffix = ""; };`,
		"hash = " + nixString(r.Hash) + ";",
	}}.write(t, "", "shell.nix")
	t.Run("stub", func(t *testing.T) {
		_, err := evalNix(t, nil, `let shell = import `+nixString(file)+` { nixpkgs = `+pathExpr(stubDir(t))+`; }; in (builtins.head shell.packages).packages`)
		if err == nil || !strings.Contains(err.Error(), "its build-side interpreter pkgsBuildHost.python311 is Python 3.11.12") {
			t.Fatalf("error %v, want the stub's build-side splice message", err)
		}
	})
	t.Run("nixreal", func(t *testing.T) {
		var got struct{ Version, BuildSide, BuildSideHash string }
		probeShell(t, testIndex, file, nixrealDir(t), realEnv, `{
		  inherit (py) version;
		  buildSide = py.pythonOnBuildForHost.version;
		  buildSideHash = py.pythonOnBuildForHost.src.outputHash;
		}`, &got)
		if got.Version != "3.11.11" || got.BuildSide == got.Version || got.BuildSideHash != r.Hash {
			t.Errorf("interpreter %s, build side %s with hash %s: want 3.11.11 whose build side is the pin's release with 3.11.11's hash", got.Version, got.BuildSide, got.BuildSideHash)
		}
	})
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestInterpreterSwapEvaluates builds a free-threading environment with
// InterpreterSwap: markupsafe (compiled) rebuilt for
// python313FreeThreading, requests (pure) and its closure reused as built
// for python313. With the stub and with nixreal: the environment is the
// free-threading interpreter's (nixreal: the whole closure instantiates);
// markupsafe is built for it; the reused module is a module of it
// whose script copies the site-packages of exactly the python313 builds of
// requests' closure (their store paths, and no free-threading build) from
// lib/python3.13/site-packages into lib/python3.13t/site-packages.
func TestInterpreterSwapEvaluates(t *testing.T) {
	swap := InterpreterSwap{Cached: "python313", Rebuilt: []string{"markupsafe"}, Reused: []string{"requests"}}
	bindings, err := swap.Bindings()
	if err != nil {
		t.Fatal(err)
	}
	f := recipeFile{python: "python313FreeThreading", bindings: []string{bindings}, envItems: swap.EnvItems()}
	file := f.write(t, "", "shell.nix")
	const probe = `let
	  reused = builtins.filter (p: (p.name or "") == "python3.13t-packages-from-python3.13") (env.packages or env.paths);
	  cached = (import nixpkgs { }).python313.pkgs;
	in {
	  drv = env.drvPath or "";
	  python = py.pythonAttr;
	  packages = map (p: { name = p.name or p.pname; python = if builtins.isString p.pythonModule then p.pythonModule else p.pythonModule.pythonAttr; }) (
	    builtins.filter (p: p ? pythonModule && (p.pname or "") != "python3") (env.packages or env.paths)
	  );
	  script = (builtins.head reused).buildCommand;
	  cachedPaths = map (a: cached.${a}.outPath) [ "requests" "certifi" "idna" ];
	  targetPaths = map (a: py.pkgs.${a}.outPath) [ "requests" "certifi" "idna" ];
	}`
	type facts struct {
		Python      string
		Packages    []struct{ Name, Python string }
		Script      string
		CachedPaths []string
		TargetPaths []string
	}
	check := func(t *testing.T, got facts) {
		t.Helper()
		if got.Python != "python313FreeThreading" {
			t.Errorf("environment of %s", got.Python)
		}
		var names []string
		for _, p := range got.Packages {
			names = append(names, p.Name)
			if p.Python != "python313FreeThreading" {
				t.Errorf("%s is a module of %s", p.Name, p.Python)
			}
		}
		if !strings.Contains(strings.Join(names, " "), "markupsafe") && !strings.Contains(strings.Join(names, " "), "MarkupSafe") || !strings.Contains(strings.Join(names, " "), "python3.13t-packages-from-python3.13") {
			t.Errorf("environment holds %q, want markupsafe and the reused module", names)
		}
		for _, p := range got.CachedPaths {
			if !strings.Contains(got.Script, p) {
				t.Errorf("the reused module does not copy %s:\n%s", p, got.Script)
			}
		}
		for _, p := range got.TargetPaths {
			if strings.Contains(got.Script, p) {
				t.Errorf("the reused module copies the free-threading build %s", p)
			}
		}
		if !strings.Contains(got.Script, `cp -rs --no-preserve=mode "$pkg/lib/python3.13/site-packages/." "$out/lib/python3.13t/site-packages/"`) {
			t.Errorf("script does not link python3.13's site-packages into python3.13t's:\n%s", got.Script)
		}
	}
	t.Run("stub", func(t *testing.T) {
		var got facts
		probeShell(t, nil, file, stubDir(t), stubEnv, "let nixpkgs = "+pathExpr(stubDir(t))+"; in "+probe, &got)
		check(t, got)
	})
	t.Run("nixreal", func(t *testing.T) {
		var got facts
		probeShell(t, testIndex, file, nixrealDir(t), realEnv, "let nixpkgs = "+pathExpr(nixrealDir(t))+"; in "+probe, &got)
		check(t, got)
		// check.nix cannot describe the reused module: it reads every
		// module's buildPythonPackage attributes (doInstallCheck), which a
		// toPythonModule derivation lacks.
	})
}

// pipTestFallback is a fallback of two packages, one with an sdist and a
// wheel.
func pipTestFallback(flake bool) PipFallback {
	return PipFallback{Flake: flake, IndexURL: "https://pypi.org/simple", Requirements: []PipRequirement{
		{Name: "torchlike", Version: "2.0.1", SHA256: []string{strings.Repeat("b", 64), strings.Repeat("a", 64)}},
		{Name: "abc-wheel-only", Version: "1.0", SHA256: []string{strings.Repeat("c", 64)}},
	}}
}

// pipShell is a shell.nix with the pip fallback (pip in the environment).
func pipShell(t *testing.T, fb PipFallback, result string) recipeFile {
	t.Helper()
	bindings, err := fb.Bindings()
	if err != nil {
		t.Fatal(err)
	}
	return recipeFile{python: "python312", envItems: []string{"ps.click", "ps.pip"}, after: []string{bindings}, hook: fb.HookLines(), result: result}
}

// TestPipFallbackEvaluates evaluates a shell with the pip fallback with the
// stub and with nixreal: the requirements file the expression writes holds
// exactly the pinned versions with their hashes, and the shell's hook
// installs from that very file with pip's hash checking, into the
// project's prefix, with the environment's interpreter.
func TestPipFallbackEvaluates(t *testing.T) {
	dir := t.TempDir()
	shell := pipShell(t, pipTestFallback(false), "").write(t, dir, "shell.nix")
	probe := pipShell(t, pipTestFallback(false), "{ shell = pkgs.mkShell { packages = [ pythonEnv ]; }; inherit pipRequirements pythonEnv; }").write(t, dir, "probe.nix")
	wantText := "# Installed by pip from the shell's hook (req2nix --fallback pip): exactly these files.\n" +
		"--index-url https://pypi.org/simple\n" +
		"abc-wheel-only==1.0 --hash=sha256:" + strings.Repeat("c", 64) + "\n" +
		"torchlike==2.0.1 --hash=sha256:" + strings.Repeat("a", 64) + " --hash=sha256:" + strings.Repeat("b", 64) + "\n"
	forEachNixpkgs(t, func(t *testing.T, nixpkgs string, index map[string]any) {
		var got struct {
			Text, Requirements, Interpreter, Hook string
		}
		evalJSON(t, index, `let
			  p = import `+nixString(probe)+` { nixpkgs = `+pathExpr(nixpkgs)+`; };
			  shell = import `+nixString(shell)+` { nixpkgs = `+pathExpr(nixpkgs)+`; };
			in {
			  inherit (p.pipRequirements) text;
			  requirements = p.pipRequirements.outPath;
			  interpreter = p.pythonEnv.interpreter;
			  hook = shell.shellHook;
			}`, &got)
		if got.Text != wantText {
			t.Errorf("requirements file:\n%s\nwant:\n%s", got.Text, wantText)
		}
		for _, want := range []string{
			"req2nix_root=" + dir + "\n",
			`export PIP_PREFIX="$req2nix_root/.req2nix/pip"`,
			`export PYTHONPATH="$PIP_PREFIX/lib/python3.12/site-packages${PYTHONPATH:+:$PYTHONPATH}"`,
			"unset SOURCE_DATE_EPOCH",
			got.Interpreter + " -m pip install --no-deps --require-hashes --ignore-installed --no-input --disable-pip-version-check --prefix \"$PIP_PREFIX\" -r " + got.Requirements + "; then",
			"req2nix_stamp=" + shellQuoteIfNeeded(got.Requirements+" "+strings.TrimSuffix(got.Interpreter, "/bin/python3.12")),
		} {
			if !strings.Contains(got.Hook, want) {
				t.Errorf("shellHook lacks %q:\n%s", want, got.Hook)
			}
		}
	})
	t.Run("nixreal/check", func(t *testing.T) {
		r := nixrealCheck(t, testIndex, shell)
		if !strings.Contains(strings.Join(r.Roots, " "), "pip") {
			t.Errorf("environment %q lacks pip", r.Roots)
		}
	})
}

// shellQuoteIfNeeded is lib.escapeShellArg.
func shellQuoteIfNeeded(s string) string {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune(",._+:@%/-", c)) {
			return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
		}
	}
	return s
}

// TestPipFallbackHookRuns runs the shell hook the stub evaluates, with bash,
// against a fake interpreter that records how pip is called: the first
// entry installs into the project's prefix (SOURCE_DATE_EPOCH unset,
// PYTHONPATH and PATH pointing into it) and writes the stamp; a second
// entry installs nothing; another set of requirements wipes the prefix and
// installs anew; a failed install leaves no stamp, so the next entry
// retries; a prefix req2nix did not stamp is never wiped.
func TestPipFallbackHookRuns(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash absent")
	}
	dir := t.TempDir()
	fake := filepath.Join(dir, "fake-python")
	script := `#!/bin/sh
echo "$*" >> "$FAKE_LOG"
if [ -n "${SOURCE_DATE_EPOCH+set}" ]; then echo "SOURCE_DATE_EPOCH is set" >> "$FAKE_LOG"; fi
if [ -n "$FAKE_FAIL" ]; then exit 1; fi
mkdir -p "$PIP_PREFIX/lib/python3.12/site-packages" && touch "$PIP_PREFIX/lib/python3.12/site-packages/installed.py"
`
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	hookOf := func(fb PipFallback) string {
		file := pipShell(t, fb, "").write(t, dir, "shell.nix")
		probe := pipShell(t, fb, "{ shell = pkgs.mkShell { packages = [ pythonEnv ]; }; inherit pythonEnv; }").write(t, dir, "probe.nix")
		var got struct{ Hook, Interpreter string }
		evalJSON(t, nil, `{
		  hook = (import `+nixString(file)+` { nixpkgs = `+pathExpr(stubDir(t))+`; }).shellHook;
		  interpreter = (import `+nixString(probe)+` { nixpkgs = `+pathExpr(stubDir(t))+`; }).pythonEnv.interpreter;
		}`, &got)
		return strings.ReplaceAll(got.Hook, got.Interpreter, fake)
	}
	log := filepath.Join(dir, "log")
	enter := func(hook string, env ...string) (stdout, stderr string, calls []string) {
		t.Helper()
		os.Remove(log)
		cmd := exec.Command(bash, "-c", "SOURCE_DATE_EPOCH=315532800; export SOURCE_DATE_EPOCH\n"+hook+"\necho \"PYTHONPATH=$PYTHONPATH\"; echo \"PATH=$PATH\"")
		cmd.Env = append([]string{"FAKE_LOG=" + log, "PATH=/usr/bin:/bin", "PYTHONPATH=/elsewhere"}, env...)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			t.Fatalf("hook: %v\n%s", err, errOut.String())
		}
		data, _ := os.ReadFile(log)
		for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			if l != "" {
				calls = append(calls, l)
			}
		}
		return out.String(), errOut.String(), calls
	}
	prefix := filepath.Join(dir, ".req2nix", "pip")
	installed := filepath.Join(prefix, "lib", "python3.12", "site-packages", "installed.py")
	first := hookOf(pipTestFallback(false))

	stdout, _, calls := enter(first)
	if len(calls) != 1 || !strings.HasPrefix(calls[0], "-m pip install --no-deps --require-hashes") || !strings.Contains(calls[0], "--prefix "+prefix+" -r /nix/store/") {
		t.Fatalf("first entry: pip calls %q", calls)
	}
	if !strings.Contains(stdout, "PYTHONPATH="+prefix+"/lib/python3.12/site-packages:/elsewhere\n") || !strings.Contains(stdout, "PATH="+prefix+"/bin:") {
		t.Errorf("first entry: environment\n%s", stdout)
	}
	if _, err := os.Stat(filepath.Join(prefix, ".req2nix-stamp")); err != nil {
		t.Errorf("no stamp after installing: %v", err)
	}
	if _, _, calls := enter(first); len(calls) != 0 {
		t.Errorf("second entry: pip calls %q, want none", calls)
	}

	changed := pipTestFallback(false)
	changed.Requirements[0].Version = "2.0.2"
	second := hookOf(changed)
	os.WriteFile(filepath.Join(prefix, "stale.py"), nil, 0o644)
	if _, _, calls := enter(second); len(calls) != 1 {
		t.Errorf("changed requirements: pip calls %q, want one", calls)
	}
	if _, err := os.Stat(filepath.Join(prefix, "stale.py")); err == nil {
		t.Errorf("changed requirements: the old prefix was not wiped")
	}

	os.RemoveAll(prefix)
	if _, stderr, calls := enter(first, "FAKE_FAIL=1"); len(calls) != 1 || !strings.Contains(stderr, "req2nix: pip could not install") {
		t.Errorf("failing install: calls %q, stderr %q", calls, stderr)
	}
	if _, err := os.Stat(filepath.Join(prefix, ".req2nix-stamp")); err == nil {
		t.Errorf("a failed install left a stamp")
	}
	if _, _, calls := enter(first); len(calls) != 1 {
		t.Errorf("after a failure: pip calls %q, want a retry", calls)
	}

	os.RemoveAll(prefix)
	os.MkdirAll(prefix, 0o755)
	mine := filepath.Join(prefix, "mine.py")
	os.WriteFile(mine, nil, 0o644)
	enter(first)
	if _, err := os.Stat(mine); err != nil {
		t.Errorf("a prefix without req2nix's stamp was wiped")
	}
	if _, err := os.Stat(installed); err != nil {
		t.Errorf("nothing installed: %v", err)
	}
}

// TestPipFallbackFlakeRoot runs the flake variant of the hook from a
// subdirectory of the project: the prefix is made next to flake.nix (a
// flake's ./. is a read-only store copy).
func TestPipFallbackFlakeRoot(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash absent")
	}
	lines := pipTestFallback(true).HookLines()
	root := t.TempDir()
	sub := filepath.Join(root, "src", "pkg")
	os.MkdirAll(sub, 0o755)
	os.WriteFile(filepath.Join(root, "flake.nix"), []byte("{ }"), 0o644)
	var got string
	// The root search and PIP_PREFIX (the lines before PYTHONPATH, which
	// refers to the environment).
	evalJSON(t, nil, "''\n"+strings.Join(lines[:3], "\n")+"\n''", &got)
	cmd := exec.Command(bash, "-c", got+`echo "$PIP_PREFIX"`)
	cmd.Dir = sub
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(string(out)) != filepath.Join(root, ".req2nix", "pip") {
		t.Errorf("PIP_PREFIX %s, want %s", out, filepath.Join(root, ".req2nix", "pip"))
	}
}

// TestFHSEnvEvaluates wraps the pip fallback in buildFHSEnv and evaluates
// the shell (fhs.env) with the stub: an FHS environment holding the Python
// environment and the libraries, whose profile is the pip hook; on Darwin
// it fails, as bubblewrap exists on Linux only. (nixreal has no
// buildFHSEnv, and the snapshot's build-fhsenv-bubblewrap interpolates
// ./container-init.cc, a source file the snapshot lacks.)
func TestFHSEnvEvaluates(t *testing.T) {
	fb := pipTestFallback(false)
	pip, err := fb.Bindings()
	if err != nil {
		t.Fatal(err)
	}
	fhs, err := FHSEnv{Name: "python-env", Libraries: []string{"zlib", "stdenv.cc.cc.lib"}, Profile: hookBinding}.Bindings()
	if err != nil {
		t.Fatal(err)
	}
	var hook printer
	hook.indentedString(hookBinding+" = ", fb.HookLines(), ";")
	file := recipeFile{python: "python312", envItems: []string{"ps.click", "ps.pip"}, after: []string{pip, hook.String(), fhs}, result: FHSShell}.write(t, "", "shell.nix")
	var got struct {
		Type, Name, Profile string
		Targets             []string
	}
	evalJSON(t, nil, `let shell = import `+nixString(file)+` { nixpkgs = `+pathExpr(stubDir(t))+`; }; in {
	  inherit (shell) type name;
	  inherit (shell.fhs) profile;
	  targets = map (p: p.name) shell.fhs.targets;
	}`, &got)
	if got.Type != "fhs-shell" || got.Name != "python-env-shell-env" {
		t.Errorf("shell %s %s, want buildFHSEnv's env", got.Type, got.Name)
	}
	if strings.Join(got.Targets, " ") != "python3-3.12.10-env zlib libstdc++" {
		t.Errorf("FHS targets %q", got.Targets)
	}
	if !strings.Contains(got.Profile, "-m pip install --no-deps --require-hashes") || !strings.Contains(got.Profile, "unset SOURCE_DATE_EPOCH") {
		t.Errorf("profile is not the pip hook:\n%s", got.Profile)
	}
	_, err = evalNix(t, nil, `(import `+nixString(file)+` { pkgs = import (`+pathExpr(stubDir(t))+`) { system = "aarch64-darwin"; }; }).fhs`)
	if err == nil || !strings.Contains(err.Error(), "bubblewrap FHS environments exist on Linux only, not on aarch64-darwin") {
		t.Errorf("on Darwin: %v", err)
	}
}

// appProject writes a small project (pyproject.toml, README.md, src/,
// tests/) and its default.nix building app, returning the directory.
func appProject(t *testing.T, app App) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range map[string]string{
		"pyproject.toml":          "[project]\nname = \"myapp\"\nversion = \"0.1.0\"\n",
		"README.md":               "# myapp\n",
		"src/myapp/__init__.py":   "",
		"src/myapp/cli.py":        "def main(): pass\n",
		"tests/test_cli.py":       "",
		"shell.nix":               "{ }",
		".venv/lib/whatever.py":   "",
		"we ird/name.txt":         "",
		"src/myapp/data/a b.json": "{}",
	} {
		path := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	expr, err := app.Expr()
	if err != nil {
		t.Fatal(err)
	}
	recipeFile{python: "python312", envItems: []string{"ps.click"}, after: []string{AppBinding + " = " + strings.TrimSuffix(expr, "\n") + ";"}, result: AppBinding}.write(t, dir, "default.nix")
	return dir
}

// appFacts describes the application an evaluation builds.
const appProbe = `{
  drv = app.drvPath or "";
  inherit (app) pname version;
  pyproject = app.pyproject or (app.format == "pyproject");
  buildSystem = map (d: d.pname) app.build-system;
  dependencies = map (d: d.pname) app.dependencies;
  src = app.src.paths;
  mainProgram = app.meta.mainProgram;
  # an application is no module: the interpreter is its dependencies'
  python = let m = (builtins.head app.dependencies).pythonModule; in if builtins.isString m then m else m.pythonAttr;
  module = app ? pythonModule;
}`

type appFacts struct {
	PName, Version, MainProgram, Python string
	Pyproject, Module                   bool
	BuildSystem, Dependencies, Src      []string
}

// TestAppEvaluates builds the project with App and evaluates default.nix
// with the stub and with nixreal (nixpkgs' buildPythonApplication): the
// application is the project at its version, built with pyproject = true,
// its build system and the resolution's dependencies from the environment's
// package set, from a source of exactly the listed project files; a flake
// around it offers packages.default and apps.default running its script.
func TestAppEvaluates(t *testing.T) {
	app := App{PName: "myapp", Version: "0.1.0", Root: ".", Files: []string{"pyproject.toml", "README.md", "src"},
		Dependencies: []string{"click", "requests"}, MainProgram: "myapp"}
	check := func(t *testing.T, dir string, got appFacts, buildSystem string) {
		t.Helper()
		if got.PName != "myapp" || got.Version != "0.1.0" || !got.Pyproject || got.MainProgram != "myapp" || got.Python != "python312" || got.Module {
			t.Errorf("application %+v", got)
		}
		if strings.Join(got.BuildSystem, " ") != buildSystem {
			t.Errorf("build system %q, want %s", got.BuildSystem, buildSystem)
		}
		if strings.Join(got.Dependencies, " ") != "click requests" {
			t.Errorf("dependencies %q", got.Dependencies)
		}
		want := []string{filepath.Join(dir, "pyproject.toml"), filepath.Join(dir, "README.md"), filepath.Join(dir, "src")}
		if strings.Join(got.Src, " ") != strings.Join(want, " ") {
			t.Errorf("source %q, want %q", got.Src, want)
		}
	}
	t.Run("stub", func(t *testing.T) {
		a := app
		a.BuildSystem = []string{"setuptools"}
		dir := appProject(t, a)
		var got appFacts
		evalJSON(t, nil, `let app = import `+nixString(filepath.Join(dir, "default.nix"))+` { nixpkgs = `+pathExpr(stubDir(t))+`; }; in `+appProbe, &got)
		check(t, dir, got, "setuptools")
	})
	t.Run("nixreal", func(t *testing.T) {
		// nixreal's lib.fileset needs builtins.readFileType (Nix 2.14):
		// the stub's takes its place.
		lib := t.TempDir()
		os.WriteFile(filepath.Join(lib, "default.nix"), []byte(`(import (`+pathExpr(filepath.Join(nixrealDir(t), "..", "nixpkgs", "lib-2026"))+`)).extend (final: prev: { fileset = import (`+pathExpr(filepath.Join(stubDir(t), "fileset.nix"))+`); })`), 0o644)
		t.Setenv("NIXLIB", lib)
		a := app
		a.BuildSystem = []string{"hatchling"}
		a.SCMVersion = true
		dir := appProject(t, a)
		var got appFacts
		evalJSON(t, testIndex, `let app = import `+nixString(filepath.Join(dir, "default.nix"))+` { nixpkgs = `+pathExpr(nixrealDir(t))+`; }; in `+appProbe, &got)
		check(t, dir, got, "hatchling")
		var scm string
		evalJSON(t, testIndex, `(import `+nixString(filepath.Join(dir, "default.nix"))+` { nixpkgs = `+pathExpr(nixrealDir(t))+`; }).SETUPTOOLS_SCM_PRETEND_VERSION`, &scm)
		if scm != "0.1.0" {
			t.Errorf("SETUPTOOLS_SCM_PRETEND_VERSION %q", scm)
		}
	})
	t.Run("flake", func(t *testing.T) {
		a := app
		a.BuildSystem = []string{"setuptools"}
		dir := appProject(t, a)
		flake := `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/` + DefaultPin().Rev + `";
  outputs =
    { nixpkgs, ... }:
    let
      forAllSystems = nixpkgs.lib.genAttrs [ "x86_64-linux" "aarch64-darwin" ];
    in
    {
      packages = forAllSystems (system: {
        default = import ./default.nix { pkgs = nixpkgs.legacyPackages.${system}; };
      });
      apps = forAllSystems (
        system:
        let
          pkgs = nixpkgs.legacyPackages.${system};
          ` + AppBinding + ` = import ./default.nix { inherit pkgs; };
        in
        {
          default = {
            type = "app";
            program = ` + AppProgram + `;
          };
        }
      );
    };
}
`
		if err := os.WriteFile(filepath.Join(dir, "flake.nix"), []byte(flake), 0o644); err != nil {
			t.Fatal(err)
		}
		var got struct{ Program, Package string }
		evalJSON(t, nil, `let out = (import `+nixString(filepath.Join(dir, "flake.nix"))+`).outputs { nixpkgs = import `+nixString(filepath.Join(stubDir(t), "flake-input.nix"))+` { }; }; in {
		  program = out.apps.aarch64-darwin.default.program;
		  package = out.packages.aarch64-darwin.default.outPath;
		}`, &got)
		if got.Program != got.Package+"/bin/myapp" {
			t.Errorf("apps.default runs %s, want %s/bin/myapp", got.Program, got.Package)
		}
	})
}

// TestAppSourceErrors: the fileset refuses a project file that does not
// exist (a stale output) with lib.fileset's message, and the renderer a
// file outside the project.
func TestAppSourceErrors(t *testing.T) {
	dir := appProject(t, App{PName: "myapp", Version: "0.1.0", Root: ".", Files: []string{"pyproject.toml", "setup.cfg"}})
	_, err := evalNix(t, nil, `(import `+nixString(filepath.Join(dir, "default.nix"))+` { nixpkgs = `+pathExpr(stubDir(t))+`; }).src`)
	if err == nil || !strings.Contains(err.Error(), "lib.fileset.unions: Element 1 ("+filepath.Join(dir, "setup.cfg")+") is a path that does not exist") {
		t.Errorf("missing file: %v", err)
	}
	// Paths Nix cannot spell as literals still name the project's files.
	dir = appProject(t, App{PName: "myapp", Version: "0.1.0", Root: ".", Files: []string{"we ird", "src/myapp/data/a b.json"}})
	var src []string
	evalJSON(t, nil, `(import `+nixString(filepath.Join(dir, "default.nix"))+` { nixpkgs = `+pathExpr(stubDir(t))+`; }).src.paths`, &src)
	if strings.Join(src, "|") != filepath.Join(dir, "we ird")+"|"+filepath.Join(dir, "src/myapp/data/a b.json") {
		t.Errorf("source %q", src)
	}
}

// TestInterpreterCheckDerivationEvaluates puts the interpreter check in a
// derivation (a flake's checks) and evaluates it with the stub and with
// nixreal: it runs the check's code with the environment's interpreter.
func TestInterpreterCheckDerivationEvaluates(t *testing.T) {
	spec := InterpreterSpec{Base: "python311", Release: cpythonRelease(t, "3.11.11")}
	overlay, err := InterpreterOverlay(spec)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := ParsePythonRequest("3.11.11")
	file := recipeFile{overlays: []string{overlay}, python: spec.Attr(), envItems: []string{"ps.requests"},
		result: "{ check = " + strings.TrimSuffix(InterpreterCheckDerivation(req), "\n") + "; inherit pythonEnv; }"}.write(t, "", "checks.nix")
	forEachNixpkgs(t, func(t *testing.T, nixpkgs string, index map[string]any) {
		var got struct{ Drv, Script, Interpreter string }
		evalJSON(t, index, `let out = import `+nixString(file)+` { nixpkgs = `+pathExpr(nixpkgs)+`; }; in {
			  drv = out.check.drvPath or "";
			  script = out.check.buildCommand;
			  interpreter = out.pythonEnv.interpreter;
			}`, &got)
		want := got.Interpreter + " -c '" + InterpreterCheckCode(req) + "'\ntouch \"$out\"\n"
		if got.Script != want || !strings.HasSuffix(got.Interpreter, "/bin/python3.11") {
			t.Errorf("check script:\n%s\nwant:\n%s", got.Script, want)
		}
	})
}

// forEachNixpkgs runs f as subtests "stub" (the stub nixpkgs) and
// "nixreal" (skipped when ../shared is absent), with the folder to import
// and the index nixreal's package set is made from.
func forEachNixpkgs(t *testing.T, f func(t *testing.T, nixpkgs string, index map[string]any)) {
	t.Run("stub", func(t *testing.T) { f(t, stubDir(t), nil) })
	t.Run("nixreal", func(t *testing.T) { f(t, nixrealDir(t), testIndex) })
}
