package resolver

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/req2nix/req2nix/pypi"
	"github.com/req2nix/req2nix/pypi/pypitest"
	"github.com/req2nix/req2nix/pypi/reqfile"
)

// mirrorDir is the shared corpus of real PyPI metadata (see its MANIFEST).
const mirrorDir = "../../shared/pypi-mirror"

// closure is one entry of closures.json: root requirements and the
// expected resolution on CPython 3.12 / Linux x86_64.
type closure struct {
	Root        []string          `json:"root"`
	Satisfiable bool              `json:"satisfiable"`
	Packages    map[string]string `json:"packages"`
	Sdists      map[string]struct {
		Filename string `json:"filename"`
		SHA256   string `json:"sha256"`
	} `json:"sdists"`
}

// cacheDir is a pypi.Client cache directory removed when the test ends.
// The client may still be finishing abandoned fetches (it detaches them
// from cancelled callers) when the test ends, so removal is retried
// briefly instead of failing the test as t.TempDir would.
func cacheDir(t testing.TB) string {
	dir, err := os.MkdirTemp("", "resolver-cache-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for i := 0; i < 50 && os.RemoveAll(dir) != nil; i++ {
			time.Sleep(20 * time.Millisecond)
		}
	})
	return dir
}

func loadClosures(t testing.TB) ([]closure, string) {
	t.Helper()
	dir, err := filepath.Abs(mirrorDir)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "closures.json"))
	if err != nil {
		t.Skipf("shared mirror absent: %v", err)
	}
	var cs []closure
	if err := json.Unmarshal(data, &cs); err != nil {
		t.Fatalf("closures.json: %v", err)
	}
	return cs, dir
}

// mirrorClient is a pypi.Client over the file:// mirror, or a skip when the
// client is not usable yet.
func mirrorClient(t testing.TB, dir string) *pypi.Client {
	t.Helper()
	var c *pypi.Client
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Skipf("pypi client not ready: %v", r)
			}
		}()
		c, err = pypi.New(pypi.Options{IndexURL: "file://" + dir, CacheDir: cacheDir(t)})
	}()
	if err != nil {
		t.Skipf("pypi client not ready: %v", err)
	}
	return c
}

// TestRealClosures resolves every root set of the shared mirror and checks
// the result package by package: version, sdist filename and sha256.
func TestRealClosures(t *testing.T) {
	cs, dir := loadClosures(t)
	client := mirrorClient(t, dir)
	for _, c := range cs {
		t.Run(strings.Join(c.Root, " "), func(t *testing.T) {
			in := rootFile(t, strings.Join(c.Root, "\n"), "")
			res, err := Resolve(context.Background(), client, in, Options{Python: "3.12"})
			if !c.Satisfiable {
				if err == nil {
					t.Fatalf("resolved %s, want a failure", summary(res))
				}
				return
			}
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			t.Log(summary(res))
			checkClosure(t, c, res)
			validate(t, client, in, res)
		})
	}
}

func checkClosure(t *testing.T, c closure, res *Resolution) {
	t.Helper()
	got := map[string]Package{}
	for _, p := range res.Packages {
		got[p.Name] = p
	}
	for name, want := range c.Packages {
		p, ok := got[name]
		switch {
		case !ok:
			t.Errorf("%s: missing, want %s", name, want)
		case p.Version != want:
			t.Errorf("%s: got %s, want %s", name, p.Version, want)
		case len(p.Files) == 0 || p.Files[0].Kind != "sdist":
			t.Errorf("%s: no sdist in %+v", name, p.Files)
		case p.Files[0].Filename != c.Sdists[name].Filename || p.Files[0].SHA256 != c.Sdists[name].SHA256:
			t.Errorf("%s: sdist %s %s, want %s %s", name, p.Files[0].Filename, p.Files[0].SHA256,
				c.Sdists[name].Filename, c.Sdists[name].SHA256)
		}
	}
	for name, p := range got {
		if _, ok := c.Packages[name]; !ok {
			t.Errorf("%s==%s: not in the expected closure", name, p.Version)
		}
	}
}

// TestRequirementsFileConflict reads a real requirements file with
// reqfile.Load and checks that the explanation of a conflict in the real
// corpus names its lines.
func TestRequirementsFileConflict(t *testing.T) {
	_, dir := loadClosures(t)
	client := mirrorClient(t, dir)
	t.Chdir(t.TempDir())
	text := "# web\nflask==1.1.2\nwerkzeug<0.15\n"
	if err := os.WriteFile("requirements.txt", []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	in, err := reqfile.Load([]string{"requirements.txt"}, reqfile.Selection{})
	if err != nil {
		t.Skipf("reqfile not ready: %v", err)
	}
	_, err = Resolve(context.Background(), client, in, Options{Python: "3.12"})
	want := "Because flask==1.1.2 depends on werkzeug>=0.15 and requirements.txt:3 requires werkzeug<0.15, flask==1.1.2 cannot be used.\n" +
		"So, because requirements.txt:2 requires flask==1.1.2, version solving failed."
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

var (
	_ Provider                 = (*pypi.Client)(nil)
	_ ArtifactMetadataProvider = (*pypi.Client)(nil)
)

// TestDirectReferenceThroughClient resolves a direct reference to an sdist
// served by the fake index: its version and dependencies come from the
// archive's PKG-INFO, read by pypi.Client.
func TestDirectReferenceThroughClient(t *testing.T) {
	srv := pypitest.NewServer(t,
		pypitest.Release{Name: "foo", Version: "1.0", RequiresDist: []string{"bar>=1"}, Wheels: []string{}},
		pypitest.Release{Name: "bar", Version: "1.0"},
		pypitest.Release{Name: "bar", Version: "2.0"})
	client, err := pypi.New(pypi.Options{IndexURL: srv.URL, CacheDir: cacheDir(t)})
	if err != nil {
		t.Fatal(err)
	}
	url := srv.FileURL("foo-1.0.tar.gz") + "#sha256=" + srv.FileSHA256("foo-1.0.tar.gz")
	res, err := Resolve(context.Background(), client, rootFile(t, "foo @ "+url, ""), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := summary(res); got != "bar==2.0 foo==1.0" {
		t.Fatalf("got %s, want bar==2.0 foo==1.0", got)
	}
	foo := res.Packages[1]
	if foo.DirectURL != url || foo.MetadataSource != "direct" || len(foo.Files) != 1 ||
		foo.Files[0].SHA256 != srv.FileSHA256("foo-1.0.tar.gz") || !reflect.DeepEqual(foo.Dependencies, []string{"bar"}) {
		t.Errorf("foo: %+v", foo)
	}
	if len(res.Warnings) != 0 {
		t.Errorf("warnings: %q", res.Warnings)
	}
}

// TestRealClosuresOtherTargets resolves the shared mirror's root sets for
// other interpreters and platforms, where no expected versions are known,
// and checks every result with the validator.
func TestRealClosuresOtherTargets(t *testing.T) {
	cs, dir := loadClosures(t)
	client := mirrorClient(t, dir)
	for _, target := range []Options{{Python: "3.8", Platform: "aarch64-linux"}, {Python: "3.13", Platform: "x86_64-darwin"}} {
		for _, c := range cs {
			t.Run(target.Python+" "+target.Platform+" "+strings.Join(c.Root, " "), func(t *testing.T) {
				in := rootFile(t, strings.Join(c.Root, "\n"), "")
				res, err := Resolve(context.Background(), client, in, target)
				var ns *NoSolutionError
				if errors.As(err, &ns) {
					t.Logf("no solution: %v", err)
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				validate(t, client, in, res)
			})
		}
	}
}
