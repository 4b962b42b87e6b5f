package resolver

import (
	"context"
	"fmt"
	"math/rand"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/req2nix/req2nix/pypi/reqfile"
)

// Acceptance scenarios: resolutions whose answers are fixed by pip's and
// uv's behaviour or by the PEPs, written independently of the solver's own
// tests. Each row cites the rule that fixes its answer. The target is
// CPython 3.12 on x86_64-linux unless a row says otherwise.

// platformMarkers is one release whose dependencies each hold on some
// targets only: which of them are chosen shows how every marker variable
// evaluates.
const platformMarkers = `
a 1.0: lin; sys_platform == "linux" | mac; sys_platform == "darwin" | win; sys_platform == "win32" | x64; platform_machine == "x86_64" | aarch64; platform_machine == "aarch64" | arm64; platform_machine == "arm64" | py39; python_version == "3.9" | py312up; python_version >= "3.12" | py313full; python_full_version >= "3.13.0" | cpython; implementation_name == "cpython" | pypy; implementation_name == "pypy" | darwinsys; platform_system == "Darwin"
lin 1.0:
mac 1.0:
win 1.0:
x64 1.0:
aarch64 1.0:
arm64 1.0:
py39 1.0:
py312up 1.0:
py313full 1.0:
cpython 1.0:
pypy 1.0:
darwinsys 1.0:`

// preIndex has final releases and pre-releases of two projects.
const preIndex = `
a 1.0:
a 1.1:
a 2.0rc1:
b 1.0:
b 2.0b1:
b 2.0b2:`

// tripleA is one project with three final releases.
const tripleA = `
a 1.0:
a 2.0:
a 3.0:
b 1.0:
b 2.0:`

var acceptanceScenarios = []scenario{
	// Pre-releases (PEP 440 "Handling of pre-releases"; pip's
	// SpecifierSet.prereleases; uv's if-necessary-or-explicit).
	{name: "pre: a specifier naming a pre-release admits pre-releases of that package only", // PEP 440: accept pre-releases when the specifier names one
		index: preIndex + "\nx 1.0: b>=2.0b1 | a", reqs: "x", want: "a==1.1 b==2.0b2 x==1.0"},
	{name: "pre: --pre admits pre-releases of every package", // pip install --pre
		index: preIndex, reqs: "a\nb", opts: Options{Pre: true}, want: "a==2.0rc1 b==2.0b2"},
	{name: "pre: a project with only pre-releases", // PEP 440: pre-releases accepted when no final release satisfies
		index: "a 1.0a1:\na 1.0b2:", reqs: "a", want: "a==1.0b2",
		warnings: []string{"a 1.0b2 is a pre-release, chosen because no final release fits the requirements; pin it or pass --pre to accept pre-releases"}},
	{name: "pre: a pre-release pinned with ==", // PEP 440: ==2.0b1 names a pre-release
		index: preIndex, reqs: "b==2.0b1", want: "b==2.0b1"},
	{name: "pre: a final release is preferred over a newer pre-release", // PEP 440 default: pre-releases excluded
		index: preIndex, reqs: "a>=1.0", want: "a==1.1"},
	{name: "pre: <V excludes pre-releases of V even with --pre", // PEP 440 exclusive ordered comparison
		index: "a 1.0:\na 2.0a1:\na 2.0.dev1:", reqs: "a<2.0", opts: Options{Pre: true}, want: "a==1.0"},
	{name: "pre: <V admits pre-releases of V when V is itself a pre-release", // PEP 440: unless the specified version is a pre-release
		index: "a 1.0:\na 2.0a1:\na 2.0rc2:", reqs: "a<2.0rc2", want: "a==2.0a1"},
	{name: "pre: a transitive <2 does not admit 2.0rc1 allowed by another requirement", // PEP 440 <V rule; pip intersects both specifiers
		index: "x 1.0: b<2\nb 1.0:\nb 2.0rc1:", reqs: "x\nb>=1.0rc1", want: "b==1.0 x==1.0"},
	{name: "pre: ==V.* falls back to pre-releases of V when no final release matches", // PEP 440 prefix matching; pre-releases when nothing else satisfies
		index: "a 1.4:\na 1.5a1:\na 1.5.1a1:", reqs: "a==1.5.*", want: "a==1.5.1a1",
		warnings: []string{"a 1.5.1a1 is a pre-release, chosen because no final release fits the requirements; pin it or pass --pre to accept pre-releases"}},

	{name: "pre: a requirement of a version abandoned by backtracking no longer admits pre-releases", // pip: backtracking drops that version's requirements
		index: "a 1.0:\na 2.0: c>=1.0b1 | d>=2\nd 1.0:\nc 1.0:\nc 2.0b1:", reqs: "a\nc", want: "a==1.0 c==1.0"},
	{name: "pre: != naming a pre-release does not admit pre-releases", // packaging: Specifier.prereleases ignores !=
		index: "a 1.0:\na 2.0b2:", reqs: "a!=2.0b1", want: "a==1.0"},
	{name: "pre: a dev release named by >= admits every pre-release", // PEP 440: .devN is a pre-release; pip's SpecifierSet.prereleases
		index: "a 1.0:\na 2.0a1:", reqs: "a>=1.0.dev0", want: "a==2.0a1"},
	{name: "pre: a final release newer than the named pre-release wins", // PEP 440: pre-releases admitted, not preferred; newest chosen
		index: "x 1.0: b>=2.0b1\nb 1.0:\nb 2.0b1:\nb 2.0:", reqs: "x", want: "b==2.0 x==1.0"},
	{name: "pre: a constraint naming a pre-release admits them", // pip merges constraint specifiers into the requirement's SpecifierSet
		index: preIndex, reqs: "b", constraints: "b>=2.0b1", want: "b==2.0b2"},
	{name: "pre: --pre still honours <V", // PEP 440
		index: preIndex, reqs: "b<2", opts: Options{Pre: true}, want: "b==1.0"},

	// Post, dev and local versions, ~=, != wildcards, === (PEP 440 "Version specifiers").
	{name: "spec: ==1.0 matches 1.0+local, the newest such", // PEP 440: local labels ignored when the specifier has none
		index: "a 1.0:\na 1.0+abc:\na 1.1:", reqs: "a==1.0", want: "a==1.0+abc"},
	{name: "spec: ==1.0+abc matches that local version only", // PEP 440: local label compared strictly when given
		index: "a 1.0:\na 1.0+abc:\na 1.0+abd:", reqs: "a==1.0+abc", want: "a==1.0+abc"},
	{name: "spec: <=1.0 matches 1.0+local", // packaging: <= compares the public version
		index: "a 1.0:\na 1.0+abc:\na 1.1:", reqs: "a<=1.0", want: "a==1.0+abc"},
	{name: "spec: >1.0 excludes 1.0.post1 and 1.0+local", // PEP 440: >V excludes post-releases and local versions of V
		index: "a 0.9:\na 1.0:\na 1.0.post1:\na 1.0+abc:", reqs: "a>1.0",
		wantErr: "Because no version of a matches >1.0 (available: 0.9, 1.0, 1.0+abc, 1.0.post1) and requirements.txt:1 requires a>1.0, version solving failed."},
	{name: "spec: >1.0.post1 admits 1.0.post2", // PEP 440: the exclusion is only for post-releases of the specified version
		index: "a 1.0:\na 1.0.post1:\na 1.0.post2:", reqs: "a>1.0.post1", want: "a==1.0.post2"},
	{name: "spec: >=1.0 admits 1.0.post1", // PEP 440 inclusive comparison
		index: "a 0.9:\na 1.0.post1:", reqs: "a>=1.0", want: "a==1.0.post1"},
	{name: "spec: ==1.0 does not match 1.0.post1", // PEP 440 strict version matching
		index: "a 1.0:\na 1.0.post1:", reqs: "a==1.0", want: "a==1.0"},
	{name: "spec: !=1.0 also excludes 1.0+local", // PEP 440: != follows == matching
		index: "a 0.9:\na 1.0:\na 1.0+abc:", reqs: "a!=1.0", want: "a==0.9"},
	{name: "spec: two root lines on one package intersect", // pip merges the specifiers of every requirement on a project
		index: tripleA, reqs: "a>=1.5\na<3", want: "a==2.0"},
	{name: "spec: ~=1.4.2 is >=1.4.2,==1.4.*", // PEP 440 compatible release
		index: "a 1.4.1:\na 1.4.5:\na 1.4.5.post1:\na 1.5:", reqs: "a~=1.4.2", want: "a==1.4.5.post1"},
	{name: "spec: ~=1.4 is >=1.4,==1.*", // PEP 440 compatible release
		index: "a 1.3:\na 1.9:\na 2.0:", reqs: "a~=1.4", want: "a==1.9"},
	{name: "spec: != with a wildcard excludes the whole series, post-releases included", // PEP 440 prefix matching
		index: "a 1.4:\na 1.5:\na 1.5.1:\na 1.5.post1:", reqs: "a!=1.5.*", want: "a==1.4"},
	{name: "spec: == with a wildcard ignores the zero padding", // PEP 440: release segments zero-padded for prefix matching
		index: "a 1.0:\na 2.0:", reqs: "a==1.0.0.*", want: "a==1.0"},
	{name: "spec: === compares the version string", // PEP 440 arbitrary equality
		index: "a 1.0:\na 2.0:", reqs: "a===1.0", want: "a==1.0"},
	{name: "spec: === does not match an equal but differently written version", // PEP 440 arbitrary equality is string equality
		index: "a 1.0:\na 2.0:", reqs: "a===1.0.0",
		wantErr: "Because no version of a matches ===1.0.0 (available: 1.0, 2.0) and requirements.txt:1 requires a===1.0.0, version solving failed."},
	{name: "spec: ==1.0.dev1 selects a development release", // PEP 440: ==V names a pre-release (dev)
		index: "a 0.9:\na 1.0.dev1:", reqs: "a==1.0.dev1", want: "a==1.0.dev1"},

	{name: "spec: a dev release of a post-release is a pre-release", // PEP 440: any .devN is a pre-release
		index: "a 1.0.dev1:\na 1.0a1:\na 1.0:\na 1.0.post1.dev1:", reqs: "a", want: "a==1.0"},
	{name: "spec: the ordering of dev, pre, final and post with --pre", // PEP 440 summary of permitted suffixes and relative ordering
		index: "a 1.0.dev1:\na 1.0a1:\na 1.0:\na 1.0.post1.dev1:", reqs: "a<1.1", opts: Options{Pre: true}, want: "a==1.0.post1.dev1"},
	{name: "spec: <V excludes every pre-release sharing V's release segment", // packaging: base versions compared, so 1.0.post1.dev1 is not <1.0.post1
		index: "a 1.0.dev1:\na 1.0a1:\na 1.0:\na 1.0.post1.dev1:", reqs: "a<1.0.post1", opts: Options{Pre: true}, want: "a==1.0"},
	{name: "spec: an epoch outranks every release without one", // PEP 440 version epochs
		index: "a 2.0:\na 1!0.5:", reqs: "a>=1.0", want: "a==1!0.5"},

	// Extras (PEP 508 extras; uv's virtual "a[x]" packages; PEP 685 normalisation).
	{name: "extra: the extra's dependencies follow the version of its package", // uv: a[x] depends on a==V
		index: `
a 1.0 extras=x: b<2; extra == "x"
a 2.0 extras=x: b>=2; extra == "x"
b 1.0:
b 2.0:
c 1.0: a==1.0`, reqs: "a[x]\nc", want: "a==1.0[x] b==1.0 c==1.0"},
	{name: "extra: two parents asking for different extras merge", // pip: one candidate with the union of extras
		index: `
a 1.0 extras=x,y: bx; extra == "x" | by; extra == "y"
p 1.0: a[x]
q 1.0: a[y]
bx 1.0:
by 1.0:`, reqs: "p\nq", want: "a==1.0[x,y] bx==1.0 by==1.0 p==1.0 q==1.0"},
	{name: "extra: an extra depending on other extras of the same package", // PEP 508 self-referential extras (a[all] -> a[x,y])
		index: `
a 1.0 extras=x,y,all: bx; extra == "x" | by; extra == "y" | a[x,y]; extra == "all"
bx 1.0:
by 1.0:`, reqs: "a[all]", want: "a==1.0[all,x,y] bx==1.0 by==1.0"},
	{name: "extra: names are normalised on both sides", // PEP 685
		index: `
a 1.0 extras=foo-bar: b; extra == "foo.bar"
b 1.0:`, reqs: "A[Foo_Bar]", want: "a==1.0[foo-bar] b==1.0"},
	{name: "extra: markers with extra on a transitive dependency", // PEP 508: extra evaluated per requirement
		index: `
x 1.0: b[one]
b 1.0 extras=one,two: c; extra == "one" | d; extra == "two" | e; extra == "one" and sys_platform == "win32"
c 1.0:
d 1.0:
e 1.0:`, reqs: "x", want: "b==1.0[one] c==1.0 x==1.0"},
	{name: "extra: root requirements whose markers are false are dropped", // pip: "Ignoring a: markers ... don't match"
		index: "a 1.0:\nb 1.0:\nc 1.0:", reqs: "a; python_version < \"3.10\"\nb; sys_platform == \"win32\"\nc; python_version >= \"3.12\"", want: "c==1.0"},
	{name: "extra: a root requirement with an extra marker is dropped", // pip: extra is "" outside an extra's context
		index: "a 1.0:\nb 1.0:", reqs: "a\nb; extra == \"x\"", want: "a==1.0"},

	{name: "extra: two root lines with different extras merge", // pip: a[x] and a[y] -> one a with both extras
		index: "a 1.0 extras=x,y: bx; extra == \"x\" | by; extra == \"y\"\nbx 1.0:\nby 1.0:", reqs: "a[x]\na[y]", want: "a==1.0[x,y] bx==1.0 by==1.0"},
	{name: "extra: an extra marker combined with another marker", // PEP 508: and/or over markers, extra included
		index: "a 1.0 extras=x: b; extra == \"x\" and python_version < \"3.10\" | c; extra == \"x\" or os_name == \"nt\"\nb 1.0:\nc 1.0:", reqs: "a[x]", want: "a==1.0[x] c==1.0"},
	{name: "extra: dependency names are normalised", // PEP 503
		index: "x 1.0: Zope.Interface>=2\nzope-interface 1.0:\nzope-interface 2.0:", reqs: "x\nzope_interface", want: "x==1.0 zope-interface==2.0"},

	{name: "extra: an extra tightening a dependency of the base", // PEP 508: the extra's requirement applies with the base's
		index: "a 1.0 extras=x: b>=1 | b>=2; extra == \"x\"\nb 1.0:\nb 2.0:\nb 3.0:", reqs: "a[x]\nb<3", want: "a==1.0[x] b==2.0"},
	{name: "extra: a cycle through an extra", // pip and uv accept cycles
		index: "a 1.0 extras=x: b; extra == \"x\"\nb 1.0: a[x]>=1", reqs: "a[x]", want: "a==1.0[x] b==1.0"},
	{name: "markers: one dependency listed twice under exclusive markers", // PEP 508: each line evaluated on its own (numpy-style pins)
		index: "a 1.0: b>=2; python_version >= \"3.12\" | b<2; python_version < \"3.12\"\nb 1.0:\nb 2.0:", reqs: "a", opts: Options{Python: "3.9"}, want: "a==1.0 b==1.0"},
	{name: "markers: one dependency listed twice, both true, intersect", // pip merges the specifiers of every requirement on a project
		index: "a 1.0: b>=1 | b<3\nb 1.0:\nb 2.0:\nb 3.0:", reqs: "a", want: "a==1.0 b==2.0"},

	{name: "extra: a constraint on a package an extra pulls in", // pip -c applies to every requirement on the project
		index: "a 1.0 extras=x: b; extra == \"x\"\nb 1.0:\nb 2.0:", reqs: "a[x]", constraints: "b<2", want: "a==1.0[x] b==1.0"},
	{name: "extra: a constraint on the base package holds its extra too", // uv: a[x] is pinned to a
		index: "a 1.0 extras=x: b; extra == \"x\"\na 2.0 extras=x: b; extra == \"x\"\nb 1.0:", reqs: "a[x]", constraints: "a<2", want: "a==1.0[x] b==1.0"},
	{name: "extra: a previous pin holds the package with its extra", index: "a 1.0 extras=x: b; extra == \"x\"\na 2.0 extras=x: b; extra == \"x\"\nb 1.0:", reqs: "a[x]", // uv: a[x] follows a, so a's preference holds both
		opts: Options{Pinned: map[string]string{"a": "1.0"}}, want: "a==1.0[x] b==1.0"},

	// Markers (PEP 508 environment markers; every platform and Python in
	// TestAcceptanceMarkerMatrix).
	{name: "markers: python_version compares as a version, not a string", // PEP 508: version comparison when both sides parse ("3.9" < "3.10")
		index: "a 1.0: old; python_version < \"3.10\" | new; python_version > \"3.9\"\nold 1.0:\nnew 1.0:", reqs: "a", opts: Options{Python: "3.9"}, want: "a==1.0 old==1.0"},
	{name: "markers: python_version on 3.13", index: "a 1.0: old; python_version < \"3.10\" | new; python_version > \"3.9\"\nold 1.0:\nnew 1.0:", reqs: "a", opts: Options{Python: "3.13"}, want: "a==1.0 new==1.0"}, // PEP 508 version comparison
	{name: "markers: platform_system, os_name and platform_python_implementation on linux", // values of CPython on Linux
		index: "a 1.0: l; platform_system == \"Linux\" | p; os_name == \"posix\" | c; platform_python_implementation == \"CPython\" | w; os_name == \"nt\"\nl 1.0:\np 1.0:\nc 1.0:\nw 1.0:", reqs: "a", want: "a==1.0 c==1.0 l==1.0 p==1.0"},
	{name: "markers: extra != on the base package", // PEP 508: outside an extra, extra is "" and != "x" holds
		index: "a 1.0 extras=x: c; extra != \"x\"\nc 1.0:", reqs: "a", want: "a==1.0 c==1.0"},
	{name: "markers: in compares strings", // PEP 508 / packaging: 'in' is not a version operator
		index: "a 1.0: new; python_version in \"3.12 3.13\" | lin; \"linux\" in sys_platform\nnew 1.0:\nlin 1.0:", reqs: "a", opts: Options{Python: "3.9"}, want: "a==1.0 lin==1.0"},
	{name: "markers: python_full_version against a full target", // PEP 508 python_full_version
		index: "a 1.0: new; python_full_version >= \"3.12.5\" | old; python_full_version < \"3.12.5\"\nnew 1.0:\nold 1.0:", reqs: "a", opts: Options{Python: "3.12.4"},
		want: "a==1.0 old==1.0"},

	// requires-python (PEP 345 Requires-Python, PEP 503 data-requires-python; pip's check).
	{name: "rp: the newest release allowing the target is chosen", // pip: releases whose requires-python excludes the target are skipped
		index: "a 1.0 rp=>=3.8:\na 2.0 rp=>=3.10:\na 3.0 rp=>=3.13:", reqs: "a", opts: Options{Python: "3.9"}, want: "a==1.0"},
	{name: "rp: the same index for 3.12", index: "a 1.0 rp=>=3.8:\na 2.0 rp=>=3.10:\na 3.0 rp=>=3.13:", reqs: "a", want: "a==2.0"}, // pip: newest release whose requires-python admits the target
	{name: "rp: metadata requires-python of a transitive dependency", // pip checks Requires-Python of the metadata too
		index: "x 1.0: a\na 1.0:\na 2.0 mrp=<3.12:", reqs: "x", want: "a==1.0 x==1.0"},
	{name: "rp: a patch-level requires-python against the default patch", // the target's patch defaults to the newest known
		index: "a 1.0:\na 2.0 rp=>=3.12.5:", reqs: "a", want: "a==2.0"},
	{name: "rp: a pre-release when every final release needs another Python", // pip drops those finals before the pre-release rule applies
		index: "a 1.0 rp=<3.12:\na 2.0rc1:", reqs: "a", want: "a==2.0rc1",
		warnings: []string{"a 2.0rc1 is a pre-release, chosen because no final release fits the requirements; pin it or pass --pre to accept pre-releases"}},
	{name: "rp: a != wildcard excludes the target's series", // PEP 440 on requires-python
		index: "a 1.0:\na 2.0 rp=!=3.12.*:", reqs: "a", want: "a==1.0"},
	{name: "rp: an invalid requires-python is ignored", // pip: "Ignoring invalid Requires-Python"
		index: "a 1.0:\na 2.0 rp=>=3.6.*,<4:", reqs: "a", want: "a==2.0"},
	{name: "rp: a dependency whose releases all need a newer Python", // pip: "Requires-Python ... not in"
		index: "x 1.0: a>=2\na 1.0:\na 2.0 rp=>=3.13:\na 2.1 rp=>=3.13:", reqs: "x", opts: Options{Python: "3.9"},
		wantErr: "Because the target Python 3.9.25 does not satisfy requires-python >=3.13 of a 2.0 and 2.1 and x==1.0 depends on a>=2, x==1.0 cannot be used.\n" +
			"So, because requirements.txt:1 requires x, version solving failed."},
	{name: "rp: the root's requires-python excludes the target", // uv: "The requested Python version ... does not satisfy"
		index: "a 1.0:", reqs: "a",
		file:    reqfile.File{RequiresPython: "<3.12", RequiresPythonSource: reqfile.Source{File: "pyproject.toml", Line: 3}},
		wantErr: "pyproject.toml:3: the project requires Python <3.12, which excludes the target Python 3.12.12; choose a target it allows"},

	// Yanked releases (PEP 592).
	{name: "yanked: skipped by a range", // PEP 592: yanked ignored unless pinned
		index: "a 1.0:\na 2.0 yanked:", reqs: "a>=1", want: "a==1.0"},
	{name: "yanked: pinned in a dependency with ==", // pip: a == pin satisfiable only by a yanked release selects it
		index: "x 1.0: a==2.0\na 1.0:\na 2.0 yanked:", reqs: "x", want: "a==2.0 x==1.0",
		warnings: []string{"a 2.0 is yanked (reason: broken); it is used because the requirements pin it"}},
	{name: "yanked: pinned by a dependency while the root asks for any version", // pip intersects the specifiers: ==2.0 is a pin
		index: "x 1.0: a==2.0\na 1.0:\na 2.0 yanked:", reqs: "x\na", want: "a==2.0 x==1.0",
		warnings: []string{"a 2.0 is yanked (reason: broken); it is used because the requirements pin it"}},
	{name: "yanked: a pin by a version abandoned by backtracking does not select it", // pip: yanked only when every applicable candidate is yanked and pinned
		index: "x 1.0: a\nx 2.0: a==2.0 | d>=2\nd 1.0:\na 0.5:\na 1.0:\na 2.0 yanked:", reqs: "x\na", want: "a==1.0 x==1.0"},
	{name: "yanked: a range in a dependency does not select it", // PEP 592
		index: "x 1.0: a>=2\na 1.0:\na 2.0 yanked:", reqs: "x",
		wantErr: "Because a==2.0 is yanked (reason: broken) and x==1.0 depends on a>=2, x==1.0 cannot be used.\n" +
			"So, because requirements.txt:1 requires x, version solving failed.\n\n" +
			"hint: a 2.0 is yanked; only an exact pin (a==2.0) selects it"},
	{name: "yanked: pinned with ===", // PEP 592: == or ===
		index: "a 1.0:\na 2.0 yanked:", reqs: "a===2.0", want: "a==2.0",
		warnings: []string{"a 2.0 is yanked (reason: broken); it is used because the requirements pin it"}},
	{name: "yanked: only yanked releases, explained with a hint", // PEP 592
		index: "a 1.0 yanked:", reqs: "a",
		wantErr: "Because a==1.0 is yanked (reason: broken) and requirements.txt:1 requires a, version solving failed.\n\n" +
			"hint: a 1.0 is yanked; only an exact pin (a==1.0) selects it"},

	{name: "yanked: a pin into a long release list", // PEP 592 on a project with more releases than one set word holds
		index: manyReleases(130, "x 1.0: a==1.129\n"), reqs: "x\na!=1.128", want: "a==1.129 x==1.0",
		warnings: []string{"a 1.129 is yanked (reason: broken); it is used because the requirements pin it"}},
	{name: "yanked: a range over a long release list skips the yanked newest", index: manyReleases(130, ""), reqs: "a>=1.100,!=1.128", want: "a==1.127"}, // PEP 592; PEP 440 default excludes 1.128rc1

	// Constraints (pip -c: "constrain versions, but do not cause installation").
	{name: "constraints: narrow a transitive dependency", index: "x 1.0: c>=1\nc 1.0:\nc 2.0:\nc 3.0:", reqs: "x", constraints: "c!=3.0\nc<=2.5", want: "c==2.0 x==1.0"}, // pip -c: constraints narrow every requirement on the project
	{name: "constraints: on a package nothing requires add nothing", index: "a 1.0:\nz 1.0:", reqs: "a", constraints: "z==1.0\nzz>=5", want: "a==1.0"},                   // pip -c: "constrain versions, but do not cause installation"
	{name: "constraints: a constraint with a false marker is ignored", // pip evaluates constraint markers
		index: "a 1.0:\na 2.0:", reqs: "a", constraints: "a<2; sys_platform == \"darwin\"", want: "a==2.0"},
	{name: "constraints: a constraint with a true marker applies", index: "a 1.0:\na 2.0:", reqs: "a", constraints: "a<2; sys_platform == \"darwin\"", // pip evaluates constraint markers for the target
		opts: Options{Platform: "aarch64-darwin"}, want: "a==1.0"},
	{name: "constraints: conflicting with a requirement, both lines named", index: "a 1.0:\na 2.0:\nb 1.0:", reqs: "b\na>=2", constraints: "a<2", // pip ResolutionImpossible names both; issue 4 wants file:line
		wantErr: "Because requirements.txt:2 requires a>=2 and constraints.txt:1 constrains a<2, version solving failed."},

	// Unsatisfiable sets, explained (pubgrub-rs / Dart pub derivation trees).
	{name: "unsat: two parents pin different versions", index: "a 1.0: c==1.0\nb 1.0: c==2.0\nc 1.0:\nc 2.0:", reqs: "a\nb", // pubgrub-rs DefaultStringReporter shape
		wantErr: "Because a==1.0 depends on c==1.0 and b==1.0 depends on c==2.0, a==1.0 is incompatible with b==1.0.\n" +
			"So, because requirements.txt:2 requires b and requirements.txt:1 requires a, version solving failed."},
	{name: "unsat: a chain reaching a root requirement", index: "a 1.0: b>=1\nb 1.0: c>=2\nc 1.0:\nc 2.0:", reqs: "a\nc<2", // pubgrub-rs collapses a linear chain
		wantErr: "Because a==1.0 depends on b>=1 which depends on c>=2, a==1.0 requires c>=2.\n" +
			"So, because requirements.txt:2 requires c<2 and requirements.txt:1 requires a, version solving failed."},
	{name: "unsat: every version of a needs a missing extra's dependency", index: "a 1.0: b[x]\na 2.0: b[x]>=2\nb 1.0 extras=x: nope; extra == \"x\"\nb 2.0 extras=x: nope>=1; extra == \"x\"", reqs: "a", // uv: a[x] depends on a==V and the extra's requirements
		wantErr: "Because a==1.0 depends on b[x] which depends on nope, a==1.0 requires nope.\n" +
			"And because a==2.0 depends on b[x]>=2 which depends on nope>=1, every version of a requires nope.\n" +
			"So, because nope is not on mem and requirements.txt:1 requires a, version solving failed."},

	{name: "unsat: a project publishing only pre-releases, none admitted", index: "a 1.0a1:\na 1.0b1:", reqs: "a<1", // PEP 440: <1 excludes pre-releases of 1
		wantErr: "Because no version of a matches <1 (available: 1.0a1, 1.0b1) and requirements.txt:1 requires a<1, version solving failed.\n\n" +
			"hint: a publishes only pre-releases (newest 1.0b1); a specifier must admit one, e.g. a>=1.0b1"},
	{name: "unsat: two root lines on one package", index: tripleA, reqs: "a>=2\na<2", // pip merges root specifiers; nothing is in both
		wantErr: "Because requirements.txt:2 requires a<2 and requirements.txt:1 requires a>=2, version solving failed."},
	{name: "unsat: an extra's dependency against a root requirement", index: "a 1.0 extras=x: b>=2; extra == \"x\"\nb 1.0:\nb 2.0:", reqs: "a[x]\nb<2", // uv: the extra is a virtual package a[x]
		wantErr: "Because a[x]==1.0 depends on b>=2 and requirements.txt:2 requires b<2, a[x]==1.0 cannot be used.\n" +
			"So, because requirements.txt:1 requires a[x], version solving failed."},
	{name: "backtrack: an extra whose dependencies conflict moves its package back", // uv: a[x] pins a, so both back off together
		index: "a 1.0 extras=x: b<2; extra == \"x\"\na 2.0 extras=x: b>=2; extra == \"x\"\nb 1.0:\nb 2.0:", reqs: "a[x]\nb<2", want: "a==1.0[x] b==1.0"},

	// Preferences (issue 4: pinned, then nixpkgs, then newest).
	{name: "prefs: a pinned transitive version is kept", index: "x 1.0: a\n" + tripleA, reqs: "x", opts: Options{Pinned: map[string]string{"a": "2.0"}}, want: "a==2.0 x==1.0"},                                             // issue 4 preference 1; pip-tools keeps existing pins
	{name: "prefs: a pin conflicting with a new requirement is dropped, not an error", index: tripleA, reqs: "a>=3", opts: Options{Pinned: map[string]string{"a": "2.0"}}, want: "a==3.0"},                                  // pip-tools discards incompatible pins
	{name: "prefs: a pin conflicting with a new dependency is dropped", index: "x 1.0: a<2\n" + tripleA, reqs: "x", opts: Options{Pinned: map[string]string{"a": "3.0"}}, want: "a==1.0 x==1.0"},                            // pip-tools: "Discarding ... to proceed the resolution"
	{name: "prefs: UpgradePackages affects only the named packages", index: tripleA, reqs: "a\nb", opts: Options{Pinned: map[string]string{"a": "1.0", "b": "1.0"}, UpgradePackages: []string{"a"}}, want: "a==3.0 b==1.0"}, // pip-tools/uv --upgrade-package
	{name: "prefs: an upgraded package moves another package's pin when it must", // -P a says "upgrade a": it is decided before the pins (uv's preferences are soft), and b's pin, no longer allowed, gives way to the newest b
		index: "a 1.0: b\na 2.0: b>=2\nb 1.0:\nb 2.0:\nb 3.0:", reqs: "a\nb", opts: Options{Pinned: map[string]string{"a": "1.0", "b": "1.0"}, UpgradePackages: []string{"a"}}, want: "a==2.0 b==3.0"},
	{name: "prefs: upgrading both moves both", index: "a 1.0: b\na 2.0: b>=2\nb 1.0:\nb 2.0:\nb 3.0:", reqs: "a\nb", opts: Options{Pinned: map[string]string{"a": "1.0", "b": "1.0"}, UpgradePackages: []string{"a", "b"}}, want: "a==2.0 b==3.0"}, // pip-tools/uv --upgrade-package, repeated
	{name: "prefs: two pins that no longer fit together keep the first", // preferences are soft; the root's order decides
		index: "a 1.0: b<2\na 2.0: b<2\nb 1.0:\nb 1.5:\nb 2.0:", reqs: "a\nb", opts: Options{Pinned: map[string]string{"a": "1.0", "b": "2.0"}}, want: "a==1.0 b==1.5"},
	{name: "prefs: a pin the index no longer has", // the preference is soft
		index: tripleA, reqs: "a", opts: Options{Pinned: map[string]string{"a": "2.5"}}, want: "a==3.0"},
	{name: "prefs: nixpkgs' version dropped when its dependencies conflict", // issue 4: preferences never make a resolution fail
		index: "a 1.0: b<1\na 2.0: b\nb 0.5:\nb 1.0:", reqs: "a\nb>=1", opts: Options{Nixpkgs: map[string]string{"a": "1.0"}, PreferNixpkgs: true}, want: "a==2.0 b==1.0"},
	{name: "prefs: nixpkgs' version of a transitive dependency", index: "x 1.0: a>=1\n" + tripleA, reqs: "x", opts: Options{Nixpkgs: map[string]string{"a": "2"}, PreferNixpkgs: true}, want: "a==2.0 x==1.0", // issue 4 preference 2 applies to every package
		check: func(t *testing.T, res *Resolution) {
			if !res.Packages[0].Nixpkgs || res.Packages[1].Nixpkgs {
				t.Errorf("Nixpkgs flags %+v", res.Packages)
			}
		}},
	{name: "prefs: nixpkgs' version when allowed", index: tripleA, reqs: "a<3", opts: Options{Nixpkgs: map[string]string{"a": "1.0"}, PreferNixpkgs: true}, want: "a==1.0"},                                                       // issue 4 preference 2
	{name: "prefs: the newest when nixpkgs' version is not allowed", index: tripleA, reqs: "a>=2", opts: Options{Nixpkgs: map[string]string{"a": "1.0"}, PreferNixpkgs: true}, want: "a==3.0"},                                    // issue 4: preference 3 when 2 does not fit
	{name: "prefs: the newest when nixpkgs' version is not on the index", index: tripleA, reqs: "a", opts: Options{Nixpkgs: map[string]string{"a": "2.5"}, PreferNixpkgs: true}, want: "a==3.0"},                                  // issue 4: preference 3 when 2 does not fit
	{name: "prefs: the newest when nixpkgs' version is unknown", index: tripleA, reqs: "a", opts: Options{Nixpkgs: map[string]string{"a": ""}, PreferNixpkgs: true}, want: "a==3.0"},                                              // issue 4: "" means present, version unknown
	{name: "prefs: PreferNixpkgs false ignores nixpkgs", index: tripleA, reqs: "a\nb", opts: Options{Nixpkgs: map[string]string{"a": "1.0", "b": "1.0"}}, want: "a==3.0 b==2.0"},                                                  // issue 4: a switch turns off preference 2
	{name: "prefs: a pin wins over nixpkgs", index: tripleA, reqs: "a", opts: Options{Pinned: map[string]string{"a": "2.0"}, Nixpkgs: map[string]string{"a": "1.0"}, PreferNixpkgs: true}, want: "a==2.0"},                        // issue 4: preference 1 before 2
	{name: "prefs: --upgrade falls back to nixpkgs", index: tripleA, reqs: "a", opts: Options{Pinned: map[string]string{"a": "2.0"}, Upgrade: true, Nixpkgs: map[string]string{"a": "1.0"}, PreferNixpkgs: true}, want: "a==1.0"}, // issue 4: upgrading drops preference 1 only

	// Backtracking classics (PubGrub, solver.md).
	// PubGrub (solver.md): conflict resolution backs a off
	{name: "backtrack: the newest a needs an old b that conflicts with the root's c", index: `
a 1.0: b
a 2.0: b<1
b 0.5: c<1
b 1.0: c
c 0.5:
c 1.0:`, reqs: "a\nc>=1", want: "a==1.0 b==1.0 c==1.0"},
	// pip and uv accept cycles; a 2.0 is ruled out through the cycle
	{name: "backtrack: a three-package cycle", index: `
a 1.0: b
a 2.0: b>=2
b 1.0: c
b 2.0: c>=2
c 1.0: a
c 2.0: a<2`, reqs: "a", want: "a==1.0 b==2.0 c==2.0"},
	// PubGrub: b needs c==1.0 whatever its version, so a backs off
	{name: "backtrack: a diamond whose middles need incompatible versions", index: `
a 1.0: c==1.0
a 2.0: c==2.0
b 1.0: c==1.0
b 2.0: c==1.0
c 1.0:
c 2.0:`, reqs: "a\nb", want: "a==1.0 b==2.0 c==1.0"},
}

func TestAcceptance(t *testing.T) {
	for _, sc := range acceptanceScenarios {
		t.Run(sc.name, func(t *testing.T) {
			runScenario(t, sc, newMemIndex(t, sc.index))
		})
	}
}

// manyReleases is an index of a 1.0 … 1.(n-1), the newest yanked and the
// one before it a pre-release, preceded by extra lines.
func manyReleases(n int, extra string) string {
	var b strings.Builder
	b.WriteString(extra)
	for i := 0; i < n; i++ {
		switch i {
		case n - 1:
			fmt.Fprintf(&b, "a 1.%d yanked:\n", i)
		case n - 2:
			fmt.Fprintf(&b, "a 1.%drc1:\n", i)
		default:
			fmt.Fprintf(&b, "a 1.%d:\n", i)
		}
	}
	return b.String()
}

// TestAcceptanceMarkerMatrix resolves platformMarkers for every platform
// and three Pythons. The expected values are CPython's on each system
// (PEP 508's table): sys_platform "linux" or "darwin", platform_machine
// "x86_64", "aarch64" on Linux but "arm64" on macOS, platform_system
// "Darwin" on macOS.
func TestAcceptanceMarkerMatrix(t *testing.T) {
	platforms := []struct{ name, system, machine string }{
		{"x86_64-linux", "lin", "x64"},
		{"aarch64-linux", "lin", "aarch64"},
		{"x86_64-darwin", "mac darwinsys", "x64"},
		{"aarch64-darwin", "mac darwinsys", "arm64"},
	}
	pythons := []struct{ version, deps string }{
		{"3.9", "py39"},
		{"3.12", "py312up"},
		{"3.13", "py312up py313full"},
	}
	for _, pl := range platforms {
		for _, py := range pythons {
			t.Run(pl.name+"/"+py.version, func(t *testing.T) {
				names := strings.Fields("a cpython " + pl.system + " " + pl.machine + " " + py.deps)
				sort.Strings(names)
				want := strings.Join(names, "==1.0 ") + "==1.0"
				sc := scenario{index: platformMarkers, reqs: "a", opts: Options{Platform: pl.name, Python: py.version}, want: want}
				runScenario(t, sc, newMemIndex(t, sc.index))
			})
		}
	}
}

// deterministicIndex mixes backtracking, extras, a cycle, markers, a
// pre-release and a yanked release: enough decisions for the arrival order
// of provider answers to matter if anything depended on it.
const deterministicIndex = `
app 1.0: web[async] | db>=2 | cli
app 2.0: web[async,tls] | db>=3 | cli
web 1.0 extras=async,tls: core<3 | aio; extra == "async" | tls; extra == "tls" and sys_platform == "linux"
web 2.0 extras=async,tls: core>=3 | aio>=2; extra == "async" | tls; extra == "tls"
db 2.0: core>=2
db 3.0: core<3 | drv
db 3.1 yanked: core
drv 1.0: db
core 1.0:
core 2.0:
core 3.0: six
core 3.1b1:
aio 1.0:
aio 2.0: web
tls 1.0:
six 1.0:
cli 1.0: core!=2.0`

// TestAcceptanceDeterminism resolves the same inputs 20 times with random
// provider delays: the resolution (or the explanation) must not change.
// pip and uv both promise reproducible resolutions for identical inputs.
func TestAcceptanceDeterminism(t *testing.T) {
	// app 2.0 needs db>=3; db 3.1 is yanked, so db 3.0 and core<3, which
	// rules out web 2.0 (core>=3); cli excludes core 2.0. With core>=3
	// and db>=3 in the root nothing fits: the explanation must not vary
	// either.
	wants := map[string]string{
		"app":                "aio==2.0 app==2.0 cli==1.0 core==1.0 db==3.0 drv==1.0 tls==1.0 web==1.0[async,tls]",
		"app\ncore<3\naio<2": "aio==1.0 app==2.0 cli==1.0 core==1.0 db==3.0 drv==1.0 tls==1.0 web==1.0[async,tls]",
		"app\ncore>=3\ndb>=3": "Because requirements.txt:3 requires db>=3 which depends on core<3, core<3 is required.\n" +
			"So, because requirements.txt:2 requires core>=3, version solving failed.\n\n" +
			"hint: db 3.1 is yanked; only an exact pin (db==3.1) selects it",
	}
	for reqs, want := range wants {
		t.Run(reqs, func(t *testing.T) {
			first, firstErr := resolveWithJitter(t, reqs, 1)
			for run := 2; run <= 20; run++ {
				got, err := resolveWithJitter(t, reqs, int64(run))
				if fmt.Sprint(err) != fmt.Sprint(firstErr) {
					t.Fatalf("run %d: error %v, run 1: %v", run, err, firstErr)
				}
				if !reflect.DeepEqual(got, first) {
					t.Fatalf("run %d: %+v\nrun 1: %+v", run, got, first)
				}
			}
			got := ""
			if firstErr != nil {
				got = firstErr.Error()
			} else {
				got = summary(first)
			}
			if got != want {
				t.Errorf("got  %s\nwant %s", got, want)
			}
		})
	}
}

// resolveWithJitter resolves reqs on deterministicIndex with every
// provider call delayed by up to 2 ms, drawn from a source seeded by seed.
func resolveWithJitter(t *testing.T, reqs string, seed int64) (*Resolution, error) {
	idx := newMemIndex(t, deterministicIndex)
	var mu sync.Mutex
	r := rand.New(rand.NewSource(seed))
	idx.delay = func(string) time.Duration {
		mu.Lock()
		defer mu.Unlock()
		return time.Duration(r.Intn(2000)) * time.Microsecond
	}
	return Resolve(context.Background(), idx, rootFile(t, reqs, ""), Options{})
}
