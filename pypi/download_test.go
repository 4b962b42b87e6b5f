package pypi

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/req2nix/req2nix/pypi/pypitest"
)

func TestDownload(t *testing.T) {
	s := pypitest.NewServer(t, sampleReleases()...)
	c := testClient(t, s, Options{})
	ctx := context.Background()
	name := s.Filenames("flask", "1.0")[0]
	url, sum := s.FileURL(name), s.FileSHA256(name)
	p, err := c.Download(ctx, url, strings.ToUpper(sum))
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(c.cache.dir, "artifacts", sum, name); p != want {
		t.Errorf("path = %s, want %s", p, want)
	}
	if err := verifyFile(p, sum, p); err != nil {
		t.Error(err)
	}
	// Cached: no second request.
	if _, err := c.Download(ctx, url, sum); err != nil || s.Count("/files/"+name) != 1 {
		t.Errorf("second download: %v, %d requests", err, s.Count("/files/"+name))
	}
	// A damaged cached copy is replaced.
	os.WriteFile(p, []byte("damaged"), 0o644)
	if _, err := c.Download(ctx, url, sum); err != nil || s.Count("/files/"+name) != 2 {
		t.Errorf("after damage: %v, %d requests", err, s.Count("/files/"+name))
	}
	if err := verifyFile(p, sum, p); err != nil {
		t.Error(err)
	}
	// No expected hash: stored under the hash it has.
	other := s.Filenames("flask", "1.0")[1]
	if p, err := c.Download(ctx, s.FileURL(other), ""); err != nil || filepath.Base(filepath.Dir(p)) != s.FileSHA256(other) {
		t.Errorf("unhashed download: %s, %v", p, err)
	}
	// Offline: cached artifacts only.
	off := testClient(t, s, Options{CacheDir: c.cache.dir, Offline: true})
	if _, err := off.Download(ctx, url, sum); err != nil {
		t.Errorf("offline, cached: %v", err)
	}
	_, err = off.Download(ctx, s.FileURL(s.Filenames("click", "7.1.2")[0]), s.FileSHA256(s.Filenames("click", "7.1.2")[0]))
	errorContains(t, err, "offline: no cached copy of "+s.URL+"/files/click-7.1.2.tar.gz")
	if tmp := tempFiles(t, c.cache.dir); len(tmp) > 0 {
		t.Errorf("leftover temporary files %v", tmp)
	}
}

func TestDownloadErrors(t *testing.T) {
	s := pypitest.NewServer(t, sampleReleases()...)
	name := s.Filenames("flask", "1.0")[0]
	url, sum := s.FileURL(name), s.FileSHA256(name)
	wrong := strings.Repeat("0", 64)
	tests := []struct {
		name   string
		url    string
		sha    string
		faults []pypitest.Fault
		err    []string
	}{
		{"hash mismatch", url, wrong, nil, []string{"download " + url, "sha256 mismatch", "want " + wrong, "got " + sum}},
		{"bad expected hash", url, "abc", nil, []string{"download " + url, `invalid sha256 "abc"`}},
		{"missing file", s.URL + "/files/nope.tar.gz", "", nil, []string{"GET " + s.URL + "/files/nope.tar.gz", "not found"}},
		{"fragment hash mismatch", url + "#sha256=" + wrong, "", nil, []string{"sha256 mismatch", "want " + wrong}},
		{"fragment hash", url + "#sha256=" + sum, "", nil, nil},
		{"VCS URL", "git+https://example.org/x.git", "", nil, []string{"download git+https://example.org/x.git: only http, https and file URLs"}},
		{"truncated, then fine", url, sum, []pypitest.Fault{{Truncate: true}}, nil},
		{"reset, then fine", url, sum, []pypitest.Fault{{Reset: true}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testClient(t, s, Options{})
			s.Inject("/files/"+name, tt.faults...)
			_, err := c.Download(context.Background(), tt.url, tt.sha)
			if tt.err == nil && err != nil {
				t.Fatal(err)
			}
			if tt.err != nil {
				errorContains(t, err, tt.err...)
			}
			if tmp := tempFiles(t, c.cache.dir); len(tmp) > 0 {
				t.Errorf("leftover temporary files %v", tmp)
			}
		})
	}
}

// TestDownloadCancel: cancelling mid-transfer returns promptly and leaves
// no temporary file.
func TestDownloadCancel(t *testing.T) {
	s := pypitest.NewServer(t, sampleReleases()...)
	name := s.Filenames("flask", "1.0")[0]
	s.Inject("/files/"+name, pypitest.Fault{Delay: 10 * time.Second})
	c := testClient(t, s, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.Download(ctx, s.FileURL(name), s.FileSHA256(name))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("cancellation took %v", d)
	}
	// The detached transfer winds down right after the last caller leaves.
	deadline := time.Now().Add(2 * time.Second)
	for len(tempFiles(t, c.cache.dir)) > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if tmp := tempFiles(t, c.cache.dir); len(tmp) > 0 {
		t.Errorf("leftover temporary files %v", tmp)
	}
	if _, err := os.Stat(filepath.Join(c.cache.dir, "artifacts", s.FileSHA256(name), name)); err == nil {
		t.Error("a cancelled download was stored")
	}
}

func TestArtifactMetadata(t *testing.T) {
	s := pypitest.NewServer(t, sampleReleases()...)
	c := testClient(t, s, Options{})
	want := Metadata{Name: "Flask", Version: "1.1.2", RequiresDist: []string{"Werkzeug>=0.15", "click>=5.1", `python-dotenv; extra == "dotenv"`}, ProvidesExtra: []string{"dotenv"}}
	for _, name := range s.Filenames("flask", "1.1.2") {
		m, err := c.ArtifactMetadata(context.Background(), s.FileURL(name)+"#sha256="+s.FileSHA256(name), s.FileSHA256(name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		w := want
		w.Source = SourcePKGInfo
		if strings.HasSuffix(name, ".whl") {
			w.Source = SourceWheel
		}
		if !reflect.DeepEqual(*m, w) {
			t.Errorf("%s: got %+v, want %+v", name, *m, w)
		}
	}
}

func TestBuildRequires(t *testing.T) {
	s := pypitest.NewServer(t, sampleReleases()...)
	c := testClient(t, s, Options{})
	tests := []struct {
		project, version string
		file             int
		want             []string
	}{
		{"click", "7.1.2", 0, []string{"setuptools>=40.8", "wheel"}}, // sdist with pyproject.toml
		{"flask", "1.0", 0, nil},                                     // sdist without pyproject.toml
		{"flask", "1.0", 1, nil},                                     // a wheel needs no build
	}
	for _, tt := range tests {
		name := s.Filenames(tt.project, tt.version)[tt.file]
		got, err := c.BuildRequires(context.Background(), File{Filename: name, URL: s.FileURL(name), SHA256: s.FileSHA256(name)})
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("BuildRequires(%s) = %q, %v; want %q", name, got, err, tt.want)
		}
	}
}

func TestSweepStaleTemps(t *testing.T) {
	s := pypitest.NewServer(t, sampleReleases()...)
	c := testClient(t, s, Options{})
	root := filepath.Join(c.cache.dir, "artifacts")
	os.MkdirAll(root, 0o755)
	stale, fresh := filepath.Join(root, ".tmp-stale"), filepath.Join(root, ".tmp-fresh")
	os.WriteFile(stale, []byte("partial"), 0o644)
	os.WriteFile(fresh, []byte("in progress elsewhere"), 0o644)
	old := time.Now().Add(-2 * staleTempAge)
	os.Chtimes(stale, old, old)
	name := s.Filenames("flask", "1.0")[0]
	if _, err := c.Download(context.Background(), s.FileURL(name), s.FileSHA256(name)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); err == nil {
		t.Error("abandoned temporary file not removed")
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("a fresh temporary file (another process's download) was removed: %v", err)
	}
}

// TestDownloadOwnCredentials: a direct URL's own userinfo is used and never
// printed.
func TestDownloadOwnCredentials(t *testing.T) {
	s := pypitest.NewServer(t, sampleReleases()...)
	s.RequireAuth("dora", "d-secret")
	c := testClient(t, s, Options{})
	name := s.Filenames("flask", "1.0")[0]
	withCreds := func(pass string) string {
		return strings.Replace(s.FileURL(name), "http://", "http://dora:"+pass+"@", 1)
	}
	if _, err := c.Download(context.Background(), withCreds("d-secret"), s.FileSHA256(name)); err != nil {
		t.Fatal(err)
	}
	_, err := c.Download(context.Background(), withCreds("wrong-secret")+"x", "")
	errorContains(t, err, "HTTP 401", "dora:****@")
	if strings.Contains(err.Error(), "wrong-secret") {
		t.Errorf("password printed: %v", err)
	}
}
