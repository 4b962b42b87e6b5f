package main

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/req2nix/req2nix/fixtures"
)

// wheelBytes is a minimal wheel of name 1.0 depending on click.
func wheelBytes(t *testing.T, name string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create(name + "-1.0.dist-info/METADATA")
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("Metadata-Version: 2.1\nName: " + name + "\nVersion: 1.0\nRequires-Dist: click>=7\n\n"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// archiveServer serves wheels by file name over loopback HTTP, counting
// requests.
func archiveServer(t *testing.T, files map[string][]byte) (*httptest.Server, *atomic.Int64) {
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		body, ok := files[filepath.Base(r.URL.Path)]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv, &requests
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// onlineArgs use the fixture index (a file:// mirror: no network) without
// --offline, so that direct-reference archives can be downloaded.
func onlineArgs(extra ...string) []string {
	return append([]string{"-i", fixtures.IndexURL(), "--nixpkgs-index", filepath.Join(fixtures.Dir(), "nixpkgs-index.json")}, extra...)
}

// TestDirectReferences runs a project with a local directory (-e), a
// hashed wheel URL and an unhashed one: the output pins each (the
// directory as a path relative to the output file), their dependencies are
// resolved from their metadata, and an unhashed URL cannot be pinned
// offline.
func TestDirectReferences(t *testing.T) {
	hashed, unhashed := wheelBytes(t, "hashedwheel"), wheelBytes(t, "freshwheel")
	srv, requests := archiveServer(t, map[string][]byte{
		"hashedwheel-1.0-py3-none-any.whl": hashed,
		"freshwheel-1.0-py3-none-any.whl":  unhashed,
	})
	s := newSession(t)
	if err := os.MkdirAll(filepath.Join(s.dir, "localpkg"), 0o755); err != nil {
		t.Fatal(err)
	}
	s.write("localpkg/pyproject.toml", "[build-system]\nrequires = [\"flit_core\"]\n\n[project]\nname = \"localpkg\"\nversion = \"0.1\"\ndependencies = [\"click>=8\"]\n")
	s.write("requirements.txt", "-e ./localpkg\n"+
		"hashedwheel @ "+srv.URL+"/hashedwheel-1.0-py3-none-any.whl#sha256="+sha256Hex(hashed)+"\n"+
		"freshwheel @ "+srv.URL+"/freshwheel-1.0-py3-none-any.whl\n")
	if err := os.MkdirAll(filepath.Join(s.dir, "nix"), 0o755); err != nil {
		t.Fatal(err)
	}

	r := s.mustRun(0, onlineArgs("-o", "nix/shell.nix", "requirements.txt")...)
	out := s.read("nix/shell.nix")
	for _, want := range []string{
		"src = ../localpkg;",
		`url = "` + srv.URL + `/hashedwheel-1.0-py3-none-any.whl";`,
		`hash = "sha256-` + sriBody(hashed) + `";`,
		`url = "` + srv.URL + `/freshwheel-1.0-py3-none-any.whl";`,
		`hash = "sha256-` + sriBody(unhashed) + `";`,
		"# req2nix-lock: click==8.1.7",
		"# req2nix-lock: localpkg==0.1",
		"dependencies = [ pyfinal.click ];",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("shell.nix lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(r.stderr, "not an editable install") {
		t.Errorf("no warning that -e is not editable in Nix:\n%s", r.stderr)
	}
	if n := requests.Load(); n != 2 {
		t.Errorf("%d requests; want each archive downloaded once", n)
	}

	stdout := s.mustRun(0, onlineArgs("requirements.txt")...)
	if !strings.Contains(stdout.stdout, "src = ./localpkg;") {
		t.Errorf("on stdout, paths are relative to the current directory:\n%s", stdout.stdout)
	}

	offline := s.mustRun(1, onlineArgs("--offline", "requirements.txt")...)
	if !strings.Contains(offline.stderr, "freshwheel") || !strings.Contains(offline.stderr, "#sha256=") {
		t.Errorf("offline, an unhashed URL should fail suggesting #sha256=:\n%s", offline.stderr)
	}
}

// sriBody is the base64 part of an SRI sha256 of b.
func sriBody(b []byte) string {
	h := sha256.Sum256(b)
	return base64.StdEncoding.EncodeToString(h[:])
}

// TestDirectGitRef: a Mercurial URL is refused before anything is fetched
// (the git reference beside it is not even resolved).
func TestDirectGitRef(t *testing.T) {
	s := newSession(t)
	s.write("requirements.txt", "click\nmylib @ git+file:///nonexistent/mylib@v1.0\nold @ hg+https://hg.example.com/old\n")
	r := s.run(args("-o", "shell.nix", "requirements.txt")...)
	if r.code != exitUsage {
		t.Fatalf("exit %d, want %d (an input error)\n%s", r.code, exitUsage, r.stderr)
	}
	if want := "requirements.txt:3: old @ hg+https://hg.example.com/old: Mercurial repositories are not supported"; !strings.Contains(r.stderr, want) || strings.Contains(r.stderr, "mylib") {
		t.Errorf("stderr should say %q and nothing of mylib:\n%s", want, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(s.dir, "shell.nix")); err == nil {
		t.Error("shell.nix was written despite the error")
	}
}
