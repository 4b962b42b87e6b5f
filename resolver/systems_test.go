package resolver

import (
	"context"
	"fmt"
	"maps"
	"math/rand"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Multi-system scenarios. The expected answers follow from the rules in
// ResolveSystems' doc comment and from PEP 508's marker values per system
// (see TestAcceptanceMarkerMatrix): one version on every system unless a
// marker or the files force otherwise, the forced system's version being
// the one the others follow.

// Wheel tags of one platform each, as the memIndex DSL's wheel= attribute
// takes them.
const (
	linuxX64   = "wheel=cp312-cp312-manylinux_2_17_x86_64"
	linuxArm   = "wheel=cp312-cp312-manylinux_2_17_aarch64"
	macX64     = "wheel=cp312-cp312-macosx_10_9_x86_64"
	macArm     = "wheel=cp312-cp312-macosx_11_0_arm64"
	allSystems = "x86_64-linux aarch64-linux x86_64-darwin aarch64-darwin"
)

// systemsIndex has dependencies behind sys_platform and platform_machine
// markers, a project whose newest release has Linux wheels only, and one
// with no file at all for x86_64-darwin.
var systemsIndex = `
app 1.0: appnope; sys_platform == "darwin" | inotify; sys_platform == "linux" | simd; platform_machine == "x86_64"
appnope 0.1.4:
inotify 1.3:
simd 1.0 nosdist ` + linuxX64 + ` ` + macX64 + `:
core 1.0:
core 2.0 nosdist ` + linuxX64 + ` ` + linuxArm + `:
native 1.0 nosdist ` + linuxX64 + ` ` + linuxArm + ` ` + macArm + `:
native2 1.0 nosdist ` + linuxX64 + ` ` + macX64 + ` ` + macArm + `:
viz 1.0: backend-mac; sys_platform == "darwin" | backend-gtk; sys_platform == "linux"
backend-mac 1.0: objc-bridge
backend-gtk 1.0:
objc-bridge 10.0:`

// forcedIndex: on aarch64 Linux, armfix needs numlib<2; numlib 1.0 has no
// file for x86_64 macOS. No version of numlib can be common.
var forcedIndex = `
numlib 1.0 nosdist ` + linuxX64 + ` ` + linuxArm + ` ` + macArm + `:
numlib 2.0:
armfix 1.0: numlib<2
top 1.0: numlib | armfix; platform_machine == "aarch64"`

// followIndex: on macOS, macpin needs lib<2; Linux is free to follow.
const followIndex = `
lib 1.0:
lib 2.0:
macpin 1.0: lib<2
tool 1.0: lib | macpin; sys_platform == "darwin"`

// pinIndex: plat 1.0 has macOS wheels only, 1.1 Linux wheels only, 1.2 an
// sdist.
var pinIndex = `
plat 1.0 nosdist ` + macX64 + ` ` + macArm + `:
plat 1.1 nosdist ` + linuxX64 + ` ` + linuxArm + `:
plat 1.2:`

type systemsScenario struct {
	name   string
	index  string
	reqs   string
	opts   SystemsOptions
	want   map[string]string // system -> summary(); systems absent here must fail
	failed map[string]string // system -> a part of its error
	diffs  []string          // Difference.String() of each difference
}

// everywhere expects the same summary on the given systems.
func everywhere(systems, summary string) map[string]string {
	out := map[string]string{}
	for _, s := range strings.Fields(systems) {
		out[s] = summary
	}
	return out
}

// merged combines expectations of several everywhere calls.
func merged(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		maps.Copy(out, m)
	}
	return out
}

var systemsScenarios = []systemsScenario{
	{name: "agree: nothing platform-specific resolves once for every system",
		index: tripleA + "\na 3.0: b", reqs: "a", want: everywhere(allSystems, "a==3.0 b==2.0")},
	{name: "markers: darwin-only, linux-only and x86_64-only dependencies", // PEP 508 sys_platform, platform_machine per system
		index: systemsIndex, reqs: "app",
		want: map[string]string{
			"x86_64-linux":   "app==1.0 inotify==1.3 simd==1.0",
			"aarch64-linux":  "app==1.0 inotify==1.3",
			"x86_64-darwin":  "app==1.0 appnope==0.1.4 simd==1.0",
			"aarch64-darwin": "app==1.0 appnope==0.1.4",
		},
		diffs: []string{
			`appnope: not installed on x86_64-linux, aarch64-linux; 0.1.4 on x86_64-darwin, aarch64-darwin (x86_64-linux: app 1.0 requires appnope; sys_platform == "darwin"; aarch64-linux: app 1.0 requires appnope; sys_platform == "darwin")`,
			`inotify: 1.3 on x86_64-linux, aarch64-linux; not installed on x86_64-darwin, aarch64-darwin (x86_64-darwin: app 1.0 requires inotify; sys_platform == "linux"; aarch64-darwin: app 1.0 requires inotify; sys_platform == "linux")`,
			`simd: 1.0 on x86_64-linux, x86_64-darwin; not installed on aarch64-linux, aarch64-darwin (aarch64-linux: app 1.0 requires simd; platform_machine == "x86_64"; aarch64-darwin: app 1.0 requires simd; platform_machine == "x86_64")`,
		}},
	{name: "markers: a root requirement's marker", // PEP 508: root markers evaluated per system
		index: systemsIndex, reqs: "appnope; sys_platform == \"darwin\"\ninotify",
		want: merged(everywhere("x86_64-linux aarch64-linux", "inotify==1.3"), everywhere("x86_64-darwin aarch64-darwin", "appnope==0.1.4 inotify==1.3")),
		diffs: []string{
			`appnope: not installed on x86_64-linux, aarch64-linux; 0.1.4 on x86_64-darwin, aarch64-darwin (x86_64-linux: requirements.txt:1 requires appnope; sys_platform == "darwin"; aarch64-linux: requirements.txt:1 requires appnope; sys_platform == "darwin")`,
		}},
	{name: "markers: the dependency of a darwin-only package is missing on Linux because of what requires it",
		index: systemsIndex, reqs: "viz",
		want: merged(everywhere("x86_64-linux aarch64-linux", "backend-gtk==1.0 viz==1.0"), everywhere("x86_64-darwin aarch64-darwin", "backend-mac==1.0 objc-bridge==10.0 viz==1.0")),
		diffs: []string{
			`backend-gtk: 1.0 on x86_64-linux, aarch64-linux; not installed on x86_64-darwin, aarch64-darwin (x86_64-darwin: viz 1.0 requires backend-gtk; sys_platform == "linux"; aarch64-darwin: viz 1.0 requires backend-gtk; sys_platform == "linux")`,
			`backend-mac: not installed on x86_64-linux, aarch64-linux; 1.0 on x86_64-darwin, aarch64-darwin (x86_64-linux: viz 1.0 requires backend-mac; sys_platform == "darwin"; aarch64-linux: viz 1.0 requires backend-mac; sys_platform == "darwin")`,
			`objc-bridge: not installed on x86_64-linux, aarch64-linux; 10.0 on x86_64-darwin, aarch64-darwin (x86_64-linux: required by backend-mac 1.0 on x86_64-darwin, which x86_64-linux does not install; aarch64-linux: required by backend-mac 1.0 on x86_64-darwin, which aarch64-linux does not install)`,
		}},
	{name: "files: the newest release has Linux wheels only, so every system agrees on the previous one", // uv required-environments: one version that has files everywhere
		index: systemsIndex, reqs: "core", want: everywhere(allSystems, "core==1.0")},
	{name: "files: narrowed to Linux, the newest release fits",
		index: systemsIndex, reqs: "core", opts: SystemsOptions{Systems: []string{"aarch64-linux", "x86_64-linux"}},
		want: everywhere("x86_64-linux aarch64-linux", "core==2.0")},
	{name: "files: per-platform wheels only, none for x86_64-darwin: that system alone fails",
		index: systemsIndex, reqs: "native", want: everywhere("x86_64-linux aarch64-linux aarch64-darwin", "native==1.0"),
		failed: map[string]string{"x86_64-darwin": "has no sdist and no wheel for CPython 3.12.12 on x86_64-darwin"}},
	{name: "agreement: Linux follows the version a darwin marker forces",
		index: followIndex, reqs: "tool",
		want: merged(everywhere("x86_64-linux aarch64-linux", "lib==1.0 tool==1.0"), everywhere("x86_64-darwin aarch64-darwin", "lib==1.0 macpin==1.0 tool==1.0")),
		diffs: []string{
			`macpin: not installed on x86_64-linux, aarch64-linux; 1.0 on x86_64-darwin, aarch64-darwin (x86_64-linux: tool 1.0 requires macpin; sys_platform == "darwin"; aarch64-linux: tool 1.0 requires macpin; sys_platform == "darwin")`,
		}},
	{name: "agreement: a platform_machine marker and a missing file force two versions",
		index: forcedIndex, reqs: "top",
		want: merged(everywhere("x86_64-linux x86_64-darwin aarch64-darwin", "numlib==2.0 top==1.0"), everywhere("aarch64-linux", "armfix==1.0 numlib==1.0 top==1.0")),
		diffs: []string{
			`armfix: not installed on x86_64-linux, x86_64-darwin, aarch64-darwin; 1.0 on aarch64-linux (x86_64-linux: top 1.0 requires armfix; platform_machine == "aarch64"; x86_64-darwin: top 1.0 requires armfix; platform_machine == "aarch64"; aarch64-darwin: top 1.0 requires armfix; platform_machine == "aarch64")`,
			`numlib: 2.0 on x86_64-linux, x86_64-darwin, aarch64-darwin; 1.0 on aarch64-linux (` +
				`x86_64-linux: numlib 2.0 is also the version on x86_64-darwin, aarch64-darwin; ` +
				`aarch64-linux: Because top==1.0 depends on armfix which depends on numlib<2, top==1.0 requires numlib<2. ` +
				`So, because agreement with x86_64-linux, x86_64-darwin, aarch64-darwin constrains numlib==2.0 and requirements.txt:1 requires top, version solving failed; ` +
				`x86_64-darwin: numlib 1.0 has no sdist and no wheel for CPython 3.12.12 on x86_64-darwin; ` +
				`aarch64-darwin: numlib 2.0 is also the version on x86_64-linux, x86_64-darwin)`,
		}},
	{name: "pins: a re-run keeps each system's pin when no version fits both",
		index: pinIndex, reqs: "plat",
		opts: SystemsOptions{PinnedBySystem: map[string]map[string]string{
			"x86_64-linux": {"plat": "1.1"}, "aarch64-linux": {"plat": "1.1"}, "x86_64-darwin": {"plat": "1.0"}, "aarch64-darwin": {"plat": "1.0"}}},
		want: merged(everywhere("x86_64-linux aarch64-linux", "plat==1.1"), everywhere("x86_64-darwin aarch64-darwin", "plat==1.0")),
		diffs: []string{
			`plat: 1.1 on x86_64-linux, aarch64-linux; 1.0 on x86_64-darwin, aarch64-darwin (` +
				`x86_64-linux: plat 1.0 has no sdist and no wheel for CPython 3.12.12 on x86_64-linux; ` +
				`aarch64-linux: plat 1.0 has no sdist and no wheel for CPython 3.12.12 on aarch64-linux; ` +
				`x86_64-darwin: plat 1.1 has no sdist and no wheel for CPython 3.12.12 on x86_64-darwin; ` +
				`aarch64-darwin: plat 1.1 has no sdist and no wheel for CPython 3.12.12 on aarch64-darwin)`,
		}},
	{name: "pins: agreement wins over a previous run's pin that some system cannot use", // issue 12: the other systems' version first, then the pin
		index: systemsIndex, reqs: "core", opts: SystemsOptions{Options: Options{Pinned: map[string]string{"core": "2.0"}}},
		want: everywhere(allSystems, "core==1.0")},
	{name: "pins: --upgrade drops them and the newest fits everywhere",
		index: pinIndex, reqs: "plat",
		opts: SystemsOptions{Options: Options{Upgrade: true}, PinnedBySystem: map[string]map[string]string{"x86_64-linux": {"plat": "1.1"}, "x86_64-darwin": {"plat": "1.0"}}},
		want: everywhere(allSystems, "plat==1.2")},
	{name: "pins: the pin of most systems wins over one system's own",
		index: tripleA, reqs: "a",
		opts: SystemsOptions{Options: Options{Pinned: map[string]string{"a": "2.0"}}, PinnedBySystem: map[string]map[string]string{"aarch64-darwin": {"A": "1.0"}}},
		want: everywhere(allSystems, "a==2.0")},
	{name: "nixpkgs: its version wins where some systems ship it and the others may use it", // preference 2, binary-cache hits kept
		index: followIndex + "\nlib 3.0:", reqs: "lib",
		opts: SystemsOptions{Options: Options{PreferNixpkgs: true}, NixpkgsVersionBySystem: map[string]func(string) string{
			"x86_64-linux": versionOf(map[string]string{"lib": "2.0"}), "aarch64-linux": versionOf(map[string]string{"lib": "2.0"})}},
		want: everywhere(allSystems, "lib==2.0")},
	{name: "nixpkgs: its version conflicts on macOS, so every system takes the one macOS can", // the trial rules 2.0 out, Linux follows
		index: followIndex, reqs: "tool", opts: SystemsOptions{Options: Options{PreferNixpkgs: true, Nixpkgs: map[string]string{"lib": "2.0"}}},
		want: merged(everywhere("x86_64-linux aarch64-linux", "lib==1.0 tool==1.0"), everywhere("x86_64-darwin aarch64-darwin", "lib==1.0 macpin==1.0 tool==1.0")),
		diffs: []string{
			`macpin: not installed on x86_64-linux, aarch64-linux; 1.0 on x86_64-darwin, aarch64-darwin (x86_64-linux: tool 1.0 requires macpin; sys_platform == "darwin"; aarch64-linux: tool 1.0 requires macpin; sys_platform == "darwin")`,
		}},
	{name: "failure: every system fails alike: the one explanation",
		index: systemsIndex, reqs: "core>=3", opts: SystemsOptions{Systems: []string{"x86_64-linux", "x86_64-darwin"}},
		failed: map[string]string{"": "Because no version of core matches >=3 (available: 1.0, 2.0) and requirements.txt:1 requires core>=3, version solving failed."}},
	{name: "failure: systems failing differently are each named",
		index: systemsIndex, reqs: "native\nnative2", opts: SystemsOptions{Systems: []string{"aarch64-linux", "x86_64-darwin"}},
		failed: map[string]string{"": "on aarch64-linux: Because native2==1.0 has no sdist and no wheel for CPython 3.12.12 on aarch64-linux and requirements.txt:2 requires native2, version solving failed.\n" +
			"on x86_64-darwin: Because native==1.0 has no sdist and no wheel for CPython 3.12.12 on x86_64-darwin and requirements.txt:1 requires native, version solving failed."}},
}

func TestResolveSystemsScenarios(t *testing.T) {
	for _, sc := range systemsScenarios {
		t.Run(sc.name, func(t *testing.T) {
			runSystemsScenario(t, sc, newMemIndex(t, sc.index))
		})
	}
}

func runSystemsScenario(t *testing.T, sc systemsScenario, p Provider) {
	t.Helper()
	m, err := ResolveSystems(context.Background(), p, rootFile(t, sc.reqs, ""), sc.opts)
	if whole, ok := sc.failed[""]; ok {
		if err == nil || !strings.Contains(err.Error(), whole) {
			t.Fatalf("error %v, want one containing %q", err, whole)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	for system, res := range m.BySystem {
		if got := summary(res); got != sc.want[system] {
			t.Errorf("%s: got  %s\nwant %s", system, got, sc.want[system])
		}
		if res.Platform != system {
			t.Errorf("%s: resolution for platform %s", system, res.Platform)
		}
	}
	for system := range sc.want {
		if m.BySystem[system] == nil {
			t.Errorf("%s: no resolution (failed: %v)", system, m.Failed[system])
		}
	}
	for system, want := range sc.failed {
		if err := m.Failed[system]; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want one containing %q", system, err, want)
		}
	}
	if len(m.Failed) != len(sc.failed) {
		t.Errorf("failed %v, want %d", m.Failed, len(sc.failed))
	}
	var diffs []string
	for _, d := range m.Differences {
		diffs = append(diffs, d.String())
	}
	if !reflect.DeepEqual(diffs, sc.diffs) {
		t.Errorf("differences:\n%s\nwant\n%s", strings.Join(diffs, "\n"), strings.Join(sc.diffs, "\n"))
	}
}

// TestResolveSystemsPinsRoundTrip checks that the pins of a result, fed to
// the next run, keep every system's versions although newer releases have
// appeared, and that --upgrade moves them.
func TestResolveSystemsPinsRoundTrip(t *testing.T) {
	in := rootFile(t, "top", "")
	first, err := ResolveSystems(context.Background(), newMemIndex(t, forcedIndex), in, SystemsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	all, bySystem := first.Pins()
	wantAll := map[string]string{"top": "1.0", "armfix": "1.0"}
	wantBySystem := map[string]map[string]string{
		"x86_64-linux": {"numlib": "2.0"}, "aarch64-linux": {"numlib": "1.0"},
		"x86_64-darwin": {"numlib": "2.0"}, "aarch64-darwin": {"numlib": "2.0"},
	}
	if !reflect.DeepEqual(all, wantAll) || !reflect.DeepEqual(bySystem, wantBySystem) {
		t.Fatalf("pins %v %v\nwant %v %v", all, bySystem, wantAll, wantBySystem)
	}
	newer := newMemIndex(t, forcedIndex+"\nnumlib 3.0:\ntop 2.0: numlib>=3")
	for _, tc := range []struct {
		upgrade bool
		want    map[string]string
	}{
		{false, merged(everywhere("x86_64-linux x86_64-darwin aarch64-darwin", "numlib==2.0 top==1.0"), everywhere("aarch64-linux", "armfix==1.0 numlib==1.0 top==1.0"))},
		{true, everywhere(allSystems, "numlib==3.0 top==2.0")},
	} {
		again, err := ResolveSystems(context.Background(), newer, in, SystemsOptions{Options: Options{Pinned: all, Upgrade: tc.upgrade}, PinnedBySystem: bySystem})
		if err != nil {
			t.Fatal(err)
		}
		for system, res := range again.BySystem {
			if got := summary(res); got != tc.want[system] {
				t.Errorf("upgrade=%v %s: got %s, want %s", tc.upgrade, system, got, tc.want[system])
			}
		}
	}
}

// TestResolveSystemsDeterminism resolves for the four systems 20 times
// with random provider delays: the resolutions, the differences and the
// failures must not change.
func TestResolveSystemsDeterminism(t *testing.T) {
	index := systemsIndex + followIndex + forcedIndex + pinIndex
	for _, reqs := range []string{"app\nviz\ncore\ntool\ntop\nplat", "top\nnative\ntool"} {
		t.Run(reqs, func(t *testing.T) {
			var first string
			for run := 1; run <= 20; run++ {
				idx := newMemIndex(t, index)
				var mu sync.Mutex
				r := rand.New(rand.NewSource(int64(run)))
				idx.delay = func(string) time.Duration {
					mu.Lock()
					defer mu.Unlock()
					return time.Duration(r.Intn(2000)) * time.Microsecond
				}
				m, err := ResolveSystems(context.Background(), idx, rootFile(t, reqs, ""), SystemsOptions{})
				if err != nil {
					t.Fatal(err)
				}
				got := renderMulti(m)
				if run == 1 {
					first = got
				} else if got != first {
					t.Fatalf("run %d:\n%s\nrun 1:\n%s", run, got, first)
				}
			}
		})
	}
}

// renderMulti is a multi-system result as text, errors included.
func renderMulti(m *MultiResolution) string {
	var b strings.Builder
	for _, s := range m.Systems {
		if res := m.BySystem[s]; res != nil {
			fmt.Fprintf(&b, "%s: %+v\n", s, *res)
		} else {
			fmt.Fprintf(&b, "%s failed: %v\n", s, m.Failed[s])
		}
	}
	for _, d := range m.Differences {
		fmt.Fprintf(&b, "%+v\n", d)
	}
	return b.String()
}

// TestResolveSystemsProgress checks that progress events name their
// system and arrive one at a time.
func TestResolveSystemsProgress(t *testing.T) {
	idx := newMemIndex(t, systemsIndex)
	idx.delay = func(string) time.Duration { return time.Millisecond }
	var inside atomic.Int32
	seen := map[string]bool{}
	progress := func(e Event) {
		if inside.Add(1) != 1 {
			t.Error("progress called concurrently")
		}
		seen[e.System] = true
		time.Sleep(50 * time.Microsecond)
		inside.Add(-1)
	}
	if _, err := ResolveSystems(context.Background(), idx, rootFile(t, "app", ""), SystemsOptions{Options: Options{Progress: progress}}); err != nil {
		t.Fatal(err)
	}
	if want := everywhere(allSystems, ""); len(seen) != len(want) {
		t.Errorf("events from %v, want every system", seen)
	}
}

// TestResolveSystemsUnknownSystem checks the error for a system that is
// not one of AllSystems.
func TestResolveSystemsUnknownSystem(t *testing.T) {
	_, err := ResolveSystems(context.Background(), newMemIndex(t, tripleA), rootFile(t, "a", ""), SystemsOptions{Systems: []string{"x86_64-linux", "riscv64-linux"}})
	want := `unknown system "riscv64-linux": use one of x86_64-linux, aarch64-linux, x86_64-darwin, aarch64-darwin`
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
}

// TestSharedAnalysis checks what two systems' resolutions share through
// one sharedAnalysis (the parsed metadata of a release, a project's
// version sets) and what they must not (the files usable on each, the
// markers' outcome).
func TestSharedAnalysis(t *testing.T) {
	idx := newMemIndex(t, systemsIndex)
	in := rootFile(t, "app\nsimd", "")
	runs := SystemsOptions{}.runs([]string{"x86_64-linux", "aarch64-darwin"}) // as ResolveSystems prepares them
	worlds := map[string]*world{}
	for _, r := range runs {
		w, _, err := resolveWorld(context.Background(), idx, in, r.opts)
		if r.system == "aarch64-darwin" { // simd has x86_64 wheels only
			if err == nil {
				t.Fatal("simd resolved on aarch64-darwin")
			}
			w, _, err = resolveWorld(context.Background(), idx, rootFile(t, "app", ""), r.opts)
		}
		if err != nil {
			t.Fatal(err)
		}
		worlds[r.system] = w
	}
	linux, mac := worlds["x86_64-linux"], worlds["aarch64-darwin"]
	app := func(w *world) *pkgDef { return w.defs[w.ids["app"]] }
	if app(linux).info.sets != app(mac).info.sets {
		t.Error("app's version sets are not shared")
	}
	if app(linux).info == app(mac).info {
		t.Error("app's analysis for the target is shared")
	}
	key := metaKey{"app", "1.0"}
	if a, b := linux.fetch.metas[key].val, mac.fetch.metas[key].val; a == nil || a != b {
		t.Errorf("app 1.0's parsed metadata is not shared: %p %p", a, b)
	}
	if _, ok := linux.ids["inotify"]; !ok {
		t.Error("inotify missing on Linux")
	}
	if _, ok := mac.ids["inotify"]; ok {
		t.Error("inotify on macOS")
	}
	if _, ok := mac.ids["appnope"]; !ok {
		t.Error("appnope missing on macOS")
	}
}

// versionOf answers nixpkgs' version lookups from a map.
func versionOf(versions map[string]string) func(string) string {
	return func(name string) string { return versions[name] }
}
