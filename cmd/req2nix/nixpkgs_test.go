package main

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/req2nix/req2nix/fixtures"
	"github.com/req2nix/req2nix/nixgen"
)

// These tests run the binary against nixpkgs-shaped directories: the walk
// stub (nixgen/testdata/walk-nixpkgs, evaluated with the installed Nix), a
// channel served by a local server, and flake.lock files.

// walkStub is a private copy of the walk stub.
func walkStub(t *testing.T) string {
	t.Helper()
	requireNix(t)
	src, err := filepath.Abs(filepath.Join("..", "..", "nixgen", "testdata", "walk-nixpkgs"))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "nixpkgs")
	if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return dir
}

func requireNix(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("nix-instantiate"); err != nil {
		if os.Getenv("REQ2NIX_REQUIRE_NIX") != "" {
			t.Fatal("nix-instantiate not installed but REQ2NIX_REQUIRE_NIX is set")
		}
		t.Skip("nix-instantiate not installed")
	}
}

// withoutNix gives the session a PATH without nix-instantiate.
func (s *session) withoutNix() {
	for i, kv := range s.env {
		if strings.HasPrefix(kv, "PATH=") {
			s.env[i] = "PATH=" + s.t.TempDir()
		}
	}
}

// countNixCalls puts a nix-instantiate first on PATH that logs each call
// and runs the real one; the returned function counts the calls so far.
func (s *session) countNixCalls() func() int {
	s.t.Helper()
	real, err := exec.LookPath("nix-instantiate")
	if err != nil {
		s.t.Skip("nix-instantiate not installed")
	}
	bin, log := s.t.TempDir(), filepath.Join(s.t.TempDir(), "calls")
	script := "#!/bin/sh\necho \"$1\" >> " + log + "\nexec " + real + " \"$@\"\n"
	if err := os.WriteFile(filepath.Join(bin, "nix-instantiate"), []byte(script), 0o755); err != nil {
		s.t.Fatal(err)
	}
	for i, kv := range s.env {
		if path, ok := strings.CutPrefix(kv, "PATH="); ok {
			s.env[i] = "PATH=" + bin + ":" + path
		}
	}
	return func() int {
		data, _ := os.ReadFile(log)
		return strings.Count(string(data), "\n")
	}
}

// fixtureIndex points at the fixture package index, offline.
func fixtureIndex(extra ...string) []string {
	return append([]string{"--offline", "-i", fixtures.IndexURL()}, extra...)
}

const flaskRequests = "flask\nrequests\n"

// TestLocalNixpkgsEvaluatedByDefault: a flake.lock beside the output pins a
// local nixpkgs-shaped directory; with no flag at all, req2nix evaluates it
// (saying so, once), reuses its packages as is, and a re-run is served from
// the cache, byte-identical.
func TestLocalNixpkgsEvaluatedByDefault(t *testing.T) {
	stub := walkStub(t)
	s := newSession(t)
	s.write("requirements.txt", flaskRequests)
	s.write("flake.lock", `{"nodes": {"nixpkgs": {"locked": {"path": "`+stub+`", "type": "path", "narHash": "sha256-MWhktfFtFE8Jl7bf9Pkp7TR5MSdYCjCswSo0Gkb4ywc="}},
	  "root": {"inputs": {"nixpkgs": "nixpkgs"}}}, "root": "root", "version": 7}`)
	calls := s.countNixCalls()
	r := s.mustRun(0, fixtureIndex("-o", "shell.nix", "requirements.txt")...)
	for _, want := range []string{
		"req2nix: reading nixpkgs' python313 package set (" + stub + "), once per pin\n",
		"  nixpkgs " + stub + " (from flake.lock, node nixpkgs); versions read from it (22 packages)\n",
		"   12 from the binary cache (nixpkgs as is)\n",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if strings.Contains(r.stderr, "warning:") {
		t.Errorf("unexpected warning:\n%s", r.stderr)
	}
	out := s.read("shell.nix")
	for _, want := range []string{"# Python: python313 3.13.5 on x86_64-linux, aarch64-linux, x86_64-darwin, aarch64-darwin\n", "# req2nix-nixpkgs: path=" + stub + "\n", "nixpkgs ? /. + \"" + stub + "\""} {
		if !strings.Contains(out, want) {
			t.Errorf("shell.nix lacks %q", want)
		}
	}
	first := calls()
	if first == 0 {
		t.Fatal("Nix was never run")
	}
	r = s.mustRun(0, fixtureIndex("-o", "shell.nix", "requirements.txt")...)
	if calls() != first || strings.Contains(r.stderr, "reading nixpkgs") {
		t.Errorf("the re-run evaluated nixpkgs again (%d Nix calls):\n%s", calls()-first, r.stderr)
	}
	if s.read("shell.nix") != out {
		t.Error("the re-run changed shell.nix")
	}
	// --no-eval-nixpkgs: attribute names only, every package overridden.
	r = s.mustRun(0, fixtureIndex("--no-eval-nixpkgs", "requirements.txt")...)
	if !strings.Contains(r.stderr, "versions unknown (embedded attribute names)") || !strings.Contains(r.stderr, "hint: with attribute names only") || strings.Contains(r.stderr, "nixpkgs' package versions are unknown") {
		t.Errorf("--no-eval-nixpkgs:\n%s", r.stderr)
	}
}

// TestFallbackWithoutNix: without Nix the default pin cannot be read; one
// warning says so and what to do, and the run succeeds.
func TestFallbackWithoutNix(t *testing.T) {
	s := newSession(t)
	s.withoutNix()
	s.write("requirements.txt", flaskRequests)
	r := s.mustRun(0, fixtureIndex("requirements.txt")...)
	want := "warning: nixpkgs' package versions are unknown: nix-instantiate is not on PATH; using the embedded attribute names, so every package nixpkgs has is overridden (install Nix (Debian: apt-get install nix-bin), or give the versions with --nixpkgs-index FILE)\n"
	if !strings.Contains(r.stderr, want) || strings.Count(r.stderr, "nixpkgs' package versions are unknown") != 1 || strings.Contains(r.stderr, "hint:") {
		t.Errorf("want the warning %q once, and no hint:\n%s", want, r.stderr)
	}
	if !strings.Contains(r.stdout, "pkgs.python313.override") {
		t.Errorf("no shell.nix on stdout")
	}
}

// TestNixTooOld: a pin that needs a newer Nix is not fetched or evaluated:
// the default pin (26.05, which needs Nix >= 2.18) with an older Nix, and a
// checkout whose lib/minver.nix asks for more than any Nix has. The failure
// is remembered, so the second run does not even ask Nix its version.
func TestNixTooOld(t *testing.T) {
	requireNix(t)
	s := newSession(t)
	s.write("requirements.txt", flaskRequests)
	stub := walkStub(t)
	os.MkdirAll(filepath.Join(stub, "lib"), 0o755)
	os.WriteFile(filepath.Join(stub, "lib", "minver.nix"), []byte("\"99.1\"\n"), 0o644)
	calls := s.countNixCalls()
	r := s.mustRun(0, fixtureIndex("--nixpkgs", stub, "requirements.txt")...)
	if !strings.Contains(r.stderr, "is too old to evaluate nixpkgs "+stub+" (it needs Nix >= 99.1); using the embedded attribute names, so every package nixpkgs has is overridden (upgrade Nix, or pin an older nixpkgs with --nixpkgs)\n") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	before := calls()
	r = s.mustRun(0, fixtureIndex("--nixpkgs", stub, "requirements.txt")...)
	if calls() != before || !strings.Contains(r.stderr, "(remembered from an attempt at ") {
		t.Errorf("the second run asked Nix again (%d calls):\n%s", calls()-before, r.stderr)
	}

	out, err := exec.Command("nix-instantiate", "--version").Output()
	var major, minor int
	if _, serr := fmt.Sscanf(strings.TrimPrefix(string(out), "nix-instantiate (Nix) "), "%d.%d", &major, &minor); err != nil || serr != nil || major > 2 || minor >= 18 {
		t.Skipf("this Nix (%s) may evaluate 26.05", out)
	}
	r = s.mustRun(0, "-i", fixtures.IndexURL(), "requirements.txt")
	if !strings.Contains(r.stderr, "is too old to evaluate nixpkgs nixos-26.05 7c8764b7c7b09b34f632464276218ef9090eaa11 (it needs Nix >= 2.18)") {
		t.Errorf("the default pin with an old Nix:\n%s", r.stderr)
	}
}

// TestFailedEvaluationRemembered: an evaluation that fails (here a broken
// checkout) is remembered, so the next run falls back without running Nix
// — the pre-commit hook on a machine without network stays fast — until
// --refresh.
func TestFailedEvaluationRemembered(t *testing.T) {
	s := newSession(t)
	s.write("requirements.txt", flaskRequests)
	stub := walkStub(t)
	os.WriteFile(filepath.Join(stub, "default.nix"), []byte("{ ... }: let slow = builtins.foldl' (a: b: a + b) 0 (builtins.genList (x: x) 400000); in throw \"unable to download 'https://github.com/x' (${toString slow})\"\n"), 0o644)
	calls := s.countNixCalls()
	start := time.Now()
	r := s.mustRun(0, fixtureIndex("--nixpkgs", stub, "requirements.txt")...)
	failing := time.Since(start)
	if !strings.Contains(r.stderr, "evaluating its python313 package set failed: unable to download") || !strings.Contains(r.stderr, "(no network? req2nix tries again in an hour, or now with --refresh)") {
		t.Errorf("first run:\n%s", r.stderr)
	}
	before := calls()
	start = time.Now()
	r = s.mustRun(0, fixtureIndex("--nixpkgs", stub, "requirements.txt")...)
	remembered := time.Since(start)
	if calls() != before || !strings.Contains(r.stderr, "(remembered from an attempt at ") {
		t.Errorf("the second run ran Nix %d times:\n%s", calls()-before, r.stderr)
	}
	t.Logf("failing run %v, remembered failure %v", failing, remembered)
	s.mustRun(0, "--refresh", "-i", fixtures.IndexURL(), "--nixpkgs", stub, "requirements.txt")
	if calls() == before {
		t.Error("--refresh did not try again")
	}
}

// TestFlakeLockPins: a flake.lock in the input's directory pins nixpkgs;
// with several nixpkgs nodes the summary says which was used, and
// --nixpkgs FILE#INPUT chooses another.
func TestFlakeLockPins(t *testing.T) {
	const rev1, rev2 = "7c8764b7c7b09b34f632464276218ef9090eaa11", "151fa4e8ddfdd8dd25d945ad94ed54a13de9f6e4"
	node := func(rev, ref string) string {
		return `{"locked": {"narHash": "sha256-Miqqk/ammqnTUxaoCyvtwoPeLbI1ksFyLxi/CazZpWY=", "owner": "NixOS", "repo": "nixpkgs", "rev": "` + rev + `", "type": "github"},
		  "original": {"owner": "NixOS", "ref": "` + ref + `", "repo": "nixpkgs", "type": "github"}}`
	}
	one := `{"nodes": {"nixpkgs": ` + node(rev2, "nixos-unstable") + `, "root": {"inputs": {"nixpkgs": "nixpkgs"}}}, "root": "root", "version": 7}`
	several := `{"nodes": {"nixpkgs": ` + node(rev2, "nixos-unstable") + `, "nixpkgs_2": ` + node(rev1, "nixos-26.05") + `,
	  "root": {"inputs": {"nixpkgs": "nixpkgs", "stable": "nixpkgs_2"}}}, "root": "root", "version": 7}`
	tests := []struct {
		name, lock string
		flags      []string
		wantRev    string
		wantStderr []string
	}{
		{"one nixpkgs", one, nil, rev2, []string{"nixpkgs nixos-unstable " + rev2[:12] + " (from app/flake.lock, node nixpkgs)"}},
		{"several nixpkgs", several, nil, rev2, []string{"warning: app/flake.lock: it has 2 nixpkgs nodes (nixpkgs, nixpkgs_2); using the root input nixpkgs, node nixpkgs\n"}},
		{"one chosen", several, []string{"--nixpkgs", "app/flake.lock#stable"}, rev1, []string{"nixpkgs nixos-26.05 " + rev1[:12] + " (from app/flake.lock, node nixpkgs_2)", "using input stable, node nixpkgs_2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSession(t)
			os.Mkdir(filepath.Join(s.dir, "app"), 0o755)
			s.write("app/requirements.txt", flaskRequests)
			s.write("app/flake.lock", tt.lock)
			r := s.mustRun(0, args(append(tt.flags, "app/requirements.txt")...)...)
			if !strings.Contains(r.stdout, "# req2nix-nixpkgs: name=") || !strings.Contains(r.stdout, "rev="+tt.wantRev+" sha256=sha256-Miqqk/ammqnTUxaoCyvtwoPeLbI1ksFyLxi/CazZpWY=\n") {
				t.Errorf("not pinned to %s:\n%s", tt.wantRev, r.stdout)
			}
			for _, want := range tt.wantStderr {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
				}
			}
		})
	}
	// A flake.lock without nixpkgs is passed over, with a word.
	s := newSession(t)
	s.write("requirements.txt", flaskRequests)
	s.write("flake.lock", `{"nodes": {"root": {"inputs": {}}}, "root": "root", "version": 7}`)
	r := s.mustRun(0, args("requirements.txt")...)
	if !strings.Contains(r.stderr, "(the embedded default)") || !strings.Contains(r.stderr, "warning: nixpkgs from flake.lock: no nixpkgs input in this flake.lock; not used\n") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
}

// channelServer serves a channel's git-revision and the GitHub tarball of
// a directory at that revision.
func channelServer(t *testing.T, dir, rev string) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	parent := t.TempDir()
	if err := os.CopyFS(filepath.Join(parent, "nixpkgs-"+rev), os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	tarball := filepath.Join(t.TempDir(), "nixpkgs.tar.gz")
	if out, err := exec.Command("tar", "-C", parent, "-czf", tarball, "nixpkgs-"+rev).CombinedOutput(); err != nil {
		t.Fatalf("tar: %v\n%s", err, out)
	}
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		switch r.URL.Path {
		case "/nixos-26.05/git-revision":
			w.Write([]byte(rev + "\n"))
		case "/NixOS/nixpkgs/archive/" + rev + ".tar.gz":
			http.ServeFile(w, r, tarball)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &requests
}

// nixHashSRI is Nix's own NAR hash of dir, as fetchTarball's SRI sha256.
func nixHashSRI(t *testing.T, dir string) string {
	t.Helper()
	out, err := exec.Command("nix-hash", "--type", "sha256", dir).Output()
	if err != nil {
		t.Fatalf("nix-hash: %v", err)
	}
	raw, err := hex.DecodeString(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatal(err)
	}
	return "sha256-" + base64.StdEncoding.EncodeToString(raw)
}

// TestChannelPin: --nixpkgs nixos-26.05 is resolved against a local server
// to a revision and the NAR hash of its tarball (as Nix computes it), which
// are written into the output with GitHub's URL; the downloaded tree is
// evaluated for its versions; a re-run without --nixpkgs keeps the pin,
// offline, from the cache.
func TestChannelPin(t *testing.T) {
	stub := walkStub(t)
	rev := strings.Repeat("5", 40)
	srv, requests := channelServer(t, stub, rev)
	s := newSession(t)
	s.env = append(s.env, "REQ2NIX_NIXPKGS_CHANNELS_URL="+srv.URL, "REQ2NIX_NIXPKGS_ARCHIVE_URL="+srv.URL)
	s.write("requirements.txt", flaskRequests)
	r := s.mustRun(0, "-i", fixtures.IndexURL(), "--nixpkgs", "nixos-26.05", "-o", "shell.nix", "requirements.txt")
	out := s.read("shell.nix")
	for _, want := range []string{
		"# req2nix-nixpkgs: name=nixos-26.05 rev=" + rev + " sha256=" + nixHashSRI(t, stub) + "\n",
		`url = "https://github.com/NixOS/nixpkgs/archive/` + rev + `.tar.gz";`,
		"# Regenerate: req2nix --index-url " + fixtures.IndexURL() + " -o shell.nix requirements.txt\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("shell.nix lacks %q:\n%s", want, out)
		}
	}
	for _, want := range []string{
		"req2nix: downloading nixpkgs nixos-26.05 (555555555555) to compute its hash, once per revision\n",
		"req2nix: reading nixpkgs' python313 package set (nixos-26.05 " + rev + "), once per pin\n",
		"  nixpkgs nixos-26.05 555555555555 (channel nixos-26.05 as of ",
		"   12 from the binary cache (nixpkgs as is)\n",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if requests.Load() != 2 {
		t.Errorf("%d requests, want the revision and the tarball", requests.Load())
	}
	srv.Close()
	r = s.mustRun(0, "--offline", "-i", fixtures.IndexURL(), "-o", "shell.nix", "requirements.txt")
	if s.read("shell.nix") != out || !strings.Contains(r.stderr, "(kept from shell.nix); versions read from it") || strings.Contains(r.stderr, "warning:") {
		t.Errorf("the offline re-run moved or lost the pin:\n%s", r.stderr)
	}
}

// TestPreviousPinWins: the nixpkgs of the previous output wins over a
// flake.lock and the default, also for outputs written before the
// req2nix-nixpkgs line existed; --nixpkgs default moves back.
func TestPreviousPinWins(t *testing.T) {
	const rev = "151fa4e8ddfdd8dd25d945ad94ed54a13de9f6e4"
	const sha = "sha256-Miqqk/ammqnTUxaoCyvtwoPeLbI1ksFyLxi/CazZpWY="
	s := newSession(t)
	s.write("requirements.txt", flaskRequests)
	s.mustRun(0, args("--nixpkgs", rev, "--nixpkgs-sha256", sha, "-o", "shell.nix", "requirements.txt")...)
	s.write("flake.lock", `{"nodes": {"nixpkgs": {"locked": {"narHash": "`+sha+`", "owner": "NixOS", "repo": "nixpkgs", "rev": "`+strings.Repeat("6", 40)+`", "type": "github"}},
	  "root": {"inputs": {"nixpkgs": "nixpkgs"}}}, "root": "root", "version": 7}`)
	r := s.mustRun(0, args("-o", "shell.nix", "requirements.txt")...)
	if out := s.read("shell.nix"); !strings.Contains(out, "# req2nix-nixpkgs: rev="+rev+" sha256="+sha+"\n") || !strings.Contains(r.stderr, "nixpkgs "+rev[:12]+" (kept from shell.nix)") {
		t.Errorf("the previous pin was not kept:\n%s\n%s", r.stderr, out)
	}
	s.mustRun(0, args("--nixpkgs", "default", "-o", "shell.nix", "requirements.txt")...)
	if out := s.read("shell.nix"); !strings.Contains(out, "rev="+nixgen.DefaultPin().Rev) {
		t.Errorf("--nixpkgs default did not move back:\n%s", out)
	}

	// A shell.nix of an earlier req2nix, on the old default (25.05).
	old := nixgen.Pin{Rev: "b1b3291469652d5a2edb0becc4ef0246fff97a7c", SHA256: "sha256-wY1+2JPH0ZZC4BQefoZw/k+3+DowFyfOxv17CN/idKs="}
	s.write("shell.nix", "# Generated by req2nix. Do not edit: regenerate instead.\n# nixpkgs: nixos-25.05 "+old.Rev+"\n#\n# req2nix-lock: flask==3.0.3\n{\n  nixpkgs ? fetchTarball {\n    url = \"https://github.com/NixOS/nixpkgs/archive/"+old.Rev+".tar.gz\";\n    sha256 = \""+old.SHA256+"\";\n  },\n}:\n{ }\n")
	r = s.mustRun(0, args("-o", "shell.nix", "requirements.txt")...)
	if out := s.read("shell.nix"); !strings.Contains(out, "# req2nix-nixpkgs: name=nixos-25.05 rev="+old.Rev+" sha256="+old.SHA256+"\n") || !strings.Contains(out, "pkgs.python312.override") {
		t.Errorf("the old shell.nix's 25.05 pin (and its python3) was not kept:\n%s", out)
	}
	if !strings.Contains(r.stderr, "warning: nixpkgs nixos-25.05 is end of life since 2025-12-31 (no more security fixes): move on with --nixpkgs nixos-26.05\n") {
		t.Errorf("no end-of-life warning:\n%s", r.stderr)
	}
}
