package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/req2nix/req2nix/fixtures"
)

// TestUsageMistakes runs the mistakes a user makes on the command line and
// in input files: each gets one short paragraph on stderr naming what is
// wrong, the given exit status, nothing on stdout and no Go-isms.
func TestUsageMistakes(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		args  []string
		code  int
		want  []string // each must appear on stderr
		setup func(t *testing.T, dir string)
	}{
		{"unknown flag", nil, []string{"--bogus"}, 2,
			[]string{"req2nix: unknown option --bogus\n"}, nil},
		{"misspelt flag", nil, []string{"--upgrade-packages", "flask"}, 2,
			[]string{"unknown option --upgrade-packages; did you mean --upgrade-package?"}, nil},
		{"a file name that starts with -", map[string]string{"-dev.txt": "flask\n"}, []string{"-dev.txt"}, 2,
			[]string{"unknown option -dev.txt; to read the file -dev.txt, put -- before it: req2nix -- -dev.txt"}, nil},
		{"--nixpkgs a directory that is not nixpkgs", flaskOnly, []string{"--nixpkgs", "nix", "requirements.txt"}, 2,
			[]string{"--nixpkgs nix: the directory has no default.nix, so it is not a nixpkgs checkout"}, mkdir("nix", 0o755)},
		{"a local project that does not exist", map[string]string{"requirements.txt": "foo @ file:///nowhere/foo\n"}, []string{"requirements.txt"}, 2,
			[]string{"req2nix: foo (requirements.txt:1): file:///nowhere/foo: /nowhere/foo does not exist; check the path\n"}, nil},
		{"a local project named otherwise", nil, []string{"requirements.txt"}, 2,
			[]string{`/proj is named "bar", not "foo"; fix the name in the requirement`}, func(t *testing.T, dir string) {
				writeFile(t, filepath.Join(dir, "proj", "pyproject.toml"), "[project]\nname = \"bar\"\nversion = \"1\"\n")
				writeFile(t, filepath.Join(dir, "requirements.txt"), "foo @ file://"+filepath.ToSlash(dir)+"/proj\n")
			}},
		{"a relative file URL", map[string]string{"requirements.txt": "foo @ file:./proj\n"}, []string{"requirements.txt"}, 2,
			[]string{`req2nix: requirements.txt:1: foo @ file:./proj: file URL "file:./proj" is not absolute`}, nil},
		{"-o names the requirements file", flaskOnly, []string{"--upgrade", "-o", "requirements.txt", "requirements.txt"}, 2,
			[]string{"-o requirements.txt is also an input (requirements.txt); writing it would replace the requirements: choose another output file, such as shell.nix"}, nil},
		{"-o names a directory input's pyproject.toml", map[string]string{"pyproject.toml": "[project]\nname = \"x\"\nversion = \"1\"\n"}, []string{"-U", "-o", "pyproject.toml", "."}, 2,
			[]string{"-o pyproject.toml is also an input (pyproject.toml); writing it would replace"}, nil},
		{"-o names an included file", map[string]string{"requirements.txt": "-r base.txt\n", "base.txt": "flask\n"}, []string{"-U", "-o", "base.txt", "requirements.txt"}, 2,
			[]string{"-o base.txt is also an input (base.txt)"}, nil},
		{"an unknown package", map[string]string{"requirements.txt": "flaks\n"}, []string{"requirements.txt"}, 1,
			[]string{`req2nix: requirements.txt:1: package "flaks" not found on ` + fixtures.IndexURL() + ` (did you mean "flask"?)` + "\n"}, nil},
		{"two sources of nixpkgs versions", flaskOnly, []string{"--eval-nixpkgs", "requirements.txt"}, 2,
			[]string{"--eval-nixpkgs and --nixpkgs-index contradict each other"}, nil},
		{"flag without its value", nil, []string{"requirements.txt", "-o"}, 2,
			[]string{"option -o needs a value: -o FILE"}, nil},
		{"number flag given a word", nil, []string{"-j", "many"}, 2,
			[]string{`option -j="many": give a whole number`}, nil},
		{"boolean flag given a word", nil, []string{"--check=maybe"}, 2,
			[]string{`option --check="maybe": give true or false`}, nil},
		{"-o in a missing directory", flaskOnly, []string{"-o", "nix/shell.nix", "requirements.txt"}, 2,
			[]string{"-o nix/shell.nix: directory nix does not exist; create it first (mkdir -p nix)"}, nil},
		{"-o names a directory", flaskOnly, []string{"-o", "nix", "requirements.txt"}, 2,
			[]string{"-o nix is a directory; name the file to write, such as nix/shell.nix"}, mkdir("nix", 0o755)},
		{"-o in a read-only directory", flaskOnly, []string{"-o", "nix/shell.nix", "requirements.txt"}, 2,
			[]string{"-o nix/shell.nix: cannot write in directory nix (permission denied)"}, mkdir("nix", 0o555)},
		{"--nixpkgs-sha256 not a hash", flaskOnly, []string{"--nixpkgs", "abc123", "--nixpkgs-sha256", "garbage", "requirements.txt"}, 2,
			[]string{`--nixpkgs-sha256 "garbage" is not a sha256: give it in SRI form`}, nil},
		{"--nixpkgs SRI hash of the wrong length", flaskOnly, []string{"--nixpkgs", "abc123", "--nixpkgs-sha256", "sha256-AAAA", "requirements.txt"}, 2,
			[]string{`--nixpkgs-sha256 "sha256-AAAA" is not a sha256`}, nil},
		{"--nixpkgs with quotes", flaskOnly, []string{"--nixpkgs", `a"b`, "--nixpkgs-sha256", defaultSHA, "requirements.txt"}, 2,
			[]string{`--nixpkgs "a\"b" is not a git revision; give a commit hash such as `}, nil},
		{"--nixpkgs a missing checkout", flaskOnly, []string{"--nixpkgs", "../nixpkgs"}, 2,
			[]string{"--nixpkgs ../nixpkgs: no such directory; give the path of a local nixpkgs checkout, or a git revision"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSession(t)
			if tt.setup != nil {
				tt.setup(t, s.dir)
			}
			for name, content := range tt.files {
				s.write(name, content)
			}
			r := s.mustRun(tt.code, args(tt.args...)...)
			checkOneParagraph(t, r)
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
		})
	}
}

// defaultSHA is a well-formed SRI sha256 (the default pin's).
const defaultSHA = "sha256-wY1+2JPH0ZZC4BQefoZw/k+3+DowFyfOxv17CN/idKs="

var flaskOnly = map[string]string{"requirements.txt": "flask\n"}

// mkdir makes a directory with the given permissions; a read-only one is
// no obstacle to root, so such a test is skipped when run as root.
func mkdir(name string, perm os.FileMode) func(t *testing.T, dir string) {
	return func(t *testing.T, dir string) {
		if perm&0o200 == 0 && os.Geteuid() == 0 {
			t.Skip("root can write in a read-only directory")
		}
		if err := os.Mkdir(filepath.Join(dir, name), perm); err != nil {
			t.Fatal(err)
		}
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// checkOneParagraph fails unless a failed run printed a short error and
// nothing on stdout: no usage dump, no Go formatting artefacts.
func checkOneParagraph(t *testing.T, r runResult) {
	t.Helper()
	if r.stdout != "" {
		t.Errorf("stdout should be empty on failure, got:\n%s", r.stdout)
	}
	if strings.Contains(r.stderr, "\n\n") || strings.Count(r.stderr, "\n") > 8 {
		t.Errorf("stderr is more than one short paragraph:\n%s", r.stderr)
	}
	for _, goism := range []string{"%!", "<nil>", "&{", "map[", "panic", "goroutine"} {
		if strings.Contains(r.stderr, goism) {
			t.Errorf("stderr shows %q:\n%s", goism, r.stderr)
		}
	}
}

// TestSummaryAddsUp checks the summary on stderr: the total is worded for
// its number, and the rows (as is, overridden, built new) add up to it.
func TestSummaryAddsUp(t *testing.T) {
	tests := []struct {
		requirements string
		head         string
	}{
		{"cowsay\n", "req2nix: 1 package for python312 on x86_64-linux; nixpkgs index: "},
		{"flask\nrequests\ncowsay\n", "req2nix: 13 packages for python312 on x86_64-linux; nixpkgs index: "},
	}
	for _, tt := range tests {
		t.Run(strings.TrimSpace(tt.requirements), func(t *testing.T) {
			s := newSession(t)
			s.write("requirements.txt", tt.requirements)
			r := s.mustRun(0, args("requirements.txt")...)
			if !strings.HasPrefix(r.stderr, tt.head) {
				t.Fatalf("summary should start %q:\n%s", tt.head, r.stderr)
			}
			var total, sum int
			fmt.Sscanf(r.stderr, "req2nix: %d", &total)
			for _, line := range strings.Split(r.stderr, "\n")[1:4] {
				var n int
				if _, err := fmt.Sscanf(strings.TrimSpace(line), "%d", &n); err != nil {
					t.Fatalf("summary row %q has no count", line)
				}
				sum += n
			}
			if sum != total {
				t.Errorf("rows add up to %d, the total says %d:\n%s", sum, total, r.stderr)
			}
		})
	}
}

// TestWarnings runs inputs that succeed but deserve a word on stderr.
func TestWarnings(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		args  []string // complete
		want  string
	}{
		{"-P with a misspelt name", flaskOnly, args("-P", "flsk", "-P", "Jinja2", "-o", "shell.nix", "requirements.txt"),
			"warning: -P flsk: no package of that name was resolved, so nothing was upgraded for it; check the spelling\n"},
		{"--eval-nixpkgs offline", flaskOnly, []string{"--offline", "-i", fixtures.IndexURL(), "--eval-nixpkgs", "requirements.txt"},
			"warning: --eval-nixpkgs was skipped: --offline forbids fetching nixpkgs; using the embedded attribute names, so every package is overridden\n"},
		{"an empty requirements file", map[string]string{"requirements.txt": "# nothing yet\n"}, args("requirements.txt"),
			"warning: no requirement applies to python312 on x86_64-linux, so the environment has Python alone\n"},
		{"every requirement's marker is false", map[string]string{"requirements.txt": "flask ; sys_platform == 'win32'\n"}, args("requirements.txt"),
			"warning: no requirement applies to python312 on x86_64-linux, so the environment has Python alone\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSession(t)
			for name, content := range tt.files {
				s.write(name, content)
			}
			r := s.mustRun(0, tt.args...)
			if !strings.Contains(r.stderr, tt.want) {
				t.Errorf("stderr lacks %q:\n%s", tt.want, r.stderr)
			}
			if strings.Count(r.stderr, "warning:") != strings.Count(tt.want, "warning:") {
				t.Errorf("unexpected warnings:\n%s", r.stderr)
			}
		})
	}
}

func TestIsSHA256(t *testing.T) {
	tests := []struct {
		hash string
		want bool
	}{
		{defaultSHA, true},
		{"sha256-AAAA", false}, // SRI, too short
		{"sha512-" + strings.Repeat("A", 86) + "==", false},
		{"0mhqhq21y5vrr1f30qd2bvydv4bbbslvyzclhw0kdxmkgg3z4c92", true},  // Nix base32
		{"0mhqhq21y5vrr1f30qd2bvydv4bbbslvyzclhw0kdxmkgg3z4c9e", false}, // 'e' is not base32
		{"sha256:0mhqhq21y5vrr1f30qd2bvydv4bbbslvyzclhw0kdxmkgg3z4c92", true},
		{strings.Repeat("ab", 32), true}, // hex
		{strings.Repeat("ab", 31), false},
		{"garbage", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := isSHA256(tt.hash); got != tt.want {
			t.Errorf("isSHA256(%q) = %v, want %v", tt.hash, got, tt.want)
		}
	}
}

// TestIndexURLOrigins: a bad index URL that the command line did not give
// is traced to where it was set.
func TestIndexURLOrigins(t *testing.T) {
	tests := []struct {
		name  string
		env   []string
		files map[string]string
		want  string
	}{
		{"PIP_INDEX_URL", []string{"PIP_INDEX_URL=nonsense"}, flaskOnly,
			`index URL "nonsense": want https://, http:// or file:// (a local path is written file:///abs/path); the index URL is set by PIP_INDEX_URL`},
		{"PIP_EXTRA_INDEX_URL", []string{"PIP_INDEX_URL=" + fixtures.IndexURL(), "PIP_EXTRA_INDEX_URL=ftp://x"}, flaskOnly,
			`index URL "ftp://x": want https://, http:// or file:// (a local path is written file:///abs/path); the index URL is set by PIP_INDEX_URL; extra index URLs are set by PIP_EXTRA_INDEX_URL`},
		{"requirements file", nil, map[string]string{"requirements.txt": "flask\n--index-url foo\n"},
			`; the index URL is set at requirements.txt:2`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSession(t)
			s.env = append(s.env, tt.env...)
			for name, content := range tt.files {
				s.write(name, content)
			}
			r := s.mustRun(2, "--offline", "requirements.txt")
			checkOneParagraph(t, r)
			if !strings.Contains(r.stderr, tt.want) {
				t.Errorf("stderr lacks %q:\n%s", tt.want, r.stderr)
			}
		})
	}
}

// TestUnwritableCacheWarns: a cache directory that cannot be created is
// said once, not only in -v debug lines.
func TestUnwritableCacheWarns(t *testing.T) {
	srv := newFixtureServer(t, 0)
	s := newSession(t)
	s.write("requirements.txt", "flask\n")
	notDir := s.write("cache", "a file, not a directory")
	r := s.mustRun(0, serverArgs(srv.URL, "--cache-dir", notDir, "requirements.txt")...)
	want := "warning: cache directory " + notDir + " cannot be written (not a directory), so nothing was cached and --offline will not work; use --cache-dir DIR\n"
	if !strings.Contains(r.stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
	}
	r = s.mustRun(0, serverArgs(srv.URL, "requirements.txt")...)
	if strings.Contains(r.stderr, "warning: cache") {
		t.Errorf("a usable cache was warned about:\n%s", r.stderr)
	}
}

// TestOutputThroughSymlink: an -o that is a symlink keeps being one; the
// file it points to is what gets regenerated.
func TestOutputThroughSymlink(t *testing.T) {
	s := newSession(t)
	s.write("requirements.txt", "flask\n")
	if err := os.Mkdir(filepath.Join(s.dir, "nix"), 0o755); err != nil {
		t.Fatal(err)
	}
	s.mustRun(0, args("-o", "nix/shell.nix", "requirements.txt")...)
	if err := os.Symlink("nix/shell.nix", filepath.Join(s.dir, "shell.nix")); err != nil {
		t.Fatal(err)
	}
	s.write("requirements.txt", "flask\ncowsay\n")
	s.mustRun(0, args("-o", "shell.nix", "requirements.txt")...)
	if st, err := os.Lstat(filepath.Join(s.dir, "shell.nix")); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Errorf("shell.nix is no longer a symlink (%v)", err)
	}
	if !strings.Contains(s.read("nix/shell.nix"), "cowsay==6.1") {
		t.Error("the symlink's target was not regenerated")
	}
}

func TestLastNixError(t *testing.T) {
	tests := []struct{ err, want string }{
		{"evaluating: nix-instantiate: exit status 1: warning: error: unable to download 'u': Couldn't resolve host name (6); retrying in 334 ms\n" +
			"error: unable to download 'u': Couldn't resolve host name (6)\n(use '--show-trace' to show detailed location information)",
			"unable to download 'u': Couldn't resolve host name (6)"},
		{"evaluating: nix-instantiate not found in PATH", "evaluating: nix-instantiate not found in PATH"},
	}
	for _, tt := range tests {
		if got := lastNixError(errors.New(tt.err)); got != tt.want {
			t.Errorf("lastNixError(%q) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

// TestInterrupt: Ctrl-C during resolution says so in words and writes
// nothing.
func TestInterrupt(t *testing.T) {
	srv := newFixtureServer(t, 500*time.Millisecond)
	s := newSession(t)
	s.write("requirements.txt", "flask\n")
	cmd := exec.Command(binary, serverArgs(srv.URL, "--no-progress", "-o", "shell.nix", "requirements.txt")...)
	cmd.Dir, cmd.Env = s.dir, s.env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitFailure {
		t.Errorf("exit: %v, want status %d", err, exitFailure)
	}
	if got, want := stderr.String(), "req2nix: interrupted; nothing was written\n"; got != want {
		t.Errorf("stderr %q, want %q", got, want)
	}
	if _, err := os.Stat(filepath.Join(s.dir, "shell.nix")); !os.IsNotExist(err) {
		t.Errorf("shell.nix exists after an interrupted run (%v)", err)
	}
}
