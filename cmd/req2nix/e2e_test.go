package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/req2nix/req2nix/fixtures"
)

// These tests build the real binary and run it as a user would, against the
// fixture index (file:// mirror) or a fixture server.

var update = flag.Bool("update", false, "rewrite the golden files")

var binary string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "req2nix-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "req2nix")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0") // as .goreleaser.yaml builds the released binaries
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building req2nix: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// wantAll reports each of wants that text (what: which output) lacks.
func wantAll(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
}

// runResult is what one run of the binary did.
type runResult struct {
	stdout, stderr string
	code           int
}

// session is an isolated user: own HOME and cache, no pip environment.
type session struct {
	t     *testing.T
	dir   string // working directory
	cache string
	env   []string
}

func newSession(t *testing.T) *session {
	t.Helper()
	home := t.TempDir()
	s := &session{t: t, dir: t.TempDir(), cache: filepath.Join(home, "cache")}
	s.env = []string{
		"HOME=" + home,
		"XDG_CACHE_HOME=" + s.cache,
		"PATH=" + os.Getenv("PATH"),
		"NO_COLOR=1",
	}
	return s
}

func (s *session) run(args ...string) runResult {
	s.t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = s.dir
	cmd.Env = s.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		s.t.Fatalf("running req2nix: %v", err)
	}
	return runResult{stdout.String(), stderr.String(), code}
}

// mustRun runs and fails the test unless the exit status is want.
func (s *session) mustRun(want int, args ...string) runResult {
	s.t.Helper()
	r := s.run(args...)
	if r.code != want {
		s.t.Fatalf("req2nix %s: exit %d, want %d\nstderr:\n%s", strings.Join(args, " "), r.code, want, r.stderr)
	}
	return r
}

func (s *session) write(name, content string) string {
	s.t.Helper()
	path := filepath.Join(s.dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		s.t.Fatal(err)
	}
	return path
}

func (s *session) read(name string) string {
	s.t.Helper()
	data, err := os.ReadFile(filepath.Join(s.dir, name))
	if err != nil {
		s.t.Fatal(err)
	}
	return string(data)
}

// fixtureArgs point req2nix at the fixture index and the fixture nixpkgs
// index, offline (the fixture's files exist only as hashes: nothing may be
// downloaded), so that runs are reproducible.
func fixtureArgs() []string {
	return []string{"--offline", "-i", fixtures.IndexURL(), "--nixpkgs-index", filepath.Join(fixtures.Dir(), "nixpkgs-index.json")}
}

func args(extra ...string) []string { return append(fixtureArgs(), extra...) }

// portable replaces this checkout's absolute fixture path, which appears in
// the regenerate command of a header, so that goldens do not depend on it.
func portable(out string) string {
	return strings.ReplaceAll(out, fixtures.Dir(), "@FIXTURES@")
}

func TestGoldenOutputs(t *testing.T) {
	projects := []struct {
		name  string
		flags []string
	}{
		{"webapp", nil},
		{"poetry-app", []string{"--extra", "slug", "--group", "dev"}},
		{"pep621-app", []string{"--extra", "html", "--group", "dev"}},
	}
	formats := map[string]string{"shell": "shell.nix", "flake": "flake.nix", "overlay": "overlay.nix", "json": "report.json"}
	for _, p := range projects {
		for format, file := range formats {
			t.Run(p.name+"/"+format, func(t *testing.T) {
				s := newSession(t)
				s.dir = fixtures.ProjectDir(p.name)
				r := s.mustRun(0, args(append(p.flags, "--format", format, ".")...)...)
				golden := filepath.Join(fixtures.ProjectDir(p.name), "golden", file)
				checkGolden(t, golden, portable(r.stdout))
			})
		}
	}
}

func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/req2nix -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test ./cmd/req2nix -update rewrites it):\n%s", path,
			unifiedDiff(path, "got", string(want), got))
	}
}

func TestRerunIsByteIdentical(t *testing.T) {
	s := newSession(t)
	s.write("requirements.txt", "flask>=3\nrequests\n")
	s.mustRun(0, args("-o", "shell.nix", "requirements.txt")...)
	first := s.read("shell.nix")
	st1, _ := os.Stat(filepath.Join(s.dir, "shell.nix"))
	s.mustRun(0, args("-o", "shell.nix", "requirements.txt")...)
	if s.read("shell.nix") != first {
		t.Fatal("second run changed shell.nix")
	}
	st2, _ := os.Stat(filepath.Join(s.dir, "shell.nix"))
	if !st1.ModTime().Equal(st2.ModTime()) {
		t.Error("an unchanged shell.nix was rewritten (mtime changed)")
	}
}

func TestCheck(t *testing.T) {
	s := newSession(t)
	s.write("requirements.txt", "flask>=3\n")
	s.mustRun(0, args("-o", "shell.nix", "requirements.txt")...)
	s.mustRun(0, args("--check", "-o", "shell.nix", "requirements.txt")...)

	s.write("requirements.txt", "flask>=3\nrequests\n")
	before := s.read("shell.nix")
	r := s.mustRun(1, args("--check", "-o", "shell.nix", "requirements.txt")...)
	if !strings.Contains(r.stdout, "+++ shell.nix (regenerated)") || !strings.Contains(r.stdout, "requests") {
		t.Errorf("--check printed no useful diff:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "shell.nix is out of date") {
		t.Errorf("stderr does not say the file is out of date:\n%s", r.stderr)
	}
	if s.read("shell.nix") != before {
		t.Error("--check wrote the file")
	}
}

func TestOutputUntouchedOnFailure(t *testing.T) {
	s := newSession(t)
	s.write("requirements.txt", "flask>=3\n")
	s.mustRun(0, args("-o", "shell.nix", "requirements.txt")...)
	before := s.read("shell.nix")
	s.write("requirements.txt", "flask>=3\nwerkzeug<2\n")
	r := s.mustRun(1, args("-o", "shell.nix", "requirements.txt")...)
	if !strings.Contains(r.stderr, "requirements.txt:2") {
		t.Errorf("the explanation does not name requirements.txt:2:\n%s", r.stderr)
	}
	if s.read("shell.nix") != before {
		t.Error("a failed run changed shell.nix")
	}
	entries, _ := os.ReadDir(s.dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

func TestPreviousPinsKeptAndUpgraded(t *testing.T) {
	s := newSession(t)
	s.write("requirements.txt", "flask==3.0.0\nidna==3.6\n")
	s.mustRun(0, args("--prefer-newest", "-o", "shell.nix", "requirements.txt")...)
	s.write("requirements.txt", "flask>=3\nidna\n")

	s.mustRun(0, args("--prefer-newest", "-o", "shell.nix", "requirements.txt")...)
	pins := s.read("shell.nix")
	for _, want := range []string{"flask==3.0.0", "idna==3.6"} {
		if !strings.Contains(pins, want) {
			t.Errorf("re-run did not keep %s", want)
		}
	}
	s.mustRun(0, args("--prefer-newest", "-P", "flask", "-o", "shell.nix", "requirements.txt")...)
	out := s.read("shell.nix")
	if !strings.Contains(out, "flask==3.0.3") || !strings.Contains(out, "idna==3.6") {
		t.Errorf("-P flask should upgrade flask only:\n%s", out)
	}
}

func TestUnknownPackage(t *testing.T) {
	s := newSession(t)
	s.write("requirements.txt", "flaks\n")
	r := s.mustRun(1, args("requirements.txt")...)
	if !strings.Contains(r.stderr, `"flaks" not found`) || !strings.Contains(r.stderr, "flask") {
		t.Errorf("stderr should name the package and suggest flask:\n%s", r.stderr)
	}
	if r.stdout != "" {
		t.Errorf("stdout should be empty on failure, got %q", r.stdout)
	}
}

func TestInputErrors(t *testing.T) {
	s := newSession(t)
	s.write("requirements.txt", "flask\nrequests >= \n")
	r := s.mustRun(2, args("requirements.txt")...)
	if !strings.Contains(r.stderr, "requirements.txt:2") {
		t.Errorf("stderr should name requirements.txt:2:\n%s", r.stderr)
	}
	r = s.mustRun(2, "--format", "yaml", "requirements.txt")
	if !strings.Contains(r.stderr, "--format") {
		t.Errorf("bad flag not explained:\n%s", r.stderr)
	}
	s.mustRun(2, args("missing.txt")...)
	if r := s.mustRun(2, args("--platform", "riscv64-linux", "requirements.txt")...); !strings.Contains(r.stderr, "x86_64-linux") {
		t.Errorf("a bad --platform should list the valid ones:\n%s", r.stderr)
	}
}

func TestVersionAndHelp(t *testing.T) {
	s := newSession(t)
	if r := s.mustRun(0, "--version"); !strings.HasPrefix(r.stdout, "req2nix ") {
		t.Errorf("--version printed %q", r.stdout)
	}
	if r := s.mustRun(0, "--help"); !strings.Contains(r.stdout, "Examples:") || r.stderr != "" {
		t.Errorf("--help should print its examples on stdout (to page and grep), nothing on stderr:\nstdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
}

// fixtureServer serves the fixture mirror over HTTP, counting requests, so
// that cache behaviour can be observed from outside the binary.
type fixtureServer struct {
	*httptest.Server
	requests atomic.Int64
}

func newFixtureServer(t *testing.T, latency time.Duration) *fixtureServer {
	t.Helper()
	fs := &fixtureServer{}
	files := http.FileServer(http.Dir(fixtures.IndexDir()))
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fs.requests.Add(1)
		time.Sleep(latency)
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(fs.Close)
	return fs
}

func serverArgs(url string, extra ...string) []string {
	return append([]string{"-i", url, "--nixpkgs-index", filepath.Join(fixtures.Dir(), "nixpkgs-index.json")}, extra...)
}

func TestOffline(t *testing.T) {
	srv := newFixtureServer(t, 0)
	s := newSession(t)
	s.write("requirements.txt", "flask>=3\nrequests[socks]\n")

	r := s.mustRun(1, serverArgs(srv.URL, "--offline", "requirements.txt")...)
	if !strings.Contains(r.stderr, "offline") || !strings.Contains(r.stderr, srv.URL+"/simple/flask/") {
		t.Errorf("a cold --offline run should name the missing document:\n%s", r.stderr)
	}
	if srv.requests.Load() != 0 {
		t.Errorf("--offline made %d requests", srv.requests.Load())
	}

	online := s.mustRun(0, serverArgs(srv.URL, "requirements.txt")...)
	if srv.requests.Load() == 0 {
		t.Fatal("the online run made no requests")
	}
	srv.Close() // from here on, any request fails
	offline := s.mustRun(0, serverArgs(srv.URL, "--offline", "requirements.txt")...)
	if offline.stdout != online.stdout {
		t.Errorf("the warm --offline run differs from the online one:\n%s", unifiedDiff("online", "offline", online.stdout, offline.stdout))
	}
}

func TestProgressOnTerminal(t *testing.T) {
	srv := newFixtureServer(t, 30*time.Millisecond)
	s := newSession(t)
	s.write("requirements.txt", "flask>=3\nrequests[socks]\n")

	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer ptmx.Close()
	cmd := exec.Command(binary, serverArgs(srv.URL, "requirements.txt")...)
	cmd.Dir, cmd.Env = s.dir, s.env
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, tty
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close()
	var terminal bytes.Buffer
	copied := make(chan struct{})
	go func() { io.Copy(&terminal, ptmx); close(copied) }()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("req2nix under a terminal: %v\n%s", err, terminal.String())
	}
	select {
	case <-copied:
	case <-time.After(5 * time.Second):
	}
	if !strings.Contains(terminal.String(), "resolving") {
		t.Errorf("no progress on the terminal:\n%q", terminal.String())
	}
	if !strings.Contains(terminal.String(), "from the binary cache") {
		t.Errorf("no summary on the terminal:\n%q", terminal.String())
	}
	if !strings.HasPrefix(stdout.String(), "# Generated by req2nix") || strings.Contains(stdout.String(), "resolving") {
		t.Errorf("stdout should hold only the Nix:\n%s", stdout.String())
	}
}

// TestSharedMirrorClosures resolves the real 2020 PyPI closures of
// ../shared/pypi-mirror through the binary and checks every version.
func TestSharedMirrorClosures(t *testing.T) {
	mirror := filepath.Join(fixtures.SharedDir(), "pypi-mirror")
	data, err := os.ReadFile(filepath.Join(mirror, "closures.json"))
	if err != nil {
		t.Skipf("../shared/pypi-mirror is absent: %v", err)
	}
	var closures []struct {
		Root        []string          `json:"root"`
		Python      string            `json:"python"`
		Satisfiable bool              `json:"satisfiable"`
		Packages    map[string]string `json:"packages"`
	}
	if err := json.Unmarshal(data, &closures); err != nil {
		t.Fatal(err)
	}
	s := newSession(t)
	for _, c := range closures {
		t.Run(strings.Join(c.Root, " "), func(t *testing.T) {
			s.write("requirements.txt", strings.Join(c.Root, "\n")+"\n")
			r := s.run("-i", "file://"+mirror, "--python", c.Python, "--prefer-newest", "--format", "json", "requirements.txt")
			if !c.Satisfiable {
				if r.code != 1 {
					t.Fatalf("exit %d, want 1 (unsatisfiable)\n%s", r.code, r.stderr)
				}
				return
			}
			if r.code != 0 {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			var report struct {
				Packages []struct{ Name, Version string } `json:"packages"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &report); err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, p := range report.Packages {
				got[p.Name] = p.Version
			}
			for name, want := range c.Packages {
				if got[name] != want {
					t.Errorf("%s: got %q, want %s", name, got[name], want)
				}
			}
			for name := range got {
				if _, ok := c.Packages[name]; !ok {
					t.Errorf("unexpected package %s %s", name, got[name])
				}
			}
		})
	}
}
