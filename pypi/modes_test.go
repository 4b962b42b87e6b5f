package pypi

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/req2nix/req2nix/pypi/pypitest"
)

// allModes are the index shapes of pypitest.
var allModes = []pypitest.Mode{pypitest.ModeJSON, pypitest.ModeJSONNoReleases, pypitest.ModeSimple, pypitest.ModeSimpleHTML, pypitest.ModeJSONOnly}

// modeReleases is sampleReleases with upload times, so that they are
// compared across modes too.
func modeReleases() []pypitest.Release {
	rels := sampleReleases()
	for i := range rels {
		rels[i].UploadTime = time.Date(2020, 1, 1+i, 12, 0, 0, 0, time.UTC)
	}
	return rels
}

// view is what a client says of a project: every release with its files
// and metadata (the parts that do not depend on where they came from),
// with the files' base URL written as FILES; upload times only when
// withTimes (HTML pages have none: PEP 700 extends the JSON form only).
func view(t *testing.T, c *Client, name, files string, withTimes bool) []string {
	t.Helper()
	p := mustProject(t, c, name)
	var out []string
	for _, r := range p.Releases {
		m, err := c.Metadata(context.Background(), name, r)
		if err != nil {
			t.Fatalf("%s %s: %v", name, r.Key, err)
		}
		out = append(out, fmt.Sprintf("%s %s requires %q python %q extras %q", r.Key, r.Version, m.RequiresDist, m.RequiresPython, m.ProvidesExtra))
		for _, f := range r.Files {
			if !withTimes {
				f.UploadTime = time.Time{}
			}
			out = append(out, fmt.Sprintf("  %s %s %s py=%q yanked=%v/%q %s %s", f.Filename, strings.Replace(f.URL, files, "FILES", 1), f.SHA256, f.RequiresPython, f.Yanked, f.YankedReason, f.PackageType, f.UploadTime.Format(time.RFC3339)))
		}
	}
	return out
}

// TestModesAgree: every shape of index, over HTTP and as a file:// mirror,
// gives the same versions, files (URLs, hashes, upload times, yanks) and
// metadata for the same data.
func TestModesAgree(t *testing.T) {
	want := map[bool]map[string][]string{} // by withTimes
	for _, mode := range allModes {
		withTimes := mode != pypitest.ModeSimpleHTML
		s := pypitest.NewServer(t, modeReleases()...)
		s.SetMode(mode)
		mirror := t.TempDir()
		if err := s.WriteMirror(mirror); err != nil {
			t.Fatal(err)
		}
		mirrorURL := (&url.URL{Scheme: "file", Path: filepath.ToSlash(mirror)}).String()
		clients := []struct {
			how   string
			c     *Client
			files string
		}{
			{"http", testClient(t, s, Options{IndexURL: s.IndexURL()}), s.URL + "/files/"},
			{"mirror", testClient(t, s, Options{IndexURL: mirrorURL}), mirrorURL + "/files/"},
		}
		for _, c := range clients {
			t.Run(mode.String()+"/"+c.how, func(t *testing.T) {
				got := map[string][]string{}
				for _, name := range []string{"flask", "werkzeug", "click"} {
					got[name] = view(t, c.c, name, c.files, withTimes)
				}
				for path, n := range s.Counts() {
					if n > 1 {
						t.Errorf("%s fetched %d times", path, n)
					}
				}
				if want[withTimes] == nil {
					want[withTimes] = got
					want[false] = map[string][]string{}
					for name := range got {
						want[false][name] = view(t, c.c, name, c.files, false)
					}
					return
				}
				for name, lines := range want[withTimes] {
					if mode == pypitest.ModeJSONOnly && name == "werkzeug" {
						continue // requires_dist null and no Simple API: dependencies unknowable, assumed none (TestPartialMirror)
					}
					if !reflect.DeepEqual(got[name], lines) {
						t.Errorf("%s differs from the JSON API's:\n%s\nwant\n%s", name, strings.Join(got[name], "\n"), strings.Join(lines, "\n"))
					}
				}
			})
		}
	}
}

// TestRoundTrips: a project costs one round trip in every mode (its page
// and document are fetched side by side); the latest release's metadata
// comes with the project document where the index has the JSON API, else
// costs one more; an older release's costs one. A Simple API rooted at
// /simple has the JSON API looked for beside it (one 404, no round trip);
// PyTorch's /whl/cpu does not.
func TestRoundTrips(t *testing.T) {
	const latency = 150 * time.Millisecond
	tests := []struct {
		mode          pypitest.Mode
		root          string // Simple API root, "" for /simple
		latest, older int    // round trips of Metadata
		requests      int    // in all
	}{
		{pypitest.ModeJSON, "", 0, 1, 3},
		{pypitest.ModeJSONNoReleases, "", 0, 1, 3},
		{pypitest.ModeSimple, "", 1, 1, 4},
		{pypitest.ModeSimpleHTML, "/whl/cpu", 1, 1, 3},
		{pypitest.ModeJSONOnly, "", 0, 1, 3},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String(), func(t *testing.T) {
			s := pypitest.NewServer(t,
				pypitest.Release{Name: "x", Version: "1.0", RequiresDist: []string{"a"}},
				pypitest.Release{Name: "x", Version: "2.0", RequiresDist: []string{"b"}})
			s.SetMode(tt.mode)
			if tt.root != "" {
				s.ServeSimpleAt(tt.root)
			}
			s.SetLatency(latency)
			c := testClient(t, s, Options{IndexURL: s.IndexURL()})
			trips := func(what string, want int, fetch func() error) {
				start := time.Now()
				if err := fetch(); err != nil {
					t.Fatal(err)
				}
				d := time.Since(start)
				// One more round trip would take a whole latency more.
				if d < time.Duration(want)*latency || d > time.Duration(want)*latency+latency*9/10 {
					t.Errorf("%s took %v, want %d round trips of %v", what, d, want, latency)
				}
			}
			var p *Project
			trips("Project", 1, func() (err error) { p, err = c.Project(context.Background(), "x"); return err })
			trips("Metadata of the latest release", tt.latest, func() error { _, err := c.Metadata(context.Background(), "x", release(t, p, "2.0")); return err })
			trips("Metadata of an older release", tt.older, func() error { _, err := c.Metadata(context.Background(), "x", release(t, p, "1.0")); return err })
			if s.Requests() != tt.requests {
				t.Errorf("%d requests, want %d", s.Requests(), tt.requests)
			}
		})
	}
}

// TestPartialMirror: a mirror whose Simple API lacks a project's page
// still has it through the JSON API (and its other projects keep their
// core metadata); one without the Simple API at all works from the JSON
// API alone.
func TestPartialMirror(t *testing.T) {
	tests := []struct {
		name, remove string
		assumed      []bool // per project leaf-000, leaf-001: dependencies assumed empty (no core metadata)
	}{
		{"no simple directory", "simple", []bool{true, true}},
		{"no page for one project", "simple/leaf-000", []bool{true, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := pypitest.NewServer(t, leafReleases(2, true)...)
			dir := t.TempDir()
			if err := s.WriteMirror(dir); err != nil {
				t.Fatal(err)
			}
			if err := os.RemoveAll(filepath.Join(dir, tt.remove)); err != nil {
				t.Fatal(err)
			}
			c := testClient(t, s, Options{IndexURL: "file://" + dir})
			for i, want := range tt.assumed {
				name := fmt.Sprintf("leaf-%03d", i)
				m, err := c.Metadata(context.Background(), name, mustProject(t, c, name).Releases[0])
				if err != nil {
					t.Fatal(err)
				}
				if m.Assumed != want {
					t.Errorf("%s metadata %+v, want Assumed %v", name, *m, want)
				}
			}
		})
	}
}

// TestCompressed: documents travel gzip-compressed, and the client's byte
// count is what crossed the wire.
func TestCompressed(t *testing.T) {
	s := pypitest.NewServer(t, pypitest.Release{Name: "big", Version: "1.0", Description: strings.Repeat("A README that compresses well. ", 2000)})
	c := testClient(t, s, Options{})
	p := mustProject(t, c, "big")
	if _, err := c.Metadata(context.Background(), "big", p.Releases[0]); err != nil {
		t.Fatal(err)
	}
	if got, sent := c.Stats().Bytes, s.BodyBytes(); got != sent || got > 20000 {
		t.Errorf("client counted %d bytes, the server sent %d; want equal, and compressed (the description alone is 62000)", got, sent)
	}
}
