// Package vcstest makes git repositories for tests: real ones, on the
// local disk, reachable as file:// URLs, with fixed identities and dates so
// that their commits are the same on every run.
package vcstest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Repo is a git repository made by a test.
type Repo struct {
	t   testing.TB
	Dir string
}

// URL is the repository's file:// URL.
func (r *Repo) URL() string { return "file://" + r.Dir }

// NewRepo makes an empty repository whose default branch is main, skipping
// the test when git is missing (failing it when REQ2NIX_REQUIRE_NIX is
// set: CI installs git and Nix and must not skip).
func NewRepo(t testing.TB) *Repo {
	t.Helper()
	NeedTool(t, "git")
	r := &Repo{t: t, Dir: filepath.Join(t.TempDir(), "repo")}
	r.Git("init", "--quiet", "--initial-branch=main", r.Dir)
	return r
}

// NeedTool skips the test when program is not installed, or fails it when
// REQ2NIX_REQUIRE_NIX is set.
func NeedTool(t testing.TB, program string) {
	t.Helper()
	if _, err := exec.LookPath(program); err != nil {
		if os.Getenv("REQ2NIX_REQUIRE_NIX") != "" {
			t.Fatalf("%s is not installed but REQ2NIX_REQUIRE_NIX is set", program)
		}
		t.Skipf("%s is not installed", program)
	}
}

// Git runs git in the repository (init: anywhere) and returns its output.
func (r *Repo) Git(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	if args[0] != "init" {
		cmd.Dir = r.Dir
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

// Write writes files (path -> content) into the work tree: a content
// starting with "->" makes a symlink, a path ending in "*" an executable
// file.
func (r *Repo) Write(files map[string]string) {
	r.t.Helper()
	WriteTree(r.t, r.Dir, files)
}

// WriteTree writes files (as Repo.Write) under dir.
func WriteTree(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		mode := os.FileMode(0o644)
		if strings.HasSuffix(name, "*") {
			name, mode = strings.TrimSuffix(name, "*"), 0o755
		}
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		if target, ok := strings.CutPrefix(content, "->"); ok {
			err = os.Symlink(target, p)
		} else {
			err = os.WriteFile(p, []byte(content), mode)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// Commit writes files and commits everything, returning the commit id.
func (r *Repo) Commit(msg string, files map[string]string) string {
	r.t.Helper()
	r.Write(files)
	r.Git("add", "--all")
	r.Git("commit", "--quiet", "--allow-empty", "-m", msg)
	return r.Git("rev-parse", "HEAD")
}
