package resolver

import (
	"context"
	"strings"
	"testing"
)

// freeThreadedScenarios resolve for CPython's free-threading build: wheels
// of its own ABI (cp313t) are taken, abi3 and GIL wheels never, and
// markers are those of the same Python (PEP 508 has no ABI marker).
var freeThreadedScenarios = []scenario{
	{name: "its own ABI's wheel, not the GIL build's", index: `
numpy 2.3.2 wheel=cp313-cp313-manylinux_2_28_x86_64 wheel=cp313-cp313t-manylinux_2_28_x86_64:`, reqs: "numpy",
		opts: Options{Python: "3.13", FreeThreaded: true},
		want: "numpy==2.3.2", check: wantFiles("numpy", "sdist numpy-2.3.2.tar.gz", "wheel numpy-2.3.2-cp313-cp313t-manylinux_2_28_x86_64.whl")},
	{name: "the same index for the GIL build", index: `
numpy 2.3.2 wheel=cp313-cp313-manylinux_2_28_x86_64 wheel=cp313-cp313t-manylinux_2_28_x86_64:`, reqs: "numpy",
		opts: Options{Python: "3.13"},
		want: "numpy==2.3.2", check: wantFiles("numpy", "sdist numpy-2.3.2.tar.gz", "wheel numpy-2.3.2-cp313-cp313-manylinux_2_28_x86_64.whl")},
	{name: "abi3 wheels do not load: the sdist it is", index: `
cryptography 45.0.5 wheel=cp311-abi3-manylinux_2_34_x86_64:`, reqs: "cryptography",
		opts: Options{Python: "3.13", FreeThreaded: true},
		want: "cryptography==45.0.5", check: wantFiles("cryptography", "sdist cryptography-45.0.5.tar.gz")},
	{name: "pure wheels as usual", index: `
idna 3.10 nosdist wheel=py3-none-any:`, reqs: "idna",
		opts: Options{Python: "3.13", FreeThreaded: true},
		want: "idna==3.10", check: wantFiles("idna", "wheel idna-3.10-py3-none-any.whl")},
	{name: "abi3 wheels only: an older release that has an sdist", index: `
a 1.0:
a 2.0 nosdist wheel=cp39-abi3-manylinux_2_17_x86_64:`, reqs: "a",
		opts: Options{Python: "3.13", FreeThreaded: true},
		want: "a==1.0"},
	{name: "markers see the same Python", index: `
a 1.0: b; python_version >= "3.13" and implementation_name == "cpython" | c; python_version < "3.13"
b 1.0:
c 1.0:`, reqs: "a", opts: Options{Python: "3.13", FreeThreaded: true}, want: "a==1.0 b==1.0"},
	{name: "no wheel for the free-threading build, named so", index: `
a 2.0 nosdist wheel=cp39-abi3-manylinux_2_17_x86_64:`, reqs: "a",
		opts:    Options{Python: "3.13.5", FreeThreaded: true},
		wantErr: "Because a==2.0 has no sdist and no wheel for CPython 3.13.5 (free-threading) on x86_64-linux and requirements.txt:1 requires a, version solving failed."},
}

func TestResolveFreeThreaded(t *testing.T) {
	for _, sc := range freeThreadedScenarios {
		t.Run(sc.name, func(t *testing.T) {
			runScenario(t, sc, newMemIndex(t, sc.index))
			if sc.wantErr != "" {
				return
			}
			res, err := Resolve(context.Background(), newMemIndex(t, sc.index), rootFile(t, sc.reqs, ""), sc.opts)
			if err != nil || res.FreeThreaded != sc.opts.FreeThreaded {
				t.Errorf("Resolution.FreeThreaded = %v (%v), want %v", res != nil && res.FreeThreaded, err, sc.opts.FreeThreaded)
			}
		})
	}
}

func TestResolveFreeThreadedBefore313(t *testing.T) {
	_, err := Resolve(context.Background(), newMemIndex(t, "a 1.0:"), rootFile(t, "a", ""), Options{Python: "3.12", FreeThreaded: true})
	if err == nil || !strings.Contains(err.Error(), "the free-threading build exists from 3.13 on") {
		t.Fatalf("error %v, want one saying free-threading exists from 3.13 on", err)
	}
}
