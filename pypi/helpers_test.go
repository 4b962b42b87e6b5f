package pypi

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/req2nix/req2nix/pypi/pypitest"
)

// testClient is a Client on server s with a private cache and fast
// retries, closed when the test ends.
func testClient(t testing.TB, s *pypitest.Server, opts Options) *Client {
	t.Helper()
	if opts.IndexURL == "" {
		opts.IndexURL = s.URL + "/simple/"
	}
	if opts.CacheDir == "" {
		opts.CacheDir = t.TempDir()
	}
	if opts.Netrc == "" {
		opts.Netrc = filepath.Join(t.TempDir(), "no-netrc")
	}
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() }) // before the TempDirs above are removed
	fastRetries(c)
	return c
}

// fastRetries shrinks backoff so retry tests take milliseconds.
func fastRetries(c *Client) {
	c.http.RetryWaitMin, c.http.RetryWaitMax = time.Millisecond, 10*time.Millisecond
}

// sampleReleases is a small index: a project with a dependency chain, a
// legacy version, a pre-release, metadata only in PEP 658 files, and a
// release without any file.
func sampleReleases() []pypitest.Release {
	return []pypitest.Release{
		{Name: "Flask", Version: "1.0", RequiresDist: []string{"Werkzeug>=0.14", "click>=5.1"}, RequiresPython: ">=2.7"},
		{Name: "Flask", Version: "2.0.0rc1", RequiresDist: []string{"Werkzeug>=2.0.0rc1"}},
		{Name: "Flask", Version: "1.1.2", RequiresDist: []string{"Werkzeug>=0.15", "click>=5.1", `python-dotenv; extra == "dotenv"`}, ProvidesExtra: []string{"dotenv"}},
		{Name: "Flask", Version: "0.12", RequiresDist: []string{}, Yanked: true, YankedReason: "broken"},
		{Name: "Werkzeug", Version: "2004d", RequiresDist: []string{}},
		{Name: "Werkzeug", Version: "1.0.1", CoreMetadataOnly: true, RequiresDist: []string{`watchdog; extra == "watchdog"`}, ProvidesExtra: []string{"watchdog"}},
		{Name: "Werkzeug", Version: "0.9", Wheels: []string{}, NoSdist: true},
		{Name: "click", Version: "7.1.2", Wheels: []string{}, BuildRequires: []string{"setuptools>=40.8", "wheel"}},
	}
}

// mustProject fetches a project or fails the test.
func mustProject(t testing.TB, c *Client, name string) *Project {
	t.Helper()
	p, err := c.Project(context.Background(), name)
	if err != nil {
		t.Fatalf("Project(%q): %v", name, err)
	}
	return p
}

// release finds a release by key.
func release(t testing.TB, p *Project, key string) Release {
	t.Helper()
	for _, r := range p.Releases {
		if r.Key == key {
			return r
		}
	}
	t.Fatalf("%s has no release %s", p.Name, key)
	return Release{}
}

// keys lists release keys in order.
func keys(p *Project) []string {
	var out []string
	for _, r := range p.Releases {
		out = append(out, r.Key)
	}
	return out
}

// tempFiles lists leftover temporary files under dir.
func tempFiles(t testing.TB, dir string) []string {
	t.Helper()
	var found []string
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), ".tmp-") {
			found = append(found, path)
		}
		return nil
	})
	return found
}

// cacheFiles lists the cache entries under dir.
func cacheFiles(t testing.TB, dir string) []string {
	t.Helper()
	var found []string
	filepath.WalkDir(filepath.Join(dir, cacheTree), func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			found = append(found, path)
		}
		return nil
	})
	return found
}

// errorContains fails unless err is non-nil and its message holds each part.
func errorContains(t testing.TB, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one containing %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not contain %q", err, p)
		}
	}
}

// isNotFound reports a *NotFoundError.
func isNotFound(err error) bool {
	var nf *NotFoundError
	return errors.As(err, &nf)
}

// discard is a silent logger.
func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }
