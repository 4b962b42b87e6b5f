package pypi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/req2nix/req2nix/pypi/pypitest"
)

// leafReleases are n projects leaf-000, leaf-001, ... with one release
// each whose version document has requires_dist null, as PyPI serves
// releases without dependencies. With coreMetadata the release has a wheel
// with PEP 658 metadata, otherwise only an sdist.
func leafReleases(n int, coreMetadata bool) []pypitest.Release {
	rels := make([]pypitest.Release, n)
	for i := range rels {
		rels[i] = pypitest.Release{Name: fmt.Sprintf("leaf-%03d", i), Version: "1.0"}
		if !coreMetadata {
			rels[i].Wheels = []string{}
		}
	}
	return rels
}

// fetchLeaf gets the project and the metadata of its only release.
func fetchLeaf(ctx context.Context, c *Client, name string) error {
	p, err := c.Project(ctx, name)
	if err != nil {
		return err
	}
	_, err = c.Metadata(ctx, name, p.Releases[0])
	return err
}

// TestClose starts many fetches, stops them in different ways and closes
// the client: once Close returns, every caller has returned, and the cache
// directory neither changes nor is recreated after it is removed, and the
// server gets no more requests.
func TestClose(t *testing.T) {
	const latency = 100 * time.Millisecond
	const projects = 30
	tests := []struct {
		name string
		// fetch is what each of the callers does.
		fetch func(context.Context, *Client, string) error
		// cancel makes the callers give up (cancel their context) before
		// Close; otherwise Close interrupts them.
		cancel bool
	}{
		{name: "callers gave up on their fetches", fetch: fetchLeaf, cancel: true},
		{name: "callers still waiting", fetch: fetchLeaf},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := pypitest.NewServer(t, leafReleases(projects, true)...)
			s.SetLatency(latency)
			dir := filepath.Join(t.TempDir(), "cache")
			net := newWatchedTransport()
			c := testClient(t, s, Options{CacheDir: dir, Jobs: 8, HTTPClient: &http.Client{Transport: net}})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			errs := startCallers(ctx, c, projects, tt.fetch)
			waitFor(t, func() bool { return s.Requests() >= 8 }) // Jobs requests in flight
			if tt.cancel {
				cancel()
			}
			start := time.Now()
			c.Close()
			if d := time.Since(start); d > latency {
				t.Errorf("Close took %v: in-flight requests (latency %v) were waited for, not cancelled", d, latency)
			}
			checkCallers(t, errs, time.Second, ErrClosed)
			checkQuiet(t, net, dir, 3*latency)
			if _, err := c.Project(context.Background(), "leaf-000"); !errors.Is(err, ErrClosed) {
				t.Errorf("Project after Close: %v, want ErrClosed", err)
			}
			if err := c.Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}
		})
	}
}

// startCallers runs fetch for leaf-000 ... leaf-(n-1), one goroutine each;
// each sends its error when it returns.
func startCallers(ctx context.Context, c *Client, n int, fetch func(context.Context, *Client, string) error) <-chan error {
	errs := make(chan error, n)
	for i := range n {
		go func() { errs <- fetch(ctx, c, fmt.Sprintf("leaf-%03d", i)) }()
	}
	return errs
}

// checkCallers waits up to limit for every caller to return (cap(errs)
// of them) and checks their errors: nil, a cancellation, or allowed.
func checkCallers(t *testing.T, errs <-chan error, limit time.Duration, allowed error) {
	t.Helper()
	timeout := time.After(limit)
	for range cap(errs) {
		select {
		case err := <-errs:
			if err != nil && !errors.Is(err, context.Canceled) && (allowed == nil || !errors.Is(err, allowed)) {
				t.Errorf("caller failed with %v", err)
			}
		case <-timeout:
			t.Fatalf("callers still running %v later", limit)
		}
	}
}

// checkQuiet checks, right after Close, that nothing touches dir or the
// network for wait: no request is in progress or starts, and the tree
// stays as it is, can be removed and is not recreated.
func checkQuiet(t *testing.T, net *watchedTransport, dir string, wait time.Duration) {
	t.Helper()
	if n := net.active.Load(); n != 0 {
		t.Errorf("%d requests still in progress after Close", n)
	}
	before, requests := snapshot(t, dir), net.started.Load()
	time.Sleep(wait)
	if after := snapshot(t, dir); !reflect.DeepEqual(after, before) {
		t.Errorf("cache changed after Close:\nbefore %v\nafter  %v", before, after)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatalf("removing the cache after Close: %v", err)
	}
	time.Sleep(wait / 3)
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("cache directory recreated after Close (stat: %v)", err)
	}
	if got := net.started.Load(); got != requests {
		t.Errorf("%d requests started after Close", got-requests)
	}
}

// watchedTransport is an HTTP transport that counts the requests started
// and those in progress (until their body is closed or fully read).
type watchedTransport struct {
	http.Transport
	started, active atomic.Int64
}

func newWatchedTransport() *watchedTransport { return &watchedTransport{} }

func (w *watchedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	w.started.Add(1)
	w.active.Add(1)
	resp, err := w.Transport.RoundTrip(req)
	if err != nil {
		w.active.Add(-1)
		return nil, err
	}
	resp.Body = &watchedBody{ReadCloser: resp.Body, active: &w.active}
	return resp, nil
}

// watchedBody ends its request's activity when closed or read to the end.
type watchedBody struct {
	io.ReadCloser
	active *atomic.Int64
	once   sync.Once
}

func (b *watchedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil {
		b.done()
	}
	return n, err
}

func (b *watchedBody) Close() error {
	b.done()
	return b.ReadCloser.Close()
}

func (b *watchedBody) done() { b.once.Do(func() { b.active.Add(-1) }) }

// snapshot maps every path under dir to its size and modification time.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		out[path] = fmt.Sprintf("%d %s", info.Size(), info.ModTime().Format(time.RFC3339Nano))
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return out
}

// TestAfterClose: every method fails with ErrClosed once the client is
// closed, without a request.
func TestAfterClose(t *testing.T) {
	s := pypitest.NewServer(t, sampleReleases()...)
	c := testClient(t, s, Options{})
	flask := release(t, mustProject(t, c, "flask"), "1.0")
	i := slices.IndexFunc(flask.Files, func(f File) bool { return f.PackageType == "sdist" })
	if i < 0 {
		t.Fatal("flask 1.0 has no sdist")
	}
	sdist := flask.Files[i]
	c.Close()
	requests := s.Requests()
	calls := []struct {
		name string
		call func(context.Context) error
	}{
		{"Project", func(ctx context.Context) error { _, err := c.Project(ctx, "flask"); return err }},
		{"Metadata", func(ctx context.Context) error { _, err := c.Metadata(ctx, "flask", flask); return err }},
		{"Download", func(ctx context.Context) error { _, err := c.Download(ctx, sdist.URL, sdist.SHA256); return err }},
		{"ArtifactMetadata", func(ctx context.Context) error {
			_, err := c.ArtifactMetadata(ctx, sdist.URL, sdist.SHA256)
			return err
		}},
		{"BuildRequires", func(ctx context.Context) error { _, err := c.BuildRequires(ctx, sdist); return err }},
	}
	for _, tt := range calls {
		if err := tt.call(context.Background()); !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close: %v, want ErrClosed", tt.name, err)
		}
	}
	if got := s.Requests(); got != requests {
		t.Errorf("%d requests after Close", got-requests)
	}
}

// TestCloseConcurrent: Close racing with callers starting new fetches
// (run with -race) leaves every caller returned and nothing running.
func TestCloseConcurrent(t *testing.T) {
	s := pypitest.NewServer(t, leafReleases(10, true)...)
	dir := filepath.Join(t.TempDir(), "cache")
	net := newWatchedTransport()
	c := testClient(t, s, Options{CacheDir: dir, HTTPClient: &http.Client{Transport: net}})
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			err := fetchLeaf(context.Background(), c, fmt.Sprintf("leaf-%03d", i%10))
			if err != nil && !errors.Is(err, ErrClosed) {
				t.Errorf("caller failed with %v", err)
			}
		})
	}
	time.Sleep(time.Millisecond)
	c.Close()
	wg.Wait()
	checkQuiet(t, net, dir, 30*time.Millisecond)
}
