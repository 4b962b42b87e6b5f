package nixgen

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestLookupCPython(t *testing.T) {
	for _, tc := range []struct {
		version, hash string
		ok            bool
	}{
		// The hash a published Nix recipe for 3.11.11 uses (releases.json's note).
		{"3.11.11", "sha256-Kpkgx6DNI23jNkTtmAoTy7whBYv9xSj+u2CBV17XO+M=", true},
		// nixpkgs' own hashes (src-2026 interpreters/python/default.nix).
		{"3.12.13", "sha256-wIvGWoGXHB3VeDGCgmUDNpRmx+ZzdNFkZRmt8FIHtoQ=", true},
		{"3.13.14", "sha256-Y55DJDxiCjCPloIT354A8vj2IzL3rbqnp+65eDBXxpA=", true},
		{"3.15.0b4", "sha256-k++5yI17ZjM2jn97j4226YmI9/dhwJt3hJRHJihBzjo=", true},
		{"3.11.99", "", false},
		{"3.11", "", false},
		{"2.7.18", "", false}, // Python 2 is not in the table
	} {
		r, ok := LookupCPython(tc.version)
		if ok != tc.ok || r.Hash != tc.hash {
			t.Errorf("LookupCPython(%s) = %+v, %v; want hash %q, %v", tc.version, r, ok, tc.hash, tc.ok)
		}
	}
}

// TestCPythonTableConsistent checks every embedded release: the URL is the
// one nixpkgs' cpython expression computes from the version, and the SRI
// hash is the hex digest's.
func TestCPythonTableConsistent(t *testing.T) {
	table := cpythonReleases()
	if len(table.Releases) < 150 || !strings.Contains(table.Source, "pyenv") {
		t.Fatalf("%d releases, source %q", len(table.Releases), table.Source)
	}
	for _, r := range table.Releases {
		req, err := ParsePythonRequest(r.Version)
		if err != nil || !req.Exact() || req.Version() != r.Version {
			t.Errorf("%s: parses as %+v, %v", r.Version, req, err)
			continue
		}
		base := strings.TrimSuffix(r.Version, req.Suffix)
		if want := "https://www.python.org/ftp/python/" + base + "/Python-" + r.Version + ".tar.xz"; r.URL != want {
			t.Errorf("%s: URL %s, want %s", r.Version, r.URL, want)
		}
		digest, err := hex.DecodeString(r.SHA256)
		if err != nil || "sha256-"+base64.StdEncoding.EncodeToString(digest) != r.Hash {
			t.Errorf("%s: sha256 %s and hash %s disagree", r.Version, r.SHA256, r.Hash)
		}
	}
}

// TestCPythonTableUpToDate regenerates the table from ../shared (skipped
// when absent) and compares.
func TestCPythonTableUpToDate(t *testing.T) {
	in := filepath.Join("..", "..", "shared", "cpython", "releases.json")
	if _, err := os.Stat(in); err != nil {
		t.Skip("../shared/cpython not available")
	}
	checkGenerated(t, "./internal/gencpython", []string{"-i", in}, "cpython_releases.json", cpythonReleasesJSON)
}

// checkGenerated runs a generator (go run pkg args -o FILE) into a
// temporary file and compares its output with the embedded copy of name.
func checkGenerated(t *testing.T, pkg string, args []string, name string, embedded []byte) {
	t.Helper()
	out := filepath.Join(t.TempDir(), name)
	cmd := exec.Command("go", append(append([]string{"run", pkg}, args...), "-o", out)...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", pkg, err, msg)
	}
	if got, _ := os.ReadFile(out); string(got) != string(embedded) {
		t.Errorf("%s is stale: run go generate ./nixgen", name)
	}
}

// TestCPythonTableMatchesNixpkgs evaluates the interpreters of the nixpkgs
// snapshot with nixreal and checks that the table gives the very hash
// nixpkgs uses for each of their versions (skipped when ../shared is
// absent).
func TestCPythonTableMatchesNixpkgs(t *testing.T) {
	real := nixrealDir(t)
	out, err := nix(t, "--eval", "--strict", "--json", "-E", `let pkgs = import (`+pathExpr(real)+`) { }; in
	  map (a: { inherit (pkgs.${a}) version; hash = pkgs.${a}.src.outputHash; }) [ "python311" "python312" "python313" "python314" ]`)
	if err != nil {
		t.Fatal(err)
	}
	var interpreters []struct{ Version, Hash string }
	if err := json.Unmarshal(out, &interpreters); err != nil {
		t.Fatal(err)
	}
	for _, it := range interpreters {
		r, ok := LookupCPython(it.Version)
		if !ok || r.Hash != it.Hash {
			t.Errorf("nixpkgs builds %s with %s; the table has %+v (%v)", it.Version, it.Hash, r, ok)
		}
	}
}

func TestRequestRelease(t *testing.T) {
	for _, tc := range []struct {
		request, version, wantErr string
	}{
		{"3.11.11", "3.11.11", ""},
		{"3.13.1t", "3.13.1", ""},
		{"3.15.0b4", "3.15.0b4", ""},
		{"3.11.99", "", "CPython 3.11.99 is not in req2nix's table of CPython releases (its 3.11 releases run from 3.11.0 to 3.11.15): check the version, or give --python-hash with the SRI sha256 of Python-3.11.99.tar.xz"},
		{"3.99.0", "", "(it has no release of that minor version)"},
		{"3.11", "", "Python 3.11 is a minor version, not a release"},
	} {
		req, err := ParsePythonRequest(tc.request)
		if err != nil {
			t.Fatal(err)
		}
		r, err := req.Release()
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: Release() error %v, want %q", tc.request, err, tc.wantErr)
			}
			continue
		}
		if err != nil || r.Version != tc.version {
			t.Errorf("%s: Release() = %+v, %v", tc.request, r, err)
		}
	}
	req, _ := ParsePythonRequest("3.12.99")
	_, err := req.Release()
	var unknown *UnknownReleaseError
	if !errors.As(err, &unknown) || unknown.Version != "3.12.99" || unknown.Known[0] != "3.12.0" {
		t.Errorf("Release(3.12.99) error %#v, want an *UnknownReleaseError listing 3.12.0 first", err)
	}
}

// nixrealDir returns ../shared/nixreal, skipping the test when it or
// nix-instantiate is absent.
func nixrealDir(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "shared", "nixreal"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "check.nix")); err != nil {
		t.Skipf("%s absent", dir)
	}
	requireNix(t)
	return dir
}
