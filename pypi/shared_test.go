package pypi

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/req2nix/req2nix/fixtures"
)

// sharedDir is ../shared beside the module root (others' reference data);
// tests using it skip when it is absent.
func sharedDir(t *testing.T, sub string) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "shared", sub))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("%s absent", dir)
	}
	return dir
}

// TestRealProjectDocuments parses nine real PyPI project documents.
func TestRealProjectDocuments(t *testing.T) {
	dir := sharedDir(t, "pypi-json-samples/pypi")
	// Expected values: MANIFEST.md's counts, cross-checked (first and last
	// release in order) with pip's vendored packaging.version.
	tests := []struct {
		name         string
		releases     int // MANIFEST.md: releases - empty - non-PEP 440 keys
		yankedFiles  int
		first, last  string
		filesWithPyR int // files with requires_python
	}{
		{"black", 46, 2, "18.3a0", "23.7.0", 279},
		{"celery", 150, 0, "0.1.2", "4.4.0", 34},
		{"luigi", 82, 0, "1.0", "3.6.0", 0},
		{"numpy", 104, 0, "1.0", "1.25.1", 1861},
		{"pendulum", 47, 0, "0.1", "2.0.3", 89},
		{"pytest", 162, 0, "2.0.0", "7.4.0", 198},
		{"pytz", 67, 0, "2004a", "2023.3", 0},
		{"snowballstemmer", 10, 0, "0.1.0", "2.2.0", 0},
		{"xo-gd", 22, 0, "3.1.4.1", "3.2.8", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join(dir, tt.name, "json"))
			if err != nil {
				t.Fatal(err)
			}
			p, err := parseProject(body, tt.name, "https://pypi.org", discard())
			if err != nil {
				t.Fatal(err)
			}
			yanked, withPyR := 0, 0
			for i, r := range p.Releases {
				if i > 0 && p.Releases[i-1].Version.Compare(r.Version) >= 0 {
					t.Errorf("releases out of order: %s before %s", p.Releases[i-1].Key, r.Key)
				}
				for _, f := range r.Files {
					if f.Yanked {
						yanked++
					}
					if f.RequiresPython != "" {
						withPyR++
					}
					if len(f.SHA256) != 64 || f.URL == "" || f.Filename == "" {
						t.Errorf("%s: incomplete file %+v", r.Key, f)
					}
				}
			}
			got := []any{len(p.Releases), yanked, p.Releases[0].Key, p.Releases[len(p.Releases)-1].Key, withPyR}
			want := []any{tt.releases, tt.yankedFiles, tt.first, tt.last, tt.filesWithPyR}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("(releases, yanked files, first, last, files with requires_python) = %v, want %v", got, want)
					break
				}
			}
		})
	}
}

// TestSharedMirror reads the real-data mirror through file://: every project
// and every version document parses.
func TestSharedMirror(t *testing.T) {
	dir := sharedDir(t, "pypi-mirror")
	readWholeMirror(t, (&url.URL{Scheme: "file", Path: filepath.ToSlash(dir)}).String(), 65, 1844)
}

// TestFixtureMirror reads the project's own fixture mirror.
func TestFixtureMirror(t *testing.T) {
	if _, err := os.Stat(filepath.Join(fixtures.IndexDir(), "pypi")); err != nil {
		t.Skip("fixture mirror not generated")
	}
	readWholeMirror(t, fixtures.IndexURL(), -1, -1)
}

// readWholeMirror gets every project of a file:// mirror and the metadata
// of every release; wantProjects/wantVersions < 0 skip the count checks.
func readWholeMirror(t *testing.T, mirror string, wantProjects, wantVersions int) {
	t.Helper()
	c, err := New(Options{IndexURL: mirror, CacheDir: t.TempDir(), Netrc: os.DevNull})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(mirror)
	names := listDir(filepath.Join(localPath(u), "pypi"))
	versions := 0
	for _, name := range names {
		p, err := c.Project(context.Background(), name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		for _, r := range p.Releases {
			m, err := c.Metadata(context.Background(), name, r)
			if err != nil {
				t.Errorf("%s %s: %v", name, r.Key, err)
				continue
			}
			if m.Name != p.Name || m.Version != r.Version.String() {
				t.Errorf("%s %s: metadata says %s %s", name, r.Key, m.Name, m.Version)
			}
			versions++
		}
	}
	if wantProjects >= 0 && (len(names) != wantProjects || versions != wantVersions) {
		t.Errorf("%d projects, %d versions; want %d, %d", len(names), versions, wantProjects, wantVersions)
	}
	if st := c.Stats(); st.Requests != 0 {
		t.Errorf("%d HTTP requests reading a file:// mirror", st.Requests)
	}
}
