package nixgen

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/req2nix/req2nix/pypi/pep508"
)

// The recipes' goldens evaluated with real Nix against the stub nixpkgs
// and, where it models them, ../shared/nixreal (nixpkgs' own cpython
// expression, passthrufun.nix, withPackages and buildPythonApplication):
// the structure that matters is read from the evaluation and compared with
// the golden report of the same plan.

// recipeRealIndex is what nixreal's package set holds for the recipes'
// resolution: the plan's as-is versions, with nixpkgs' edges.
var recipeRealIndex = map[string]any{
	"certifi":    "2025.1.31",
	"click":      "7.1.1",
	"idna":       map[string]any{"version": "3.10", "build-system": []string{"flit-core"}},
	"jinja2":     map[string]any{"version": "2.11.2", "dependencies": []string{"markupsafe"}},
	"markupsafe": "1.1.1",
	"requests":   map[string]any{"version": "2.32.3", "dependencies": []string{"certifi", "idna", "urllib3"}},
	"urllib3":    map[string]any{"version": "2.3.0", "build-system": []string{"hatchling"}},
	"hatchling":  map[string]any{"version": "1.27.0", "build-system": []string{}},
	"pip":        map[string]any{"version": "25.0.1", "build-system": []string{}},
	"_comment":   "nixgen/recipes_golden_eval_test.go",
}

// goldenFile is the absolute path of a recipe golden.
func goldenFile(t *testing.T, name, format string) string {
	t.Helper()
	p, err := filepath.Abs(recipeGoldenPath(name, format))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// recipeReport reads a recipe golden's report.
func recipeReport(t *testing.T, name string) Report {
	t.Helper()
	return readReport(t, recipeGoldenPath(name, FormatJSON))
}

// packagesOn are a report's packages as system has them.
func packagesOn(r Report, system string) []ReportPackage {
	var out []ReportPackage
	for _, p := range r.Packages {
		if len(p.Systems) == 0 || slices.Contains(p.Systems, system) {
			out = append(out, p)
		}
	}
	return out
}

// evalSystem is the system the stub and nixreal evaluate for by default.
const evalSystem = "x86_64-linux"

// forEachModel runs f with the stub and with nixreal: the folder to
// import, the index nixreal needs, and how a shell's environment is found.
func forEachModel(t *testing.T, f func(t *testing.T, nixpkgs string, index map[string]any, env string)) {
	t.Run("stub", func(t *testing.T) { f(t, stubDir(t), nil, stubEnv) })
	t.Run("nixreal", func(t *testing.T) { f(t, nixrealDir(t), recipeRealIndex, realEnv) })
}

// TestRecipeExactEvaluates: the exact release's shell, flake and overlay
// define python3_11_11 from the table's sourceVersion and hash, build every
// package of the environment for it (its build side too), and check it in
// the shell's hook and the flake's checks.
func TestRecipeExactEvaluates(t *testing.T) {
	rel := cpythonRelease(t, "3.11.11")
	r := recipeReport(t, "exact")
	if r.Python.Attr != "python3_11_11" || r.Python.Base != "python311" || r.Python.Hash != rel.Hash || r.Python.Check != "3.11.11" {
		t.Fatalf("report's python: %+v", r.Python)
	}
	want := map[string]string{"major": "3", "minor": "11", "patch": "11", "suffix": ""}
	check := func(t *testing.T, got interpreterFacts) {
		t.Helper()
		if got.Attr != "python3_11_11" || got.Version != "3.11.11" || got.BuildSide != "3.11.11" || got.Hash != rel.Hash || got.URL != rel.URL || !equalMaps(got.SourceVersion, want) {
			t.Errorf("interpreter %+v, want 3.11.11 from %s (%s)", got, rel.URL, rel.Hash)
		}
		if want := len(packagesOn(r, evalSystem)); len(got.PackageInterpreters) < want {
			t.Errorf("environment holds %d packages, want %d", len(got.PackageInterpreters), want)
		}
		for _, pi := range got.PackageInterpreters {
			if pi != "python3_11_11" {
				t.Errorf("a package of the environment is built for %s", pi)
			}
		}
	}
	code := InterpreterCheckCode(*mustRequest(t, "3.11.11"))
	forEachModel(t, func(t *testing.T, nixpkgs string, index map[string]any, env string) {
		var got interpreterFacts
		probeShell(t, index, goldenFile(t, "exact", FormatShell), nixpkgs, env, interpreterProbe, &got)
		check(t, got)
		var hook string
		probeShell(t, index, goldenFile(t, "exact", FormatShell), nixpkgs, env, "shell.shellHook", &hook)
		if !strings.Contains(hook, "/bin/python3.11 -c '"+code+"'") {
			t.Errorf("shellHook does not check the interpreter:\n%s", hook)
		}
		var overlay interpreterFacts
		evalJSON(t, index, `let
		  pkgs = import (`+pathExpr(nixpkgs)+`) { overlays = [ (import `+nixString(goldenFile(t, "exact", FormatOverlay))+`) ]; };
		  py = pkgs.python3_11_11;
		  env = py.withPackages (ps: [ ps.requests ps.jinja2 ps.click ]);
		in `+interpreterProbe, &overlay)
		check(t, overlay)
		var flake struct{ Check, Interpreter string }
		evalJSON(t, index, flakeOutputs(t, goldenFile(t, "exact", FormatFlake), nixpkgs)+` in {
		  check = out.checks.x86_64-linux.python-version.buildCommand;
		  interpreter = (`+env+`).interpreter;
		}`, &flake)
		if flake.Check != flake.Interpreter+" -c '"+code+"'\ntouch \"$out\"\n" {
			t.Errorf("checks.x86_64-linux.python-version runs:\n%s", flake.Check)
		}
	})
	t.Run("nixreal/check", func(t *testing.T) {
		rep := nixrealCheck(t, recipeRealIndex, goldenFile(t, "exact", FormatShell))
		if rep.Python.Attr != "python3_11_11" || rep.Python.Version != "3.11.11" || len(rep.Packages) != len(packagesOn(r, evalSystem)) {
			t.Errorf("check.nix: %s %s with %d packages", rep.Python.Attr, rep.Python.Version, len(rep.Packages))
		}
		for _, p := range rep.Packages {
			if !p.InterpreterMatches {
				t.Errorf("check.nix: %s is built for %s", p.PName, p.PythonAttr)
			}
		}
	})
}

// flakeOutputs is a let binding out = the flake's outputs, with nixpkgs
// the stub's flake input or nixreal as a flake input (callable with
// import, as flake inputs are); the caller's expression follows `in`, with
// shell the x86_64-linux devShell (whose environment env reads).
func flakeOutputs(t *testing.T, file, nixpkgs string) string {
	t.Helper()
	input := `import (` + pathExpr(filepath.Join(nixpkgs, "flake-input.nix")) + `) { }`
	if nixpkgs != stubDir(t) {
		input = `{
		  outPath = ` + pathExpr(nixpkgs) + `;
		  lib = (import (` + pathExpr(nixpkgs) + `) { }).lib;
		  legacyPackages = builtins.listToAttrs (map (system: { name = system; value = import (` + pathExpr(nixpkgs) + `) { inherit system; }; }) [ "aarch64-darwin" "aarch64-linux" "x86_64-darwin" "x86_64-linux" ]);
		}`
	}
	return `let
	  out = (import ` + nixString(file) + `).outputs { nixpkgs = ` + input + `; };
	  shell = out.devShells.x86_64-linux.default;`
}

func mustRequest(t *testing.T, s string) *PythonRequest {
	t.Helper()
	r, err := ParsePythonRequest(s)
	if err != nil {
		t.Fatal(err)
	}
	return &r
}

// TestRecipeOptimizedEvaluates: the optimized interpreter is the pin's
// release with enableOptimizations, under its own attribute, and every
// package is built for it.
func TestRecipeOptimizedEvaluates(t *testing.T) {
	forEachModel(t, func(t *testing.T, nixpkgs string, index map[string]any, env string) {
		var got interpreterFacts
		probeShell(t, index, goldenFile(t, "optimized", FormatShell), nixpkgs, env, interpreterProbe, &got)
		var overlay interpreterFacts
		evalJSON(t, index, `let
		  pkgs = import (`+pathExpr(nixpkgs)+`) { overlays = [ (import `+nixString(goldenFile(t, "optimized", FormatOverlay))+`) ]; };
		  py = pkgs.python312Optimized;
		  env = py.withPackages (ps: [ ps.requests ps.jinja2 ]);
		in `+interpreterProbe, &overlay)
		var flake interpreterFacts
		evalJSON(t, index, flakeOutputs(t, goldenFile(t, "optimized", FormatFlake), nixpkgs)+`
		  env = `+env+`;
		  py = env.python;
		in `+interpreterProbe, &flake)
		for _, got := range []interpreterFacts{got, overlay, flake} {
			if got.Attr != "python312Optimized" || !got.Optimized || !strings.HasPrefix(got.Version, "3.12.") || got.BuildSide != got.Version {
				t.Errorf("interpreter %+v", got)
			}
			for _, pi := range got.PackageInterpreters {
				if pi != "python312Optimized" {
					t.Errorf("a package of the environment is built for %s", pi)
				}
			}
		}
	})
}

// TestRecipeFreeThreadingEvaluates: under the free-threading interpreter
// exactly the packages the report marks reused come, as built for
// python313 (their store paths), through the reused module, and the
// others are built for python313FreeThreading; the shell checks the build.
func TestRecipeFreeThreadingEvaluates(t *testing.T) {
	r := recipeReport(t, "freethreading")
	var reused, rebuilt []string
	for _, p := range packagesOn(r, evalSystem) {
		if p.Reused == nil || p.Compiled == nil {
			t.Fatalf("%s: the report lacks reused or compiled", p.Name)
		}
		if *p.Reused {
			reused = append(reused, p.Attr)
		} else {
			rebuilt = append(rebuilt, p.Attr)
		}
	}
	if strings.Join(rebuilt, " ") != "jinja2 markupsafe" || r.Python.Cached != "python313" || !r.Python.FreeThreaded {
		t.Fatalf("report: rebuilt %q, python %+v", rebuilt, r.Python)
	}
	list := `[ "` + strings.Join(reused, `" "`) + `" ]`
	forEachModel(t, func(t *testing.T, nixpkgs string, index map[string]any, env string) {
		var got struct {
			Python       string
			Modules      map[string]string
			Script, Hook string
			Cached       []string
			Target       []string
		}
		probeShell(t, index, goldenFile(t, "freethreading", FormatShell), nixpkgs, env, `let
		  mods = builtins.filter (p: p ? pythonModule && (p.pname or "") != "python3") (env.packages or env.paths);
		  reusedModule = builtins.head (builtins.filter (p: (p.name or "") == "python3.13t-packages-from-python3.13") mods);
		  cached = (import (`+pathExpr(nixpkgs)+`) { }).python313.pkgs;
		in {
		  drv = shell.drvPath or ""; # nixreal: every derivation of the closure is instantiated
		  python = py.pythonAttr;
		  modules = builtins.listToAttrs (map (p: { name = p.pname or p.name; value = if builtins.isString p.pythonModule then p.pythonModule else p.pythonModule.pythonAttr; }) mods);
		  script = reusedModule.buildCommand;
		  hook = shell.shellHook;
		  cached = map (a: cached.${a}.outPath) `+list+`;
		  target = map (a: py.pkgs.${a}.outPath) `+list+`;
		}`, &got)
		if got.Python != "python313FreeThreading" {
			t.Errorf("environment of %s", got.Python)
		}
		for name, python := range got.Modules {
			if python != "python313FreeThreading" {
				t.Errorf("%s is a module of %s", name, python)
			}
		}
		built := map[string]bool{}
		for name := range got.Modules {
			built[pep508.NormalizeName(name)] = true
		}
		for _, a := range rebuilt {
			if !built[a] {
				t.Errorf("%s is not built for the environment: %v", a, got.Modules)
			}
		}
		for i, p := range got.Cached {
			if !strings.Contains(got.Script, p) || strings.Contains(got.Script, got.Target[i]) {
				t.Errorf("the reused module does not link python313's %s (%s), or links its free-threading build", reused[i], p)
			}
		}
		if !strings.Contains(got.Hook, `sysconfig.get_config_var("Py_GIL_DISABLED") == 1`) {
			t.Errorf("shellHook does not check the free-threading build:\n%s", got.Hook)
		}
	})
	t.Run("flake", func(t *testing.T) {
		var got struct {
			Systems   []string
			Check     string
			ReusesSix map[string]bool
		}
		evalJSON(t, nil, flakeOutputs(t, goldenFile(t, "freethreading", FormatFlake), stubDir(t))+` in {
		  systems = map (s: (builtins.head out.devShells.${s}.default.packages).python.pythonAttr) (builtins.attrNames out.devShells);
		  check = out.checks.aarch64-darwin.python-version.buildCommand;
		  reusesSix = builtins.mapAttrs (s: v:
		    let env = builtins.head v.default.packages; in
		    builtins.any (p: (p.name or "") == "python3.13t-packages-from-python3.13" && builtins.match ".*python3.13-six.*" p.buildCommand != null) (env.packages or env.paths)
		  ) out.devShells;
		}`, &got)
		if len(got.Systems) != 4 || slices.ContainsFunc(got.Systems, func(s string) bool { return s != "python313FreeThreading" }) || !strings.Contains(got.Check, "Py_GIL_DISABLED") {
			t.Errorf("flake: %+v", got)
		}
		// six, macOS's only, is reused there and nowhere else.
		if want := map[string]bool{"x86_64-linux": false, "aarch64-linux": false, "x86_64-darwin": true, "aarch64-darwin": true}; !maps.Equal(got.ReusesSix, want) {
			t.Errorf("reused module links six on %v, want %v", got.ReusesSix, want)
		}
	})
	t.Run("overlay", func(t *testing.T) {
		var attrs []string
		for _, p := range packagesOn(r, evalSystem) {
			attrs = append(attrs, p.Attr)
		}
		env := evalEnv(t, evalCase{format: FormatOverlay, file: goldenFile(t, "freethreading", FormatOverlay), python: "python313FreeThreading", attrs: attrs})
		if env.Python != "python313FreeThreading" || len(env.Packages) != len(attrs) {
			t.Errorf("overlay.nix: %s with %d packages", env.Python, len(env.Packages))
		}
	})
}

// wantRequirements is the requirements file a report's pip packages make:
// a package pip installs on some systems only has their marker.
func wantRequirements(r Report, indexURL string) string {
	text := "# Installed by pip from the shell's hook (req2nix --fallback pip): exactly these files.\n"
	if indexURL != "" {
		text += "--index-url " + indexURL + "\n"
	}
	var pips []ReportPackage
	for _, p := range r.Packages {
		if p.Kind == KindPip {
			pips = append(pips, p)
		}
	}
	for i, p := range pips {
		if i > 0 && pips[i-1].Name == p.Name && slices.Equal(pips[i-1].PipSHA256, p.PipSHA256) {
			continue // the same requirement, on the systems of the line before
		}
		text += p.Name + "==" + p.Version
		var systems []string
		for _, q := range pips[i:] {
			if q.Name == p.Name && slices.Equal(q.PipSHA256, p.PipSHA256) {
				systems = append(systems, q.Systems...)
			}
		}
		var markers []string
		for _, s := range systems {
			markers = append(markers, pep508.SystemMarker(s))
		}
		switch len(markers) {
		case 0:
		case 1:
			text += " ; " + markers[0]
		default:
			text += " ; (" + strings.Join(markers, ") or (") + ")"
		}
		for _, h := range p.PipSHA256 {
			text += " --hash=sha256:" + h
		}
		text += "\n"
	}
	return text
}

// TestRecipePipEvaluates: pip installs binlib (a binary wheel only),
// usesbin (depends on it) and click (named); the environment holds the
// rest and pip; the requirements file the expression writes pins exactly
// the report's versions and hashes, from the index without its
// credentials; the hook installs once.
func TestRecipePipEvaluates(t *testing.T) {
	r := recipeReport(t, "pip")
	var pips []string
	for _, p := range packagesOn(r, evalSystem) {
		if p.Kind == KindPip {
			pips = append(pips, p.Name+": "+p.PipWhy)
		}
	}
	if len(pips) != 3 || !strings.HasPrefix(pips[1], "click: named with --pip") || !strings.HasPrefix(pips[2], "usesbin: depends on binlib") || r.Fallback != FallbackPip {
		t.Fatalf("pip packages %q (fallback %q)", pips, r.Fallback)
	}
	want := wantRequirements(r, "https://pypi.example.org/simple")
	// Nix installs binlib's macOS wheels as they are; pip its Linux ones.
	if !strings.Contains(want, `binlib==1.0 ; (sys_platform == "linux" and platform_machine == "x86_64") or (sys_platform == "linux" and platform_machine == "aarch64") --hash`) {
		t.Errorf("binlib is not left to pip on Linux alone:\n%s", want)
	}
	file := goldenFile(t, "pip", FormatShell)
	// The store paths of the evaluation do not exist (nothing is built):
	// the requirements file's text is read from its derivation instead.
	forEachModel(t, func(t *testing.T, nixpkgs string, index map[string]any, env string) {
		var got struct {
			Names []string
			Text  string
			Hook  string
		}
		probeShell(t, index, file, nixpkgs, env, `let
		  drvs = builtins.filter (d: (d.name or "") == "req2nix-pip-requirements.txt") (builtins.attrValues (import `+nixString(probeFile(t, file))+` { nixpkgs = `+pathExpr(nixpkgs)+`; }));
		in {
		  names = map (p: p.pname or p.name) (env.packages or env.paths);
		  text = (builtins.head drvs).text;
		  hook = shell.shellHook;
		}`, &got)
		if got.Text != want {
			t.Errorf("requirements file:\n%s\nwant:\n%s", got.Text, want)
		}
		for _, name := range []string{"binlib", "usesbin", "click"} {
			if slices.Contains(got.Names, name) {
				t.Errorf("%s is in the environment as well as installed by pip: %q", name, got.Names)
			}
		}
		if !slices.Contains(got.Names, "pip") || !slices.Contains(got.Names, "requests") {
			t.Errorf("environment %q lacks pip or requests", got.Names)
		}
		if !strings.Contains(got.Hook, "-m pip install --no-deps --require-hashes") || !strings.Contains(got.Hook, "unset SOURCE_DATE_EPOCH") {
			t.Errorf("shellHook:\n%s", got.Hook)
		}
	})
	t.Run("hook runs", func(t *testing.T) {
		hook := evalString(t, `(import `+nixString(file)+` { nixpkgs = `+pathExpr(stubDir(t))+`; }).shellHook`)
		first, second := runHookTwice(t, hook)
		if first != 1 || second != 0 {
			t.Errorf("pip ran %d times on entering, then %d times; want once, then never", first, second)
		}
	})
	t.Run("flake", func(t *testing.T) {
		var hooks []string
		evalJSON(t, nil, flakeOutputs(t, goldenFile(t, "pip", FormatFlake), stubDir(t))+` in map (s: out.devShells.${s}.default.shellHook) (builtins.attrNames out.devShells)`, &hooks)
		if len(hooks) != 4 {
			t.Fatalf("%d devShells", len(hooks))
		}
		for _, h := range hooks {
			if !strings.Contains(h, `while [ ! -e "$req2nix_root/flake.nix" ]`) {
				t.Errorf("the flake's hook does not look for the project root:\n%s", h)
			}
		}
	})
}

// probeFile writes, beside a golden shell.nix, a copy whose result is its
// let bindings (so that a test can reach pipRequirements), and returns it.
func probeFile(t *testing.T, shell string) string {
	t.Helper()
	data, err := os.ReadFile(shell)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	i := strings.LastIndex(text, "\nin\n")
	if i < 0 {
		t.Fatalf("%s has no let … in", shell)
	}
	names := []string{"pythonEnv", "pipRequirements"}
	probe := filepath.Join(t.TempDir(), "probe.nix")
	if err := os.WriteFile(probe, []byte(text[:i]+"\nin\n{ inherit "+strings.Join(names, " ")+"; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return probe
}

func evalString(t *testing.T, expr string) string {
	t.Helper()
	var s string
	evalJSON(t, nil, expr, &s)
	return s
}

// runHookTwice runs a pip hook with bash twice in a fresh project, against
// a fake interpreter that installs a file and counts its calls.
func runHookTwice(t *testing.T, hook string) (first, second int) {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash absent")
	}
	dir := t.TempDir()
	fake := filepath.Join(dir, "fake-python")
	log := filepath.Join(dir, "log")
	os.WriteFile(fake, []byte("#!/bin/sh\necho \"$*\" >> \""+log+"\"\nmkdir -p \"$PIP_PREFIX\"\n"), 0o755)
	i := strings.Index(hook, "/bin/python3")
	j := strings.LastIndex(hook[:i], " ") + 1
	interpreter := hook[j : i+len("/bin/python3.12")]
	hook = strings.ReplaceAll(hook, interpreter, fake)
	hook = strings.Replace(hook, "req2nix_root=", "req2nix_root="+dir+" # ", 1)
	calls := func() int {
		cmd := exec.Command(bash, "-c", hook)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("hook: %v\n%s", err, stderr.String())
		}
		data, _ := os.ReadFile(log)
		return bytes.Count(data, []byte("\n"))
	}
	first = calls()
	return first, calls() - first
}

// TestRecipeFHSEvaluates: on Linux the shell enters a buildFHSEnv holding
// the environment and the libraries manylinux wheels load, whose profile
// is the pip hook; on Darwin, where buildFHSEnv does not exist, it is the
// plain mkShell with the same hook (stub and nixreal; nixreal has no
// buildFHSEnv).
func TestRecipeFHSEvaluates(t *testing.T) {
	file := goldenFile(t, "fhs", FormatShell)
	var linux struct {
		Type, Profile string
		Targets       []string
	}
	evalJSON(t, nil, `let shell = import `+nixString(file)+` { nixpkgs = `+pathExpr(stubDir(t))+`; }; in {
	  inherit (shell) type;
	  inherit (shell.fhs) profile;
	  targets = map (p: p.name) shell.fhs.targets;
	}`, &linux)
	if linux.Type != "fhs-shell" || !strings.Contains(linux.Profile, "-m pip install --no-deps --require-hashes") ||
		strings.Join(linux.Targets, " ") != "python3-3.12.10-env libstdc++ zlib" {
		t.Errorf("Linux: %+v", linux)
	}
	var kinds map[string]string
	evalJSON(t, nil, flakeOutputs(t, goldenFile(t, "fhs", FormatFlake), stubDir(t))+` in builtins.mapAttrs (s: v: v.default.type) out.devShells`, &kinds)
	if len(kinds) != 4 || kinds["x86_64-linux"] != "fhs-shell" || kinds["aarch64-linux"] != "fhs-shell" || kinds["x86_64-darwin"] != "shell" || kinds["aarch64-darwin"] != "shell" {
		t.Errorf("the flake's devShells: %v; want the FHS environment on Linux only", kinds)
	}
	for _, m := range []struct{ name, nixpkgs, env string }{{"stub", stubDir(t), stubEnv}, {"nixreal", "", realEnv}} {
		t.Run("darwin/"+m.name, func(t *testing.T) {
			nixpkgs, index := m.nixpkgs, map[string]any(nil)
			if nixpkgs == "" {
				nixpkgs, index = nixrealDir(t), recipeRealIndex
			}
			var got struct {
				Hook   string
				System string
			}
			evalJSON(t, index, `let
			  shell = import `+nixString(file)+` { pkgs = import (`+pathExpr(nixpkgs)+`) { system = "aarch64-darwin"; }; };
			  env = `+m.env+`;
			in {
			  hook = shell.shellHook;
			  drv = shell.drvPath or "";
			  system = env.python.stdenv.hostPlatform.system or shell.system;
			}`, &got)
			if !strings.Contains(got.Hook, "-m pip install --no-deps --require-hashes") || got.System != "aarch64-darwin" {
				t.Errorf("Darwin: %+v", got)
			}
		})
	}
}

// TestRecipeAppEvaluates: default.nix builds the project from exactly its
// listed files, with its build system and the report's dependencies from
// the environment's package set (stub and nixreal's buildPythonApplication);
// the flake's packages.default is it and apps.default runs its script.
func TestRecipeAppEvaluates(t *testing.T) {
	r := recipeReport(t, "app")
	if r.App == nil || strings.Join(r.App.Dependencies, " ") != "jinja2 requests" || strings.Join(r.App.BuildSystem, " ") != "hatchling" || r.App.MainProgram != "myapp" {
		t.Fatalf("report's app: %+v", r.App)
	}
	dir := t.TempDir()
	for name, text := range map[string]string{"pyproject.toml": "[project]\nname = \"myapp\"\n", "src/myapp/__init__.py": ""} {
		os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755)
		os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644)
	}
	for _, f := range []string{"default.nix", "flake.nix"} {
		format := FormatApp
		if f == "flake.nix" {
			format = FormatFlake
		}
		data, _ := os.ReadFile(goldenFile(t, "app", format))
		os.WriteFile(filepath.Join(dir, f), data, 0o644)
	}
	check := func(t *testing.T, got appFacts) {
		t.Helper()
		if got.PName != "myapp" || got.Version != "0.1.0" || !got.Pyproject || got.MainProgram != "myapp" || got.Python != "python312" || got.Module {
			t.Errorf("application %+v", got)
		}
		if strings.Join(got.BuildSystem, " ") != "hatchling" || strings.Join(got.Dependencies, " ") != "jinja2 requests" {
			t.Errorf("build system %q, dependencies %q", got.BuildSystem, got.Dependencies)
		}
		if strings.Join(got.Src, " ") != filepath.Join(dir, "pyproject.toml")+" "+filepath.Join(dir, "src") {
			t.Errorf("source %q", got.Src)
		}
	}
	t.Run("stub", func(t *testing.T) {
		var got appFacts
		evalJSON(t, nil, `let app = import `+nixString(filepath.Join(dir, "default.nix"))+` { nixpkgs = `+pathExpr(stubDir(t))+`; }; in `+appProbe, &got)
		check(t, got)
	})
	t.Run("nixreal", func(t *testing.T) {
		lib := t.TempDir() // lib.fileset needs Nix 2.14: the stub's takes its place (see TestAppEvaluates)
		os.WriteFile(filepath.Join(lib, "default.nix"), []byte(`(import (`+pathExpr(filepath.Join(nixrealDir(t), "..", "nixpkgs", "lib-2026"))+`)).extend (final: prev: { fileset = import (`+pathExpr(filepath.Join(stubDir(t), "fileset.nix"))+`); })`), 0o644)
		t.Setenv("NIXLIB", lib)
		var got appFacts
		evalJSON(t, recipeRealIndex, `let app = import `+nixString(filepath.Join(dir, "default.nix"))+` { nixpkgs = `+pathExpr(nixrealDir(t))+`; }; in `+appProbe, &got)
		check(t, got)
	})
	t.Run("flake", func(t *testing.T) {
		var got struct{ Program, Package, Shell string }
		evalJSON(t, nil, flakeOutputs(t, filepath.Join(dir, "flake.nix"), stubDir(t))+` in {
		  program = out.apps.aarch64-darwin.default.program;
		  package = out.packages.aarch64-darwin.default.outPath;
		  shell = shell.type;
		}`, &got)
		if got.Program != got.Package+"/bin/myapp" || got.Shell != "shell" {
			t.Errorf("flake: %+v", got)
		}
	})
}

// TestRecipeReportsRoundTrip: every recipe report decodes into Report
// with its recipe fields, and reads back its pins.
func TestRecipeReportsRoundTrip(t *testing.T) {
	for _, c := range recipeCases {
		data, err := os.ReadFile(recipeGoldenPath(c.name, FormatJSON))
		if err != nil {
			t.Fatal(err)
		}
		var r Report
		if err := json.Unmarshal(data, &r); err != nil || r.SchemaVersion != SchemaVersion {
			t.Errorf("%s: %v (schema %s)", c.name, err, r.SchemaVersion)
		}
		names := map[string]bool{}
		for _, p := range r.Packages {
			names[p.Name] = true
		}
		pins, err := ReadPins(data)
		if err != nil || len(pins) != len(names) {
			t.Errorf("%s: pins %v, %v", c.name, pins, err)
		}
	}
}
