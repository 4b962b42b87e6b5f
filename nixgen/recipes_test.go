package nixgen

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

func cpythonRelease(t testing.TB, version string) *CPythonRelease {
	t.Helper()
	r, ok := LookupCPython(version)
	if !ok {
		t.Fatalf("no release %s in the table", version)
	}
	return &r
}

func TestInterpreterSpecAttr(t *testing.T) {
	for _, tc := range []struct {
		spec InterpreterSpec
		want string
	}{
		{InterpreterSpec{Base: "python311", Release: cpythonRelease(t, "3.11.11")}, "python3_11_11"},
		{InterpreterSpec{Base: "python315", Release: cpythonRelease(t, "3.15.0b4")}, "python3_15_0b4"},
		{InterpreterSpec{Base: "python312", Optimized: true}, "python312Optimized"},
		{InterpreterSpec{Base: "python313FreeThreading", Release: cpythonRelease(t, "3.13.1")}, "python3_13_1FreeThreading"},
		{InterpreterSpec{Base: "python313FreeThreading", Release: cpythonRelease(t, "3.13.1"), Optimized: true}, "python3_13_1FreeThreadingOptimized"},
	} {
		if got := tc.spec.Attr(); got != tc.want {
			t.Errorf("%+v: Attr() = %s, want %s", tc.spec, got, tc.want)
		}
		if _, err := InterpreterOverlay(tc.spec); err != nil {
			t.Errorf("%+v: %v", tc.spec, err)
		}
	}
}

func TestInterpreterOverlayErrors(t *testing.T) {
	bad := *cpythonRelease(t, "3.11.11")
	bad.Hash = "1d12b501819fd26afafbf8459be1aa279b56f032b4c15412de0a713ce0de7bdc"
	injected := CPythonRelease{Version: `3.11.11"; x = "`, Hash: cpythonRelease(t, "3.11.11").Hash}
	for _, tc := range []struct {
		spec    InterpreterSpec
		wantErr string
	}{
		{InterpreterSpec{Base: "python312"}, "neither a release nor the optimized build"},
		{InterpreterSpec{Base: "pypy310", Optimized: true}, `interpreter "pypy310": expected a CPython attribute`},
		{InterpreterSpec{Base: "python312; abort", Optimized: true}, "expected a CPython attribute"},
		{InterpreterSpec{Base: "python312", Release: cpythonRelease(t, "3.11.11")}, "Python 3.11.11 is not a release of Python 3.12"},
		{InterpreterSpec{Base: "python311", Release: &bad}, "is not an SRI sha256"},
		{InterpreterSpec{Base: "python311", Release: &injected}, "is not an exact CPython release"},
		{InterpreterSpec{Base: "python311", Release: &CPythonRelease{Version: "3.11", Hash: bad.Hash}}, "is not an exact CPython release"},
	} {
		if _, err := InterpreterOverlay(tc.spec); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%+v: error %v, want one containing %q", tc.spec, err, tc.wantErr)
		}
	}
}

func TestInterpreterCost(t *testing.T) {
	for _, tc := range []struct {
		spec InterpreterSpec
		want []string
	}{
		{InterpreterSpec{Base: "python311", Release: cpythonRelease(t, "3.11.11")}, []string{"CPython 3.11.11 is built from source, and so is every Python package", "use --python 3.11 (the pin's 3.11) to reuse the binary cache"}},
		{InterpreterSpec{Base: "python312", Optimized: true}, []string{"the optimized build of python312 is built from source", "drop --optimized-python"}},
		{InterpreterSpec{Base: "python311", Release: cpythonRelease(t, "3.11.11"), Optimized: true}, []string{"CPython 3.11.11, optimized, is built"}},
	} {
		got := InterpreterCost(tc.spec)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%+v: %q lacks %q", tc.spec, got, w)
			}
		}
	}
}

// TestInterpreterCheckCode runs the check with the host's python3: it
// passes for the host's own version and fails, naming both versions, for
// another release, a pre-release and the free-threading build.
func TestInterpreterCheckCode(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 absent")
	}
	out, err := exec.Command(python, "-c", `import sys; print("%d.%d.%d" % sys.version_info[:3])`).Output()
	if err != nil {
		t.Fatal(err)
	}
	host, err := ParsePythonRequest(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatal(err)
	}
	other := host
	other.Patch++
	pre := host
	pre.Suffix = "rc2"
	ft := host
	ft.FreeThreaded = true
	for _, tc := range []struct {
		r    PythonRequest
		pass bool
	}{
		{host, true},
		{other, false},
		{pre, false},
		{ft, false},
	} {
		code := InterpreterCheckCode(tc.r)
		if strings.Contains(code, "'") {
			t.Errorf("%s: the check holds a single quote: %s", tc.r, code)
		}
		msg, err := exec.Command(python, "-c", code).CombinedOutput()
		if (err == nil) != tc.pass {
			t.Errorf("%s on the host's Python %s: passed %v (%s), want %v", tc.r, host, err == nil, msg, tc.pass)
		}
		if !tc.pass && !strings.Contains(string(msg), "req2nix: this environment should run Python "+tc.r.String()+" but runs "+host.String()) {
			t.Errorf("%s: message %q", tc.r, msg)
		}
	}
	if code := InterpreterCheckCode(PythonRequest{Minor: 12, Patch: -1}); code != "" {
		t.Errorf("a minor version needs no check, got %s", code)
	}
}

func TestSplitForSwap(t *testing.T) {
	pkg := func(attr string, compiled bool, deps ...string) SwapPackage {
		return SwapPackage{Attr: attr, Compiled: compiled, Deps: deps}
	}
	for _, tc := range []struct {
		name            string
		packages        []SwapPackage
		rebuilt, reused []string
	}{
		{"pure and compiled apart", []SwapPackage{
			pkg("numpy", true), pkg("requests", false, "idna", "certifi"), pkg("idna", false), pkg("certifi", false),
		}, []string{"numpy"}, []string{"certifi", "idna", "requests"}},
		{"a pure dependency of a compiled package is rebuilt", []SwapPackage{
			pkg("pandas", true, "numpy", "python-dateutil"), pkg("numpy", true), pkg("python-dateutil", false, "six"), pkg("six", false),
		}, []string{"numpy", "pandas", "python-dateutil", "six"}, nil},
		{"a pure package on a compiled one is rebuilt", []SwapPackage{
			pkg("pydantic", false, "pydantic-core", "typing-extensions"), pkg("pydantic-core", true, "typing-extensions"), pkg("typing-extensions", false),
			pkg("click", false),
		}, []string{"pydantic", "pydantic-core", "typing-extensions"}, []string{"click"}},
		{"sharing a pure dependency with a compiled package", []SwapPackage{
			pkg("attrs", false), pkg("jsonschema", false, "attrs"), pkg("cattrs", true, "attrs"),
		}, []string{"attrs", "cattrs", "jsonschema"}, nil},
		{"all pure", []SwapPackage{pkg("a", false, "b"), pkg("b", false)}, nil, []string{"a", "b"}},
		{"cycle", []SwapPackage{pkg("a", false, "b"), pkg("b", false, "a"), pkg("c", true)}, []string{"c"}, []string{"a", "b"}},
	} {
		rebuilt, reused := SplitForSwap(tc.packages)
		if !slices.Equal(rebuilt, tc.rebuilt) || !slices.Equal(reused, tc.reused) {
			t.Errorf("%s: rebuilt %q, reused %q; want %q, %q", tc.name, rebuilt, reused, tc.rebuilt, tc.reused)
		}
	}
}

func TestCompiledCode(t *testing.T) {
	for _, tc := range []struct {
		files, buildSystems []string
		compiled            bool
		why                 string
	}{
		{[]string{"numpy-2.3.2.tar.gz", "numpy-2.3.2-cp313-cp313t-manylinux_2_28_x86_64.whl"}, []string{"meson-python"}, true, "platform-specific"},
		{[]string{"requests-2.32.3.tar.gz", "requests-2.32.3-py3-none-any.whl"}, []string{"setuptools"}, false, "its wheels are pure"},
		{[]string{"six-1.17.0-py2.py3-none-any.whl"}, nil, false, "pure"},
		{[]string{"cryptography-45.0.5-cp311-abi3-manylinux_2_34_x86_64.whl", "cryptography-45.0.5-py3-none-any.whl"}, nil, true, "platform-specific"},
		{[]string{"pyyaml-6.0.2.tar.gz"}, []string{"setuptools", "cython"}, true, "it builds with cython"},
		{[]string{"orjson-3.11.0.tar.gz"}, []string{"maturin"}, true, "maturin"},
		{[]string{"flask-3.1.2.tar.gz"}, []string{"flit-core"}, false, "compiles nothing"},
		{[]string{"attrs-25.3.0.tar.gz"}, []string{"hatchling", "hatch-vcs", "hatch-fancy-pypi-readme"}, false, "compiles nothing"},
		{[]string{"markupsafe-3.0.2.tar.gz"}, []string{"setuptools"}, true, "may compile extensions"},
		{[]string{"odd-1.0.tar.gz"}, nil, true, "may compile extensions"},
	} {
		compiled, why := CompiledCode(tc.files, tc.buildSystems)
		if compiled != tc.compiled || !strings.Contains(why, tc.why) {
			t.Errorf("%q %q: %v (%s), want %v (%s)", tc.files, tc.buildSystems, compiled, why, tc.compiled, tc.why)
		}
	}
}

func TestInterpreterSwapErrors(t *testing.T) {
	for _, tc := range []struct {
		swap    InterpreterSwap
		wantErr string
	}{
		{InterpreterSwap{Cached: "python313FreeThreading", Reused: []string{"a"}}, "expected a GIL CPython attribute"},
		{InterpreterSwap{Cached: "pkgs.python313", Reused: []string{"a"}}, "expected a GIL CPython attribute"},
		{InterpreterSwap{Cached: "python313", Rebuilt: []string{"a"}, Reused: []string{"a"}}, "a is both rebuilt for the target interpreter and reused from python313"},
	} {
		if _, err := tc.swap.Bindings(); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%+v: error %v, want %q", tc.swap, err, tc.wantErr)
		}
	}
	if text, err := (InterpreterSwap{Cached: "python313", Rebuilt: []string{"numpy"}}).Bindings(); err != nil || text != "" {
		t.Errorf("nothing reused: bindings %q, %v; want none", text, err)
	}
}

func TestPipFallbackErrors(t *testing.T) {
	hash := strings.Repeat("ab", 32)
	for _, tc := range []struct {
		fallback PipFallback
		wantErr  string
	}{
		{PipFallback{}, "pip fallback without packages"},
		{PipFallback{Requirements: []PipRequirement{{Name: "a\n--extra-index-url=https://evil", Version: "1", SHA256: []string{hash}}}}, "cannot be pinned"},
		{PipFallback{Requirements: []PipRequirement{{Name: "a", Version: "1 --no-verify", SHA256: []string{hash}}}}, "cannot be pinned"},
		{PipFallback{Requirements: []PipRequirement{{Name: "a", Version: "1"}}}, "at least one sha256"},
		{PipFallback{Requirements: []PipRequirement{{Name: "a", Version: "1", SHA256: []string{"AB" + hash[2:]}}}}, "is not 64 lower-case hex digits"},
		{PipFallback{Requirements: []PipRequirement{{Name: "a", Version: "1", SHA256: []string{hash}}}, IndexURL: "https://user:secret@example.org/simple"}, "without credentials"},
		{PipFallback{Requirements: []PipRequirement{{Name: "a", Version: "1", SHA256: []string{hash}}}, IndexURL: "https://example.org/simple --trusted-host x"}, "is not a plain http(s) URL"},
		{PipFallback{Requirements: []PipRequirement{{Name: "a", Version: "1", SHA256: []string{hash}}}, IndexURL: "file:///srv/wheels"}, "is not a plain http(s) URL"},
	} {
		if _, err := tc.fallback.Bindings(); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%+v: error %v, want %q", tc.fallback, err, tc.wantErr)
		}
	}
	for _, tc := range []struct {
		fhs     FHSEnv
		wantErr string
	}{
		{FHSEnv{Name: "a b"}, "letters, digits"},
		{FHSEnv{Name: "env", Libraries: []string{"zlib; abort"}}, "is not an attribute path of pkgs"},
		{FHSEnv{Name: "env", Profile: "hook; abort"}, "is not the name of a binding"},
	} {
		if _, err := tc.fhs.Bindings(); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%+v: error %v, want %q", tc.fhs, err, tc.wantErr)
		}
	}
}

func TestRelPathExpr(t *testing.T) {
	for _, tc := range []struct{ in, want, wantErr string }{
		{".", "./.", ""},
		{"src", "./src", ""},
		{"src/pkg/", "./src/pkg", ""},
		{"..", "./..", ""},
		{"../pyproject.toml", "./../pyproject.toml", ""},
		{"my dir/x", `(./. + "/my dir/x")`, ""},
		{`we"ird${x}`, `(./. + "/we\"ird\${x}")`, ""},
		{"/abs", "", "is not a relative path"},
		{"", "", "is not a relative path"},
		{`a\b`, "", "is not a relative path"},
		{"a\x00b", "", "NUL"},
	} {
		got, err := relPathExpr(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("relPathExpr(%q) = %q, %v; want error %q", tc.in, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("relPathExpr(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestAppErrors(t *testing.T) {
	ok := App{PName: "myapp", Version: "0.1.0", Root: ".", Files: []string{"pyproject.toml"}}
	for i, tc := range []struct {
		edit    func(*App)
		wantErr string
	}{
		{func(a *App) { a.PName = "my app" }, "a project name and a PEP 440 version"},
		{func(a *App) { a.Version = "" }, "a project name and a PEP 440 version"},
		{func(a *App) { a.Files = nil }, "no project files"},
		{func(a *App) { a.Files = []string{"../secrets"} }, `"../secrets" is not a file inside the project`},
		{func(a *App) { a.Files = []string{"."} }, "is not a file inside the project"},
		{func(a *App) { a.Root = "/home/me" }, "root: \"/home/me\" is not a relative path"},
		{func(a *App) { a.MainProgram = "bin/x" }, "is not a program name"},
	} {
		a := ok
		tc.edit(&a)
		if _, err := a.Expr(); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("case %d: error %v, want %q", i, err, tc.wantErr)
		}
	}
	if _, err := ok.Expr(); err != nil {
		t.Error(err)
	}
}
