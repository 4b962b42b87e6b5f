package vcs

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/req2nix/req2nix/pypi"
	"github.com/req2nix/req2nix/pypi/vcs/vcstest"
)

// refRepo is a repository with the refs pip and Poetry users name: the
// default branch, another branch with a slash, lightweight and annotated
// tags, a branch and a tag of the same name, and a pull-request-like ref.
type refRepo struct {
	*vcstest.Repo
	first, second, feature, sameBranch, sameTag, pull string
}

func newRefRepo(t *testing.T) *refRepo {
	r := &refRepo{Repo: vcstest.NewRepo(t)}
	r.first = r.Commit("first", map[string]string{"pyproject.toml": "[project]\nname = \"demo\"\nversion = \"1.0\"\n"})
	r.Git("tag", "v1.0")
	r.Git("tag", "-a", "-m", "annotated", "v1.0-annotated")
	r.sameTag = r.first
	r.Git("tag", "same")
	r.second = r.Commit("second", map[string]string{"pyproject.toml": "[project]\nname = \"demo\"\nversion = \"2.0\"\n"})
	r.Git("checkout", "--quiet", "-b", "feature/x")
	r.feature = r.Commit("feature", map[string]string{"feature.txt": "x"})
	r.Git("checkout", "--quiet", "-b", "same")
	r.sameBranch = r.Commit("same branch", nil)
	r.Git("checkout", "--quiet", "-b", "pull")
	r.pull = r.Commit("pull", nil)
	r.Git("update-ref", "refs/pull/7/head", r.pull)
	r.Git("checkout", "--quiet", "main")
	r.Git("branch", "--quiet", "-D", "pull")
	return r
}

func newGit(t *testing.T, offline bool, cache string) *Git {
	return New(Options{CacheDir: cache, Offline: offline})
}

// TestResolve reads every kind of "@ref" as pip does (Poetry's abbreviated
// revs too), records the answers, and answers offline from the record.
func TestResolve(t *testing.T) {
	vcstest.NeedTool(t, "git")
	r := newRefRepo(t)
	tests := []struct {
		ref     string
		want    func() string
		wantErr string
	}{
		{ref: "", want: func() string { return r.second }},
		{ref: "HEAD", want: func() string { return r.second }},
		{ref: "main", want: func() string { return r.second }},
		{ref: "feature/x", want: func() string { return r.feature }},
		{ref: "v1.0", want: func() string { return r.first }},
		{ref: "v1.0-annotated", want: func() string { return r.first }},
		{ref: "refs/tags/v1.0-annotated", want: func() string { return r.first }},
		{ref: "same", want: func() string { return r.sameBranch }}, // a branch before a tag, as in pip
		{ref: "refs/tags/same", want: func() string { return r.sameTag }},
		{ref: "refs/pull/7/head", want: func() string { return r.pull }},
		{ref: r.feature[:8], want: func() string { return r.feature }},
		{ref: strings.ToUpper(r.first[:10]), want: func() string { return r.first }},
		{ref: "nosuch", wantErr: `has no branch or tag named "nosuch"`},
		{ref: "abcdef12", wantErr: `has no branch, tag or commit "abcdef12" reachable from its branches and tags`},
		{ref: "-uploadpack=touch", wantErr: `"-uploadpack=touch" is not a valid git ref name`},
		{ref: "a..b", wantErr: "is not a valid git ref name"},
	}
	cache := t.TempDir()
	online := newGit(t, false, cache)
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			got, err := online.Resolve(context.Background(), r.URL(), tt.ref)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Resolve(%q) = %q, %v; want an error containing %q", tt.ref, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want() {
				t.Fatalf("Resolve(%q) = %q, %v; want %s", tt.ref, got, err, tt.want())
			}
			offline, err := newGit(t, true, cache).Resolve(context.Background(), r.URL(), tt.ref)
			if err != nil || offline != got {
				t.Errorf("offline Resolve(%q) = %q, %v; want the recorded %s", tt.ref, offline, err, got)
			}
		})
	}
}

// TestResolveMoves: a branch that moves is followed online; offline, the
// last online answer stands; a full commit needs no repository at all.
func TestResolveMoves(t *testing.T) {
	vcstest.NeedTool(t, "git")
	r := newRefRepo(t)
	cache := t.TempDir()
	ctx := context.Background()
	if got, _ := newGit(t, false, cache).Resolve(ctx, r.URL(), "main"); got != r.second {
		t.Fatalf("main = %s, want %s", got, r.second)
	}
	third := r.Commit("third", nil)
	if got, _ := newGit(t, true, cache).Resolve(ctx, r.URL(), "main"); got != r.second {
		t.Errorf("offline main = %s, want the recorded %s", got, r.second)
	}
	if got, _ := newGit(t, false, cache).Resolve(ctx, r.URL(), "main"); got != third {
		t.Errorf("online main = %s, want the new %s", got, third)
	}
	_, err := newGit(t, true, cache).Resolve(ctx, r.URL(), "v1.0")
	if !errors.Is(err, pypi.ErrOffline) || !strings.Contains(err.Error(), `which commit "v1.0" names`) {
		t.Errorf("offline, an unrecorded ref: %v", err)
	}
	full := strings.Repeat("AB", 20)
	if got, err := newGit(t, true, t.TempDir()).Resolve(ctx, "https://nowhere.invalid/x.git", full); err != nil || got != strings.ToLower(full) {
		t.Errorf("a full commit: %q, %v", got, err)
	}
}

// TestCheckout: a commit's NAR hash is Nix's hash of what a plain git
// clone checks out (.gitattributes conversions, symlinks, executables and
// empty submodule directories included); its files are readable, offline
// too once cached.
func TestCheckout(t *testing.T) {
	vcstest.NeedTool(t, "git")
	vcstest.NeedTool(t, "nix-hash")
	sub := vcstest.NewRepo(t)
	sub.Commit("sub", map[string]string{"inner.txt": "inner"})
	r := vcstest.NewRepo(t)
	r.Write(map[string]string{
		".gitattributes":   "*.txt text eol=crlf\n",
		"notes.txt":        "line 1\nline 2\n",
		"pkg/setup.py":     "from setuptools import setup\nsetup(name='demo')\n",
		"bin/tool*":        "#!/bin/sh\n",
		"link":             "->pkg/setup.py",
		"pkg/__init__.py":  "",
		"docs/deep/a.md":   "# a\n",
		"pyproject.toml":   "[project]\nname = \"demo\"\n",
		"unicode/naïve.py": "x = 1\n",
	})
	r.Git("-c", "protocol.file.allow=always", "submodule", "add", "--quiet", sub.URL(), "vendor/sub")
	commit := r.Commit("all kinds", nil)

	cache := t.TempDir()
	co, err := newGit(t, false, cache).Checkout(context.Background(), r.URL(), commit)
	if err != nil {
		t.Fatal(err)
	}
	clone := filepath.Join(t.TempDir(), "clone")
	if out, err := exec.Command("git", "clone", "--quiet", r.Dir, clone).CombinedOutput(); err != nil {
		t.Fatalf("git clone: %v\n%s", err, out)
	}
	os.RemoveAll(filepath.Join(clone, ".git"))
	if got, want := sriHex(t, co.NARHash), nixHashHex(t, clone); got != want {
		t.Errorf("NAR hash %s, want nix-hash of a clone %s", got, want)
	}
	if !reflect.DeepEqual(co.Submodules, []string{"vendor/sub"}) {
		t.Errorf("submodules %v", co.Submodules)
	}
	if data, err := fs.ReadFile(co.Files, "pkg/setup.py"); err != nil || !strings.Contains(string(data), "name='demo'") {
		t.Errorf("pkg/setup.py: %q, %v", data, err)
	}
	for name, want := range map[string]error{"missing.toml": fs.ErrNotExist, "../etc/passwd": fs.ErrInvalid} {
		if _, err := fs.ReadFile(co.Files, name); !errors.Is(err, want) {
			t.Errorf("%s: %v, want %v", name, err, want)
		}
	}
	if _, err := fs.ReadFile(co.Files, "pkg"); err == nil || !strings.Contains(err.Error(), "a tree, not a file") {
		t.Errorf("a directory: %v", err)
	}

	again, err := newGit(t, true, cache).Checkout(context.Background(), r.URL(), commit)
	if err != nil || again.NARHash != co.NARHash || !reflect.DeepEqual(again.Submodules, co.Submodules) {
		t.Fatalf("offline from the cache: %+v, %v", again, err)
	}
	if data, err := fs.ReadFile(again.Files, "pyproject.toml"); err != nil || !strings.Contains(string(data), "demo") {
		t.Errorf("offline read: %q, %v", data, err)
	}
	_, err = newGit(t, true, t.TempDir()).Checkout(context.Background(), r.URL(), commit)
	if !errors.Is(err, pypi.ErrOffline) || !strings.Contains(err.Error(), "no cached copy of commit "+commit) {
		t.Errorf("offline with an empty cache: %v", err)
	}
}

// TestCheckoutUnknownCommit: a commit the remote does not have is named.
func TestCheckoutUnknownCommit(t *testing.T) {
	vcstest.NeedTool(t, "git")
	r := newRefRepo(t)
	missing := strings.Repeat("0", 39) + "1"
	_, err := newGit(t, false, t.TempDir()).Checkout(context.Background(), r.URL(), missing)
	if err == nil || !strings.Contains(err.Error(), "has no commit "+missing) {
		t.Errorf("got %v", err)
	}
}

// TestCheckURL: only https, http, ssh, git and file transports, nothing
// that git could read as an option or a command.
func TestCheckURL(t *testing.T) {
	tests := []struct {
		url, wantErr string
	}{
		{"https://github.com/celery/kombu.git", ""},
		{"ssh://git@github.com/celery/kombu.git", ""},
		{"git://example.com/x.git", ""},
		{"file:///srv/repo", ""},
		{"file://localhost/srv/repo", ""},
		{"ext::sh -c touch% /tmp/pwned", "space or control character"},
		{"ext::sh", `scheme "ext" is not allowed`},
		{"fd::17", `scheme "fd" is not allowed`},
		{"-uhttps://x", "starts with '-'"},
		{"ssh://-oProxyCommand=touch/x", "host or user name starting with '-'"},
		{"ssh://-oProxyCommand=x@host/x", "host or user name starting with '-'"},
		{"https:///nohost", "names no host"},
		{"file://otherhost/srv/repo", `names the host "otherhost"`},
		{"https://host/a\nb", "space or control character"},
		{"", "empty repository URL"},
		{"https://user:secret@host/repo\x7f", "****@host/repo"},
	}
	for _, tt := range tests {
		err := CheckURL(tt.url)
		if (err == nil) != (tt.wantErr == "") || err != nil && !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("CheckURL(%q) = %v, want %q", tt.url, err, tt.wantErr)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("CheckURL(%q) prints the password: %v", tt.url, err)
		}
	}
}

// TestCredentialsMasked: git's messages about a URL with credentials never
// show them.
func TestCredentialsMasked(t *testing.T) {
	vcstest.NeedTool(t, "git")
	g := newGit(t, false, t.TempDir())
	for _, u := range []string{"https://user:s3cret@127.0.0.1:1/repo.git", "https://t0ken@127.0.0.1:1/repo.git"} {
		_, err := g.Resolve(context.Background(), u, "main")
		if err == nil || strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "t0ken") {
			t.Errorf("%v", err)
		}
	}
}

// FuzzCheckURL: what CheckURL and CheckRef accept can never be read by git
// as an option or a command: no leading "-", only the allowed transports,
// no spaces or control characters.
func FuzzCheckURL(f *testing.F) {
	f.Add("https://github.com/celery/kombu.git", "main")
	f.Add("ext::sh -c touch% /tmp/x", "--upload-pack=touch")
	f.Add("ssh://-oProxyCommand=x/r", "refs/pull/1/head")
	f.Fuzz(func(t *testing.T, url, ref string) {
		if CheckURL(url) == nil {
			scheme, _, _ := strings.Cut(url, ":")
			if strings.HasPrefix(url, "-") || !allowedSchemes[scheme] || strings.ContainsAny(url, " \t\n\r\x00") {
				t.Errorf("CheckURL accepted %q", url)
			}
		}
		if CheckRef(ref) == nil && (strings.HasPrefix(ref, "-") || strings.ContainsAny(ref, " \t\n\x00:")) {
			t.Errorf("CheckRef accepted %q", ref)
		}
	})
}
