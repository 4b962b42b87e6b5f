package nixgen

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/req2nix/req2nix/resolver"
)

// systemPlan is a plan of one system holding the given decisions.
func systemPlan(system string, ds ...Decision) *Plan {
	return &Plan{PythonAttr: "python312", Python: "3.12.10", Platform: system, Index: "test", Packages: ds}
}

func asIsDecision(name, version string) Decision {
	return Decision{Name: name, Version: version, Attr: name, NixpkgsVersion: version, InNixpkgs: true, Kind: KindAsIs}
}

func wheelDecision(name, version, file string) Decision {
	return Decision{Name: name, Version: version, Attr: name, Kind: KindNew, Format: "wheel",
		Src: &Source{Fetcher: "fetchurl", URL: "https://example.org/" + file, Hash: "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", Filename: file, FileKind: "wheel"}}
}

// TestMergePlans: a decision written the same way on every resolved
// system is shared, any other is per system (another version, another
// wheel, a package some systems lack); the environment's attributes split
// alike; lock lines are per system only where versions differ; warnings
// of some systems name them.
func TestMergePlans(t *testing.T) {
	linux := wheelDecision("armless", "0.5", "armless-0.5-cp312-cp312-manylinux_2_17_x86_64.whl")
	mac := wheelDecision("armless", "0.5", "armless-0.5-cp312-cp312-macosx_11_0_arm64.whl")
	plans := map[string]*Plan{
		"x86_64-linux":   systemPlan("x86_64-linux", asIsDecision("click", "8.1.7"), linux, asIsDecision("inotify-simple", "1.3.5"), asIsDecision("numpy", "2.0.0")),
		"aarch64-darwin": systemPlan("aarch64-darwin", asIsDecision("appnope", "0.1.4"), mac, asIsDecision("click", "8.1.7"), asIsDecision("numpy", "1.26.4")),
	}
	plans["x86_64-linux"].Warnings = []string{"common", "linux only"}
	plans["aarch64-darwin"].Warnings = []string{"common"}
	m := &resolver.MultiResolution{
		Systems:  []string{"x86_64-linux", "x86_64-darwin", "aarch64-darwin"},
		BySystem: map[string]*resolver.Resolution{"x86_64-linux": {}, "aarch64-darwin": {}},
		Failed:   map[string]error{"x86_64-darwin": errors.New("armless 0.5 has no wheel\nfor x86_64-darwin")},
	}
	mp, err := MergePlans(m, plans)
	if err != nil {
		t.Fatal(err)
	}
	names := func(ds []Decision) []string {
		var out []string
		for _, d := range ds {
			out = append(out, d.Name+"=="+d.Version)
		}
		return out
	}
	checks := []struct {
		what      string
		got, want []string
	}{
		{"shared", names(mp.Shared), []string{"click==8.1.7"}},
		{"x86_64-linux's own", names(mp.BySystem["x86_64-linux"]), []string{"armless==0.5", "inotify-simple==1.3.5", "numpy==2.0.0"}},
		{"aarch64-darwin's own", names(mp.BySystem["aarch64-darwin"]), []string{"appnope==0.1.4", "armless==0.5", "numpy==1.26.4"}},
		{"shared environment", mp.SharedEnv, []string{"click", "armless", "numpy"}},
		{"x86_64-linux's environment", mp.EnvBySystem["x86_64-linux"], []string{"inotify-simple"}},
		{"resolved", mp.Resolved, []string{"x86_64-linux", "aarch64-darwin"}},
		{"warnings", mp.Warnings(), []string{"common", "on x86_64-linux: linux only"}},
	}
	for _, c := range checks {
		got, want := slices.Sorted(slices.Values(c.got)), slices.Sorted(slices.Values(c.want))
		if !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", c.what, c.got, c.want)
		}
	}
	if why := mp.Failed["x86_64-darwin"]; why != "armless 0.5 has no wheel for x86_64-darwin" {
		t.Errorf("the failure is %q, want it on one line", why)
	}
	var lines []string
	for _, l := range mp.lockLines() {
		lines = append(lines, lockLinePrefix(l.System)+l.Decision.Name+"=="+l.Decision.Version)
	}
	want := []string{
		"# req2nix-lock: appnope==0.1.4", "# req2nix-lock: armless==0.5", "# req2nix-lock: click==8.1.7", "# req2nix-lock: inotify-simple==1.3.5",
		"# req2nix-lock x86_64-linux: numpy==2.0.0", "# req2nix-lock aarch64-darwin: numpy==1.26.4",
	}
	if !slices.Equal(lines, want) {
		t.Errorf("lock lines\n  %s\nwant\n  %s", strings.Join(lines, "\n  "), strings.Join(want, "\n  "))
	}
}

// TestMultiPlanRoundTrip: every format of a merged plan reads back as the
// pins of each system (and the old reader's ReadPins keeps the ones of
// every system only, skipping the per-system lines as unknown comments).
func TestMultiPlanRoundTrip(t *testing.T) {
	plans := map[string]*Plan{
		"x86_64-linux":  systemPlan("x86_64-linux", asIsDecision("click", "8.1.7"), asIsDecision("numpy", "2.0.0")),
		"x86_64-darwin": systemPlan("x86_64-darwin", asIsDecision("appnope", "0.1.4"), asIsDecision("click", "8.1.7"), asIsDecision("numpy", "1.26.4")),
	}
	m := &resolver.MultiResolution{Systems: []string{"x86_64-linux", "x86_64-darwin"}, BySystem: map[string]*resolver.Resolution{"x86_64-linux": {}, "x86_64-darwin": {}}}
	mp, err := MergePlans(m, plans)
	if err != nil {
		t.Fatal(err)
	}
	wantAll := map[string]string{"appnope": "0.1.4", "click": "8.1.7"}
	wantBy := map[string]map[string]string{"x86_64-linux": {"numpy": "2.0.0"}, "x86_64-darwin": {"numpy": "1.26.4"}}
	for _, format := range allFormats {
		out, err := mp.Render(Options{Format: format})
		if err != nil {
			t.Fatal(err)
		}
		pins, err := ReadSystemPins(out)
		if err != nil || !maps.Equal(pins.All, wantAll) || !maps.EqualFunc(pins.BySystem, wantBy, maps.Equal) {
			t.Errorf("%s: ReadSystemPins = %v, %v; want %v and %v", format, pins, err, wantAll, wantBy)
		}
		if all, err := ReadPins(out); err != nil || !maps.Equal(all, wantAll) {
			t.Errorf("%s: ReadPins = %v, %v; want %v", format, all, err, wantAll)
		}
	}
}

// TestReadSystemPinsErrors: a lock line for an unknown system, or a
// package pinned twice on one system, is refused naming the line.
func TestReadSystemPinsErrors(t *testing.T) {
	for _, tt := range []struct{ data, want string }{
		{"# req2nix-lock riscv64-linux: a==1\n", "unknown system riscv64-linux"},
		{"# req2nix-lock x86_64-linux: a==1\n# req2nix-lock x86_64-linux: a==2\n", "a pinned twice"},
		{"# req2nix-lock x86_64-linux: a\n", "expected name==version"},
	} {
		if _, err := ReadSystemPins([]byte(tt.data)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ReadSystemPins(%q) = %v, want an error saying %q", tt.data, err, tt.want)
		}
	}
}
