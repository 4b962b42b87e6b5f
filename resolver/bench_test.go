package resolver

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/req2nix/req2nix/pypi"
	"github.com/req2nix/req2nix/pypi/pypitest"
)

// syntheticIndex is n packages p0..p(n-1) with 5 versions each; version v
// of p_i depends on p_(i+1) and two random later packages with a lower
// bound, so every
// package is needed and the newest versions fit: a wide, conflict-free
// graph.
func syntheticIndex(n int) string {
	r := rand.New(rand.NewSource(1))
	var b strings.Builder
	for i := 0; i < n; i++ {
		for v := 1; v <= 5; v++ {
			fmt.Fprintf(&b, "p%d %d.0:", i, v)
			var deps []string
			if i+1 < n {
				deps = append(deps, fmt.Sprintf("p%d", i+1))
			}
			for k := 0; k < 2 && i+1 < n; k++ {
				j := i + 1 + r.Intn(min(n-i-1, 20))
				deps = append(deps, fmt.Sprintf("p%d>=%d", j, r.Intn(3)+1))
			}
			b.WriteString(" " + strings.Join(deps, " | ") + "\n")
		}
	}
	return b.String()
}

// conflictIndex forces backtracking: for each of k chains, version v of
// a_i depends on b_i==v and b_i==v on c==v, while the root also requires
// c==1. Every newer version of every a_i must be tried and rejected.
func conflictIndex(k, versions int) (string, string) {
	var b strings.Builder
	var roots []string
	for i := 0; i < k; i++ {
		for v := 1; v <= versions; v++ {
			fmt.Fprintf(&b, "a%d %d.0: b%d==%d.0 | unrelated%d\n", i, v, i, v, i)
			fmt.Fprintf(&b, "b%d %d.0: c==%d.0\n", i, v, v)
		}
		fmt.Fprintf(&b, "unrelated%d 1.0:\n", i)
		roots = append(roots, fmt.Sprintf("a%d", i))
	}
	for v := 1; v <= versions; v++ {
		fmt.Fprintf(&b, "c %d.0:\n", v)
	}
	roots = append(roots, "c==1.0")
	return b.String(), strings.Join(roots, "\n")
}

func BenchmarkSynthetic300(b *testing.B) {
	idx := newMemIndex(b, syntheticIndex(300))
	in := rootFile(b, "p0", "")
	b.ResetTimer()
	for b.Loop() {
		res, err := Resolve(context.Background(), idx, in, Options{})
		if err != nil || len(res.Packages) != 300 {
			b.Fatalf("got %d packages, %v", len(res.Packages), err)
		}
	}
}

func BenchmarkConflictHeavy(b *testing.B) {
	dsl, roots := conflictIndex(10, 50)
	idx := newMemIndex(b, dsl)
	in := rootFile(b, roots, "")
	b.ResetTimer()
	for b.Loop() {
		res, err := Resolve(context.Background(), idx, in, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if got := summary(res); !strings.Contains(got, "a0==1.0") {
			b.Fatalf("got %s", got)
		}
	}
}

// TestConflictHeavy checks the conflict-heavy graph's answer (the benchmark
// only times it).
func TestConflictHeavy(t *testing.T) {
	dsl, roots := conflictIndex(3, 20)
	res, err := Resolve(context.Background(), newMemIndex(t, dsl), rootFile(t, roots, ""), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := "a0==1.0 a1==1.0 a2==1.0 b0==1.0 b1==1.0 b2==1.0 c==1.0 unrelated0==1.0 unrelated1==1.0 unrelated2==1.0"
	if got := summary(res); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// slowProvider adds a fixed latency to every call of another provider.
type slowProvider struct {
	Provider
	latency time.Duration
	calls   atomic.Int64
}

func (s *slowProvider) Project(ctx context.Context, name string) (*pypi.Project, error) {
	s.calls.Add(1)
	time.Sleep(s.latency)
	return s.Provider.Project(ctx, name)
}

func (s *slowProvider) Metadata(ctx context.Context, name string, r pypi.Release) (*pypi.Metadata, error) {
	s.calls.Add(1)
	time.Sleep(s.latency)
	return s.Provider.Metadata(ctx, name, r)
}

// criticalPath is the least number of sequential requests any resolver
// needs: per level of the chosen dependency graph, the project document
// then the metadata.
func criticalPath(res *Resolution) int {
	deps := map[string][]string{}
	for _, p := range res.Packages {
		deps[p.Name] = p.Dependencies
	}
	memo := map[string]int{}
	var depth func(string, map[string]bool) int
	depth = func(name string, onPath map[string]bool) int {
		if d, ok := memo[name]; ok {
			return d
		}
		onPath[name] = true
		best := 0
		for _, d := range deps[name] {
			if !onPath[d] {
				best = max(best, depth(d, onPath))
			}
		}
		delete(onPath, name)
		memo[name] = best + 1
		return best + 1
	}
	longest := 0
	for _, p := range res.Packages {
		if p.Root {
			longest = max(longest, depth(p.Name, map[string]bool{}))
		}
	}
	return 2 * longest
}

// BenchmarkRealClosureLatency resolves the sphinx closure of the shared
// mirror with 50 ms added to every provider call, on a cold cache each
// time, and reports wall time over (critical path × latency).
func BenchmarkRealClosureLatency(b *testing.B) {
	cs, dir := loadClosures(b)
	var sphinx closure
	for _, c := range cs {
		if strings.Join(c.Root, " ") == "sphinx" {
			sphinx = c
		}
	}
	const latency = 50 * time.Millisecond
	in := rootFile(b, "sphinx", "")
	var ratio, calls float64
	for b.Loop() {
		slow := &slowProvider{Provider: mirrorClient(b, dir), latency: latency}
		start := time.Now()
		res, err := Resolve(context.Background(), slow, in, Options{Python: "3.12"})
		if err != nil {
			b.Fatal(err)
		}
		wall := time.Since(start)
		if len(res.Packages) != len(sphinx.Packages) {
			b.Fatalf("got %s", summary(res))
		}
		ratio = float64(wall) / float64(time.Duration(criticalPath(res))*latency)
		calls = float64(slow.calls.Load())
	}
	b.ReportMetric(ratio, "wall/critical-path")
	b.ReportMetric(calls, "calls")
}

// TestDeterministic resolves the same inputs with randomly shuffled
// provider latencies and expects identical results and errors.
func TestDeterministic(t *testing.T) {
	cases := []struct{ dsl, reqs string }{
		{syntheticIndex(40), "p0"},
		{`
a 1.0 extras=x: b | c; extra == "x"
a 2.0 extras=x: b>=2 | c>=2; extra == "x" | d[y]
b 1.0:
b 2.0: c<2
c 1.0:
c 2.0:
d 1.0:`, "a[x]\nd"},
		{`
flask 3.0.0: werkzeug>=3.0.0 | click>=8
flask 2.0.0: werkzeug>=2.0.0 | click>=7
click 7.0:
click 8.0:
werkzeug 1.0:
werkzeug 2.0:
werkzeug 3.0.0:`, "flask>=2\nwerkzeug<2"},
	}
	for i, c := range cases {
		var first string
		for run := 0; run < 6; run++ {
			idx := newMemIndex(t, c.dsl)
			r := rand.New(rand.NewSource(int64(run)))
			delays := map[string]time.Duration{}
			idx.delay = func(call string) time.Duration {
				idx.mu.Lock()
				defer idx.mu.Unlock()
				if _, ok := delays[call]; !ok {
					delays[call] = time.Duration(r.Intn(300)) * time.Microsecond
				}
				return delays[call]
			}
			res, err := Resolve(context.Background(), idx, rootFile(t, c.reqs, ""), Options{})
			got := fmt.Sprint(err)
			if res != nil {
				got = fmt.Sprintf("%+v", *res)
			}
			if run == 0 {
				first = got
				continue
			}
			if !reflect.DeepEqual(got, first) {
				t.Fatalf("case %d run %d differs:\n%s\nfirst:\n%s", i, run, got, first)
			}
		}
	}
}

// mirrorReleases reads every release of the shared mirror as pypitest
// releases (dependencies and requires-python as recorded; files built by
// the fake index, sdist only).
func mirrorReleases(b *testing.B, dir string) []pypitest.Release {
	b.Helper()
	projects, err := os.ReadDir(filepath.Join(dir, "pypi"))
	if err != nil {
		b.Skipf("shared mirror absent: %v", err)
	}
	var out []pypitest.Release
	for _, p := range projects {
		var doc struct {
			Info     struct{ Name string }
			Releases map[string]json.RawMessage
		}
		readJSON(b, filepath.Join(dir, "pypi", p.Name(), "json"), &doc)
		for key := range doc.Releases {
			var vdoc struct {
				Info struct {
					RequiresDist   []string `json:"requires_dist"`
					RequiresPython *string  `json:"requires_python"`
				}
			}
			readJSON(b, filepath.Join(dir, "pypi", p.Name(), key, "json"), &vdoc)
			r := pypitest.Release{Name: doc.Info.Name, Version: key, RequiresDist: vdoc.Info.RequiresDist, Wheels: []string{}}
			if vdoc.Info.RequiresPython != nil {
				r.RequiresPython = *vdoc.Info.RequiresPython
			}
			out = append(out, r)
		}
	}
	return out
}

func readJSON(b *testing.B, path string, v any) {
	data, err := os.ReadFile(path)
	if err == nil {
		err = json.Unmarshal(data, v)
	}
	if err != nil {
		b.Fatalf("%s: %v", path, err)
	}
}

// BenchmarkServerLatency resolves the sphinx closure through pypi.Client
// against the fake index server with 50 ms injected per request, on a
// cold cache each time, and reports wall time over (critical path ×
// latency).
func BenchmarkServerLatency(b *testing.B) {
	_, dir := loadClosures(b)
	const latency = 50 * time.Millisecond
	srv := pypitest.NewServer(b, mirrorReleases(b, dir)...)
	srv.SetLatency(latency)
	in := rootFile(b, "sphinx", "")
	var ratio, requests float64
	for b.Loop() {
		client, err := pypi.New(pypi.Options{IndexURL: srv.URL, CacheDir: cacheDir(b), Jobs: 64})
		if err != nil {
			b.Fatal(err)
		}
		before := srv.Requests()
		start := time.Now()
		res, err := Resolve(context.Background(), client, in, Options{Python: "3.12"})
		if err != nil {
			b.Fatal(err)
		}
		ratio = float64(time.Since(start)) / float64(time.Duration(criticalPath(res))*latency)
		requests = float64(srv.Requests() - before)
	}
	b.ReportMetric(ratio, "wall/critical-path")
	b.ReportMetric(requests, "requests")
}

// TestPrefetchCriticalPath checks that provider calls overlap: a root with
// 24 dependencies, each with its own dependency, costs about six
// latencies (three levels of project document then metadata), not the 98
// calls one after another. The limit is four times that (the race detector
// on a loaded machine), still a sixth of the sequential time.
func TestPrefetchCriticalPath(t *testing.T) {
	var b strings.Builder
	var deps []string
	for i := 0; i < 24; i++ {
		fmt.Fprintf(&b, "mid%d 1.0: leaf%d\nleaf%d 1.0:\n", i, i, i)
		deps = append(deps, fmt.Sprintf("mid%d", i))
	}
	fmt.Fprintf(&b, "top 1.0: %s\n", strings.Join(deps, " | "))
	idx := newMemIndex(t, b.String())
	const latency = 40 * time.Millisecond
	idx.delay = func(string) time.Duration { return latency }
	start := time.Now()
	res, err := Resolve(context.Background(), idx, rootFile(t, "top", ""), Options{})
	if err != nil {
		t.Fatal(err)
	}
	wall := time.Since(start)
	path := criticalPath(res) // top, mid, leaf: 6 calls
	if limit := time.Duration(4*path) * latency; wall > limit {
		t.Errorf("took %v for %d calls; critical path %d × %v, limit %v", wall, idx.calls.Load(), path, latency, limit)
	}
}

// TestBacktrackingLatency checks that backtracking through many versions
// under latency does not cost a round trip per version tried: after the
// first conflict, the metadata of the next candidates (and of their
// dependencies) is fetched in batches ahead of the solver.
func TestBacktrackingLatency(t *testing.T) {
	dsl, roots := conflictIndex(1, 30) // a0 30.0 ... 2.0 each fail through b0
	idx := newMemIndex(t, dsl)
	const latency = 20 * time.Millisecond
	idx.delay = func(string) time.Duration { return latency }
	start := time.Now()
	res, err := Resolve(context.Background(), idx, rootFile(t, roots, ""), Options{})
	if err != nil {
		t.Fatal(err)
	}
	wall := time.Since(start)
	if !strings.Contains(summary(res), "a0==1.0") {
		t.Fatalf("got %s", summary(res))
	}
	// One round trip per version would be 29 versions × 2 documents.
	if limit := 20 * latency; wall > limit {
		t.Errorf("took %v (%d calls) backtracking through 29 versions; limit %v", wall, idx.calls.Load(), limit)
	}
}

// BenchmarkConflictLatency is the conflict-heavy graph (4 chains of 30
// versions) with 10 ms per provider call; it reports the wall time in
// round trips (wall / latency) next to the number of calls.
func BenchmarkConflictLatency(b *testing.B) {
	dsl, roots := conflictIndex(4, 30)
	in := rootFile(b, roots, "")
	const latency = 10 * time.Millisecond
	var trips, calls float64
	for b.Loop() {
		idx := newMemIndex(b, dsl)
		idx.delay = func(string) time.Duration { return latency }
		start := time.Now()
		if _, err := Resolve(context.Background(), idx, in, Options{}); err != nil {
			b.Fatal(err)
		}
		trips = float64(time.Since(start)) / float64(latency)
		calls = float64(idx.calls.Load())
	}
	b.ReportMetric(trips, "round-trips")
	b.ReportMetric(calls, "calls")
}
