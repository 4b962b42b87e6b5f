package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/req2nix/req2nix/fixtures"
	"github.com/req2nix/req2nix/pypi/pypitest"
	"github.com/req2nix/req2nix/pypi/vcs/vcstest"
)

// gitTestIndex is a nixpkgs index with setuptools alone: every resolved
// package is built new, so the output evaluates against the stub nixpkgs.
const gitTestIndex = `{"source": "git test index", "packages": [{"attr": "setuptools", "version": "80.9.0"}]}`

// gitArgs use the fixture index (a file:// mirror) online, so that git
// repositories and archives can be fetched, with gitTestIndex.
func gitArgs(s *session, extra ...string) []string {
	index := s.write("nixpkgs-index.json", gitTestIndex)
	return append([]string{"-i", fixtures.IndexURL(), "--nixpkgs-index", index}, extra...)
}

// switchableServer serves one archive whose bytes the test may replace,
// counting requests.
type switchableServer struct {
	*httptest.Server
	mu       sync.Mutex
	body     []byte
	requests atomic.Int64
}

func newSwitchableServer(t *testing.T, body []byte) *switchableServer {
	s := &switchableServer{body: body}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		s.mu.Lock()
		defer s.mu.Unlock()
		w.Write(s.body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *switchableServer) set(body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.body = body
}

// snapshotZip is a repository snapshot as GitHub serves .../archive/master.zip:
// a source tree under one top directory, no PKG-INFO.
func snapshotZip(t *testing.T, version string) []byte {
	data, err := pypitest.Archive("master.zip", map[string][]byte{
		"snap-master/setup.cfg": []byte("[metadata]\nname = snapshot\nversion = " + version + "\n[options]\ninstall_requires =\n  markupsafe\n"),
		"snap-master/setup.py":  []byte("from setuptools import setup\nsetup()\n"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// checkoutHashSRI is Nix's own NAR hash of a clone of repo at rev
// (without .git), in SRI form: what the output's fetchgit hash must be.
func checkoutHashSRI(t *testing.T, repo *vcstest.Repo, rev string) string {
	vcstest.NeedTool(t, "nix-hash")
	clone := filepath.Join(t.TempDir(), "clone")
	for _, args := range [][]string{{"clone", "--quiet", repo.Dir, clone}, {"-C", clone, "checkout", "--quiet", rev}} {
		if out, err := exec.Command("git", args...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	os.RemoveAll(filepath.Join(clone, ".git"))
	return nixHashSRI(t, clone)
}

// gitProject is a project whose requirements name a git tag, an unnamed
// git repository (its default branch, a project in a subdirectory with
// only setup.py), an unnamed repository snapshot over HTTP, and a local
// directory with only setup.py.
type gitProject struct {
	s            *session
	lib, mono    *vcstest.Repo
	libV1, mono1 string
	srv          *switchableServer
}

func newGitProject(t *testing.T) *gitProject {
	p := &gitProject{s: newSession(t), lib: vcstest.NewRepo(t), mono: vcstest.NewRepo(t)}
	p.libV1 = p.lib.Commit("v1", map[string]string{
		"pyproject.toml":      "[build-system]\nrequires = [\"setuptools\"]\nbuild-backend = \"setuptools.build_meta\"\n\n[project]\nname = \"gitlib\"\nversion = \"1.0\"\ndependencies = [\"click>=7\"]\n",
		"gitlib/__init__.py":  "",
		"scripts/release.sh*": "#!/bin/sh\n",
		"docs/link-to-readme": "->../README",
		"README":              "gitlib\n",
	})
	p.lib.Git("tag", "-a", "-m", "release 1.0", "v1.0")
	p.lib.Commit("v2", map[string]string{"pyproject.toml": "[project]\nname = \"gitlib\"\nversion = \"2.0\"\n"})
	p.mono1 = p.mono.Commit("one", map[string]string{
		"README":      "a monorepo\n",
		"py/setup.py": "from setuptools import setup\nsetup(name='monolib', version='0.5', install_requires=['itsdangerous'])\n",
	})
	p.srv = newSwitchableServer(t, snapshotZip(t, "0.3"))
	vcstest.WriteTree(t, p.s.dir, map[string]string{
		"localsetup/setup.py": "from setuptools import setup\nfrom localsetup import __version__\nsetup(name='localsetup', version=__version__, install_requires=['cowsay'])\n",
		"requirements.txt": "gitlib @ git+" + p.lib.URL() + "@v1.0\n" +
			"git+" + p.mono.URL() + "#subdirectory=py\n" +
			p.srv.URL + "/archive/master.zip\n" +
			"-e ./localsetup\n",
	})
	return p
}

// TestGitAndURLReferences runs a project of git and URL references
// through the binary: refs resolved to commits and pinned by NAR hash,
// names read from metadata, dependencies resolved from static metadata and
// setup.py's literals; re-runs keep the pins (offline too) until -P.
func TestGitAndURLReferences(t *testing.T) {
	p := newGitProject(t)
	s := p.s
	r := s.mustRun(0, gitArgs(s, "-o", "shell.nix", "requirements.txt")...)
	out := s.read("shell.nix")
	for _, want := range []string{
		"src = pkgs.fetchgit {\n        url = \"" + p.lib.URL() + "\";\n        rev = \"" + p.libV1 + "\";\n        hash = \"" + checkoutHashSRI(t, p.lib, p.libV1) + "\";\n        fetchSubmodules = false;\n      };",
		"rev = \"" + p.mono1 + "\";\n        hash = \"" + checkoutHashSRI(t, p.mono, p.mono1) + "\";\n        fetchSubmodules = false;\n        name = \"source\";\n      };\n      sourceRoot = \"source/py\";",
		"# req2nix-lock: gitlib==1.0 url=git+" + p.lib.URL() + "@v1.0 rev=" + p.libV1 + " hash=",
		"# req2nix-lock: monolib==0.5 url=git+" + p.mono.URL() + "#subdirectory=py rev=" + p.mono1 + " hash=",
		"# req2nix-lock: snapshot==0.3 url=" + p.srv.URL + "/archive/master.zip sha256=" + sha256Hex(snapshotZip(t, "0.3")),
		"# req2nix-lock: localsetup==0+local",
		"# req2nix-lock: click==", "# req2nix-lock: itsdangerous==", "# req2nix-lock: markupsafe==", "# req2nix-lock: cowsay==",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("shell.nix lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(r.stderr, "localsetup in "+filepath.Join(s.dir, "localsetup", "setup.py")+" does not declare its version statically") ||
		!strings.Contains(r.stderr, "setup.py was read, and version = __version__ is imported or computed") {
		t.Errorf("no warning naming what setup.py does not say:\n%s", r.stderr)
	}
	versions := map[string]string{"gitlib": "1.0", "monolib": "0.5", "snapshot": "0.3", "localsetup": "0+local"}
	evalWithStub(t, filepath.Join(s.dir, "shell.nix"), versions)
	evalWithNixreal(t, filepath.Join(s.dir, "shell.nix"), versions)

	// The default branch moves and the snapshot changes: the pins stand,
	// online and offline, byte for byte.
	mono2 := p.mono.Commit("two", map[string]string{"py/setup.py": "from setuptools import setup\nsetup(name='monolib', version='0.6')\n"})
	p.srv.set(snapshotZip(t, "0.4"))
	requests := p.srv.requests.Load()
	s.mustRun(0, gitArgs(s, "-o", "shell.nix", "requirements.txt")...)
	s.mustRun(0, gitArgs(s, "--offline", "-o", "shell.nix", "requirements.txt")...)
	if s.read("shell.nix") != out {
		t.Errorf("a re-run changed shell.nix:\n%s", s.read("shell.nix"))
	}
	if n := p.srv.requests.Load(); n != requests {
		t.Errorf("%d more downloads of the pinned snapshot; want it from the cache", n-requests)
	}

	// -P moves one pin; --upgrade all.
	s.mustRun(0, gitArgs(s, "-P", "monolib", "-o", "shell.nix", "requirements.txt")...)
	moved := s.read("shell.nix")
	if !strings.Contains(moved, "monolib==0.6 url=git+"+p.mono.URL()+"#subdirectory=py rev="+mono2) || !strings.Contains(moved, "snapshot==0.3") {
		t.Errorf("-P monolib should move monolib alone:\n%s", moved)
	}
	s.mustRun(0, gitArgs(s, "--upgrade", "-o", "shell.nix", "requirements.txt")...)
	if up := s.read("shell.nix"); !strings.Contains(up, "snapshot==0.4 url=") || !strings.Contains(up, "gitlib==1.0") {
		t.Errorf("--upgrade should take the new snapshot and keep the tag's commit:\n%s", up)
	}
}

// TestGitReferencesOffline: offline with an empty cache, the output names
// what is missing and nothing is written.
func TestGitReferencesOffline(t *testing.T) {
	p := newGitProject(t)
	s := p.s
	s.write("requirements.txt", "gitlib @ git+"+p.lib.URL()+"@v1.0\n")
	r := s.run(gitArgs(s, "--offline", "-o", "shell.nix", "requirements.txt")...)
	if r.code == 0 || !strings.Contains(r.stderr, `the cache does not know which commit "v1.0" names in `+p.lib.URL()+"; run once without --offline") {
		t.Errorf("exit %d:\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(s.dir, "shell.nix")); err == nil {
		t.Error("shell.nix was written")
	}
}

// TestGitReferenceRefused: what git must not be given is refused before
// anything runs, and credentials are never printed.
func TestGitReferenceRefused(t *testing.T) {
	s := newSession(t)
	s.write("requirements.txt", "a @ git+ssh://-oProxyCommand=touch/x@main\n"+
		"git+https://user:s3cret@127.0.0.1:1/r.git@-uupload-pack=touch\n"+
		"c @ git+https://tok3n@127.0.0.1:1/c.git@main\n")
	r := s.run(gitArgs(s, "-o", "shell.nix", "requirements.txt")...)
	for _, want := range []string{
		`requirements.txt:1: a @ git+ssh://-oProxyCommand=touch/x@main: repository URL "ssh://-oProxyCommand=touch/x" has a host or user name starting with '-'`,
		`"-uupload-pack=touch" is not a valid git ref name`,
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if r.code != exitUsage || strings.Contains(r.stderr, "s3cret") || strings.Contains(r.stderr, "tok3n") {
		t.Errorf("exit %d:\n%s", r.code, r.stderr)
	}
}

// stubNixpkgs is the stub nixpkgs of nixgen's tests.
func stubNixpkgs(t *testing.T) string {
	dir, err := filepath.Abs(filepath.Join("..", "..", "nixgen", "testdata", "stub-nixpkgs"))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// nixInstantiate evaluates with Debian's Nix (no store, no network).
func nixInstantiate(t *testing.T, args ...string) string {
	t.Helper()
	vcstest.NeedTool(t, "nix-instantiate")
	cmd := exec.Command("nix-instantiate", append([]string{"--store", "dummy://", "--eval", "--strict", "--json"}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("nix-instantiate: %v\n%s", err, stderr.String())
	}
	return string(out)
}

// evalWithStub evaluates shell.nix against the stub nixpkgs (whose fetchgit
// checks its arguments) and checks that each package has its version.
func evalWithStub(t *testing.T, file string, versions map[string]string) {
	stub := stubNixpkgs(t)
	expr := `let shell = import ` + file + ` { pkgs = import ` + stub + ` { pythonPackages = [ ]; }; }; ` +
		`env = import ` + stub + `/inspect.nix (builtins.head shell.packages); ` +
		`in map (p: p.pname + "==" + p.version) env.packages`
	out := nixInstantiate(t, "-E", expr)
	for name, version := range versions {
		if !strings.Contains(out, `"`+name+"=="+version+`"`) {
			t.Errorf("the environment lacks %s==%s: %s", name, version, out)
		}
	}
}

// evalWithNixreal evaluates shell.nix with nixpkgs' own Python machinery
// (../shared/nixreal), when it is there.
func evalWithNixreal(t *testing.T, file string, versions map[string]string) {
	check, _ := filepath.Abs(filepath.Join("..", "..", "..", "shared", "nixreal", "check.nix"))
	if _, err := os.Stat(check); err != nil {
		t.Log("../shared/nixreal is absent: not evaluated with nixpkgs' machinery")
		return
	}
	out := nixInstantiate(t, check, "--argstr", "file", file, "--argstr", "format", "shell")
	var report struct {
		Packages []struct{ Pname, Version string }
	}
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatalf("nixreal: %v: %s", err, out)
	}
	got := map[string]string{}
	for _, p := range report.Packages {
		got[p.Pname] = p.Version
	}
	for name, version := range versions {
		if got[name] != version {
			t.Errorf("nixreal: %s is %q, want %s", name, got[name], version)
		}
	}
}

// TestLockGitSourceHashed: a lock's git source is pinned like a git
// requirement, by the NAR hash of its commit's checkout (pkgs.fetchgit),
// with its dependencies read from the checkout; an offline re-run takes
// the commit from the git cache, and without that the hash from the
// output's lock line.
func TestLockGitSourceHashed(t *testing.T) {
	p := newGitProject(t)
	s := p.s
	s.write("pylock.toml", "lock-version = \"1.0\"\ncreated-by = \"test\"\n\n[[packages]]\nname = \"gitlib\"\nversion = \"1.0\"\n"+
		"vcs = { type = \"git\", url = \""+p.lib.URL()+"\", commit-id = \""+p.libV1+"\" }\n")
	hash := checkoutHashSRI(t, p.lib, p.libV1)
	run := func(extra ...string) string {
		s.mustRun(0, gitArgs(s, append([]string{"--platform", "x86_64-linux", "-o", "shell.nix", "pylock.toml"}, extra...)...)...)
		return s.read("shell.nix")
	}
	first := run()
	for _, want := range []string{"pkgs.fetchgit {", "rev = \"" + p.libV1 + "\";\n        hash = \"" + hash + "\";", "rev=" + p.libV1 + " hash=" + hash} {
		if !strings.Contains(first, want) {
			t.Fatalf("shell.nix lacks %q:\n%s", want, first)
		}
	}
	if strings.Contains(first, "Warning") {
		t.Errorf("warnings, though the checkout gives hash and dependencies:\n%s", first)
	}
	os.RemoveAll(p.lib.Dir)
	if again := run("--offline"); again != first {
		t.Errorf("the offline re-run (the commit from the git cache) changed shell.nix:\n%s", again)
	}
	fresh := run("--offline", "--cache-dir", t.TempDir())
	if !strings.Contains(fresh, "hash = \""+hash+"\";") || !strings.Contains(fresh, "dependencies of gitlib are not known") {
		t.Errorf("without the git cache, the hash should come from the lock line and the dependencies be unknown:\n%s", fresh)
	}
}

// TestUnnamedArchiveNamedFromMetadata: an archive URL whose file name
// names no project (a download link) is named by the PKG-INFO inside, and
// its dependencies come from there; the output pins the bytes by sha256.
func TestUnnamedArchiveNamedFromMetadata(t *testing.T) {
	s := newSession(t)
	data, err := pypitest.Archive("snapshot.tar.gz", map[string][]byte{
		"realpkg-3.1/PKG-INFO": []byte("Metadata-Version: 2.1\nName: realpkg\nVersion: 3.1\nRequires-Dist: click\n"),
		"realpkg-3.1/setup.py": []byte("from setuptools import setup\nsetup()\n"),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := newSwitchableServer(t, data)
	s.write("requirements.txt", srv.URL+"/dl/snapshot.tar.gz\n")
	s.mustRun(0, gitArgs(s, "-o", "shell.nix", "requirements.txt")...)
	wantAll(t, "shell.nix", s.read("shell.nix"),
		"# req2nix-lock: realpkg==3.1 url="+srv.URL+"/dl/snapshot.tar.gz sha256="+sha256Hex(data),
		"# req2nix-lock: click==")
}
