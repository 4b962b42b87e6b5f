package nixgen

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// walkStubDir is the walk stub: a nixpkgs whose packages' meta depends on
// the system it is imported for.
func walkStubDir(t testing.TB) string {
	return filepath.Join(filepath.Dir(stubDir(t)), "walk-nixpkgs")
}

// copyDir copies a small test tree, so that a test can add files to it.
func copyDir(t testing.TB, from string) string {
	t.Helper()
	to := t.TempDir()
	if err := os.CopyFS(to, os.DirFS(from)); err != nil {
		t.Fatal(err)
	}
	return to
}

// TestEvalIndexStub runs the walker over the stub nixpkgs the goldens are
// evaluated against: attributes, pnames and versions equal
// testdata/stub-index.json (throwing, broken, null and helper attributes
// are other attributes), and the new facts are read: dependencies by
// attribute from both dependencies and the legacy propagatedBuildInputs,
// build-systems, and the four systems for packages without meta.platforms.
func TestEvalIndexStub(t *testing.T) {
	requireNix(t)
	ix, err := EvalIndex(context.Background(), Pin{Path: stubDir(t)}, "python312", EvalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := stubIndex(t)
	if !slices.Equal(namesOf(ix), namesOf(want)) || !reflect.DeepEqual(ix.otherAttrs(), want.otherAttrs()) {
		t.Errorf("EvalIndex(stub) differs from testdata/stub-index.json:\n%s", ix.encodeCache())
	}
	for i, e := range entriesOf(ix) {
		w := entriesOf(want)[i]
		if e.Attr != w.Attr || e.PName != w.PName || e.Version != w.Version || !slices.Equal(e.Platforms, flakeSystems) {
			t.Errorf("entry %+v, want %+v on every system", e, w)
		}
	}
	for attr, deps := range map[string][]string{
		"flask":    {"blinker", "click", "itsdangerous", "jinja2", "werkzeug"}, // propagatedBuildInputs
		"requests": {"certifi", "idna", "urllib3"},                             // dependencies
		"jinja2":   {"markupsafe"},
		"click":    {},
	} {
		if e, _ := ix.EntryByAttr(attr); !slices.Equal(e.Dependencies, deps) || e.Dependencies == nil {
			t.Errorf("%s: dependencies %q, want %q", attr, e.Dependencies, deps)
		}
	}
	if e, _ := ix.EntryByAttr("jinja2"); !slices.Equal(e.BuildSystem, []string{"setuptools"}) {
		t.Errorf("jinja2: build-system %q, want setuptools", e.BuildSystem)
	}
	for _, attr := range []string{"removed-pkg", "broken-pkg", "typing", "bootstrap", "pytest7CheckHook", "buildPythonPackage"} {
		if _, ok := ix.Lookup(attr); ok || !ix.hasAttr(attr) {
			t.Errorf("%s: want another attribute, not a package", attr)
		}
	}
	if !strings.HasPrefix(ix.Source, "evaluated nixpkgs ") || ix.PythonVersion != "3.12.10" {
		t.Errorf("Source %q, PythonVersion %q", ix.Source, ix.PythonVersion)
	}
}

// TestEvalIndexFacts reads the walk stub, whose packages' meta depends on
// the system nixpkgs is imported for.
func TestEvalIndexFacts(t *testing.T) {
	requireNix(t)
	ix, err := EvalIndex(context.Background(), Pin{Path: walkStubDir(t)}, "python313", EvalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	all := flakeSystems
	linux := []string{"aarch64-linux", "x86_64-linux"}
	tests := []struct {
		attr, pname, version string
		deps, buildSystem    []string
		platforms            []string
	}{
		{"flask", "flask", "3.0.3", []string{"blinker", "click", "itsdangerous", "jinja2", "werkzeug"}, []string{"flit-core"}, all},
		{"requests", "requests", "2.32.3", []string{"certifi", "charset-normalizer", "idna", "urllib3"}, nil, all},                         // legacy: no build-system attribute
		{"markupsafe", "MarkupSafe", "2.1.5", []string{}, []string{"setuptools"}, all},                                                     // a non-Python input is no dependency
		{"jinja2", "jinja2", "3.1.4", []string{"markupsafe"}, []string{"flit-core"}, all},                                                  // by attribute, not pname
		{"slugify-lite", "slugify-lite", "0.3.0", []string{"text-unidecode_1_3"}, nil, all},                                                // the attribute shipping that version
		{"pysocks", "pysocks", "1.7.1", []string{}, nil, linux},                                                                            // meta.platforms
		{"colorama", "colorama", "0.4.6", []string{}, nil, linux},                                                                          // meta.broken on Darwin
		{"typing-extensions", "typing_extensions", "4.12.2", []string{}, nil, []string{"aarch64-darwin", "x86_64-darwin", "x86_64-linux"}}, // meta.badPlatforms
		{"tinyhtml", "tinyhtml", "1.2.0", []string{}, nil, []string{"aarch64-darwin"}},
	}
	for _, tt := range tests {
		e, ok := ix.EntryByAttr(tt.attr)
		want := Entry{Attr: tt.attr, PName: tt.pname, Version: tt.version, Dependencies: tt.deps, BuildSystem: tt.buildSystem, Platforms: tt.platforms}
		if !ok || !reflect.DeepEqual(e, want) {
			t.Errorf("%s: %+v, want %+v", tt.attr, e, want)
		}
	}
	for _, attr := range []string{"cowsay", "removed-pkg", "pytestCheckHook"} { // broken everywhere, throwing, a helper
		if _, ok := ix.EntryByAttr(attr); ok || !ix.hasAttr(attr) {
			t.Errorf("%s: want another attribute", attr)
		}
	}
	if ix.PythonVersion != "3.13.5" {
		t.Errorf("PythonVersion %q", ix.PythonVersion)
	}
}

// TestEvalIndexCache: the first call evaluates (saying so), the second is
// served from the cache without Nix; an edited checkout is read again.
func TestEvalIndexCache(t *testing.T) {
	requireNix(t)
	dir := copyDir(t, walkStubDir(t))
	cache := t.TempDir()
	var progress []string
	o := EvalOptions{CacheDir: cache, Progress: func(m string) { progress = append(progress, m) }}
	first, err := EvalIndex(context.Background(), Pin{Path: dir}, "python313", o)
	if err != nil {
		t.Fatal(err)
	}
	if len(progress) != 1 || !strings.Contains(progress[0], "reading nixpkgs' python313 package set") || !strings.Contains(progress[0], "once per pin") {
		t.Errorf("progress %q", progress)
	}
	t.Setenv("PATH", t.TempDir()) // no Nix from here on
	cached, err := EvalIndex(context.Background(), Pin{Path: dir}, "python313", o)
	if err != nil {
		t.Fatalf("cached: %v", err)
	}
	if !reflect.DeepEqual(entriesOf(cached), entriesOf(first)) || cached.Source != first.Source || len(progress) != 1 {
		t.Errorf("the cached index differs, or was evaluated again (%q)", progress)
	}
	later := time.Now().Add(time.Hour)
	os.Chtimes(filepath.Join(dir, "default.nix"), later, later)
	_, err = EvalIndex(context.Background(), Pin{Path: dir}, "python313", o)
	var nerr *NotEvaluatedError
	if !errors.As(err, &nerr) || !strings.Contains(nerr.Reason, "nix-instantiate is not on PATH") {
		t.Errorf("an edited checkout must be evaluated again (and here fail without Nix): %v", err)
	}
}

// TestEvalIndexNotEvaluated covers every reason an evaluation is not
// attempted or fails, and the memory of failures.
func TestEvalIndexNotEvaluated(t *testing.T) {
	requireNix(t)
	tooNew := copyDir(t, walkStubDir(t))
	os.MkdirAll(filepath.Join(tooNew, "lib"), 0o755)
	os.WriteFile(filepath.Join(tooNew, "lib", "minver.nix"), []byte("\"99.1\"\n"), 0o644)
	tests := []struct {
		name       string
		pin        Pin
		python     string
		o          EvalOptions
		noNix      bool
		wantReason string
		wantFix    string
	}{
		{"no Nix", Pin{Path: walkStubDir(t)}, "python313", EvalOptions{}, true, "nix-instantiate is not on PATH", "--nixpkgs-index FILE"},
		{"offline and remote", DefaultPin(), "python313", EvalOptions{Offline: true}, false, "--offline: nixpkgs nixos-26.05 7c8764b7c7b09b34f632464276218ef9090eaa11 has not been read yet", "run once without --offline: each pin is read once, then cached"},
		{"Nix older than lib/minver.nix", Pin{Path: tooNew}, "python313", EvalOptions{}, false, "is too old to evaluate nixpkgs " + tooNew + " (it needs Nix >= 99.1)", "upgrade Nix"},
		{"evaluation error", Pin{Path: walkStubDir(t)}, "python39", EvalOptions{}, false, "evaluating its python39 package set failed: attribute 'python39' missing", "-v shows Nix's output"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.noNix {
				t.Setenv("PATH", t.TempDir())
			}
			_, err := EvalIndex(context.Background(), tt.pin, tt.python, tt.o)
			var nerr *NotEvaluatedError
			if !errors.As(err, &nerr) || !strings.Contains(nerr.Reason, tt.wantReason) || !strings.Contains(nerr.Fix, tt.wantFix) {
				t.Errorf("err = %v, want reason %q, fix %q", err, tt.wantReason, tt.wantFix)
			}
		})
	}
	if _, err := EvalIndex(context.Background(), Pin{Path: walkStubDir(t)}, "python3; abort", EvalOptions{}); err == nil || !strings.Contains(err.Error(), "not a plain attribute name") {
		t.Errorf("a python attribute is never spliced into Nix: %v", err)
	}
	if _, err := EvalIndex(context.Background(), Pin{Path: t.TempDir()}, "python313", EvalOptions{}); err == nil || !strings.Contains(err.Error(), "no default.nix") {
		t.Errorf("a directory without default.nix: %v", err)
	}
}

// TestDefaultPinTooOld: with a Nix older than 2.18 the default (26.05) pin
// is not fetched at all.
func TestDefaultPinTooOld(t *testing.T) {
	requireNix(t)
	have, err := nixVersion(context.Background(), "nix-instantiate")
	if err != nil || compareVersions(have, "2.18") >= 0 {
		t.Skipf("Nix %s (%v) can evaluate 26.05", have, err)
	}
	_, err = EvalIndex(context.Background(), DefaultPin(), "python313", EvalOptions{})
	var nerr *NotEvaluatedError
	if !errors.As(err, &nerr) || nerr.Reason != "Nix "+have+" is too old to evaluate nixpkgs nixos-26.05 7c8764b7c7b09b34f632464276218ef9090eaa11 (it needs Nix >= 2.18)" {
		t.Errorf("err = %v", err)
	}
}

// TestFailureRemembered: a failed evaluation is remembered for FailureTTL
// (recalled without running Nix), forgotten after it, with another Nix,
// or when asked to retry.
func TestFailureRemembered(t *testing.T) {
	requireNix(t)
	dir := copyDir(t, walkStubDir(t))
	os.MkdirAll(filepath.Join(dir, "lib"), 0o755)
	os.WriteFile(filepath.Join(dir, "lib", "minver.nix"), []byte(`"99.1"`), 0o644)
	now := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	o := EvalOptions{CacheDir: t.TempDir(), Now: func() time.Time { return now }}
	eval := func(o EvalOptions) *NotEvaluatedError {
		t.Helper()
		_, err := EvalIndex(context.Background(), Pin{Path: dir}, "python313", o)
		var nerr *NotEvaluatedError
		if !errors.As(err, &nerr) {
			t.Fatalf("err = %v, want a NotEvaluatedError", err)
		}
		return nerr
	}
	if first := eval(o); !first.Since.IsZero() {
		t.Fatal("the first failure is no memory")
	}
	os.Remove(filepath.Join(dir, "lib", "minver.nix")) // now it would evaluate...
	now = now.Add(FailureTTL - time.Minute)
	if again := eval(o); !again.Since.Equal(now.Add(-FailureTTL+time.Minute)) || !strings.Contains(again.Reason, "too old") {
		t.Errorf("within the TTL the failure is recalled: %+v", again)
	}
	// ... but not when asked to retry,
	o.Retry = true
	if _, err := EvalIndex(context.Background(), Pin{Path: dir}, "python313", o); err != nil {
		t.Errorf("Retry: %v", err)
	}
}

func TestFailureCacheExpiry(t *testing.T) {
	now := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	path := filepath.Join(t.TempDir(), "x.idx")
	c := failureCache{path: path, nix: "/usr/bin/nix-instantiate 1 2", now: func() time.Time { return now }}
	c.remember(&NotEvaluatedError{Reason: "r", Fix: "f", Detail: "d"})
	tests := []struct {
		name   string
		after  time.Duration
		nix    string
		recall bool
	}{
		{"fresh", time.Minute, c.nix, true},
		{"expired", FailureTTL, c.nix, false},
		{"another Nix", time.Minute, "/usr/bin/nix-instantiate 1 3", false},
		{"clock went back", -time.Minute, c.nix, false},
	}
	for _, tt := range tests {
		r := failureCache{path: path, nix: tt.nix, now: func() time.Time { return now.Add(tt.after) }}
		if got := r.recall(); (got != nil) != tt.recall || got != nil && (got.Reason != "r" || got.Fix != "f" || got.Detail != "d" || !got.Since.Equal(now)) {
			t.Errorf("%s: recall() = %+v, want recalled %v", tt.name, got, tt.recall)
		}
	}
	c.forget()
	if c.recall() != nil {
		t.Error("forget() did not forget")
	}
}

func TestEvalSource(t *testing.T) {
	rev := "7c8764b7c7b09b34f632464276218ef9090eaa11"
	stub := walkStubDir(t)
	tests := []struct {
		name                string
		pin                 Pin
		unpacked            string
		wantArg, wantKey    string
		wantDir             string
		wantLocal, wantFail bool
	}{
		{"revision", Pin{Rev: rev, SHA256: "sha256-H"}, "",
			`builtins.fetchTarball { url = "https://github.com/NixOS/nixpkgs/archive/` + rev + `.tar.gz"; sha256 = "sha256-H"; }`, "rev " + rev, "", false, false},
		{"fork", Pin{Rev: rev, SHA256: "sha256-H", URL: "https://github.com/me/nixpkgs/archive/" + rev + ".tar.gz"}, "",
			`builtins.fetchTarball { url = "https://github.com/me/nixpkgs/archive/` + rev + `.tar.gz"; sha256 = "sha256-H"; }`, "rev " + rev + " https://github.com/me/nixpkgs/archive/" + rev + ".tar.gz", "", false, false},
		{"URL, escaped", Pin{URL: "https://example.org/x.tar.gz?${y}", SHA256: "sha256-H"}, "",
			`builtins.fetchTarball { url = "https://example.org/x.tar.gz?\${y}"; sha256 = "sha256-H"; }`, "url https://example.org/x.tar.gz?${y} sha256-H", "", false, false},
		{"revision unpacked", Pin{Rev: rev, SHA256: "sha256-H"}, stub, `/. + "` + stub + `"`, "rev " + rev, stub, false, false},
		{"checkout", Pin{Path: stub}, "", `/. + "` + stub + `"`, "path " + stub, stub, true, false},
		{"nothing", Pin{}, "", "", "", "", false, true},
	}
	for _, tt := range tests {
		src, err := evalSource(tt.pin, tt.unpacked)
		if tt.wantFail != (err != nil) || src.arg != tt.wantArg || !strings.HasPrefix(src.key, tt.wantKey) || src.dir != tt.wantDir || src.local != tt.wantLocal {
			t.Errorf("%s: evalSource = %+v, %v", tt.name, src, err)
		}
	}
}

// TestCheckoutKey: a checkout's cache key changes with its git HEAD and
// with the files defining the package set, and the key includes the
// interpreter.
func TestCheckoutKey(t *testing.T) {
	dir := copyDir(t, walkStubDir(t))
	key := checkoutKey(dir)
	os.MkdirAll(filepath.Join(dir, ".git", "refs", "heads"), 0o755)
	os.WriteFile(filepath.Join(dir, ".git", "HEAD"), []byte("ref: refs/heads/main\n"), 0o644)
	os.WriteFile(filepath.Join(dir, ".git", "refs", "heads", "main"), []byte("1111111111111111111111111111111111111111\n"), 0o644)
	withGit := checkoutKey(dir)
	os.WriteFile(filepath.Join(dir, ".git", "refs", "heads", "main"), []byte("2222222222222222222222222222222222222222\n"), 0o644)
	moved := checkoutKey(dir)
	if key == withGit || withGit == moved || !strings.Contains(moved, "git 2222222222222222222222222222222222222222") {
		t.Errorf("keys %q, %q, %q", key, withGit, moved)
	}
	os.Remove(filepath.Join(dir, ".git", "refs", "heads", "main"))
	os.WriteFile(filepath.Join(dir, ".git", "packed-refs"), []byte("# pack-refs\n3333333333333333333333333333333333333333 refs/heads/main\n"), 0o644)
	if k := checkoutKey(dir); !strings.Contains(k, "git 3333333333333333333333333333333333333333") {
		t.Errorf("packed ref not read: %q", k)
	}
	if cachePath("c", key, "python312") == cachePath("c", key, "python313") || cachePath("", key, "python313") != "" {
		t.Error("the cache path must depend on the interpreter, and be empty without a cache directory")
	}
}

func TestCompareVersions(t *testing.T) {
	tests := []struct {
		a, b string
		sign int
	}{{"2.8.0", "2.18", -1}, {"2.18", "2.18.0", 0}, {"2.24.1", "2.18", 1}, {"2.3.17", "2.3.16", 1}, {"3", "2.99", 1}}
	for _, tt := range tests {
		if got := compareVersions(tt.a, tt.b); got < 0 && tt.sign >= 0 || got > 0 && tt.sign <= 0 || got == 0 && tt.sign != 0 {
			t.Errorf("compareVersions(%s, %s) = %d", tt.a, tt.b, got)
		}
	}
}

func TestNixVersion(t *testing.T) {
	requireNix(t)
	bin, _ := exec.LookPath("nix-instantiate")
	v, err := nixVersion(context.Background(), bin)
	if err != nil || !nixVersionRE.R().MatchString(v) || compareVersions(v, "2.0") < 0 {
		t.Errorf("nixVersion = %q, %v", v, err)
	}
}

func TestLastNixError(t *testing.T) {
	tests := []struct{ stderr, want string }{
		{"warning: error: unable to download 'u': Couldn't resolve host name (6); retrying in 334 ms\n" +
			"error: unable to download 'u': Couldn't resolve host name (6)\n(use '--show-trace' to show detailed location information)",
			"unable to download 'u': Couldn't resolve host name (6)"},
		{"error: attribute 'python39' missing\n\n       at «string»:32:12:\n\n       Did you mean one of python312 or python313?", "attribute 'python39' missing"},
		{"something odd", "something odd"},
		{"", "exit status 1"},
	}
	for _, tt := range tests {
		if got := lastNixError(tt.stderr, errors.New("exit status 1")); got != tt.want {
			t.Errorf("lastNixError(%q) = %q, want %q", tt.stderr, got, tt.want)
		}
	}
}

func TestFixFor(t *testing.T) {
	if got := fixFor("error: unable to download 'https://github.com/x': Couldn't resolve host name (6)"); !strings.HasPrefix(got, "no network? req2nix tries again in an hour, or now with --refresh") {
		t.Errorf("network failure: %q", got)
	}
	if got := fixFor("error: infinite recursion"); !strings.HasPrefix(got, "-v shows Nix's output") {
		t.Errorf("other failure: %q", got)
	}
}

// TestWalkerPlatformPatterns checks the walker's use of nixpkgs' own
// lib.systems.elaborate and lib.meta.platformMatch (../shared's lib, skipped
// when absent): meta.platforms and badPlatforms may hold patterns, as in
// nixpkgs, not only system names.
func TestWalkerPlatformPatterns(t *testing.T) {
	requireNix(t)
	lib, err := filepath.Abs(filepath.Join("..", "..", "shared", "nixpkgs", "lib-2026"))
	if _, serr := os.Stat(filepath.Join(lib, "default.nix")); err != nil || serr != nil {
		t.Skip("../shared/nixpkgs/lib-2026 not available")
	}
	dir := t.TempDir()
	stub := `{ system ? "x86_64-linux", config ? { }, overlays ? [ ] }:
let
  lib = import (` + pathExpr(lib) + `);
  mk = pname: meta: { inherit pname meta; version = "1.0"; pythonModule = "python313"; overridePythonAttrs = f: { }; };
  ps = {
    any = mk "any" { };
    unix = mk "unix" { platforms = lib.platforms.unix; };
    darwin = mk "darwin" { platforms = [ { kernel.name = "darwin"; } ]; };
    not-aarch64 = mk "not-aarch64" { badPlatforms = [ lib.systems.inspect.patterns.isAarch64 ]; };
  };
in
{ inherit lib; python313 = { version = "3.13.5"; pkgs = ps; }; }
`
	if err := os.WriteFile(filepath.Join(dir, "default.nix"), []byte(stub), 0o644); err != nil {
		t.Fatal(err)
	}
	ix, err := EvalIndex(context.Background(), Pin{Path: dir}, "python313", EvalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for attr, want := range map[string][]string{
		"any":         flakeSystems,
		"unix":        flakeSystems,
		"darwin":      {"aarch64-darwin", "x86_64-darwin"},
		"not-aarch64": {"x86_64-darwin", "x86_64-linux"},
	} {
		if e, _ := ix.EntryByAttr(attr); !slices.Equal(e.Platforms, want) {
			t.Errorf("%s: platforms %q, want %q", attr, e.Platforms, want)
		}
	}
	// ForPlatform hides what is not available on the target system.
	linux := ix.ForPlatform("x86_64-linux")
	if _, ok := linux.Lookup("darwin"); ok || !linux.hasAttr("darwin") {
		t.Error("a Darwin-only package must not be used on x86_64-linux, yet stay a known attribute")
	}
	if _, ok := linux.Lookup("not-aarch64"); !ok || linux.Versions()["darwin"] != "" || linux.Len() != 3 {
		t.Errorf("ForPlatform(x86_64-linux): Len %d, Versions %v", linux.Len(), linux.Versions())
	}
}
