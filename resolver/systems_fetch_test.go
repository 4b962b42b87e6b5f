package resolver

import (
	"context"
	"fmt"
	"testing"

	"github.com/req2nix/req2nix/fixtures"
	"github.com/req2nix/req2nix/pypi"
	"github.com/req2nix/req2nix/pypi/pypitest"
)

// platformReleases is a small graph for the fake index server: a root
// with dependencies behind sys_platform and platform_machine markers, a
// project whose newest release has Linux wheels only, and a shared core.
func platformReleases() []pypitest.Release {
	linux := []string{"cp312-cp312-manylinux_2_17_x86_64", "cp312-cp312-manylinux_2_17_aarch64"}
	return []pypitest.Release{
		{Name: "app", Version: "1.0", RequiresDist: []string{
			`appnope; sys_platform == "darwin"`, `inotify; sys_platform == "linux"`,
			`simd; platform_machine == "x86_64"`, "core", "tensor"}},
		{Name: "appnope", Version: "0.1.4"},
		{Name: "inotify", Version: "1.3"},
		{Name: "simd", Version: "1.0"},
		{Name: "core", Version: "1.0"},
		{Name: "core", Version: "2.0", RequiresDist: []string{"six"}},
		{Name: "six", Version: "1.16"},
		{Name: "tensor", Version: "1.0", RequiresDist: []string{"core"}},
		{Name: "tensor", Version: "2.0", RequiresDist: []string{"core>=2"}, Wheels: linux, NoSdist: true},
	}
}

// TestResolveSystemsFetchesOnce resolves through pypi.Client against the
// fake index server, for one system and then for four (each on a cold
// cache), and checks that the four systems fetch no document twice: the
// provider is shared. With nothing platform-specific the four cost exactly
// the requests of one.
func TestResolveSystemsFetchesOnce(t *testing.T) {
	for _, tc := range []struct {
		name      string
		releases  []pypitest.Release
		sameAsOne bool
	}{
		{"nothing platform-specific", []pypitest.Release{
			{Name: "top", Version: "1.0", RequiresDist: []string{"mid", "core"}},
			{Name: "mid", Version: "1.0", RequiresDist: []string{"core>=1"}},
			{Name: "core", Version: "1.0"}, {Name: "core", Version: "2.0"},
		}, true},
		{"markers and Linux-only wheels", platformReleases(), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := pypitest.NewServer(t, tc.releases...)
			root := tc.releases[0].Name
			resolveOn := func(systems ...string) int {
				client, err := pypi.New(pypi.Options{IndexURL: srv.URL, CacheDir: cacheDir(t)})
				if err != nil {
					t.Fatal(err)
				}
				defer client.Close()
				before := srv.Requests()
				if _, err := ResolveSystems(context.Background(), client, rootFile(t, root, ""), SystemsOptions{Systems: systems}); err != nil {
					t.Fatal(err)
				}
				return srv.Requests() - before
			}
			one := resolveOn("x86_64-linux")
			counts := map[string]int{}
			for _, r := range tc.releases {
				for _, path := range []string{"/pypi/" + r.Name + "/json", fmt.Sprintf("/pypi/%s/%s/json", r.Name, r.Version), "/simple/" + r.Name + "/"} {
					counts[path] = srv.Count(path)
				}
			}
			four := resolveOn(AllSystems()...)
			for path, before := range counts {
				if n := srv.Count(path) - before; n > 1 {
					t.Errorf("%s fetched %d times for four systems", path, n)
				}
			}
			if tc.sameAsOne && four != one {
				t.Errorf("four systems made %d requests, one system %d", four, one)
			}
			t.Logf("requests: one system %d, four systems %d", one, four)
		})
	}
}

// TestResolveSystemsFixtureIndex resolves the platform-specific projects
// of the fixture index (fixtures/index.txt) through pypi.Client for the
// four systems: darwin-only, linux-only and x86_64-only dependencies, a
// newest release without macOS wheels, and a project with no file for
// x86_64 macOS.
func TestResolveSystemsFixtureIndex(t *testing.T) {
	client, err := pypi.New(pypi.Options{IndexURL: fixtures.IndexURL(), CacheDir: cacheDir(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	py312 := SystemsOptions{Options: Options{Python: "3.12"}}
	for _, sc := range []systemsScenario{
		{name: "markers and a newest release without macOS wheels", reqs: "crossplat", opts: py312,
			want: map[string]string{
				"x86_64-linux":   "crossplat==1.0 inotify-simple==1.3.5 tensorkit==1.9 x86simd==1.0",
				"aarch64-linux":  "crossplat==1.0 inotify-simple==1.3.5 tensorkit==1.9",
				"x86_64-darwin":  "appnope==0.1.4 crossplat==1.0 tensorkit==1.9 x86simd==1.0",
				"aarch64-darwin": "appnope==0.1.4 crossplat==1.0 tensorkit==1.9",
			},
			diffs: []string{
				`appnope: not installed on x86_64-linux, aarch64-linux; 0.1.4 on x86_64-darwin, aarch64-darwin (x86_64-linux: crossplat 1.0 requires appnope>=0.1.2; sys_platform == "darwin"; aarch64-linux: crossplat 1.0 requires appnope>=0.1.2; sys_platform == "darwin")`,
				`inotify-simple: 1.3.5 on x86_64-linux, aarch64-linux; not installed on x86_64-darwin, aarch64-darwin (x86_64-darwin: crossplat 1.0 requires inotify_simple>=1.3; sys_platform == "linux"; aarch64-darwin: crossplat 1.0 requires inotify_simple>=1.3; sys_platform == "linux")`,
				`x86simd: 1.0 on x86_64-linux, x86_64-darwin; not installed on aarch64-linux, aarch64-darwin (aarch64-linux: crossplat 1.0 requires x86simd>=1.0; platform_machine == "x86_64"; aarch64-darwin: crossplat 1.0 requires x86simd>=1.0; platform_machine == "x86_64")`,
			}},
		{name: "Linux alone takes the newest release", reqs: "tensorkit",
			opts: SystemsOptions{Options: Options{Python: "3.12"}, Systems: []string{"x86_64-linux", "aarch64-linux"}},
			want: everywhere("x86_64-linux aarch64-linux", "tensorkit==2.0")},
		{name: "no file for x86_64 macOS: that system alone fails", reqs: "armless", opts: py312,
			want:   everywhere("x86_64-linux aarch64-linux aarch64-darwin", "armless==0.5"),
			failed: map[string]string{"x86_64-darwin": "armless==0.5 has no sdist and no wheel for CPython 3.12.12 on x86_64-darwin"}},
	} {
		t.Run(sc.name, func(t *testing.T) { runSystemsScenario(t, sc, client) })
	}
}
