package main

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/req2nix/req2nix/fixtures"
	"github.com/req2nix/req2nix/pypi/pep508"
)

// TestLockNixEvaluates writes each format's fixture lock through the
// binary as shell.nix, flake.nix and overlay.nix, evaluates them with real
// Nix against the stub nixpkgs (nixgen/testdata/stub-nixpkgs, given the
// nixpkgs packages the report names), and checks the environment: exactly
// the locked versions; every package not taken from nixpkgs as is fetched
// with a hash of one of its locked files; git at the locked commit, the
// local project from its directory.
func TestLockNixEvaluates(t *testing.T) {
	requireNixInstantiate(t)
	cases := []lockTarget{{platform: "x86_64-linux", python: "3.12"}, {platform: "aarch64-darwin", python: "3.12", dev: true}}
	for _, lf := range lockFormats {
		for _, tg := range cases {
			for _, format := range []string{"shell", "flake", "overlay"} {
				if tg.platform != "x86_64-linux" && format != "shell" {
					continue // one shell per other target is enough
				}
				t.Run(lf.dir+" "+tg.platform+" "+format, func(t *testing.T) {
					s := newSession(t)
					s.dir = copyDir(t, filepath.Join(fixtures.Dir(), "locks", lf.dir))
					flags := append(tg.args(), "--format", format, "-o", "out.nix", ".")
					s.mustRun(0, args(flags...)...)
					report := decodeReport(t, s.mustRun(0, args(append(tg.args(), "--format", "json", ".")...)...).stdout)
					env := evalLockOutput(t, filepath.Join(s.dir, "out.nix"), format, tg.platform, report)
					checkLockEnv(t, env, report, lockdemo(lf.dir, tg), s.dir)
				})
			}
		}
	}
}

// lockEnv is inspect.nix's summary of an evaluated environment.
type lockEnv struct {
	Python   string `json:"python"`
	Packages []struct {
		PName        string   `json:"pname"`
		Version      string   `json:"version"`
		URL          string   `json:"url"`
		Hash         string   `json:"hash"`
		Dependencies []string `json:"dependencies"`
	} `json:"packages"`
}

// stubHash is the hash of every src of the stub's own packages.
const stubHash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

func stubDir(t *testing.T) string {
	t.Helper()
	d, err := filepath.Abs(filepath.Join("..", "..", "nixgen", "testdata", "stub-nixpkgs"))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// stubPackages is the stub's package list standing for the nixpkgs the
// report was made against: its as-is packages with their dependencies, its
// overridden ones at nixpkgs' version.
func stubPackages(r lockReport) string {
	attr := map[string]string{}
	for _, p := range r.Packages {
		attr[p.Name] = p.Attr
	}
	type stubPackage struct {
		Attr         string   `json:"attr"`
		PName        string   `json:"pname"`
		Version      string   `json:"version"`
		Dependencies []string `json:"dependencies"`
	}
	list := []stubPackage{}
	for _, p := range r.Packages {
		deps := []string{}
		if p.Kind == "as-is" {
			for _, d := range p.Dependencies {
				deps = append(deps, attr[d])
			}
		}
		if p.Kind != "new" {
			list = append(list, stubPackage{p.Attr, p.Name, p.NixpkgsVersion, deps})
		}
	}
	data, _ := json.Marshal(list)
	return string(data)
}

// evalLockOutput evaluates an output file against the stub; fetchGit is
// replaced by a record of its arguments (nothing is fetched).
func evalLockOutput(t *testing.T, file, format, system string, r lockReport) lockEnv {
	t.Helper()
	env, err := evalOutput(t, file, format, system, r)
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// evalOutput evaluates an output file for one system against the stub,
// given the nixpkgs packages the report names; an evaluation error is
// returned with Nix's message.
func evalOutput(t *testing.T, file, format, system string, r lockReport) (lockEnv, error) {
	t.Helper()
	stub := stubDir(t)
	stubArgs := "{ pythonPackages = builtins.fromJSON " + strconv.Quote(stubPackages(r)) + "; system = " + strconv.Quote(system) + "; }"
	output := `(scopedImport { builtins = builtins // { fetchGit = a: { type = "fetched"; url = "git+" + a.url + "@" + a.rev; hash = ""; }; }; } ` + file + `)`
	var env string
	switch format {
	case "shell":
		env = fmt.Sprintf(`builtins.head (%s { pkgs = import %s %s; }).packages`, output, stub, stubArgs)
	case "flake":
		flakeArgs := "{ pythonPackages = builtins.fromJSON " + strconv.Quote(stubPackages(r)) + "; }"
		env = fmt.Sprintf(`builtins.head ((%s).outputs { nixpkgs = import %s/flake-input.nix %s; }).devShells.%s.default.packages`, output, stub, flakeArgs, system)
	case "overlay":
		var attrs []string
		for _, p := range r.Packages {
			attrs = append(attrs, "ps."+strconv.Quote(p.Attr))
		}
		env = fmt.Sprintf(`let pkgs = import %s %s; python = pkgs.%s.override { self = python; packageOverrides = %s { inherit pkgs; }; }; in python.withPackages (ps: [ %s ])`,
			stub, stubArgs, r.Python.Attr, output, strings.Join(attrs, " "))
	}
	cmd := exec.Command("nix-instantiate", "--store", "dummy://", "--eval", "--strict", "--json", "-E", "import "+stub+"/inspect.nix ("+env+")")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return lockEnv{}, fmt.Errorf("nix-instantiate: %v\n%s", err, stderr.String())
	}
	var out lockEnv
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("%v: %s", err, stdout.String())
	}
	return out, nil
}

// checkLockEnv checks an evaluated environment against the lock.
func checkLockEnv(t *testing.T, env lockEnv, r lockReport, want map[string]string, dir string) {
	t.Helper()
	got := map[string]string{}
	for _, p := range env.Packages {
		got[pep508.NormalizeName(p.PName)] = p.Version
	}
	if fmtVersions(got) != fmtVersions(want) {
		t.Fatalf("the environment holds\n  %s\nwant exactly the lock's\n  %s", fmtVersions(got), fmtVersions(want))
	}
	kinds := map[string]string{}
	lockedHashes := map[string]map[string]bool{}
	for _, p := range r.Packages {
		kinds[p.Name] = p.Kind
		lockedHashes[p.Name] = map[string]bool{}
		for _, f := range p.Files {
			lockedHashes[p.Name][sri(t, fixtureSHA256(f.Filename))] = true
		}
	}
	for _, p := range env.Packages {
		name := pep508.NormalizeName(p.PName)
		switch {
		case name == "gitdep":
			if p.URL != "git+https://github.com/example/gitdep.git@"+gitCommit {
				t.Errorf("gitdep is fetched from %s, not the locked commit", p.URL)
			}
		case name == "helper":
			if p.URL != "path:"+filepath.Join(dir, "libs", "helper") {
				t.Errorf("helper comes from %s, not the locked directory", p.URL)
			}
		case kinds[name] == "as-is":
			if p.Hash != stubHash {
				t.Errorf("%s: as is from nixpkgs, yet fetched with %s", name, p.Hash)
			}
		case !lockedHashes[name][p.Hash]:
			t.Errorf("%s: fetched with %s, which is no hash the lock gives it", name, p.Hash)
		}
	}
}

// sri is the SRI form of a hex sha256.
func sri(t *testing.T, hexDigest string) string {
	raw, err := hex.DecodeString(hexDigest)
	if err != nil {
		t.Fatal(err)
	}
	return "sha256-" + base64.StdEncoding.EncodeToString(raw)
}

// nixrealCheck is ../shared/nixreal's check.nix; the test is skipped
// when it is absent (or fails without nix-instantiate in CI).
func nixrealCheck(t *testing.T) string {
	t.Helper()
	check, err := filepath.Abs(filepath.Join(fixtures.SharedDir(), "nixreal", "check.nix"))
	if _, serr := os.Stat(check); err != nil || serr != nil {
		t.Skip("../shared/nixreal is absent")
	}
	requireNixInstantiate(t)
	return check
}

// requireNixInstantiate skips without nix-instantiate, or fails when
// REQ2NIX_REQUIRE_NIX is set (CI installs Nix and must not skip).
func requireNixInstantiate(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("nix-instantiate"); err != nil {
		if os.Getenv("REQ2NIX_REQUIRE_NIX") != "" {
			t.Fatal("nix-instantiate not installed but REQ2NIX_REQUIRE_NIX is set")
		}
		t.Skip("nix-instantiate not installed (Debian: apt-get install nix-bin)")
	}
}

// TestLockNixrealEvaluates evaluates each fixture lock's shell.nix with
// nixpkgs' own Python machinery (../shared/nixreal; skipped when absent):
// it must evaluate, nixpkgs' packages stay as they are, and every other
// package has the locked version and a hash of one of its locked files.
// nixreal does not model builtins.fetchGit, so the git source is given a
// local directory (after checking it asks for the locked commit).
func TestLockNixrealEvaluates(t *testing.T) {
	check := nixrealCheck(t)
	for _, lf := range lockFormats {
		t.Run(lf.dir, func(t *testing.T) {
			s := newSession(t)
			s.dir = copyDir(t, filepath.Join(fixtures.Dir(), "locks", lf.dir))
			s.mustRun(0, args("-o", "shell.nix", ".")...)
			report := decodeReport(t, s.mustRun(0, args("--format", "json", ".")...).stdout).forSystem("x86_64-linux") // nixreal's default
			s.write("wrapper.nix", `scopedImport { inherit fetchTarball; builtins = builtins // { fetchGit = a: assert a.rev == "`+gitCommit+`"; ./libs/helper; }; } ./shell.nix`+"\n")
			cmd := exec.Command("nix-instantiate", "--store", "dummy://", "--eval", "--strict", "--json", check,
				"--argstr", "file", filepath.Join(s.dir, "wrapper.nix"), "--argstr", "format", "shell")
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("nixreal: %v\n%s", err, stderr.String())
			}
			var out struct {
				Packages []struct {
					PName   string `json:"pname"`
					Version string `json:"version"`
					AsIs    bool   `json:"asIs"`
					Hash    string `json:"hash"`
					Fetcher string `json:"fetcher"`
				} `json:"packages"`
			}
			if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
				t.Fatalf("%v: %s", err, stdout.String())
			}
			evaluated := map[string]int{}
			for i, p := range out.Packages {
				evaluated[pep508.NormalizeName(p.PName)] = i
			}
			for _, p := range report.Packages {
				i, ok := evaluated[p.Name]
				if !ok {
					t.Errorf("%s is not in the environment nixpkgs builds", p.Name)
					continue
				}
				e := out.Packages[i]
				hashes := map[string]bool{}
				for _, f := range p.Files {
					hashes[sri(t, fixtureSHA256(f.Filename))] = true
				}
				switch {
				case p.Kind == "as-is":
					if !e.AsIs {
						t.Errorf("%s: from nixpkgs as is in the report, but not in the evaluation: %+v", p.Name, e)
					}
				case e.Version != p.Version:
					t.Errorf("%s: version %s, want the locked %s", p.Name, e.Version, p.Version)
				case e.Fetcher != "path" && !hashes[e.Hash]:
					t.Errorf("%s: fetched with %s, which is no hash the lock gives it", p.Name, e.Hash)
				}
			}
		})
	}
}
