package vcs

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// testRepo is a git repository made by a test, reachable as a file:// URL.
type testRepo struct {
	t   *testing.T
	dir string
}

func (r *testRepo) url() string { return "file://" + r.dir }

// newRepo makes an empty repository whose default branch is main.
func newRepo(t *testing.T) *testRepo {
	t.Helper()
	r := &testRepo{t: t, dir: filepath.Join(t.TempDir(), "repo")}
	r.git("init", "--quiet", "--initial-branch=main", r.dir)
	return r
}

// git runs git in the repository with a fixed identity and dates, so that
// commits are the same on every run.
func (r *testRepo) git(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	if args[0] != "init" {
		cmd.Dir = r.dir
	}
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull,
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com",
		"GIT_AUTHOR_DATE=2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2024-01-01T00:00:00Z")
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// write writes files (path -> content; a content starting with "->" makes
// a symlink, a path ending in "*" an executable file).
func (r *testRepo) write(files map[string]string) {
	r.t.Helper()
	for name, content := range files {
		mode := os.FileMode(0o644)
		if strings.HasSuffix(name, "*") {
			name, mode = strings.TrimSuffix(name, "*"), 0o755
		}
		p := filepath.Join(r.dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.t.Fatal(err)
		}
		var err error
		if target, ok := strings.CutPrefix(content, "->"); ok {
			err = os.Symlink(target, p)
		} else {
			err = os.WriteFile(p, []byte(content), mode)
		}
		if err != nil {
			r.t.Fatal(err)
		}
	}
}

// commit writes files and commits everything, returning the commit id.
func (r *testRepo) commit(msg string, files map[string]string) string {
	r.t.Helper()
	r.write(files)
	r.git("add", "--all")
	r.git("commit", "--quiet", "--allow-empty", "-m", msg)
	return r.git("rev-parse", "HEAD")
}

// needTool skips a test when the program is not installed, or fails it
// when REQ2NIX_REQUIRE_NIX is set (CI installs git and Nix and must not
// skip).
func needTool(t *testing.T, program string) {
	t.Helper()
	if _, err := exec.LookPath(program); err != nil {
		if os.Getenv("REQ2NIX_REQUIRE_NIX") != "" {
			t.Fatalf("%s is not installed but REQ2NIX_REQUIRE_NIX is set", program)
		}
		t.Skipf("%s is not installed", program)
	}
}
