package resolver

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/req2nix/req2nix/pypi"
)

// digestIndex is an artifactIndex that can also download archives to learn
// their sha256 (it implements ArtifactDigester); URLs it lacks fail as
// --offline does without a cached copy.
type digestIndex struct {
	artifactIndex
	digests map[string]string
}

func (d digestIndex) ArtifactSHA256(ctx context.Context, url, sha256 string) (string, error) {
	if err := d.wait(ctx, "digest "+url); err != nil {
		return "", err
	}
	h, ok := d.digests[url]
	if !ok {
		return "", fmt.Errorf("%w: no cached copy of %s; run once without --offline", pypi.ErrOffline, url)
	}
	if sha256 != "" && sha256 != h {
		return "", fmt.Errorf("download %s: %w: want %s, got %s", url, pypi.ErrHashMismatch, sha256, h)
	}
	return h, nil
}

// ArtifactMetadata checks the expected digest against the archive's, when
// known, before reading its metadata.
func (d digestIndex) ArtifactMetadata(ctx context.Context, url, sha256 string) (*pypi.Metadata, error) {
	if h, ok := d.digests[url]; ok && sha256 != "" && sha256 != h {
		return nil, fmt.Errorf("download %s: %w: want %s, got %s", url, pypi.ErrHashMismatch, sha256, h)
	}
	return d.artifactIndex.ArtifactMetadata(ctx, url, sha256)
}

// directScenario is a scenario whose texts may name $TD, the absolute path
// of testdata/direct (local projects), and whose provider can also hash
// archives.
type directScenario struct {
	scenario
	digests map[string]string // archive URL -> sha256 its download has
}

const (
	hashA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	hashB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	hashC = "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
)

// fooMeta is the metadata of the archive foo-1.5.tar.gz.
var fooMeta = &pypi.Metadata{Name: "foo", Version: "1.5", RequiresDist: []string{"b<2"}, RequiresPython: ">=3.8", Source: pypi.SourcePKGInfo}

const bIndex = `
a 1.0: dynpkg>=1
b 1.0:
b 2.0:
c 1.0:
d 1.0:`

// directScenarios follow the kinds of direct reference in turn: archives
// over https (how their sha256 is pinned), local archives, local
// directories (pyproject.toml, setup.cfg, nothing static), git, and what
// cannot be pinned.
var directScenarios = []directScenario{
	{scenario: scenario{name: "archive pinned by its #sha256= fragment", index: bIndex,
		reqs:      "foo @ https://example.com/foo-1.5.tar.gz#sha256=" + strings.ToUpper(hashA),
		artifacts: map[string]*pypi.Metadata{"https://example.com/foo-1.5.tar.gz": fooMeta},
		want:      "b==1.0 foo==1.5", check: wantDirectFile("foo", "sdist", "https://example.com/foo-1.5.tar.gz", hashA)}},
	{scenario: scenario{name: "archive pinned by --hash", index: bIndex,
		reqs:      "foo @ https://example.com/foo-1.5.tar.gz --hash=sha256:" + hashB,
		artifacts: map[string]*pypi.Metadata{"https://example.com/foo-1.5.tar.gz": fooMeta},
		want:      "b==1.0 foo==1.5", check: wantDirectFile("foo", "sdist", "https://example.com/foo-1.5.tar.gz", hashB)}},
	{scenario: scenario{name: "archive whose download does not match its #sha256=", index: bIndex,
		reqs:      "foo @ https://example.com/foo-1.5.tar.gz#sha256=" + hashA,
		artifacts: map[string]*pypi.Metadata{"https://example.com/foo-1.5.tar.gz": fooMeta},
		wantErr:   "foo (requirements.txt:1): https://example.com/foo-1.5.tar.gz#sha256=" + hashA + ": download https://example.com/foo-1.5.tar.gz: sha256 mismatch: want " + hashA + ", got " + hashC},
		digests: map[string]string{"https://example.com/foo-1.5.tar.gz": hashC}},
	{scenario: scenario{name: "archive without a digest: pinned to what was downloaded", index: bIndex,
		reqs:      "foo @ https://example.com/foo-1.5.tar.gz",
		artifacts: map[string]*pypi.Metadata{"https://example.com/foo-1.5.tar.gz": fooMeta},
		want:      "b==1.0 foo==1.5", check: wantDirectFile("foo", "sdist", "https://example.com/foo-1.5.tar.gz", hashC)},
		digests: map[string]string{"https://example.com/foo-1.5.tar.gz": hashC}},
	{scenario: scenario{name: "wheel without a digest, its metadata unreadable: version from the file name", index: bIndex,
		reqs: "foo @ https://example.com/foo-2.0-py3-none-any.whl",
		want: "foo==2.0", warnings: []string{"dependencies of foo (https://example.com/foo-2.0-py3-none-any.whl) are not resolved: GET https://example.com/foo-2.0-py3-none-any.whl: HTTP 404"},
		check: wantDirectFile("foo", "wheel", "https://example.com/foo-2.0-py3-none-any.whl", hashC)},
		digests: map[string]string{"https://example.com/foo-2.0-py3-none-any.whl": hashC}},
	{scenario: scenario{name: "archive without a digest, not downloadable (offline)", index: bIndex,
		reqs: "foo @ https://example.com/foo-1.5.tar.gz",
		wantErr: "foo (requirements.txt:1): https://example.com/foo-1.5.tar.gz: the archive cannot be pinned without its sha256 " +
			"(offline: no cached copy of https://example.com/foo-1.5.tar.gz; run once without --offline); add #sha256=<hex> to the URL or --hash=sha256:<hex> to the line"},
		digests: map[string]string{}},
	{scenario: scenario{name: "archive whose download matches none of two --hash values", index: bIndex,
		reqs:    "foo @ https://example.com/foo-1.5.tar.gz --hash=sha256:" + hashA + "\nfoo @ https://example.com/foo-1.5.tar.gz --hash=sha256:" + hashB,
		wantErr: "foo (requirements.txt:1): https://example.com/foo-1.5.tar.gz: the archive's sha256 " + hashC + " matches none of the --hash values at requirements.txt:1"},
		digests: map[string]string{"https://example.com/foo-1.5.tar.gz": hashC}},
	{scenario: scenario{name: "archive whose metadata names another project", index: bIndex,
		reqs:      "foo @ https://example.com/foo-1.5.tar.gz#sha256=" + hashA,
		artifacts: map[string]*pypi.Metadata{"https://example.com/foo-1.5.tar.gz": {Name: "Bar", Version: "1.5"}},
		wantErr:   "foo (requirements.txt:1): https://example.com/foo-1.5.tar.gz#sha256=" + hashA + `: the archive's metadata names the project "Bar", not "foo"; fix the name in the requirement`}},
	{scenario: scenario{name: "archive whose metadata has another version", index: bIndex,
		reqs:      "foo @ https://example.com/foo-1.5.tar.gz#sha256=" + hashA,
		artifacts: map[string]*pypi.Metadata{"https://example.com/foo-1.5.tar.gz": {Name: "foo", Version: "1.6"}},
		wantErr:   "foo (requirements.txt:1): https://example.com/foo-1.5.tar.gz#sha256=" + hashA + ": the archive's metadata has version 1.6 but its file name 1.5"}},
	{scenario: scenario{name: "wheel for another platform", index: bIndex,
		reqs:    "foo @ https://example.com/foo-1.5-cp311-cp311-win_amd64.whl#sha256=" + hashA,
		wantErr: "foo (requirements.txt:1): https://example.com/foo-1.5-cp311-cp311-win_amd64.whl#sha256=" + hashA + ": foo-1.5-cp311-cp311-win_amd64.whl is not a wheel for CPython 3.12.12 on x86_64-linux; use a wheel built for it or the sdist"}},
	{scenario: scenario{name: "archive requiring another Python", index: bIndex,
		reqs:      "foo @ https://example.com/foo-1.5.tar.gz#sha256=" + hashA,
		artifacts: map[string]*pypi.Metadata{"https://example.com/foo-1.5.tar.gz": {Name: "foo", Version: "1.5", RequiresPython: ">=3.13"}},
		wantErr:   "foo (requirements.txt:1): https://example.com/foo-1.5.tar.gz#sha256=" + hashA + ": it requires Python >=3.13, which excludes the target Python 3.12.12; choose a target it allows (--python)"}},
	{scenario: scenario{name: "local archive: a Nix path, no digest needed", index: bIndex,
		reqs:      "foo @ file://$TD/dist/foo-1.5.tar.gz",
		artifacts: map[string]*pypi.Metadata{"file://$TD/dist/foo-1.5.tar.gz": fooMeta},
		want:      "b==1.0 foo==1.5", check: wantDirectFile("foo", "sdist", "file://$TD/dist/foo-1.5.tar.gz", "")}},
	{scenario: scenario{name: "directory with a static [project] table and an extra", index: bIndex,
		reqs: "localpkg[fast] @ file://$TD/localpkg", want: "b==2.0 c==1.0 localpkg==0.1.0[fast]",
		check: func(t *testing.T, res *Resolution) {
			p := findPackage(t, res, "localpkg")
			if p.RequiresPython != ">=3.9" || p.Files != nil || !reflect.DeepEqual(p.Dependencies, []string{"b", "c"}) {
				t.Errorf("got %+v", p)
			}
		}}},
	{scenario: scenario{name: "directory with a dynamic version and dependencies", index: bIndex,
		reqs: "a\ndynpkg @ file://$TD/dynpkg", want: "a==1.0 dynpkg==0+local",
		warnings: []string{
			"requirements.txt:2: dynpkg in $TD/dynpkg/pyproject.toml does not declare its dependencies, version statically (its build backend computes it); the version is written as 0+local and undeclared dependencies are not resolved: list them in the requirements",
			"the specifier >=1 on dynpkg is not checked: the version of the direct reference file://$TD/dynpkg is not known"}}},
	{scenario: scenario{name: "directory with setup.cfg", index: "a 1.0:\nb 1.0:\nb 2.0:\nc 1.0:",
		reqs: "cfgpkg[x] @ file://$TD/cfgpkg", want: "a==1.0 b==2.0 c==1.0 cfgpkg==0+local[x]",
		warnings: []string{"requirements.txt:1: cfgpkg in $TD/cfgpkg (setup.cfg and setup.py) does not declare its version statically (its build backend computes it); the version is written as 0+local and undeclared dependencies are not resolved: list them in the requirements"}}},
	{scenario: scenario{name: "Poetry directory", index: bIndex,
		reqs: "poetrypkg @ file://$TD/poetrypkg", want: "b==1.0 poetrypkg==2.1",
		check: func(t *testing.T, res *Resolution) {
			if p := findPackage(t, res, "poetrypkg"); p.RequiresPython != ">=3.9,<4.0" {
				t.Errorf("requires-python %q", p.RequiresPython)
			}
		}}},
	{scenario: scenario{name: "directory with setup.py only: its literal arguments", index: bIndex,
		reqs: "bare @ file://$TD/bare", want: "b==2.0 bare==0+local",
		warnings: []string{"requirements.txt:1: bare in $TD/bare/setup.py does not declare its version statically (its build backend computes it); the version is written as 0+local and undeclared dependencies are not resolved: list them in the requirements"}}},
	{scenario: scenario{name: "directory with setup.py computing what it passes (jax, aws-cli)", index: bIndex,
		reqs: "computed[ci] @ file://$TD/computed", want: "b==2.0 c==1.0 computed==0+local[ci]",
		warnings: []string{
			"requirements.txt:1: computed in $TD/computed/setup.py does not declare its dependencies, version statically (its build backend computes it); the version is written as 0+local and undeclared dependencies are not resolved: list them in the requirements; " +
				`setup.py was read, and install_requires: item 2, f"a>={MIN_A}", has the field {MIN_A}, which is assigned 2 times; ` +
				"version = __version__ is computed (__version__ = read_version())"}}},
	{scenario: scenario{name: "directory with a setup.py that computes its name: the requirement names it", index: bIndex,
		reqs: "noname @ file://$TD/noname", want: "b==1.0 noname==0+local",
		warnings: []string{"requirements.txt:1: noname in $TD/noname/setup.py does not declare its version statically (its build backend computes it); the version is written as 0+local and undeclared dependencies are not resolved: list them in the requirements"}}},
	{scenario: scenario{name: "directory of another project", index: bIndex,
		reqs:    "mine @ file://$TD/wrongname",
		wantErr: `mine (requirements.txt:1): file://$TD/wrongname: the project in $TD/wrongname is named "other", not "mine"; fix the name in the requirement`}},
	{scenario: scenario{name: "directory with an invalid version", index: bIndex,
		reqs:    "badver @ file://$TD/badver",
		wantErr: `badver (requirements.txt:1): file://$TD/badver: $TD/badver/pyproject.toml: version "not a version" is not a valid PEP 440 version`}},
	{scenario: scenario{name: "directory that does not exist", index: bIndex,
		reqs:    "gone @ file://$TD/gone",
		wantErr: `gone (requirements.txt:1): file://$TD/gone: $TD/gone does not exist; check the path`}},
	{scenario: scenario{name: "git commit in a subdirectory", index: bIndex,
		reqs: "mylib @ git+https://example.com/mylib.git@0123456789ABCDEF0123456789abcdef01234567#egg=mylib&subdirectory=py/",
		want: "mylib==0+git.0123456789ab",
		warnings: []string{"dependencies of mylib (git+https://example.com/mylib.git@0123456789ABCDEF0123456789abcdef01234567#egg=mylib&subdirectory=py/) are not resolved: " +
			"they are not read from a git repository; list them in the requirements"}}},
	{scenario: scenario{name: "git branch, no ref, Mercurial: every problem at once", index: bIndex,
		reqs: "x @ git+https://example.com/x.git@main\ny @ git+ssh://git@example.com/y.git\nz @ hg+https://example.com/z",
		wantErr: "requirements.txt:1: x @ git+https://example.com/x.git@main: it names the ref \"main\", not a full commit, so it cannot be pinned: write the full 40-hex commit after '@' (`git ls-remote https://example.com/x.git main` shows it)\n" +
			"requirements.txt:2: y @ git+ssh://****@example.com/y.git: it names no commit so it cannot be pinned: write the full 40-hex commit after '@' (`git ls-remote ssh://****@example.com/y.git` shows it)\n" +
			"requirements.txt:3: z @ hg+https://example.com/z: Mercurial repositories are not supported; use a git mirror (git+https://...@<commit>) or an archive URL with #sha256="}},
}

func TestResolveDirect(t *testing.T) {
	td, err := filepath.Abs(filepath.Join("testdata", "direct"))
	if err != nil {
		t.Fatal(err)
	}
	for _, ds := range directScenarios {
		t.Run(ds.name, func(t *testing.T) {
			sc := ds.scenario
			sc.reqs, sc.wantErr = expandTD(sc.reqs, td), expandTD(sc.wantErr, td)
			sc.warnings = nil
			for _, w := range ds.warnings {
				sc.warnings = append(sc.warnings, expandTD(w, td))
			}
			idx := newMemIndex(t, sc.index)
			idx.artifacts = map[string]*pypi.Metadata{}
			for url, m := range sc.artifacts {
				idx.artifacts[expandTD(url, td)] = m
			}
			var provider Provider = artifactIndex{idx}
			if ds.digests != nil {
				provider = digestIndex{artifactIndex{idx}, ds.digests}
			}
			if check := sc.check; check != nil {
				sc.check = func(t *testing.T, res *Resolution) { check(t, contractTD(res, td)) }
			}
			runScenario(t, sc, provider)
		})
	}
}

func expandTD(s, td string) string { return strings.ReplaceAll(s, "$TD", td) }

// contractTD writes the test data directory in a resolution's URLs as $TD.
func contractTD(res *Resolution, td string) *Resolution {
	out := *res
	out.Packages = append([]Package(nil), res.Packages...)
	for i := range out.Packages {
		p := &out.Packages[i]
		p.DirectURL = strings.ReplaceAll(p.DirectURL, td, "$TD")
		p.Files = append([]File(nil), p.Files...)
		for j := range p.Files {
			p.Files[j].URL = strings.ReplaceAll(p.Files[j].URL, td, "$TD")
		}
	}
	return &out
}

func findPackage(t *testing.T, res *Resolution, name string) Package {
	t.Helper()
	for _, p := range res.Packages {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("%s is not resolved: %s", name, summary(res))
	return Package{}
}

// wantDirectFile checks a direct reference's one archive.
func wantDirectFile(name, kind, url, sha256 string) func(*testing.T, *Resolution) {
	return func(t *testing.T, res *Resolution) {
		p := findPackage(t, res, name)
		want := []File{{Kind: kind, Filename: url[strings.LastIndex(url, "/")+1:], URL: url, SHA256: sha256}}
		if !reflect.DeepEqual(p.Files, want) || p.MetadataSource != "direct" || !strings.HasPrefix(p.DirectURL, url) {
			t.Errorf("got %+v\nwant files %+v", p, want)
		}
	}
}

// TestDirectConflict: a direct reference of known version is checked
// against other packages' specifiers, and the conflict explained.
func TestDirectConflict(t *testing.T) {
	idx := newMemIndex(t, "a 1.0: foo>=2\nb 1.0:")
	idx.artifacts = map[string]*pypi.Metadata{"https://example.com/foo-1.5.tar.gz": fooMeta}
	_, err := Resolve(context.Background(), artifactIndex{idx}, rootFile(t, "a\nfoo @ https://example.com/foo-1.5.tar.gz#sha256="+hashA, ""), Options{})
	var ns *NoSolutionError
	if !errors.As(err, &ns) || !strings.Contains(err.Error(), "a==1.0 depends on foo>=2") {
		t.Fatalf("got %v, want a conflict naming the direct reference", err)
	}
}
