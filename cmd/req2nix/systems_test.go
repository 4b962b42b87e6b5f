package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/req2nix/req2nix/pypi/pep508"
	"github.com/req2nix/req2nix/resolver"
)

// systemCase is a project of the fixture index resolved for several
// systems, and what each system's environment must hold: written here
// from the fixture's release data, not read back from req2nix.
type systemCase struct {
	name  string
	reqs  string
	flags []string
	// want is system -> name -> version; a system absent here has no
	// environment, and its shell must stop naming why (failedBecause).
	want          map[string]map[string]string
	failedBecause string
	// wheels names, per system, a package installed from a wheel for that
	// platform only, and the platform tag its file must carry.
	wheels map[string][2]string
}

// crossplat 1.0 needs appnope on macOS, inotify_simple on Linux, x86simd
// on x86_64 (wheels for x86_64 Linux and macOS only), and tensorkit,
// whose newest 2.0 has Linux wheels only; the fixture nixpkgs ships
// tensorkit 1.9 for Linux only (meta.platforms).
var crossplatWant = map[string]map[string]string{
	"x86_64-linux":   {"crossplat": "1.0", "inotify-simple": "1.3.5", "x86simd": "1.0", "tensorkit": "1.9"},
	"aarch64-linux":  {"crossplat": "1.0", "inotify-simple": "1.3.5", "tensorkit": "1.9"},
	"x86_64-darwin":  {"crossplat": "1.0", "appnope": "0.1.4", "x86simd": "1.0", "tensorkit": "1.9"},
	"aarch64-darwin": {"crossplat": "1.0", "appnope": "0.1.4", "tensorkit": "1.9"},
}

var systemCases = []systemCase{
	{name: "markers and per-platform wheels and nixpkgs for Linux only", reqs: "crossplat\n", want: crossplatWant,
		wheels: map[string][2]string{"x86_64-linux": {"x86simd", "manylinux_2_17_x86_64"}, "x86_64-darwin": {"x86simd", "macosx_10_9_x86_64"}}},
	// Without the preference for nixpkgs, Linux alone would take
	// tensorkit 2.0; every system agrees on 1.9, the newest macOS has.
	{name: "the newest release drops macOS", reqs: "crossplat\n", flags: []string{"--prefer-newest"}, want: crossplatWant},
	// armless has wheels for every system but x86_64-darwin: that
	// system alone has no environment.
	{name: "no file for one system", reqs: "armless\n", want: map[string]map[string]string{
		"x86_64-linux": {"armless": "0.5"}, "aarch64-linux": {"armless": "0.5"}, "aarch64-darwin": {"armless": "0.5"},
	}, failedBecause: "armless",
		wheels: map[string][2]string{"x86_64-linux": {"armless", "manylinux_2_17_x86_64"}, "aarch64-linux": {"armless", "manylinux_2_17_aarch64"}, "aarch64-darwin": {"armless", "macosx_11_0_arm64"}}},
	{name: "narrowed with --platform", reqs: "crossplat\n", flags: []string{"--platform", "aarch64-darwin", "--platform", "x86_64-linux"},
		want: map[string]map[string]string{"x86_64-linux": crossplatWant["x86_64-linux"], "aarch64-darwin": crossplatWant["aarch64-darwin"]}},
}

// TestSystemsEvaluate runs the binary on each case and evaluates shell.nix,
// flake.nix and overlay.nix with Nix against the stub nixpkgs of every
// system: each system's environment holds exactly its resolution (the
// case's versions, the report's entries for that system), from that
// system's wheel where it needs one; the flake offers the resolved
// systems alone; a system without an environment (or one the file was not
// resolved for) stops at evaluation with a message saying why.
func TestSystemsEvaluate(t *testing.T) {
	requireNixInstantiate(t)
	for _, c := range systemCases {
		t.Run(c.name, func(t *testing.T) {
			s, report := c.generate(t, "shell", "flake", "overlay")
			for _, system := range resolver.AllSystems() {
				want, resolved := c.want[system]
				for _, format := range []string{"shell", "flake", "overlay"} {
					file := filepath.Join(s.dir, format+".nix")
					forSystem := report.forSystem(system)
					if !resolved {
						forSystem = report // the overlay stops when a package is used
					}
					env, err := evalOutput(t, file, format, system, forSystem)
					switch {
					case resolved && err != nil:
						t.Errorf("%s on %s: %v", format, system, err)
					case resolved:
						checkSystemEnv(t, format+" on "+system, env, want, report.forSystem(system), c.wheels[system])
					case format == "flake":
						if err == nil || !strings.Contains(err.Error(), "attribute '"+system+"' missing") {
							t.Errorf("the flake offers %s, which has no environment: %v", system, err)
						}
					default:
						why := "req2nix: no environment for " + system + ": "
						if c.failedBecause == "" {
							why = "req2nix: resolved for " + strings.Join(keys(c.want), ", ") + ", not for " + system + ": add --platform " + system
						}
						if err == nil || !strings.Contains(err.Error(), why) || !strings.Contains(err.Error(), c.failedBecause) {
							t.Errorf("%s on %s should stop with %q naming %q; got %v", format, system, why, c.failedBecause, err)
						}
					}
				}
			}
		})
	}
}

// TestNixpkgsPlatformsDecideKind: a package nixpkgs ships for Linux only
// (meta.platforms) is taken as is on Linux and built new on macOS, where
// nixpkgs' attribute would not evaluate.
func TestNixpkgsPlatformsDecideKind(t *testing.T) {
	_, report := systemCases[0].generate(t)
	want := map[string]string{"x86_64-linux": "as-is", "aarch64-linux": "as-is", "x86_64-darwin": "new", "aarch64-darwin": "new"}
	for system, kind := range want {
		var got []string
		for _, p := range report.forSystem(system).Packages {
			if p.Name == "tensorkit" {
				got = append(got, p.Kind)
			}
		}
		if len(got) != 1 || got[0] != kind {
			t.Errorf("tensorkit on %s: kinds %q, want %q", system, got, kind)
		}
	}
}

// generate runs the binary on the case: its JSON report, and FORMAT.nix
// for each format.
func (c systemCase) generate(t *testing.T, formats ...string) (*session, lockReport) {
	t.Helper()
	s := newSession(t)
	s.write("requirements.txt", c.reqs)
	flags := append([]string{"--python", "3.12"}, c.flags...)
	report := decodeReport(t, s.mustRun(0, args(append(flags, "--format", "json", "requirements.txt")...)...).stdout)
	for _, format := range formats {
		s.mustRun(0, args(append(flags, "--format", format, "-o", format+".nix", "requirements.txt")...)...)
	}
	return s, report
}

// keys lists a case's systems in resolver.AllSystems order.
func keys(m map[string]map[string]string) []string {
	return slices.DeleteFunc(resolver.AllSystems(), func(s string) bool { return m[s] == nil })
}

// checkSystemEnv checks one system's evaluated environment: exactly the
// case's versions, which are also the report's for that system; nixpkgs'
// packages as is, the others fetched with a hash of one of their files,
// and per-platform wheels for the system's platform.
func checkSystemEnv(t *testing.T, what string, env lockEnv, want map[string]string, r lockReport, wheels [2]string) {
	t.Helper()
	got, reported := map[string]string{}, map[string]string{}
	for _, p := range env.Packages {
		got[pep508.NormalizeName(p.PName)] = p.Version
	}
	for _, p := range r.Packages {
		reported[p.Name] = p.Version
	}
	if fmtVersions(got) != fmtVersions(want) || fmtVersions(reported) != fmtVersions(want) {
		t.Errorf("%s: the environment holds\n  %s\nthe report says\n  %s\nwant\n  %s", what, fmtVersions(got), fmtVersions(reported), fmtVersions(want))
		return
	}
	byName := map[string]int{}
	for i, p := range r.Packages {
		byName[p.Name] = i
	}
	for _, p := range env.Packages {
		name := pep508.NormalizeName(p.PName)
		rp := r.Packages[byName[name]]
		hashes := map[string]bool{}
		for _, f := range rp.Files {
			hashes[sri(t, fixtureSHA256(f.Filename))] = true
		}
		switch {
		case rp.Kind == "as-is" && p.Hash != stubHash:
			t.Errorf("%s: %s is nixpkgs' as is in the report, yet fetched with %s", what, name, p.Hash)
		case rp.Kind != "as-is" && !hashes[p.Hash]:
			t.Errorf("%s: %s is fetched with %s, no hash of its files", what, name, p.Hash)
		case name == wheels[0] && !strings.Contains(p.URL, wheels[1]):
			t.Errorf("%s: %s comes from %s, not its %s wheel", what, name, p.URL, wheels[1])
		}
	}
}

// TestSystemsNixreal evaluates the cases' shell.nix for each system with
// nixpkgs' own Python machinery (../shared/nixreal, given the report's
// nixpkgs packages; skipped when absent), and their flake.nix as nix flake
// check would: every devShell of the resolved systems, and no other.
func TestSystemsNixreal(t *testing.T) {
	check := nixrealCheck(t)
	for _, c := range systemCases {
		t.Run(c.name, func(t *testing.T) {
			s, report := c.generate(t, "shell", "flake")
			index := s.write("index.json", nixrealIndex(report))
			for _, system := range keys(c.want) {
				wrapper := s.write("wrapper-"+system+".nix", "import ./shell.nix { pkgs = import "+filepath.Dir(check)+" { system = \""+system+"\"; }; }\n")
				out := nixreal(t, check, index, "--argstr", "file", wrapper, "--argstr", "format", "shell", "--argstr", "system", system)
				checkNixrealEnv(t, "shell on "+system, out, c.want[system], report.forSystem(system))
			}
			out := nixreal(t, check, index, "--argstr", "file", filepath.Join(s.dir, "flake.nix"), "--argstr", "format", "flake", "--argstr", "system", keys(c.want)[0])
			if !slices.Equal(sortedCopy(out.Flake.DevShellSystems), sortedCopy(keys(c.want))) {
				t.Errorf("the flake offers %v, want the resolved %v", out.Flake.DevShellSystems, keys(c.want))
			}
			checkNixrealEnv(t, "flake on "+keys(c.want)[0], out, c.want[keys(c.want)[0]], report.forSystem(keys(c.want)[0]))
		})
	}
}

// nixrealOut is the part of nixreal's description these tests read.
type nixrealOut struct {
	Packages []struct {
		PName   string `json:"pname"`
		Version string `json:"version"`
		AsIs    bool   `json:"asIs"`
	} `json:"packages"`
	Flake struct {
		DevShellSystems []string `json:"devShellSystems"`
	} `json:"flake"`
}

func nixreal(t *testing.T, check, index string, args ...string) nixrealOut {
	t.Helper()
	cmd := exec.Command("nix-instantiate", append([]string{"--store", "dummy://", "--eval", "--strict", "--json", check}, args...)...)
	cmd.Env = append(os.Environ(), "NIXREAL_INDEX="+index)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("nixreal %v: %v\n%s", args, err, stderr.String())
	}
	var out nixrealOut
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("%v: %s", err, stdout.String())
	}
	return out
}

// nixrealIndex is nixreal's index of the nixpkgs the report was made
// against: its as-is and overridden packages at nixpkgs' versions.
func nixrealIndex(r lockReport) string {
	index := map[string]string{}
	for _, p := range r.Packages {
		if p.Kind != "new" && p.NixpkgsVersion != "" {
			index[p.Attr] = p.NixpkgsVersion
		}
	}
	data, _ := json.Marshal(index)
	return string(data)
}

// checkNixrealEnv checks that nixpkgs' machinery builds exactly the
// system's versions, nixpkgs' packages as is.
func checkNixrealEnv(t *testing.T, what string, out nixrealOut, want map[string]string, r lockReport) {
	t.Helper()
	got := map[string]string{}
	for _, p := range out.Packages {
		got[pep508.NormalizeName(p.PName)] = p.Version
	}
	if fmtVersions(got) != fmtVersions(want) {
		t.Errorf("%s: nixreal builds\n  %s\nwant\n  %s", what, fmtVersions(got), fmtVersions(want))
	}
	for _, p := range r.Packages {
		for _, e := range out.Packages {
			if pep508.NormalizeName(e.PName) == p.Name && e.AsIs != (p.Kind == "as-is") {
				t.Errorf("%s: %s is %s in the report but asIs=%v in nixreal", what, p.Name, p.Kind, e.AsIs)
			}
		}
	}
}

// TestSystemPinsKept: a re-run reads the lock lines of one system as that
// system's pins (appnope is only on macOS, pinned there to 0.1.3 while
// 0.1.4 is newer), so the versions stay; the rewritten file holds them on
// a line for every system, --check passes on it, and --upgrade moves on.
func TestSystemPinsKept(t *testing.T) {
	s := newSession(t)
	s.write("requirements.txt", "crossplat\n")
	flags := []string{"--python", "3.12", "-o", "shell.nix", "requirements.txt"}
	s.mustRun(0, args(flags...)...)
	fresh := s.read("shell.nix")
	if !strings.Contains(fresh, "# req2nix-lock: appnope==0.1.4\n") {
		t.Fatalf("a fresh run should pin appnope 0.1.4 for every system:\n%s", fresh)
	}
	perSystem := strings.Replace(fresh, "# req2nix-lock: appnope==0.1.4\n",
		"# req2nix-lock x86_64-darwin: appnope==0.1.3\n# req2nix-lock aarch64-darwin: appnope==0.1.3\n", 1)
	s.write("shell.nix", perSystem)
	s.mustRun(0, args(flags...)...)
	kept := s.read("shell.nix")
	if !strings.Contains(kept, "# req2nix-lock: appnope==0.1.3\n") || !strings.Contains(kept, `version = "0.1.3";`) {
		t.Errorf("the per-system pins were not kept:\n%s", kept)
	}
	s.mustRun(0, args(append([]string{"--check"}, flags...)...)...)
	s.mustRun(0, args(append([]string{"--upgrade"}, flags...)...)...)
	if got := s.read("shell.nix"); got != fresh {
		t.Errorf("--upgrade should give the fresh output again; got\n%s", got)
	}
}

// TestSystemsErrors: a planning error is said once, naming the systems it
// happened on unless it happened on every resolved one.
func TestSystemsErrors(t *testing.T) {
	systems := resolver.AllSystems()
	a, b := errors.New("a failed"), errors.New("b failed")
	tests := []struct {
		name     string
		errs     []error
		resolved int
		want     string
	}{
		{"none", []error{nil, nil, nil, nil}, 4, ""},
		{"the same everywhere", []error{a, a, a, a}, 4, "a failed"},
		{"the same on every resolved system", []error{a, a, nil, nil}, 2, "a failed"},
		{"on some", []error{a, nil, a, nil}, 4, "x86_64-linux, x86_64-darwin: a failed"},
		{"different", []error{a, b, a, b}, 4, "x86_64-linux, x86_64-darwin: a failed\naarch64-linux, aarch64-darwin: b failed"},
	}
	for _, tt := range tests {
		err := systemsErrors(systems, tt.errs, tt.resolved)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
		if err != nil && !errors.Is(err, a) && !errors.Is(err, b) {
			t.Errorf("%s: %v does not wrap the systems' errors", tt.name, err)
		}
	}
}

// TestSystemsSummary: the summary lists the packages that differ between
// systems with why, says a note that holds on several systems once, and
// names a system without an environment, which the report lists as failed.
func TestSystemsSummary(t *testing.T) {
	s := newSession(t)
	s.write("requirements.txt", "crossplat\n")
	r := s.mustRun(0, args("--python", "3.12", "-o", "shell.nix", "requirements.txt")...)
	wantAll(t, "the summary", r.stderr,
		"3 packages differ between systems:",
		`appnope: not installed on x86_64-linux, aarch64-linux; 0.1.4 on x86_64-darwin, aarch64-darwin (x86_64-linux: crossplat 1.0 requires appnope>=0.1.2; sys_platform == "darwin"`,
		"warning: on x86_64-darwin, aarch64-darwin: tensorkit: nixpkgs' tensorkit 1.9 is not available on this system")
	s.write("requirements.txt", "armless\n")
	r = s.mustRun(0, args("--python", "3.12", "--format", "json", "requirements.txt")...)
	why := "armless==0.5 has no sdist and no wheel for CPython 3.12.13 on x86_64-darwin"
	if !strings.Contains(r.stderr, "warning: no environment for x86_64-darwin, so the output stops there") || !strings.Contains(r.stderr, why) {
		t.Errorf("the summary does not name the failed system:\n%s", r.stderr)
	}
	var report struct {
		Failed []struct{ System, Error string } `json:"failed"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &report); err != nil {
		t.Fatal(err)
	}
	if len(report.Failed) != 1 || report.Failed[0].System != "x86_64-darwin" || !strings.Contains(report.Failed[0].Error, why) {
		t.Errorf("report's failed: %+v", report.Failed)
	}
}
