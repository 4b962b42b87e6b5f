package pypi

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/req2nix/req2nix/pypi/pypitest"
)

// resolveAll fetches every project of sampleReleases and the metadata of
// each release, as the resolver would.
func resolveAll(ctx context.Context, c *Client) error {
	for _, name := range []string{"flask", "werkzeug", "click"} {
		p, err := c.Project(ctx, name)
		if err != nil {
			return err
		}
		for _, r := range p.Releases {
			if _, err := c.Metadata(ctx, name, r); err != nil {
				return err
			}
		}
	}
	return nil
}

func TestCacheReuse(t *testing.T) {
	s := pypitest.NewServer(t, sampleReleases()...)
	dir := t.TempDir()
	ctx := context.Background()
	if err := resolveAll(ctx, testClient(t, s, Options{CacheDir: dir})); err != nil {
		t.Fatal(err)
	}
	first := s.Requests()
	tests := []struct {
		name        string
		opts        Options
		wantReqs    int // requests the second run makes
		want304     int
		wantMinHits int64
	}{
		// Everything fresh: no network at all.
		{"fresh", Options{}, 0, 0, 10},
		// Project documents and Simple API pages (one each per project)
		// older than MaxAge are revalidated: 304, no body; version
		// documents and .metadata files are immutable.
		{"stale projects", Options{MaxAge: time.Nanosecond}, 6, 6, 5},
		// Refresh revalidates every document once.
		{"refresh", Options{Refresh: true}, first, first, 0},
		// Offline answers everything from the cache.
		{"offline", Options{Offline: true}, 0, 0, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.CacheDir = dir
			c := testClient(t, s, tt.opts)
			reqs, n304, bytes := s.Requests(), s.NotModified(), s.BodyBytes()
			if err := resolveAll(ctx, c); err != nil {
				t.Fatal(err)
			}
			if got := s.Requests() - reqs; got != tt.wantReqs {
				t.Errorf("%d requests, want %d", got, tt.wantReqs)
			}
			if got := s.NotModified() - n304; got != tt.want304 {
				t.Errorf("%d 304 responses, want %d", got, tt.want304)
			}
			if got := s.BodyBytes() - bytes; got != 0 {
				t.Errorf("%d body bytes transferred, want 0", got)
			}
			if st := c.Stats(); st.CacheHits < tt.wantMinHits || st.Requests != int64(tt.wantReqs) {
				t.Errorf("Stats = %+v, want ≥%d cache hits and %d requests", st, tt.wantMinHits, tt.wantReqs)
			}
		})
	}
}

func TestOfflineMiss(t *testing.T) {
	s := pypitest.NewServer(t, sampleReleases()...)
	c := testClient(t, s, Options{Offline: true})
	_, err := c.Project(context.Background(), "flask")
	errorContains(t, err, "offline: no cached copy of "+s.URL+"/simple/flask/; run once without --offline")
	if !errors.Is(err, ErrOffline) {
		t.Errorf("%v does not wrap ErrOffline", err)
	}
	if s.Requests() != 0 {
		t.Errorf("offline client made %d requests", s.Requests())
	}
}

func TestCorruptCacheEntry(t *testing.T) {
	// flip changes one byte of the part of an entry that starts where
	// returns (given the entry's header).
	flip := func(where func(h entryHeader) int) func([]byte) []byte {
		return func(b []byte) []byte {
			h, err := parseHeader(b, true)
			if err != nil {
				panic(err)
			}
			b[where(h)] ^= 1
			return b
		}
	}
	corruptions := []struct {
		name    string
		corrupt func([]byte) []byte
		// answered: the form still answers a warm run (the damage is in
		// the body, which only revalidation reads: that then asks without
		// a condition and repairs the entry).
		answered bool
	}{
		{"truncated body", func(b []byte) []byte { return b[:len(b)-10] }, false},
		{"truncated header", func(b []byte) []byte { return b[:len(cacheMagic)+5] }, false},
		{"empty file", func([]byte) []byte { return nil }, false},
		{"not an entry", func([]byte) []byte { return []byte(`{"info": {}}`) }, false},
		{"flipped header byte", flip(func(h entryHeader) int { return len(cacheMagic) + 6 }), false},
		{"flipped form byte", flip(func(h entryHeader) int { return h.size + h.formSize/2 }), false},
		{"flipped body byte", flip(func(h entryHeader) int { return h.size + h.formSize + h.lazySize + h.bodySize/2 }), true},
	}
	for _, tt := range corruptions {
		t.Run(tt.name, func(t *testing.T) {
			s := pypitest.NewServer(t, sampleReleases()...)
			dir := t.TempDir()
			mustProject(t, testClient(t, s, Options{CacheDir: dir}), "flask")
			files := cacheFiles(t, dir)
			if len(files) != 2 {
				t.Fatalf("cache holds %v, want two entries (the project page and document)", files)
			}
			urls := map[string]string{}
			for _, f := range files {
				data, _ := os.ReadFile(f)
				e, err := decodeEntry(data)
				if err != nil {
					t.Fatal(err)
				}
				urls[f] = e.URL
				os.WriteFile(f, tt.corrupt(data), 0o644)
			}
			fetches := func() int { return s.Count("/pypi/flask/json") + s.Count("/simple/flask/") }
			p := mustProject(t, testClient(t, s, Options{CacheDir: dir}), "flask")
			if want := map[bool]int{false: 4, true: 2}[tt.answered]; len(p.Releases) != 4 || fetches() != want {
				t.Errorf("%d releases, %d requests in all, want 4 releases and %d requests", len(p.Releases), fetches(), want)
			}
			if tt.answered {
				n304 := s.NotModified()
				mustProject(t, testClient(t, s, Options{CacheDir: dir, MaxAge: time.Nanosecond}), "flask")
				if fetches() != 4 || s.NotModified() != n304 {
					t.Errorf("revalidating damaged entries: %d requests in all, %d answered 304; want 4, none", fetches(), s.NotModified()-n304)
				}
			}
			for f := range urls {
				data, _ := os.ReadFile(f)
				if _, err := decodeEntry(data); err != nil {
					t.Errorf("entry not repaired: %v", err)
				}
			}
		})
	}
}

func TestSingleflight(t *testing.T) {
	s := pypitest.NewServer(t, sampleReleases()...)
	s.SetLatency(50 * time.Millisecond)
	c := testClient(t, s, Options{})
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for range 100 {
		wg.Go(func() {
			p, err := c.Project(context.Background(), "Flask")
			if err == nil {
				// Not the release the project document's info describes
				// (that one needs no request at all).
				_, err = c.Metadata(context.Background(), "flask", p.Releases[1])
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := s.Requests(); got != 3 {
		t.Errorf("100 goroutines made %d requests, want 3 (project page and document, the release's .metadata)", got)
	}
}

// TestSingleflightCallerCancel: one caller giving up does not fail the
// others sharing its fetch.
func TestSingleflightCallerCancel(t *testing.T) {
	s := pypitest.NewServer(t, sampleReleases()...)
	s.SetLatency(200 * time.Millisecond)
	c := testClient(t, s, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan error)
	go func() {
		_, err := c.Project(ctx, "flask")
		first <- err
	}()
	waitFor(t, func() bool { return waiters(c, "project flask") == 1 })
	second := make(chan error)
	go func() {
		_, err := c.Project(context.Background(), "flask")
		second <- err
	}()
	waitFor(t, func() bool { return waiters(c, "project flask") == 2 })
	cancel()
	if err := <-first; err == nil {
		t.Error("cancelled caller got no error")
	}
	if err := <-second; err != nil {
		t.Errorf("other caller failed: %v", err)
	}
	if got := s.Requests(); got != 2 {
		t.Errorf("%d requests, want 2 shared (project page and document)", got)
	}
}

// TestSharedCache: two clients on one cache directory, revalidating
// constantly, hammer the same documents; every entry stays intact.
func TestSharedCache(t *testing.T) {
	s := pypitest.NewServer(t, sampleReleases()...)
	dir := t.TempDir()
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 40 {
		wg.Go(func() {
			// A fresh client each time, so nothing is memoised in memory.
			c := testClient(t, s, Options{CacheDir: dir, MaxAge: time.Nanosecond, Refresh: i%2 == 0})
			errs <- resolveAll(context.Background(), c)
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	checkCacheIntact(t, dir)
}

// checkCacheIntact fails on any invalid entry or leftover temporary file.
func checkCacheIntact(t *testing.T, dir string) {
	t.Helper()
	files := cacheFiles(t, dir)
	if len(files) == 0 {
		t.Fatal("nothing cached")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(f, ".tmp-") {
			t.Errorf("leftover temporary file %s", f)
		}
		if _, err := decodeEntry(data); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	if tmp := tempFiles(t, dir); len(tmp) > 0 {
		t.Errorf("leftover temporary files: %v", tmp)
	}
}

// TestSharedCacheProcesses runs a second process on the same cache while
// this one works on it.
func TestSharedCacheProcesses(t *testing.T) {
	if os.Getenv("PYPI_TEST_HELPER_URL") != "" {
		helperProcess(t)
		return
	}
	s := pypitest.NewServer(t, sampleReleases()...)
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSharedCacheProcesses$", "-test.count=1")
	cmd.Env = append(os.Environ(), "PYPI_TEST_HELPER_URL="+s.URL, "PYPI_TEST_HELPER_CACHE="+dir)
	out := make(chan error, 1)
	var output strings.Builder
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Start(); err != nil {
		t.Skipf("cannot start a helper process: %v", err)
	}
	go func() { out <- cmd.Wait() }()
	for range 20 {
		c := testClient(t, s, Options{CacheDir: dir, MaxAge: time.Nanosecond})
		if err := resolveAll(context.Background(), c); err != nil {
			t.Fatal(err)
		}
	}
	if err := <-out; err != nil {
		t.Fatalf("helper process: %v\n%s", err, output.String())
	}
	checkCacheIntact(t, dir)
}

// helperProcess is the second process of TestSharedCacheProcesses.
func helperProcess(t *testing.T) {
	for i := range 20 {
		c, err := New(Options{IndexURL: os.Getenv("PYPI_TEST_HELPER_URL"), CacheDir: os.Getenv("PYPI_TEST_HELPER_CACHE"), MaxAge: time.Nanosecond, Refresh: i%2 == 0, Netrc: os.DevNull})
		if err != nil {
			t.Fatal(err)
		}
		if err := resolveAll(context.Background(), c); err != nil {
			t.Fatal(fmt.Errorf("helper run %d: %w", i, err))
		}
	}
}

// TestJobsBound: requests run in parallel up to Jobs and never beyond.
func TestJobsBound(t *testing.T) {
	var rels []pypitest.Release
	for i := range 24 {
		rels = append(rels, pypitest.Release{Name: fmt.Sprintf("p%d", i), Version: "1.0", RequiresDist: []string{}})
	}
	s := pypitest.NewServer(t, rels...)
	s.SetLatency(100 * time.Millisecond) // long enough for 4 requests to overlap on a busy machine
	c := testClient(t, s, Options{Jobs: 4})
	var wg sync.WaitGroup
	for i := range 24 {
		wg.Go(func() {
			if _, err := c.Project(context.Background(), fmt.Sprintf("p%d", i)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := s.MaxConcurrent(); got != 4 {
		t.Errorf("at most %d requests at once, want Jobs = 4", got)
	}
	if st := c.Stats(); st.InFlight != 0 || st.Requests != 48 { // a page and a document per project
		t.Errorf("Stats after the run = %+v", st)
	}
}

// waiters is how many callers wait for the flight of key.
func waiters(c *Client, key string) int {
	c.flights.mu.Lock()
	defer c.flights.mu.Unlock()
	if fl := c.flights.live[key]; fl != nil {
		return fl.waiters
	}
	return 0
}

// waitFor polls cond for up to five seconds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 5s")
		}
	}
}

// TestLatestMetadataFromProjectDocument: the project document's info is the
// latest release's version document, so its metadata costs no request;
// older releases' metadata comes from their .metadata files.
func TestLatestMetadataFromProjectDocument(t *testing.T) {
	s := pypitest.NewServer(t,
		pypitest.Release{Name: "demo", Version: "1.0", RequiresDist: []string{"old-dep"}},
		pypitest.Release{Name: "demo", Version: "2.0", RequiresDist: []string{"new-dep>=1"}, RequiresPython: ">=3.9"},
	)
	c := testClient(t, s, Options{})
	p := mustProject(t, c, "demo")
	m, err := c.Metadata(context.Background(), "demo", release(t, p, "2.0"))
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Requests(); got != 2 {
		t.Errorf("metadata of the latest release made %d requests in all, want 2 (the project page and document)", got)
	}
	if !reflect.DeepEqual(m.RequiresDist, []string{"new-dep>=1"}) || m.RequiresPython != ">=3.9" || m.Version != "2.0" || m.Source != SourceJSON {
		t.Errorf("latest metadata = %+v", m)
	}
	old, err := c.Metadata(context.Background(), "demo", release(t, p, "1.0"))
	if err != nil {
		t.Fatal(err)
	}
	if meta := "/files/demo-1.0-py3-none-any.whl.metadata"; !reflect.DeepEqual(old.RequiresDist, []string{"old-dep"}) || s.Count(meta) != 1 || s.Requests() != 3 {
		t.Errorf("an older release must come from its .metadata file alone: %+v, %d requests, %d in all", old, s.Count(meta), s.Requests())
	}
}

// TestOnceCachedSharesOneCacheTry: callers that ask for a key at the same
// time (a resolution per system asks for every document at about the same
// moment) share one cache-only attempt instead of each reading and
// decoding the entry; a try the cache cannot answer falls through to one
// shared fetch.
func TestOnceCachedSharesOneCacheTry(t *testing.T) {
	for _, tt := range []struct {
		name           string
		cached         bool
		tries, fetches int32
	}{
		{"answered by the cache", true, 1, 0},
		{"not cached", false, 1, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := testClient(t, pypitest.NewServer(t), Options{})
			const callers = 8
			var tries, fetches, started atomic.Int32
			fn := func(ctx context.Context) (any, error) {
				if cacheOnly(ctx) {
					tries.Add(1)
					// Let every caller start, and reach the shared try.
					for deadline := time.Now().Add(5 * time.Second); started.Load() < callers && time.Now().Before(deadline); {
						time.Sleep(time.Millisecond)
					}
					time.Sleep(20 * time.Millisecond)
					if !tt.cached {
						return nil, errNotCached
					}
					return "from the cache", nil
				}
				fetches.Add(1)
				return "fetched", nil
			}
			var wg sync.WaitGroup
			for range callers {
				wg.Go(func() {
					started.Add(1)
					if _, err := c.onceCached(context.Background(), "k", fn); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			if tries.Load() != tt.tries || fetches.Load() != tt.fetches {
				t.Errorf("%d callers: %d cache tries and %d fetches, want %d and %d", callers, tries.Load(), fetches.Load(), tt.tries, tt.fetches)
			}
		})
	}
}
