package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/req2nix/req2nix/pypi/pypitest"
)

// BenchmarkFactsMemo measures what remembering facts saves a warm re-run:
// 30 packages nixpkgs has at another version, each overridden from an
// sdist whose [build-system] is read, and 30 new ones installed from a
// wheel whose modules are read. "remembered" re-runs offline with the facts
// of the first run; "reread" removes them first, so every file is re-hashed
// and unpacked from the artifact cache. It reports CPU time per run.
func BenchmarkFactsMemo(b *testing.B) {
	const n = 30
	var releases []pypitest.Release
	var reqs, entries []string
	for i := 0; i < n; i++ {
		over, fresh := fmt.Sprintf("over%02d", i), fmt.Sprintf("fresh%02d", i)
		releases = append(releases,
			pypitest.Release{Name: over, Version: "1.0", BuildRequires: []string{"flit_core<4"}, Wheels: []string{}},
			pypitest.Release{Name: fresh, Version: "1.0", Modules: []string{fresh}})
		reqs = append(reqs, over, fresh)
		entries = append(entries, fmt.Sprintf(`{"attr": %q, "version": "2.0", "build_system": ["flit-core"]}`, over))
	}
	srv := pypitest.NewServer(b, releases...)
	dir := b.TempDir()
	index := filepath.Join(dir, "nixpkgs-index.json")
	os.WriteFile(index, []byte(`{"python_attr": "python312", "packages": [{"attr": "flit-core", "version": "3.11.0"}, `+strings.Join(entries, ", ")+`]}`), 0o644)
	req := filepath.Join(dir, "requirements.txt")
	os.WriteFile(req, []byte(strings.Join(reqs, "\n")+"\n"), 0o644)
	cache := b.TempDir()
	env := []string{"HOME=" + b.TempDir(), "XDG_CACHE_HOME=" + cache, "PATH=" + os.Getenv("PATH")}
	flags := []string{"-q", "-i", srv.URL, "--nixpkgs-index", index, "-o", filepath.Join(dir, "shell.nix"), req}
	runForBench(b, env, flags...) // fill the caches
	for _, mode := range []string{"remembered", "reread"} {
		b.Run(mode, func(b *testing.B) {
			var cpu time.Duration
			for i := 0; i < b.N; i++ {
				if mode == "reread" {
					os.RemoveAll(filepath.Join(cache, "req2nix", "facts"))
				}
				cmd := exec.Command(binary, append([]string{"--offline"}, flags...)...)
				cmd.Env = env
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("req2nix: %v\n%s", err, out)
				}
				cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
			}
			// CPU time, not wall time: the figure must not depend on the
			// load of a shared machine.
			b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/run")
		})
	}
}
