package resolver

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/req2nix/req2nix/pypi"
	"github.com/req2nix/req2nix/pypi/reqfile"
)

// scenario is one resolution on a hand-made index.
type scenario struct {
	name        string
	index       string // memIndex DSL
	reqs        string // requirements.txt lines
	constraints string // constraints.txt lines
	opts        Options
	want        string // summary(); "" when an error is expected
	wantErr     string // exact error text
	warnings    []string
	artifacts   map[string]*pypi.Metadata // direct references the provider can read
	file        reqfile.File              // the rest of the input (its requirements and constraints come from reqs)
	check       func(t *testing.T, res *Resolution)
}

// twoProjects is an index of two projects with two releases each.
const twoProjects = `
a 1.0:
a 2.0:
b 1.0:
b 2.0:`

// threeReleases is one project with three releases.
const threeReleases = `
a 1.0:
a 2.0:
a 3.0:`

// preBoth: two projects with a final release and a newer pre-release.
const preBoth = `
a 1.0:
a 2.0b1:
b 1.0:
b 2.0b1:`

// newestNeedsOlder: the newest a needs an older b.
const newestNeedsOlder = `
a 2.0: b
a 3.0: b==1.0
b 1.0:
b 2.0:`

// nixpkgsPip fixes pip as req2nix does for nixpkgs' own build tools (the
// name is written unnormalised on purpose).
var nixpkgsPip = map[string]Fixed{"PIP": {Version: "25.0.1", By: "nixpkgs", Why: "not overridden: every package builds with it"}}

// scenarios follow the rules in order: graph shapes, extras,
// markers, requires-python, yanked, pre-releases, constraints, preferences,
// hashes, direct references, failures.
var scenarios = []scenario{
	{name: "single package, newest version", index: `
a 1.0:
a 2.0:`, reqs: "a", want: "a==2.0"},
	{name: "diamond", index: `
a 1.0: c>=1.0
b 1.0: c<3
c 1.0:
c 2.0:
c 3.0:`, reqs: "a\nb", want: "a==1.0 b==1.0 c==2.0"},
	{name: "backtracking to an older version", index: `
a 1.0: b<2
a 2.0: b>=2 | c<1
b 1.0:
b 2.0:
c 1.0:`, reqs: "a", want: "a==1.0 b==1.0"},
	{name: "backjumping across an unrelated decision", index: `
a 1.0: x==1.0
a 2.0: x==2.0
b 1.0: y
y 1.0: x==1.0
x 1.0:
x 2.0:`, reqs: "a\nb", want: "a==1.0 b==1.0 x==1.0 y==1.0"},
	{name: "root requirements decided in the order written", index: newestNeedsOlder, reqs: "a\nb", want: "a==3.0 b==1.0"},
	{name: "root requirements decided in the order written, reversed", index: newestNeedsOlder, reqs: "b\na", want: "a==2.0 b==2.0"},
	{name: "cycle", index: `
a 1.0: b
b 1.0: a>=1`, reqs: "a", want: "a==1.0 b==1.0"},
	{name: "dependency on the project being locked", index: `
a 1.0: my-app>=1
my-app 5.0:`, reqs: "a", file: reqfile.File{ProjectName: "My_App"}, want: "a==1.0"},
	{name: "self dependency", index: `
a 1.0: a`, reqs: "a", want: "a==1.0"},
	{name: "extra pulls its dependencies", index: `
a 1.0 extras=x: b | c; extra == "x"
b 1.0:
c 1.0:`, reqs: "a[x]", want: "a==1.0[x] b==1.0 c==1.0"},
	{name: "extra pins the same version as its package", index: `
a 1.0 extras=x: c; extra == "x"
a 2.0:
c 1.0:`, reqs: "a[x]\na<=2", want: "a==2.0[x]",
		warnings: []string{`a 2.0 does not provide the extra "x"`}},
	{name: "nested extras", index: `
a 1.0 extras=x: b[y]; extra == "x"
b 1.0 extras=y: d; extra == "y"
d 1.0:`, reqs: "a[x]", want: "a==1.0[x] b==1.0[y] d==1.0"},
	{name: "extra that adds nothing but is declared", index: `
a 1.0 extras=x,y: c; extra == "y"
c 1.0:`, reqs: "a[x]", want: "a==1.0[x]"},
	{name: "markers exclude a dependency", index: `
a 1.0: win; sys_platform == "win32" | old; python_version < "3" | b; python_version >= "3.8"
b 1.0:`, reqs: "a", want: "a==1.0 b==1.0"},
	{name: "root requirement marker", index: `
a 1.0:`, reqs: "a\nnope; os_name == \"nt\"", want: "a==1.0"},
	{name: "requires-python of files excludes newer releases", index: `
a 1.0 rp=>=3.8:
a 2.0 rp=>=3.13:`, reqs: "a", want: "a==1.0"},
	{name: "requires-python on a newer target", index: `
a 1.0 rp=>=3.8:
a 2.0 rp=>=3.13:`, reqs: "a", opts: Options{Python: "3.13"}, want: "a==2.0"},
	{name: "requires-python from metadata when the files lack it", index: `
a 1.0:
a 2.0 mrp=>=3.13:`, reqs: "a", want: "a==1.0"},
	{name: "requires-python of the files wins over the metadata's", index: `
a 1.0:
a 2.0 rp=>=3.8 mrp=>=3.13:`, reqs: "a", want: "a==2.0"},
	{name: "yanked release skipped", index: `
a 1.0:
a 2.0 yanked:`, reqs: "a", want: "a==1.0"},
	{name: "yanked release pinned exactly", index: `
a 1.0:
a 2.0 yanked:`, reqs: "a==2.0", want: "a==2.0",
		warnings: []string{"a 2.0 is yanked (reason: broken); it is used because the requirements pin it"}},
	{name: "pre-release skipped by default", index: `
a 1.0:
a 2.0b1:`, reqs: "a", want: "a==1.0"},
	{name: "pre-release named by a specifier", index: `
a 1.0:
a 2.0b1:`, reqs: "a>=2.0b1", want: "a==2.0b1"},
	{name: "pre-release with --pre", index: `
a 1.0:
a 2.0b1:`, reqs: "a", opts: Options{Pre: true}, want: "a==2.0b1"},
	{name: "pre-release with --pre in the requirements file", index: `
a 1.0:
a 2.0b1:`, reqs: "a", file: reqfile.File{Pre: true}, want: "a==2.0b1"},
	{name: "pre-release when nothing else matches", index: `
a 1.0:
a 2.0b1:`, reqs: "a>=1.5", want: "a==2.0b1",
		warnings: []string{"a 2.0b1 is a pre-release, chosen because no final release fits the requirements; pin it or pass --pre to accept pre-releases"}},
	{name: "pre-release when a project has nothing else", index: `
a 2.0b1:`, reqs: "a", want: "a==2.0b1",
		warnings: []string{"a 2.0b1 is a pre-release, chosen because no final release fits the requirements; pin it or pass --pre to accept pre-releases"}},
	{name: "pre-release of a dependency named elsewhere", index: `
a 1.0: b>=1.0rc1
b 0.9:
b 1.0rc1:`, reqs: "a", want: "a==1.0 b==1.0rc1"},
	{name: "--all-releases for one project", index: preBoth, reqs: "a\nb", file: reqfile.File{AllReleases: []string{"a"}}, want: "a==2.0b1 b==1.0"},
	{name: "--only-final wins over --pre", index: preBoth, reqs: "a\nb", opts: Options{Pre: true}, file: reqfile.File{OnlyFinal: []string{"a"}}, want: "a==1.0 b==2.0b1"},
	{name: "--only-final wins over a specifier naming a pre-release", index: preBoth, reqs: "a>=1.0b1", file: reqfile.File{OnlyFinal: []string{":all:"}}, want: "a==1.0"},
	{name: "--all-releases for a project wins over --only-final=:all:", index: preBoth, reqs: "a\nb", file: reqfile.File{AllReleases: []string{"b"}, OnlyFinal: []string{":all:"}}, want: "a==1.0 b==2.0b1"},
	{name: "--only-final when only a pre-release fits", index: preBoth, reqs: "a>=1.5", file: reqfile.File{OnlyFinal: []string{"a"}},
		wantErr: "Because a==2.0b1 is a pre-release (excluded by --only-final) and requirements.txt:1 requires a>=1.5, version solving failed."},
	{name: "arbitrary equality matches the release as the index spells it", index: `
a 1.01:
a 2.0:`, reqs: "a===1.01", want: "a==1.1"},
	{name: "arbitrary equality ignores case", index: `
a 1.0RC1:
a 2.0:`, reqs: "a===1.0rc1", want: "a==1.0rc1"},
	{name: "arbitrary equality does not normalise the requirement", index: `
a 1.01:
a 2.0:`, reqs: "a===1.1",
		wantErr: "Because no version of a matches ===1.1 (available: 1.01, 2.0) and requirements.txt:1 requires a===1.1, version solving failed."},
	{name: "arbitrary equality does not pad the release", index: `
a 1.0.0:
a 2.0:`, reqs: "a===1.0",
		wantErr: "Because no version of a matches ===1.0 (available: 1.0.0, 2.0) and requirements.txt:1 requires a===1.0, version solving failed."},
	{name: "constraint narrows a required package", index: `
a 1.0: c
c 1.0:
c 2.0:`, reqs: "a", constraints: "c<2", want: "a==1.0 c==1.0"},
	{name: "constraint equal to a requirement", index: `
a 1.0: c<2
c 1.0:
c 2.0:`, reqs: "a\nc<2", constraints: "c<2", want: "a==1.0 c==1.0"},
	{name: "constraint adds no package", index: `
a 1.0:
c 1.0:`, reqs: "a", constraints: "c==1.0", want: "a==1.0"},
	{name: "nixpkgs version preferred", index: threeReleases, reqs: "a", opts: Options{Nixpkgs: map[string]string{"a": "2"}, PreferNixpkgs: true}, want: "a==2.0"},
	{name: "nixpkgs preference off", index: threeReleases, reqs: "a", opts: Options{Nixpkgs: map[string]string{"a": "2.0"}}, want: "a==3.0"},
	{name: "nixpkgs version outside the constraints", index: threeReleases, reqs: "a>=3", opts: Options{Nixpkgs: map[string]string{"a": "2.0"}, PreferNixpkgs: true}, want: "a==3.0"},
	{name: "pinned version kept over nixpkgs and newest", index: threeReleases, reqs: "a", opts: Options{Pinned: map[string]string{"a": "1.0"}, Nixpkgs: map[string]string{"a": "2.0"}, PreferNixpkgs: true}, want: "a==1.0"},
	{name: "pinned and nixpkgs names normalised", index: `
zope-interface 1.0:
zope-interface 2.0:
zope-interface 3.0:`, reqs: "zope.interface", opts: Options{Pinned: map[string]string{"Zope.Interface": "1.0"}}, want: "zope-interface==1.0"},
	{name: "pinned version with --upgrade", index: twoProjects, reqs: "a\nb", opts: Options{Pinned: map[string]string{"a": "1.0", "b": "1.0"}, Upgrade: true}, want: "a==2.0 b==2.0"},
	{name: "pinned version with --upgrade-package", index: twoProjects, reqs: "a\nb", opts: Options{Pinned: map[string]string{"a": "1.0", "b": "1.0"}, UpgradePackages: []string{"B"}}, want: "a==1.0 b==2.0"},
	{name: "pinned version no longer allowed", index: threeReleases, reqs: "a>=2", opts: Options{Pinned: map[string]string{"a": "1.0"}}, want: "a==3.0"},
	{name: "hash selects the release", index: `
a 1.0:
a 2.0:`, reqs: "a --hash=sha256:" + strings.Repeat("0", 63) + "1", want: "a==1.0"},
	{name: "hash matching no file", index: `
a 1.0:
a 2.0:`, reqs: "a==2.0 --hash=sha256:dead",
		wantErr: "Because a==2.0 has no file matching the hashes given in requirements.txt:1 and requirements.txt:1 requires a==2.0, version solving failed."},
	{name: "sdist then the best wheel", index: `
a 1.0 wheel=py3-none-any wheel=cp312-cp312-manylinux_2_17_x86_64 wheel=cp312-cp312-win_amd64:`, reqs: "a",
		want: "a==1.0", check: wantFiles("a", "sdist a-1.0.tar.gz", "wheel a-1.0-cp312-cp312-manylinux_2_17_x86_64.whl")},
	{name: "wheel for another platform", index: `
a 1.0 wheel=cp312-cp312-manylinux_2_17_x86_64 wheel=cp312-cp312-macosx_11_0_arm64:`, reqs: "a", opts: Options{Platform: "aarch64-darwin"},
		want: "a==1.0", check: wantFiles("a", "sdist a-1.0.tar.gz", "wheel a-1.0-cp312-cp312-macosx_11_0_arm64.whl")},
	{name: "markers of another platform", index: `
a 1.0: b; sys_platform == "darwin" | c; platform_machine == "x86_64"
b 1.0:
c 1.0:`, reqs: "a", opts: Options{Platform: "aarch64-darwin"}, want: "a==1.0 b==1.0"},
	{name: "wheel only, for the target", index: `
a 1.0 nosdist wheel=py3-none-any:
a 2.0 nosdist wheel=cp313-cp313-manylinux_2_17_x86_64:`, reqs: "a",
		want: "a==1.0", check: wantFiles("a", "wheel a-1.0-py3-none-any.whl")},
	{name: "no file for the target", index: `
a 2.0 nosdist wheel=cp312-cp312-win_amd64:`, reqs: "a",
		wantErr: "Because a==2.0 has no sdist and no wheel for CPython 3.12.12 on x86_64-linux and requirements.txt:1 requires a, version solving failed."},
	{name: "--only-binary skips sdist-only releases", index: `
a 1.0 wheel=py3-none-any:
a 2.0:`, reqs: "a", file: reqfile.File{OnlyBinary: []string{":all:"}},
		want: "a==1.0", check: wantFiles("a", "wheel a-1.0-py3-none-any.whl")},
	{name: "--no-binary for one project keeps its sdist", index: `
a 1.0 wheel=py3-none-any:
b 1.0 nosdist wheel=py3-none-any:`, reqs: "a\nb", file: reqfile.File{NoBinary: []string{"A"}},
		want: "a==1.0 b==1.0", check: wantFiles("a", "sdist a-1.0.tar.gz")},
	{name: "--no-binary with wheels only", index: `
b 1.0 nosdist wheel=py3-none-any:`, reqs: "b", file: reqfile.File{NoBinary: []string{":all:"}},
		wantErr: "Because b==1.0 has no file for CPython 3.12.12 on x86_64-linux that --no-binary allows and requirements.txt:1 requires b, version solving failed."},
	{name: "invalid metadata makes a release unusable", index: `
a 1.0:
a 2.0: b (((`, reqs: "a", want: "a==1.0"},
	{name: "direct reference with readable metadata", index: `
b 1.0:
b 2.0:`, reqs: "foo @ https://example.com/foo-1.5.tar.gz#sha256=" + strings.Repeat("AB", 32),
		artifacts: map[string]*pypi.Metadata{"https://example.com/foo-1.5.tar.gz": {
			Name: "foo", Version: "1.5", RequiresDist: []string{"b<2"}, Source: pypi.SourcePKGInfo}},
		want: "b==1.0 foo==1.5", check: func(t *testing.T, res *Resolution) {
			foo := res.Packages[1]
			want := Package{Name: "foo", Version: "1.5", Dependencies: []string{"b"}, MetadataSource: "direct", Root: true,
				DirectURL: "https://example.com/foo-1.5.tar.gz#sha256=" + strings.Repeat("AB", 32),
				Files:     []File{{Kind: "sdist", Filename: "foo-1.5.tar.gz", URL: "https://example.com/foo-1.5.tar.gz", SHA256: strings.Repeat("ab", 32)}},
				Source:    &DirectSource{Kind: DirectArchive, URL: "https://example.com/foo-1.5.tar.gz", SHA256: strings.Repeat("ab", 32)}}
			if !reflect.DeepEqual(foo, want) {
				t.Errorf("got  %+v\nwant %+v", foo, want)
			}
		}},
	{name: "direct reference to a git commit", index: `
a 1.0: foo>=1`, reqs: "a\nfoo @ git+https://example.com/foo.git@0123456789abcdef0123456789abcdef01234567",
		want: "a==1.0 foo==0+git.0123456789ab", warnings: []string{
			"dependencies of foo (git+https://example.com/foo.git@0123456789abcdef0123456789abcdef01234567) are not resolved: they are not read from a git repository; list them in the requirements",
			"the specifier >=1 on foo is not checked: the version of the direct reference git+https://example.com/foo.git@0123456789abcdef0123456789abcdef01234567 is not known"}},
	{name: "direct reference in a dependency", index: `
a 1.0: b @ https://example.com/b-1.0.tar.gz
b 1.0:`, reqs: "a", want: "a==1.0 b==1.0",
		warnings: []string{"a 1.0 depends on b by URL (https://example.com/b-1.0.tar.gz); it is resolved from the index instead"}},
	{name: "constraint conflict explained", index: `
a 1.0: c>=2
c 1.0:
c 2.0:`, reqs: "a", constraints: "c<2",
		wantErr: "Because a==1.0 depends on c>=2 and constraints.txt:1 constrains c<2, a==1.0 cannot be used.\n" +
			"So, because requirements.txt:1 requires a, version solving failed."},
	{name: "fixed version chosen although newer ones exist", index: `
a 1.0: pip
pip 24.0:
pip 25.0.1:
pip 25.1:`, reqs: "a", opts: Options{Fixed: nixpkgsPip}, want: "a==1.0 pip==25.0.1"},
	{name: "fixed version applies only when the package is resolved", index: `
a 1.0:
pip 25.0.1:`, reqs: "a", opts: Options{Fixed: nixpkgsPip}, want: "a==1.0"},
	{name: "fixed version leads to an older dependent", index: `
a 1.0: pip
a 2.0: pip<20.1
pip 20.0:
pip 25.0.1:`, reqs: "a", opts: Options{Fixed: nixpkgsPip}, want: "a==1.0 pip==25.0.1"},
	{name: "fixed version may be yanked", index: `
a 1.0: pip
pip 24.0:
pip 25.0.1 yanked:`, reqs: "a", opts: Options{Fixed: nixpkgsPip}, want: "a==1.0 pip==25.0.1",
		warnings: []string{"pip 25.0.1 is yanked (reason: broken); it is used because the requirements pin it"}},
	{name: "fixed version conflicts with a requirement", index: `
pip 20.0:
pip 25.0.1:`, reqs: "pip<20.1", opts: Options{Fixed: nixpkgsPip},
		wantErr: "Because requirements.txt:1 requires pip<20.1 and nixpkgs fixes pip at 25.0.1 (not overridden: every package builds with it), version solving failed."},
	{name: "fixed version conflicts with a dependency", index: `
a 1.0: pip<20.1
pip 20.0:
pip 25.0.1:`, reqs: "a", opts: Options{Fixed: nixpkgsPip},
		wantErr: "Because a==1.0 depends on pip<20.1 and nixpkgs fixes pip at 25.0.1 (not overridden: every package builds with it), a==1.0 cannot be used.\n" +
			"So, because requirements.txt:1 requires a, version solving failed."},
	{name: "fixed version the index lacks is dropped, saying so", index: `
a 1.0: pip
pip 24.0:`, reqs: "a", opts: Options{Fixed: nixpkgsPip}, want: "a==1.0 pip==24.0",
		warnings: []string{"nixpkgs fixes pip at 25.0.1 (not overridden: every package builds with it), but the index has no pip 25.0.1, so the resolution does not follow it"}},
	{name: "conflict explained", index: `
flask 3.0.0: werkzeug>=3.0.0
werkzeug 1.0:
werkzeug 3.0.0:`, reqs: "flask==3.0.0\nwerkzeug<2",
		wantErr: "Because flask==3.0.0 depends on werkzeug>=3.0.0 and requirements.txt:2 requires werkzeug<2, flask==3.0.0 cannot be used.\n" +
			"So, because requirements.txt:1 requires flask==3.0.0, version solving failed."},
	{name: "no matching version", index: `
a 1.0:
a 2.0:`, reqs: "a>=3",
		wantErr: "Because no version of a matches >=3 (available: 1.0, 2.0) and requirements.txt:1 requires a>=3, version solving failed."},
	{name: "only releases for another Python", index: `
a 1.0 rp=>=3.13:`, reqs: "a",
		wantErr: "Because the target Python 3.12.12 does not satisfy requires-python >=3.13 of a 1.0 and requirements.txt:1 requires a, version solving failed."},
	{name: "several releases for another Python", index: `
a 1.0 rp=>=3.13:
a 1.1 rp=>=3.13:
a 2.0 yanked:`, reqs: "a>=1",
		wantErr: "Because the target Python 3.12.12 does not satisfy requires-python >=3.13 of a 1.0 and 1.1, a==2.0 is yanked (reason: broken) and requirements.txt:1 requires a>=1, version solving failed.\n\n" +
			"hint: a 2.0 is yanked; only an exact pin (a==2.0) selects it"},
	{name: "branching conflict with a shared line", index: `
foo 1.0.0: a>=1,<2 | b>=1,<2
foo 1.1.0: x>=1,<2 | y>=1,<2
a 1.0.0: b>=2,<3
b 1.0.0:
b 2.0.0:
x 1.0.0: y>=2,<3
y 1.0.0:
y 2.0.0:`, reqs: "foo>=1,<2", wantErr: `Because foo==1.0.0 depends on a>=1,<2 which depends on b>=2,<3, foo==1.0.0 requires b>=2,<3.
So, because foo==1.0.0 depends on b>=1,<2, foo==1.0.0 cannot be used. (1)

Because foo==1.1.0 depends on x>=1,<2 which depends on y>=2,<3, foo==1.1.0 requires y>=2,<3.
And because foo==1.1.0 depends on y>=1,<2, foo==1.1.0 cannot be used.
And because foo==1.0.0 cannot be used (1), foo cannot be used.
So, because requirements.txt:1 requires foo>=1,<2, version solving failed.`},
	{name: "dependencies of several versions merged", index: `
a 1.0: c>=3
a 2.0: c>=3
a 3.0: c>=3
a 4.0: c>=4
c 1.0:
c 3.0:
c 4.0:`, reqs: "a\nc<3", wantErr: `Because a==4.0 depends on c>=4 and a<4.0 depends on c>=3, every version of a requires c>=3.
So, because requirements.txt:2 requires c<3 and requirements.txt:1 requires a, version solving failed.`},
	{name: "root requires-python excludes the target", index: `
a 1.0:`, reqs: "a", opts: Options{Python: "3.11"},
		file:    reqfile.File{RequiresPython: ">=3.12", RequiresPythonSource: reqfile.Source{File: "pyproject.toml", Line: 5}},
		wantErr: "pyproject.toml:5: the project requires Python >=3.12, which excludes the target Python 3.11.14; choose a target it allows"},
	{name: "unknown package", index: `
a 1.0: nope`, reqs: "a",
		wantErr: "Because nope is not on mem and a==1.0 depends on nope, a==1.0 cannot be used.\n" +
			"So, because requirements.txt:1 requires a, version solving failed."},
	{name: "unknown root package", index: `
a 1.0:`, reqs: "a\nnope>=1",
		wantErr: `requirements.txt:2: package "nope" not found on mem`},
	{name: "metadata unavailable", index: `
a 1.0:
b 1.0 nometa:`, reqs: "a\nb", wantErr: `metadata of b 1.0: no metadata for b 1.0`},
}

func TestResolve(t *testing.T) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			idx := newMemIndex(t, sc.index)
			var provider Provider = idx
			if sc.artifacts != nil {
				idx.artifacts = sc.artifacts
				provider = artifactIndex{idx}
			}
			runScenario(t, sc, provider)
		})
	}
}

// runScenario resolves sc with provider and checks the outcome, the
// warnings and, with the validator, the resolution.
func runScenario(t *testing.T, sc scenario, provider Provider) {
	t.Helper()
	in := sc.file
	parsed := rootFile(t, sc.reqs, sc.constraints)
	in.Requirements, in.Constraints = parsed.Requirements, parsed.Constraints
	res, err := Resolve(context.Background(), provider, &in, sc.opts)
	if sc.wantErr != "" {
		if err == nil {
			t.Fatalf("got %s, want error %q", summary(res), sc.wantErr)
		}
		if err.Error() != sc.wantErr {
			t.Fatalf("error:\n%s\nwant:\n%s", err, sc.wantErr)
		}
		return
	}
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	if got := summary(res); got != sc.want {
		t.Errorf("got  %s\nwant %s", got, sc.want)
	}
	if !reflect.DeepEqual(res.Warnings, sc.warnings) {
		t.Errorf("warnings %q, want %q", res.Warnings, sc.warnings)
	}
	if sc.check != nil {
		sc.check(t, res)
	}
	validate(t, provider, &in, res)
}

func TestResolveNotFoundIsWrapped(t *testing.T) {
	idx := newMemIndex(t, "a 1.0:")
	_, err := Resolve(context.Background(), idx, rootFile(t, "b", ""), Options{})
	var nf *pypi.NotFoundError
	if !errors.As(err, &nf) || nf.Name != "b" {
		t.Fatalf("got %v, want a wrapped *pypi.NotFoundError for b", err)
	}
	var ns *NoSolutionError
	if errors.As(err, &ns) {
		t.Fatalf("an unknown package is not a NoSolutionError")
	}
}

// wantFiles checks the kinds and filenames of a package's files.
func wantFiles(name string, want ...string) func(t *testing.T, res *Resolution) {
	return func(t *testing.T, res *Resolution) {
		for _, p := range res.Packages {
			if p.Name != name {
				continue
			}
			var got []string
			for _, f := range p.Files {
				got = append(got, f.Kind+" "+f.Filename)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s files %q, want %q", name, got, want)
			}
			return
		}
		t.Errorf("%s not resolved", name)
	}
}

// TestResolutionFields checks every field of the output on one graph.
func TestResolutionFields(t *testing.T) {
	idx := newMemIndex(t, `
a 1.0 rp=>=3.8 extras=x: b>=1 | c; extra == "x" | win; sys_platform == "win32"
b 1.0:
b 2.0: a
c 1.0:`)
	opts := Options{Nixpkgs: map[string]string{"b": "2", "c": "0.9"}, PreferNixpkgs: true}
	res, err := Resolve(context.Background(), idx, rootFile(t, "a[X]", ""), opts)
	if err != nil {
		t.Fatal(err)
	}
	sdist := func(name, version string, n int) []File {
		f := fmt.Sprintf("%s-%s.tar.gz", name, version)
		return []File{{Kind: "sdist", Filename: f, URL: "https://files.example/" + f, SHA256: fmt.Sprintf("%064x", n)}}
	}
	want := &Resolution{Python: "3.12.12", Platform: "x86_64-linux", Packages: []Package{
		{Name: "a", Version: "1.0", Extras: []string{"x"}, Dependencies: []string{"b", "c"}, Files: sdist("a", "1.0", 1),
			MetadataSource: "json-api", RequiresPython: ">=3.8", Root: true},
		{Name: "b", Version: "2.0", Dependencies: []string{"a"}, Files: sdist("b", "2.0", 17), MetadataSource: "json-api", Nixpkgs: true},
		{Name: "c", Version: "1.0", Files: sdist("c", "1.0", 25), MetadataSource: "json-api"},
	}}
	if !reflect.DeepEqual(res, want) {
		t.Errorf("got  %+v\nwant %+v", res, want)
	}
}

func TestProgress(t *testing.T) {
	idx := newMemIndex(t, syntheticIndex(20))
	var events []Event
	opts := Options{Progress: func(e Event) { events = append(events, e) }}
	if _, err := Resolve(context.Background(), idx, rootFile(t, "p0", ""), opts); err != nil {
		t.Fatal(err)
	}
	last := events[len(events)-1]
	if last.Discovered != 20 || last.Resolved != 20 {
		t.Errorf("last event %+v, want 20 discovered and 20 resolved", last)
	}
	for i := 1; i < len(events); i++ {
		if events[i].Discovered < events[i-1].Discovered {
			t.Fatalf("discovered count went down: %+v then %+v", events[i-1], events[i])
		}
	}
}

func TestNoSolutionTree(t *testing.T) {
	idx := newMemIndex(t, `
flask 3.0.0: werkzeug>=3.0.0
werkzeug 1.0:
werkzeug 3.0.0:`)
	_, err := Resolve(context.Background(), idx, rootFile(t, "flask==3.0.0\nwerkzeug<2", ""), Options{})
	var ns *NoSolutionError
	if !errors.As(err, &ns) {
		t.Fatalf("got %v, want a NoSolutionError", err)
	}
	tree := ns.Tree
	root := []Term{{Package: "", Versions: "", Positive: true}} // "the root is selected" cannot hold
	if tree.Kind != "derived" || !reflect.DeepEqual(tree.Terms, root) || len(tree.Causes) != 2 {
		t.Fatalf("root node %+v", tree)
	}
	inner := tree.Causes[0]
	want := []Term{{Package: "flask", Versions: "==3.0.0", Positive: true}}
	if !reflect.DeepEqual(inner.Terms, want) {
		t.Errorf("inner terms %+v, want %+v", inner.Terms, want)
	}
	facts := []string{inner.Causes[0].Fact, inner.Causes[1].Fact, tree.Causes[1].Fact}
	wantFacts := []string{"flask==3.0.0 depends on werkzeug>=3.0.0", "requirements.txt:2 requires werkzeug<2", "requirements.txt:1 requires flask==3.0.0"}
	if !reflect.DeepEqual(facts, wantFacts) {
		t.Errorf("facts %q, want %q", facts, wantFacts)
	}
}

func TestUnsortedReleases(t *testing.T) {
	idx := newMemIndex(t, "a 1.0:\na 3.0:\na 2.0:")
	rs := idx.projects["a"].Releases
	rs[0], rs[2] = rs[2], rs[0] // 3.0, 2.0, 1.0
	res, err := Resolve(context.Background(), idx, rootFile(t, "a<3", ""), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := summary(res); got != "a==2.0" {
		t.Fatalf("got %s, want a==2.0", got)
	}
}

// TestExplanationWithoutSources covers inputs built in code, whose
// requirements and constraints have no file and line.
func TestExplanationWithoutSources(t *testing.T) {
	idx := newMemIndex(t, "a 1.0: c>=2\nc 1.0:\nc 2.0:")
	in := rootFile(t, "a", "c<2")
	in.Requirements[0].Source, in.Constraints[0].Source = reqfile.Source{}, reqfile.Source{}
	_, err := Resolve(context.Background(), idx, in, Options{})
	want := "Because a==1.0 depends on c>=2 and the constraints allow only c<2, a==1.0 cannot be used.\n" +
		"So, because the requirements include a, version solving failed."
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

// TestCancel checks that a cancelled resolution returns promptly with the
// context's error, its prefetching stopped.
func TestCancel(t *testing.T) {
	idx := newMemIndex(t, syntheticIndex(30))
	idx.delay = func(string) time.Duration { return time.Second }
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := Resolve(ctx, idx, rootFile(t, "p0", ""), Options{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want the context's deadline error", err)
	}
	if wall := time.Since(start); wall > 500*time.Millisecond {
		t.Errorf("took %v to give up", wall)
	}
}
