package resolver

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/req2nix/req2nix/pypi"
	"github.com/req2nix/req2nix/pypi/vcs"
)

// memGit is an in-memory GitRepos: repositories by URL, with refs ("" is
// HEAD) and commits' files. Offline, refs cannot be resolved and only the
// commits in cached can be checked out. It counts the calls.
type memGit struct {
	repos   map[string]memRepo
	offline bool
	cached  map[string]bool

	mu                  sync.Mutex
	resolves, checkouts int
}

type memRepo struct {
	refs    map[string]string
	commits map[string]fstest.MapFS
}

func (g *memGit) Resolve(ctx context.Context, url, ref string) (string, error) {
	g.mu.Lock()
	g.resolves++
	g.mu.Unlock()
	if vcs.IsCommit(ref) {
		return strings.ToLower(ref), nil
	}
	if g.offline {
		return "", fmt.Errorf("%w: the cache does not know which commit %q names in %s; run once without --offline", pypi.ErrOffline, ref, url)
	}
	repo, ok := g.repos[DirectPinKey(url)] // credentials aside
	if !ok {
		return "", fmt.Errorf("git ls-remote %s: fatal: repository not found", url)
	}
	commit, ok := repo.refs[ref]
	if !ok {
		return "", fmt.Errorf("%s has no branch or tag named %q", url, ref)
	}
	return commit, nil
}

func (g *memGit) Checkout(ctx context.Context, url, commit string) (*vcs.Checkout, error) {
	g.mu.Lock()
	g.checkouts++
	g.mu.Unlock()
	if g.offline && !g.cached[commit] {
		return nil, fmt.Errorf("%w: no cached copy of commit %s of %s; run once without --offline", pypi.ErrOffline, commit, url)
	}
	files, ok := g.repos[DirectPinKey(url)].commits[commit]
	if !ok {
		return nil, fmt.Errorf("%s has no commit %s", url, commit)
	}
	return &vcs.Checkout{Commit: commit, NARHash: treeHash(commit), Files: files}, nil
}

// treeHash is the stand-in NAR hash of a commit's checkout.
func treeHash(commit string) string { return "sha256-tree-" + commit[:8] }

const (
	commit1 = "1111111111111111111111111111111111111111"
	commit2 = "2222222222222222222222222222222222222222"
	commit3 = "3333333333333333333333333333333333333333"
	commit4 = "4444444444444444444444444444444444444444"
)

func file(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }

// gitRepos: lib (v1.0 with a static version, main with a dynamic one),
// mono (a setup.py-only project in a subdirectory) and other (a project
// named "other").
func gitRepos() map[string]memRepo {
	return map[string]memRepo{
		"https://example.com/lib.git": {
			refs: map[string]string{"": commit2, "main": commit2, "v1.0": commit1},
			commits: map[string]fstest.MapFS{
				commit1: {"pyproject.toml": file("[project]\nname = \"lib\"\nversion = \"1.0\"\ndependencies = [\"b<2\"]\n")},
				commit2: {"pyproject.toml": file("[project]\nname = \"lib\"\ndynamic = [\"version\"]\ndependencies = [\"b>=2\"]\n")},
			}},
		"https://example.com/mono.git": {
			refs:    map[string]string{"": commit3},
			commits: map[string]fstest.MapFS{commit3: {"py/setup.py": file("from setuptools import setup\nsetup(name='mono', version='3.0', install_requires=['c'])\n")}},
		},
		"ssh://example.com/other.git": { // keyed without the user, as vcs keys its cache
			refs:    map[string]string{"": commit4},
			commits: map[string]fstest.MapFS{commit4: {"pyproject.toml": file("[project]\nname = \"other\"\nversion = \"4\"\n")}},
		},
	}
}

// wantGitSource checks a package's pinned git source.
func wantGitSource(name, url, ref, rev, sub string) func(*testing.T, *Resolution) {
	return func(t *testing.T, res *Resolution) {
		p := findPackage(t, res, name)
		want := &DirectSource{Kind: DirectGit, URL: url, Ref: ref, Rev: rev, TreeHash: treeHash(rev), Subdirectory: sub}
		if !reflect.DeepEqual(p.Source, want) {
			t.Errorf("source %+v, want %+v", p.Source, want)
		}
	}
}

// gitScenario is a scenario with git repositories (and archive source
// trees for unnamed archive URLs).
type gitScenario struct {
	scenario
	offline  bool
	cached   []string
	resolves int // calls to Resolve expected
	trees    map[string]map[string][]byte
	digests  map[string]string
}

const gitIndex = "b 1.0:\nb 2.0:\nc 1.0:"

var gitScenarios = []gitScenario{
	{scenario: scenario{name: "a tag: resolved, fetched, its pyproject read", index: gitIndex,
		reqs: "lib @ git+https://example.com/lib.git@v1.0", want: "b==1.0 lib==1.0",
		check: wantGitSource("lib", "https://example.com/lib.git", "v1.0", commit1, "")}, resolves: 1},
	{scenario: scenario{name: "no ref: the default branch; a dynamic version becomes the commit's placeholder", index: gitIndex,
		reqs: "lib @ git+https://example.com/lib.git", want: "b==2.0 lib==0+git.222222222222",
		warnings: []string{"requirements.txt:1: lib in https://example.com/lib.git@222222222222/pyproject.toml does not declare its version statically (its build backend computes it); the version is written as 0+git.222222222222 and undeclared dependencies are not resolved: list them in the requirements"},
		check:    wantGitSource("lib", "https://example.com/lib.git", "", commit2, "")}, resolves: 1},
	{scenario: scenario{name: "unnamed: named by its metadata, a subdirectory's setup.py", index: gitIndex,
		reqs: "@ git+https://example.com/mono.git#subdirectory=py", want: "c==1.0 mono==3.0",
		check: wantGitSource("mono", "https://example.com/mono.git", "", commit3, "py")}, resolves: 1},
	{scenario: scenario{name: "a full commit needs no resolving", index: gitIndex,
		reqs: "lib @ git+https://example.com/lib.git@" + strings.ToUpper(commit1), want: "b==1.0 lib==1.0",
		check: wantGitSource("lib", "https://example.com/lib.git", "", commit1, "")}},
	{scenario: scenario{name: "the previous run's pin is kept, even when the branch moved", index: gitIndex,
		reqs: "lib @ git+https://example.com/lib.git@main", want: "b==1.0 lib==1.0",
		opts:  Options{DirectPins: map[string]DirectPin{"git+https://example.com/lib.git@main": {Name: "lib", Rev: commit1, TreeHash: treeHash(commit1)}}},
		check: wantGitSource("lib", "https://example.com/lib.git", "main", commit1, "")}},
	{scenario: scenario{name: "a pin of an unnamed reference, credentials aside", index: gitIndex,
		reqs: "@ git+https://user:token@example.com/lib.git@main", want: "b==1.0 lib==1.0",
		opts: Options{DirectPins: map[string]DirectPin{"git+https://example.com/lib.git@main": {Name: "lib", Rev: commit1}}}}},
	{scenario: scenario{name: "-P NAME moves the pin", index: gitIndex,
		reqs: "lib @ git+https://example.com/lib.git@main", want: "b==2.0 lib==0+git.222222222222",
		opts:     Options{UpgradePackages: []string{"LIB"}, DirectPins: map[string]DirectPin{"git+https://example.com/lib.git@main": {Name: "lib", Rev: commit1}}},
		warnings: []string{"requirements.txt:1: lib in https://example.com/lib.git@222222222222/pyproject.toml does not declare its version statically (its build backend computes it); the version is written as 0+git.222222222222 and undeclared dependencies are not resolved: list them in the requirements"}},
		resolves: 1},
	{scenario: scenario{name: "--upgrade moves every pin", index: gitIndex,
		reqs: "@ git+https://example.com/lib.git@main", want: "b==2.0 lib==0+git.222222222222",
		opts:     Options{Upgrade: true, DirectPins: map[string]DirectPin{"git+https://example.com/lib.git@main": {Name: "lib", Rev: commit1}}},
		warnings: []string{"requirements.txt:1: lib in https://example.com/lib.git@222222222222/pyproject.toml does not declare its version statically (its build backend computes it); the version is written as 0+git.222222222222 and undeclared dependencies are not resolved: list them in the requirements"}},
		resolves: 1},
	{scenario: scenario{name: "a pin of another ref is not this ref's", index: gitIndex,
		reqs: "lib @ git+https://example.com/lib.git@v1.0", want: "b==1.0 lib==1.0",
		opts: Options{DirectPins: map[string]DirectPin{"git+https://example.com/lib.git@main": {Name: "lib", Rev: commit2}}}},
		resolves: 1},
	{scenario: scenario{name: "offline with a pin and the commit cached", index: gitIndex,
		reqs: "lib @ git+https://example.com/lib.git@main", want: "b==1.0 lib==1.0",
		opts: Options{DirectPins: map[string]DirectPin{"git+https://example.com/lib.git@main": {Name: "lib", Rev: commit1}}}},
		offline: true, cached: []string{commit1}},
	{scenario: scenario{name: "offline without the commit: named missing", index: gitIndex,
		reqs:    "lib @ git+https://example.com/lib.git@main",
		opts:    Options{DirectPins: map[string]DirectPin{"git+https://example.com/lib.git@main": {Name: "lib", Rev: commit1}}},
		wantErr: "lib (requirements.txt:1): git+https://example.com/lib.git@main: offline: no cached copy of commit " + commit1 + " of https://example.com/lib.git; run once without --offline"},
		offline: true},
	{scenario: scenario{name: "a ref the repository lacks", index: gitIndex,
		reqs:    "lib @ git+https://example.com/lib.git@v9",
		wantErr: `lib (requirements.txt:1): git+https://example.com/lib.git@v9: https://example.com/lib.git has no branch or tag named "v9"`},
		resolves: 1},
	{scenario: scenario{name: "a commit of another project", index: gitIndex,
		reqs:    "mine @ git+ssh://git@example.com/other.git",
		wantErr: `mine (requirements.txt:1): git+ssh://****@example.com/other.git: the project in ssh://****@example.com/other.git@444444444444 is named "other", not "mine"; fix the name in the requirement`},
		resolves: 1},
	{scenario: scenario{name: "unnamed, its name not declared", index: gitIndex,
		reqs:    "@ git+https://example.com/lib.git@v1.0#subdirectory=nothing",
		wantErr: "requirements.txt:1: git+https://example.com/lib.git@v1.0#subdirectory=nothing: its metadata does not name the project; write <name> @ <url>"},
		resolves: 1},
	{scenario: scenario{name: "unnamed Mercurial: refused before anything is fetched", index: gitIndex,
		reqs:    "@ hg+https://example.com/x",
		wantErr: "requirements.txt:1: hg+https://example.com/x: Mercurial repositories are not supported; use a git mirror (git+https://...@<commit>) or an archive URL with #sha256="}},
	{scenario: scenario{name: "unnamed archive without core metadata (a repository snapshot)", index: gitIndex,
		reqs: "@ https://example.com/archive/master.zip", want: "c==1.0 snap==0.3",
		check: wantDirectFile("snap", "sdist", "https://example.com/archive/master.zip", hashC)},
		trees:   map[string]map[string][]byte{"https://example.com/archive/master.zip": {"setup.cfg": []byte("[metadata]\nname = snap\nversion = 0.3\n[options]\ninstall_requires = c\n")}},
		digests: map[string]string{"https://example.com/archive/master.zip": hashC}},
	{scenario: scenario{name: "archive pinned by the previous run: not downloaded to be hashed", index: gitIndex,
		reqs: "snap @ https://example.com/archive/master.zip", want: "c==1.0 snap==0.3",
		opts:  Options{DirectPins: map[string]DirectPin{"https://example.com/archive/master.zip": {Name: "snap", SHA256: hashA}}},
		check: wantDirectFile("snap", "sdist", "https://example.com/archive/master.zip", hashA)},
		trees:   map[string]map[string][]byte{"https://example.com/archive/master.zip": {"setup.cfg": []byte("[metadata]\nname = snap\nversion = 0.3\n[options]\ninstall_requires = c\n")}},
		digests: map[string]string{"https://example.com/archive/master.zip": hashA}},
	{scenario: scenario{name: "archive that changed since the previous run pinned it", index: gitIndex,
		reqs:    "snap @ https://example.com/archive/master.zip",
		opts:    Options{DirectPins: map[string]DirectPin{"https://example.com/archive/master.zip": {Name: "snap", SHA256: hashA}}},
		wantErr: "snap (requirements.txt:1): https://example.com/archive/master.zip: download https://example.com/archive/master.zip: sha256 mismatch: want " + hashA + ", got " + hashB + "; the archive changed since the previous run pinned it: pass -P snap to take the new one"},
		trees:   map[string]map[string][]byte{"https://example.com/archive/master.zip": {"setup.cfg": []byte("[metadata]\nname = snap\n")}},
		digests: map[string]string{"https://example.com/archive/master.zip": hashB}},
}

// treeIndex is a digestIndex that also reads archives' source trees.
type treeIndex struct {
	digestIndex
	trees map[string]map[string][]byte
}

func (x treeIndex) ArtifactFiles(ctx context.Context, url, sha256, subdir string, names []string) (*pypi.ArchiveFiles, error) {
	h := x.digests[url]
	if sha256 != "" && sha256 != h {
		return nil, fmt.Errorf("download %s: %w: want %s, got %s", url, pypi.ErrHashMismatch, sha256, h)
	}
	files, ok := x.trees[url]
	if !ok {
		return nil, fmt.Errorf("GET %s: HTTP 404", url)
	}
	return &pypi.ArchiveFiles{SHA256: h, Files: files}, nil
}

func TestResolveGit(t *testing.T) {
	for _, gs := range gitScenarios {
		t.Run(gs.name, func(t *testing.T) {
			git := &memGit{repos: gitRepos(), offline: gs.offline, cached: map[string]bool{}}
			for _, c := range gs.cached {
				git.cached[c] = true
			}
			sc := gs.scenario
			sc.opts.Git = git
			idx := newMemIndex(t, sc.index)
			idx.artifacts = map[string]*pypi.Metadata{}
			provider := treeIndex{digestIndex{artifactIndex{idx}, gs.digests}, gs.trees}
			runScenario(t, sc, provider)
			if git.resolves != gs.resolves {
				t.Errorf("%d calls to Resolve, want %d", git.resolves, gs.resolves)
			}
		})
	}
}

// TestResolveGitWithoutReader: without Options.Git, a ref that is not a
// full commit is refused before anything is fetched, naming the command
// that shows the commit.
func TestResolveGitWithoutReader(t *testing.T) {
	idx := newMemIndex(t, gitIndex)
	_, err := Resolve(context.Background(), idx, rootFile(t, "x @ git+https://example.com/x.git@main\n@ git+ssh://git@example.com/y.git", ""), Options{})
	want := "requirements.txt:1: x @ git+https://example.com/x.git@main: it names the ref \"main\", not a full commit, so it cannot be pinned: write the full 40-hex commit after '@' (`git ls-remote https://example.com/x.git main` shows it)\n" +
		"requirements.txt:2: git+ssh://****@example.com/y.git: it names no commit so it cannot be pinned: write the full 40-hex commit after '@' (`git ls-remote ssh://****@example.com/y.git` shows it)"
	if err == nil || err.Error() != want || !errors.Is(err, ErrUnpinnable) {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

// TestDirectPinKey: the key of a pin is the URL as written, without
// credentials.
func TestDirectPinKey(t *testing.T) {
	tests := map[string]string{
		"git+https://user:pw@example.com/r.git@main": "git+https://example.com/r.git@main",
		"git+https://tok@example.com/r.git":          "git+https://example.com/r.git",
		"git+ssh://git@example.com/r.git@v1":         "git+ssh://example.com/r.git@v1",
		"https://example.com/a/master.zip#sha256=ab": "https://example.com/a/master.zip#sha256=ab",
		"https://h":                     "https://h",
		"https://example.com/x@y/z.zip": "https://example.com/x@y/z.zip",
		"file:///home/u/proj":           "file:///home/u/proj",
		"not a url":                     "not a url",
	}
	for in, want := range tests {
		if got := DirectPinKey(in); got != want {
			t.Errorf("DirectPinKey(%q) = %q, want %q", in, got, want)
		}
	}
}
