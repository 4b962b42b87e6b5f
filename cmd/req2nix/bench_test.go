package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/req2nix/req2nix/fixtures/mirror"
)

// syntheticProject writes a mirror of n packages in layers of width w (each
// package depends on two of the layer below, so the graph is n/w deep) and
// a requirements file naming the top layer. It returns the mirror directory,
// the requirements path and the graph's depth.
func syntheticProject(b *testing.B, n, w int) (string, string, int) {
	return syntheticGraph(b, n, w, nil)
}

// syntheticGraph is syntheticProject with each package's releases passed
// through vary (nil: unchanged), which may also add projects.
func syntheticGraph(b *testing.B, n, w int, vary func(i int, p *mirror.Project) []mirror.Project) (string, string, int) {
	b.Helper()
	dir := b.TempDir()
	var projects []mirror.Project
	for i := 0; i < n; i++ {
		p := mirror.Project{Name: fmt.Sprintf("pkg%03d", i)}
		var deps []string
		if below := i + w; below < n {
			deps = append(deps, fmt.Sprintf("pkg%03d>=1.0", below))
			if below+1 < n && (below+1)/w == below/w {
				deps = append(deps, fmt.Sprintf("pkg%03d<3", below+1))
			}
		}
		for _, v := range []string{"1.0", "1.1", "2.0"} {
			p.Releases = append(p.Releases, mirror.Release{Version: v, RequiresPython: ">=3.8", Kinds: []string{"sdist", "pure"}, RequiresDist: slices.Clone(deps)})
		}
		if vary != nil {
			projects = append(projects, vary(i, &p)...)
		}
		projects = append(projects, p)
	}
	if err := mirror.Write(filepath.Join(dir, "index"), projects); err != nil {
		b.Fatal(err)
	}
	var roots []string
	for i := 0; i < w; i++ {
		roots = append(roots, fmt.Sprintf("pkg%03d", i))
	}
	req := filepath.Join(dir, "requirements.txt")
	if err := os.WriteFile(req, []byte(strings.Join(roots, "\n")+"\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	return filepath.Join(dir, "index"), req, (n + w - 1) / w
}

// runForBench runs the binary once and returns its wall time, peak RSS
// (KiB) and CPU time (user + system: less disturbed than the wall time by
// other work on the machine).
func runForBench(b *testing.B, env []string, args ...string) (time.Duration, int64, time.Duration) {
	b.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = env
	start := time.Now()
	out, err := cmd.CombinedOutput()
	wall := time.Since(start)
	if err != nil {
		b.Fatalf("req2nix: %v\n%s", err, out)
	}
	rss := int64(0)
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss // KiB on Linux
	}
	return wall, rss, cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

// BenchmarkRun measures a 50-package project through the binary: a cold
// run (empty cache) over a server with 20 ms latency per request, reported
// against the critical path (depth × latency: one project document per
// level, which also carries the metadata of the newest release), and a
// warm re-run from the cache.
func BenchmarkRun(b *testing.B) {
	const latency = 20 * time.Millisecond
	index, req, depth := syntheticProject(b, 50, 5)
	files := http.FileServer(http.Dir(index))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(latency)
		files.ServeHTTP(w, r)
	}))
	defer srv.Close()
	flags := []string{"-q", "-i", srv.URL, "-o", filepath.Join(b.TempDir(), "shell.nix"), req}

	b.Run("cold", func(b *testing.B) {
		var wall time.Duration
		for i := 0; i < b.N; i++ {
			env := []string{"HOME=" + b.TempDir(), "XDG_CACHE_HOME=" + b.TempDir(), "PATH=" + os.Getenv("PATH")}
			d, _, _ := runForBench(b, env, append([]string{"--upgrade"}, flags...)...)
			wall += d
		}
		limit := time.Duration(depth) * latency
		b.ReportMetric(float64(wall)/float64(b.N)/float64(limit), "x-limit")
		b.ReportMetric(float64(wall.Milliseconds())/float64(b.N), "ms/run")
	})
	b.Run("warm", func(b *testing.B) {
		env := []string{"HOME=" + b.TempDir(), "XDG_CACHE_HOME=" + b.TempDir(), "PATH=" + os.Getenv("PATH")}
		runForBench(b, env, flags...) // fill the cache
		b.ResetTimer()
		var wall time.Duration
		var rss int64
		for i := 0; i < b.N; i++ {
			d, r, _ := runForBench(b, env, append([]string{"--offline"}, flags...)...)
			wall += d
			rss = max(rss, r)
		}
		b.ReportMetric(float64(wall.Milliseconds())/float64(b.N), "ms/run")
		b.ReportMetric(float64(rss)/1024, "MiB-peak-rss")
	})
}

// platformVariety makes a synthetic graph platform-specific: every fifth
// package needs a macOS-only package, every seventh a Linux-only one,
// every eleventh an x86_64-only one, and every ninth package's newest
// release has Linux wheels only (so the systems must agree on the one
// before).
func platformVariety(i int, p *mirror.Project) []mirror.Project {
	var extra []mirror.Project
	for _, m := range []struct {
		every  int
		prefix string
		marker string
	}{{5, "mac", `sys_platform == "darwin"`}, {7, "lin", `sys_platform == "linux"`}, {11, "x64", `platform_machine == "x86_64"`}} {
		if i%m.every == 0 {
			name := fmt.Sprintf("%s%03d", m.prefix, i)
			for r := range p.Releases {
				p.Releases[r].RequiresDist = append(p.Releases[r].RequiresDist, name+" ; "+m.marker)
			}
			extra = append(extra, mirror.Project{Name: name, Releases: []mirror.Release{{Version: "1.0", Kinds: []string{"pure"}}}})
		}
	}
	if i%9 == 4 {
		p.Releases[len(p.Releases)-1].Kinds = []string{"cp312-linux-x86_64", "cp312-linux-aarch64"}
	}
	return extra
}

// BenchmarkSystems measures what covering four systems costs through the
// binary: cold runs (empty cache) of a 60-package project with
// platform-specific dependencies and Linux-only newest releases, over a
// server with 20 ms latency per request, for one system (--platform
// x86_64-linux) and for the four, alternately. four/one is the ratio of
// their mean wall times (issue 12's limit: 1.3).
func BenchmarkSystems(b *testing.B) {
	const latency = 20 * time.Millisecond
	index, req, _ := syntheticGraph(b, 60, 6, platformVariety)
	files := http.FileServer(http.Dir(index))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(latency)
		files.ServeHTTP(w, r)
	}))
	defer srv.Close()
	nixpkgsIndex, _ := filepath.Abs(filepath.Join("..", "..", "fixtures", "nixpkgs-index.json"))
	out := filepath.Join(b.TempDir(), "shell.nix")
	flags := []string{"-q", "--python", "3.12", "--nixpkgs-index", nixpkgsIndex, "-i", srv.URL, "-o", out, "--upgrade", req}
	var one, four time.Duration
	for i := 0; i < b.N; i++ {
		for _, systems := range [][]string{{"--platform", "x86_64-linux"}, nil} {
			env := []string{"HOME=" + b.TempDir(), "XDG_CACHE_HOME=" + b.TempDir(), "PATH=" + os.Getenv("PATH")}
			d, _, _ := runForBench(b, env, append(systems, flags...)...)
			if systems == nil {
				four += d
			} else {
				one += d
			}
		}
	}
	if data, err := os.ReadFile(out); err != nil || !strings.Contains(string(data), "perSystem") {
		b.Fatalf("the four systems should differ (%v):\n%s", err, data)
	}
	b.ReportMetric(float64(four)/float64(one), "four/one")
	b.ReportMetric(float64(one.Milliseconds())/float64(b.N), "ms/one")
	b.ReportMetric(float64(four.Milliseconds())/float64(b.N), "ms/four")
}
