package resolver

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/req2nix/req2nix/pypi"
	"github.com/req2nix/req2nix/pypi/pep440"
	"github.com/req2nix/req2nix/pypi/pypitest"
)

// samplesDir holds real PyPI project documents (others' data).
const samplesDir = "../../shared/pypi-json-samples/pypi"

// sampleChain are the sample projects in the order of the benchmark's
// dependency chain: each one's newest release depends on the next.
var sampleChain = []string{"black", "celery", "luigi", "numpy", "pendulum", "pytest", "pytz", "snowballstemmer", "xo-gd"}

// sampleReleases turns the real documents into pypitest releases of the
// same shape: every release with files, its wheels' tags, whether it has
// an sdist, requires-python, yanks, upload times and the README as
// description, so that the documents served are about as large as the
// real ones. Dependencies are a chain through sampleChain (the samples
// carry none for older releases).
func sampleReleases(b testing.TB) []pypitest.Release {
	var out []pypitest.Release
	for i, name := range sampleChain {
		data, err := os.ReadFile(filepath.Join(samplesDir, name, "json"))
		if err != nil {
			b.Skipf("shared samples absent: %v", err)
		}
		var doc struct {
			Info struct {
				Name, Description string
			}
			Releases map[string][]struct {
				Filename          string
				PackageType       string
				UploadTimeISO8601 string  `json:"upload_time_iso_8601"`
				RequiresPython    *string `json:"requires_python"`
				Yanked            bool
				YankedReason      *string `json:"yanked_reason"`
			}
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			b.Fatalf("%s: %v", name, err)
		}
		keys := make([]string, 0, len(doc.Releases))
		for k, files := range doc.Releases {
			if len(files) > 0 {
				keys = append(keys, k)
			}
		}
		slices.SortFunc(keys, compareKeys)
		for j, key := range keys {
			files := doc.Releases[key]
			r := pypitest.Release{Name: doc.Info.Name, Version: key, Wheels: []string{}, NoSdist: true, RequiresDist: []string{}, Description: doc.Info.Description}
			for _, f := range files {
				switch {
				case strings.HasSuffix(f.Filename, ".whl"):
					r.Wheels = append(r.Wheels, wheelTag(f.Filename))
				case f.PackageType == "sdist":
					r.NoSdist = false
				}
				if f.RequiresPython != nil {
					r.RequiresPython = *f.RequiresPython
				}
				r.Yanked = f.Yanked
				if f.YankedReason != nil {
					r.YankedReason = *f.YankedReason
				}
				r.UploadTime, _ = time.Parse(time.RFC3339Nano, f.UploadTimeISO8601)
			}
			if j == len(keys)-1 && i+1 < len(sampleChain) {
				r.RequiresDist = []string{sampleChain[i+1]}
			}
			if len(r.Wheels) > 0 || !r.NoSdist {
				out = append(out, r)
			}
		}
	}
	return out
}

// compareKeys orders release keys by version (legacy ones first), so that
// the last one added, which pypitest's project document describes, is
// the newest.
func compareKeys(a, b string) int {
	va, ea := pep440.Parse(a)
	vb, eb := pep440.Parse(b)
	switch {
	case ea != nil || eb != nil:
		return strings.Compare(fmt.Sprint(ea == nil), fmt.Sprint(eb == nil))
	}
	return va.Compare(vb)
}

// wheelTag is the python-abi-platform part of a wheel filename.
func wheelTag(filename string) string {
	parts := strings.Split(strings.TrimSuffix(filename, ".whl"), "-")
	return strings.Join(parts[len(parts)-3:], "-")
}

// BenchmarkIndexShapes resolves a nine-level chain of real-size projects
// (built from ../shared/pypi-json-samples) on a cold cache, against the
// fake index in each shape, with 50 ms per request. It reports, per cold
// run, the compressed bytes the server sent, the requests, the wall time
// in round trips (wall / latency), and that over the chain's levels
// ("x-levels": 1.0 is one round trip per level, the most a project's
// newest release can cost when the JSON API comes with the project's page;
// the Simple API alone needs two). "json-only" is the path before the
// Simple API: the JSON API's project document with its releases.
func BenchmarkIndexShapes(b *testing.B) {
	releases := sampleReleases(b)
	const latency = 50 * time.Millisecond
	for _, mode := range []pypitest.Mode{pypitest.ModeJSONOnly, pypitest.ModeJSON, pypitest.ModeJSONNoReleases, pypitest.ModeSimple, pypitest.ModeSimpleHTML} {
		b.Run(mode.String(), func(b *testing.B) {
			srv := pypitest.NewServer(b, releases...)
			srv.SetMode(mode)
			srv.SetLatency(latency)
			in := rootFile(b, sampleChain[0], "")
			var wall time.Duration
			var bytes, requests int64
			for b.Loop() {
				client, err := pypi.New(pypi.Options{IndexURL: srv.IndexURL(), CacheDir: cacheDir(b), Jobs: 16, Netrc: "/nonexistent"})
				if err != nil {
					b.Fatal(err)
				}
				sent, asked := srv.BodyBytes(), srv.Requests()
				start := time.Now()
				res, err := Resolve(context.Background(), client, in, Options{Python: "3.12"})
				wall += time.Since(start)
				client.Close()
				if err != nil {
					b.Fatal(err)
				}
				if len(res.Packages) != len(sampleChain) {
					b.Fatalf("got %s", summary(res))
				}
				bytes += srv.BodyBytes() - sent
				requests += int64(srv.Requests() - asked)
			}
			n := float64(b.N)
			b.ReportMetric(float64(bytes)/n/(1<<20), "MiB/run")
			b.ReportMetric(float64(requests)/n, "requests/run")
			b.ReportMetric(float64(wall)/n/float64(latency), "round-trips")
			b.ReportMetric(float64(wall)/n/float64(time.Duration(len(sampleChain))*latency), "x-levels")
		})
	}
}
