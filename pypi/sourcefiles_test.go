package pypi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/req2nix/req2nix/pypi/pypitest"
)

// TestReadTreeFiles: the files of a repository snapshot's project
// directory, as GitHub's archives lay them out (one top directory), in a
// subdirectory, or at the root of a flat archive.
func TestReadTreeFiles(t *testing.T) {
	names := []string{"PKG-INFO", "pyproject.toml", "setup.cfg", "setup.py"}
	tests := []struct {
		name, archive string
		members       map[string][]byte
		subdir        string
		want          map[string]string
		err           string
	}{
		{"GitHub zip", "master.zip", map[string][]byte{"repo-master/setup.py": []byte("py"), "repo-master/setup.cfg": []byte("cfg"), "repo-master/pkg/setup.py": []byte("no")}, "",
			map[string]string{"setup.py": "py", "setup.cfg": "cfg"}, ""},
		{"GitHub tar.gz, a subdirectory", "v1.2.tar.gz", map[string][]byte{"repo-1.2/py/pyproject.toml": []byte("toml"), "repo-1.2/pyproject.toml": []byte("top")}, "py",
			map[string]string{"pyproject.toml": "toml"}, ""},
		{"two top directories: the first in order", "two.zip", map[string][]byte{"b/setup.py": []byte("b"), "a/setup.py": []byte("a")}, "",
			map[string]string{"setup.py": "a"}, ""},
		{"flat archive", "flat.tar", map[string][]byte{"setup.py": []byte("flat")}, "",
			map[string]string{"setup.py": "flat"}, ""},
		{"not a project", "docs.zip", map[string][]byte{"docs/index.html": []byte("x")}, "",
			nil, "docs.zip has no PKG-INFO, pyproject.toml, setup.cfg, setup.py: not a Python project's source"},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		data, err := pypitest.Archive(tt.archive, tt.members)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, tt.archive)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := readTreeFiles(p, tt.archive, tt.subdir, names)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: %v, want %q", tt.name, err, tt.err)
			}
			continue
		}
		gotText := map[string]string{}
		for k, v := range got {
			gotText[k] = string(v)
		}
		if err != nil || !reflect.DeepEqual(gotText, tt.want) {
			t.Errorf("%s: %v, %v; want %v", tt.name, gotText, err, tt.want)
		}
	}
}

// TestArtifactFiles: a local archive is read in place, with its sha256.
func TestArtifactFiles(t *testing.T) {
	data, err := pypitest.Archive("main.tar.gz", map[string][]byte{"proj-main/setup.cfg": []byte("[metadata]\nname = p\n")})
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "main.tar.gz")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := New(Options{IndexURL: "file://" + t.TempDir(), CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sum := sha256.Sum256(data)
	u := (&url.URL{Scheme: "file", Path: p}).String()
	got, err := c.ArtifactFiles(context.Background(), u, "", "", []string{"setup.cfg", "setup.py"})
	if err != nil || got.SHA256 != hex.EncodeToString(sum[:]) || string(got.Files["setup.cfg"]) != "[metadata]\nname = p\n" || len(got.Files) != 1 {
		t.Errorf("got %+v, %v", got, err)
	}
	if _, err := c.ArtifactFiles(context.Background(), u, strings.Repeat("0", 64), "", []string{"setup.cfg"}); err == nil || !strings.Contains(err.Error(), "sha256 mismatch") {
		t.Errorf("a wrong digest: %v", err)
	}
}

func TestParsePKGInfo(t *testing.T) {
	if m, err := ParsePKGInfo([]byte("Metadata-Version: 2.1\nName: p\nVersion: 1\nRequires-Dist: a\n")); err != nil || m.Name != "p" || !reflect.DeepEqual(m.RequiresDist, []string{"a"}) {
		t.Errorf("got %+v, %v", m, err)
	}
	if _, err := ParsePKGInfo([]byte("Metadata-Version: 2.2\nName: p\nVersion: 1\nDynamic: Requires-Dist\n")); err == nil {
		t.Error("a dynamic Requires-Dist is accepted")
	}
}
