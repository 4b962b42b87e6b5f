package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// syntheticNixpkgs writes a nixpkgs-shaped directory whose python312 and
// python313 package sets hold the projects pkg000..pkg<projects-1> of
// syntheticProject at version 1.1 (with the same dependency graph of width
// w) and fillers up to total attributes, each with run-time dependencies,
// a build-system and meta.platforms, as an evaluated index records them.
func syntheticNixpkgs(b testing.TB, total, projects, w int) string {
	b.Helper()
	dir := b.TempDir()
	var pkgs strings.Builder
	pkgs.WriteString(`{ ps, python }:
let
  mk = pname: version: deps: {
    inherit pname version;
    pythonModule = python;
    overridePythonAttrs = f: mk pname version deps;
    propagatedBuildInputs = map (d: ps.${d}) deps;
    build-system = [ ps.setuptools ];
    meta.platforms = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];
  };
in
{
  setuptools = mk "setuptools" "80.9.0" [ ];
`)
	for i := 0; i < projects; i++ {
		var deps []string
		if below := i + w; below < projects {
			deps = append(deps, fmt.Sprintf("%q", fmt.Sprintf("pkg%03d", below)))
			if below+1 < projects && (below+1)/w == below/w {
				deps = append(deps, fmt.Sprintf("%q", fmt.Sprintf("pkg%03d", below+1)))
			}
		}
		fmt.Fprintf(&pkgs, "  pkg%03d = mk \"pkg%03d\" \"1.1\" [ %s ];\n", i, i, strings.Join(deps, " "))
	}
	for i := projects; i < total-1; i++ {
		var deps []string
		for j := 1; j <= i%4; j++ {
			if d := (i*7 + j*131) % total; d >= projects && d < total-1 && d != i {
				deps = append(deps, fmt.Sprintf(`"filler-%05d"`, d))
			}
		}
		fmt.Fprintf(&pkgs, "  filler-%05d = mk \"Filler_%05d\" \"%d.%d.%d\" [ %s ];\n", i, i, i%7, i%13, i%5, strings.Join(deps, " "))
	}
	pkgs.WriteString("}\n")
	files := map[string]string{
		"packages.nix": pkgs.String(),
		"default.nix": `{ config ? { }, overlays ? [ ], system ? "x86_64-linux" }:
let
  python = attr: version: rec {
    inherit version;
    pythonAttr = attr;
    pkgs = import ./packages.nix { ps = pkgs; python = attr; };
  };
in
{
  python312 = python "python312" "3.12.10";
  python313 = python "python313" "3.13.5";
}
`,
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

// BenchmarkWarmRerunEvaluatedIndex measures the pre-commit case through the
// binary: a warm, offline re-run of a 100-package project (index documents
// cached, the previous shell.nix in place), against the 50 ms limit:
//   - nixpkgs-9000: with an evaluated index of 9,000 attributes in the cache
//     (a nixpkgs-shaped directory as big as nixpkgs' Python package set),
//     for the four systems of the default output;
//   - nixpkgs-9000-one-system: the same for x86_64-linux only (--platform),
//     so the difference is the cost of the other three systems;
//   - index-101: with a --nixpkgs-index file of only the 101 attributes the
//     project uses (same plan), so the difference is the big index's cost.
func BenchmarkWarmRerunEvaluatedIndex(b *testing.B) {
	requireNixBench(b)
	index, req, _ := syntheticProject(b, 100, 10)
	srv := httptest.NewServer(http.FileServer(http.Dir(index)))
	defer srv.Close()
	small := filepath.Join(b.TempDir(), "index.json")
	var entries []string
	for i := 0; i < 100; i++ {
		entries = append(entries, fmt.Sprintf(`{"attr": "pkg%03d", "version": "1.1"}`, i))
	}
	entries = append(entries, `{"attr": "setuptools", "version": "80.9.0"}`)
	if err := os.WriteFile(small, []byte(`{"packages": [`+strings.Join(entries, ", ")+`]}`), 0o644); err != nil {
		b.Fatal(err)
	}
	nixpkgs := syntheticNixpkgs(b, 9000, 100, 10)
	for _, bc := range []struct {
		name  string
		flags []string
	}{
		{"nixpkgs-9000", []string{"--nixpkgs", nixpkgs}},
		{"nixpkgs-9000-one-system", []string{"--nixpkgs", nixpkgs, "--platform", "x86_64-linux"}},
		{"index-101", []string{"--nixpkgs-index", small}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			env := []string{"HOME=" + b.TempDir(), "XDG_CACHE_HOME=" + b.TempDir(), "PATH=" + os.Getenv("PATH")}
			flags := append([]string{"-q", "-i", srv.URL, "--python", "3.13", "-o", filepath.Join(b.TempDir(), "shell.nix"), req}, bc.flags...)
			runForBench(b, env, flags...) // evaluate nixpkgs and fill the caches
			warmRuns(b, env, append([]string{"--offline"}, flags...))
		})
	}
}

// warmRuns times b.N runs of the binary and reports them against the 50 ms
// limit of a warm re-run, with the CPU time and the peak RSS.
func warmRuns(b *testing.B, env, flags []string) {
	const limit = 50 * time.Millisecond
	b.ResetTimer()
	var wall, cpu time.Duration
	var rss int64
	for i := 0; i < b.N; i++ {
		d, r, c := runForBench(b, env, flags...)
		wall, cpu = wall+d, cpu+c
		rss = max(rss, r)
	}
	b.ReportMetric(float64(wall)/float64(b.N)/float64(limit), "x-limit")
	b.ReportMetric(float64(wall.Microseconds())/1000/float64(b.N), "ms/run")
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/run")
	b.ReportMetric(float64(rss)/1024, "MiB-peak-rss")
}

// requireNixBench skips a benchmark that evaluates Nix when Nix is absent.
func requireNixBench(b *testing.B) {
	if _, err := exec.LookPath("nix-instantiate"); err != nil {
		b.Skip("nix-instantiate is not installed")
	}
}
