package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
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
			p.Releases = append(p.Releases, mirror.Release{Version: v, RequiresPython: ">=3.8", Kinds: []string{"sdist", "pure"}, RequiresDist: deps})
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
