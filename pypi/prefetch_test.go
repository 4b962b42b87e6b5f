package pypi

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/req2nix/req2nix/pypi/pypitest"
)

// TestPrefetchSimple: the Simple API page is fetched with the project
// document exactly when the project document gives no requires_dist for
// its latest release, once however often the project is asked for.
func TestPrefetchSimple(t *testing.T) {
	deps := []string{"dep"}
	tests := []struct {
		name     string
		releases []pypitest.Release // the last one added is the latest
		opts     Options
		want     int // Simple API requests
	}{
		{"latest release without requires_dist", []pypitest.Release{{Version: "1.0", RequiresDist: deps}, {Version: "2.0"}}, Options{}, 1},
		{"latest release with core metadata only", []pypitest.Release{{Version: "1.0", RequiresDist: deps, CoreMetadataOnly: true}}, Options{}, 1},
		{"latest release declares no dependencies", []pypitest.Release{{Version: "1.0"}, {Version: "2.0", RequiresDist: []string{}}}, Options{}, 0},
		{"latest release with dependencies", []pypitest.Release{{Version: "1.0"}, {Version: "2.0", RequiresDist: deps}}, Options{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i := range tt.releases {
				tt.releases[i].Name = "x"
			}
			s := pypitest.NewServer(t, tt.releases...)
			c := testClient(t, s, tt.opts)
			for range 3 {
				mustProject(t, c, "x")
			}
			// The prefetch runs in the background: wait for it, then
			// give a second one (or an unwanted one) time to show.
			waitFor(t, func() bool { return s.Count("/simple/x/") >= tt.want })
			time.Sleep(50 * time.Millisecond)
			if got := s.Count("/simple/x/"); got != tt.want {
				t.Errorf("%d Simple API requests, want %d", got, tt.want)
			}
		})
	}
}

// TestPrefetchOffline: an offline run prefetches nothing: reading the
// cached page gains nothing before it is needed.
func TestPrefetchOffline(t *testing.T) {
	s := pypitest.NewServer(t, leafReleases(1, true)...)
	dir := t.TempDir()
	warm := testClient(t, s, Options{CacheDir: dir})
	mustProject(t, warm, "leaf-000")
	warm.Close() // the Simple API page is cached too
	offline := testClient(t, s, Options{CacheDir: dir, Offline: true})
	mustProject(t, offline, "leaf-000")
	offline.Close()
	if got := offline.Stats().CacheHits; got != 1 {
		t.Errorf("offline run read %d cache entries, want 1 (the project document)", got)
	}
}

// TestFallbackRoundTrips: after Project, Metadata of a release without
// requires_dist costs the version document and the Simple API page side by
// side, then the .metadata file: two round trips, not three (one, not two,
// without core metadata).
func TestFallbackRoundTrips(t *testing.T) {
	const latency = 150 * time.Millisecond
	tests := []struct {
		name         string
		coreMetadata bool
		trips        float64 // round trips of Metadata
		source       MetadataSource
	}{
		{"core metadata", true, 2, SourceCoreMetadata},
		{"no core metadata", false, 1, SourceJSON},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := pypitest.NewServer(t, leafReleases(1, tt.coreMetadata)...)
			s.SetLatency(latency)
			c := testClient(t, s, Options{})
			r := mustProject(t, c, "leaf-000").Releases[0]
			start := time.Now()
			m, err := c.Metadata(context.Background(), "leaf-000", r)
			if err != nil {
				t.Fatal(err)
			}
			if m.Source != tt.source {
				t.Errorf("source %s, want %s", m.Source, tt.source)
			}
			limit := time.Duration((tt.trips + 0.5) * float64(latency))
			if d := time.Since(start); d > limit {
				t.Errorf("Metadata took %v, want about %v round trips of %v (limit %v)", d, tt.trips, latency, limit)
			}
		})
	}
}

// TestMirrorWithoutSimpleAPI: a file:// mirror without a simple/ directory
// is known to have no Simple API after the first project that needs it; a
// mirror with one that merely lacks a project's page is not.
func TestMirrorWithoutSimpleAPI(t *testing.T) {
	tests := []struct {
		name   string
		remove string // path under the mirror to delete
		want   bool   // index remembered to have no Simple API
	}{
		{"no simple directory", "simple", true},
		{"no page for the project", "simple/leaf-000", false},
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
			m, err := c.Metadata(context.Background(), "leaf-000", mustProject(t, c, "leaf-000").Releases[0])
			if err != nil {
				t.Fatal(err)
			}
			if !m.Assumed {
				t.Errorf("leaf-000 metadata %+v, want dependencies assumed empty", *m)
			}
			if got := c.indexes[0].noSimple.Load(); got != tt.want {
				t.Errorf("index remembered to have no Simple API: %v, want %v", got, tt.want)
			}
			m, err = c.Metadata(context.Background(), "leaf-001", mustProject(t, c, "leaf-001").Releases[0])
			if err != nil {
				t.Fatal(err)
			}
			if wantAssumed := tt.want; m.Assumed != wantAssumed {
				t.Errorf("leaf-001 metadata %+v, want Assumed %v", *m, wantAssumed)
			}
		})
	}
}
