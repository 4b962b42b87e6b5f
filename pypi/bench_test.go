package pypi

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/req2nix/req2nix/pypi/pypitest"
)

// Benchmark shape (issue 3): benchProjects projects, each needing its
// project page and document and one release's .metadata (benchDocs
// documents each), over a server answering every request after
// benchLatency, with benchJobs concurrent requests. The ideal wall time is
// (documents / jobs) × latency.
const (
	benchProjects = 200
	benchLatency  = 20 * time.Millisecond
	benchJobs     = 16
	benchDocs     = 3
)

// benchServer serves benchProjects two-release projects.
func benchServer(b *testing.B) *pypitest.Server {
	b.Helper()
	var rels []pypitest.Release
	for i := range benchProjects {
		for _, v := range []string{"1.0", "1.1"} {
			rels = append(rels, pypitest.Release{Name: fmt.Sprintf("project-%03d", i), Version: v, RequiresDist: []string{fmt.Sprintf("project-%03d", (i+1)%benchProjects)}})
		}
	}
	return pypitest.NewServer(b, rels...)
}

// fetchAll gets every project and the metadata of its older release, one
// goroutine per project (as the resolver's prefetching does). The older
// one, because the project document already holds the latest release's
// metadata, and the benchmark is about fetching documents.
func fetchAll(c *Client) error {
	var wg sync.WaitGroup
	errs := make(chan error, benchProjects)
	for i := range benchProjects {
		wg.Go(func() {
			name := fmt.Sprintf("project-%03d", i)
			p, err := c.Project(context.Background(), name)
			if err == nil {
				_, err = c.Metadata(context.Background(), name, p.Releases[0])
			}
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// BenchmarkColdFetch reports wall time over the ideal (documents / jobs) ×
// latency as "x-ideal" (1.0 is perfect pipelining), at the latency
// and at a longer one, where scheduling noise of a busy machine weighs
// less.
func BenchmarkColdFetch(b *testing.B) {
	for _, latency := range []time.Duration{benchLatency, 5 * benchLatency} {
		b.Run(fmt.Sprintf("latency=%v", latency), func(b *testing.B) { benchColdFetch(b, latency) })
	}
}

func benchColdFetch(b *testing.B, latency time.Duration) {
	s := benchServer(b)
	s.SetLatency(latency)
	ideal := time.Duration(float64(benchDocs*benchProjects) / benchJobs * float64(latency))
	var total time.Duration
	for b.Loop() {
		b.StopTimer()
		c := testClient(b, s, Options{Jobs: benchJobs})
		b.StartTimer()
		start := time.Now()
		if err := fetchAll(c); err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
		if st := c.Stats(); st.Requests != benchDocs*benchProjects {
			b.Fatalf("%d requests, want %d", st.Requests, benchDocs*benchProjects)
		}
	}
	b.ReportMetric(float64(total)/float64(b.N)/float64(ideal), "x-ideal")
	b.ReportMetric(float64(benchDocs*benchProjects), "docs/op")
}

// BenchmarkWarmCache answers everything from a warm disk cache with the
// server gone: no network at all.
func BenchmarkWarmCache(b *testing.B) {
	s := benchServer(b)
	dir := b.TempDir()
	if err := fetchAll(testClient(b, s, Options{CacheDir: dir, Jobs: benchJobs})); err != nil {
		b.Fatal(err)
	}
	s.Close()
	b.ReportAllocs()
	for b.Loop() {
		c, err := New(Options{IndexURL: s.URL, CacheDir: dir, Jobs: benchJobs, Netrc: "/nonexistent"})
		if err != nil {
			b.Fatal(err)
		}
		if err := fetchAll(c); err != nil {
			b.Fatal(err)
		}
		c.Close()
		if st := c.Stats(); st.Requests != 0 || st.CacheHits != benchDocs*benchProjects {
			b.Fatalf("warm pass: %+v", st)
		}
	}
}

// benchLeaves is the number of projects of BenchmarkFallbackLatency, all
// fetched at once with enough jobs that no request waits for a slot.
const benchLeaves = 32

// BenchmarkFallbackLatency fetches projects whose releases have
// requires_dist null (PyPI's leaves), each project then its metadata, over
// a server with injected latency. It reports wall time over the shortest
// chain of requests one after another, × latency, as "x-chain": the
// project's page and document side by side, then the .metadata file with
// PEP 658 core metadata, the version document without (2 either way).
func BenchmarkFallbackLatency(b *testing.B) {
	for _, core := range []bool{true, false} {
		b.Run(fmt.Sprintf("core-metadata=%v", core), func(b *testing.B) {
			const chain = 2
			s := pypitest.NewServer(b, leafReleases(benchLeaves, core)...)
			s.SetLatency(5 * benchLatency)
			var total time.Duration
			for b.Loop() {
				b.StopTimer()
				c := testClient(b, s, Options{Jobs: 4 * benchLeaves})
				b.StartTimer()
				start := time.Now()
				if err := fetchLeaves(c); err != nil {
					b.Fatal(err)
				}
				total += time.Since(start)
			}
			b.ReportMetric(float64(total)/float64(b.N)/float64(time.Duration(chain)*5*benchLatency), "x-chain")
		})
	}
}

// fetchLeaves runs fetchLeaf for every project of leafReleases(benchLeaves),
// one goroutine each.
func fetchLeaves(c *Client) error {
	errs := make(chan error, benchLeaves)
	var wg sync.WaitGroup
	for i := range benchLeaves {
		wg.Go(func() { errs <- fetchLeaf(context.Background(), c, fmt.Sprintf("leaf-%03d", i)) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
