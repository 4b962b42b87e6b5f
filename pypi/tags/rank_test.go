package tags

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func mustRanker(t *testing.T, python, platform string) *Ranker {
	t.Helper()
	r, err := NewRanker(Target{Python: python, Platform: platform})
	if err != nil {
		t.Fatalf("NewRanker(%s, %s): %v", python, platform, err)
	}
	return r
}

// TestTagOrder checks, per target, tags that must all be supported and
// appear in exactly this relative order (packaging.tags.sys_tags for
// CPython), and tags that must not be supported at all.
func TestTagOrder(t *testing.T) {
	for _, tc := range []struct {
		python, platform string
		ordered          []string
		unsupported      []string
	}{
		{"3.12", "x86_64-linux", []string{
			"cp312-cp312-manylinux_2_40_x86_64",
			"cp312-cp312-manylinux_2_39_x86_64",
			"cp312-cp312-manylinux_2_17_x86_64",
			"cp312-cp312-manylinux2014_x86_64",
			"cp312-cp312-manylinux_2_16_x86_64",
			"cp312-cp312-manylinux_2_12_x86_64",
			"cp312-cp312-manylinux2010_x86_64",
			"cp312-cp312-manylinux_2_5_x86_64",
			"cp312-cp312-manylinux1_x86_64",
			"cp312-cp312-linux_x86_64",
			"cp312-abi3-manylinux_2_40_x86_64",
			"cp312-abi3-linux_x86_64",
			"cp312-none-manylinux_2_40_x86_64",
			"cp312-none-linux_x86_64",
			"cp311-abi3-manylinux_2_40_x86_64",
			"cp311-abi3-manylinux2014_x86_64",
			"cp310-abi3-manylinux_2_40_x86_64",
			"cp32-abi3-manylinux1_x86_64",
			"cp32-abi3-linux_x86_64",
			"py312-none-manylinux_2_40_x86_64",
			"py3-none-manylinux_2_40_x86_64",
			"py311-none-manylinux_2_40_x86_64",
			"py30-none-linux_x86_64",
			"cp312-none-any",
			"py312-none-any",
			"py3-none-any",
			"py311-none-any",
			"py30-none-any",
		}, []string{
			"cp313-cp313-manylinux_2_17_x86_64", "cp311-cp311-manylinux_2_17_x86_64",
			"cp312-cp312-manylinux_2_41_x86_64", "cp312-cp312-manylinux_2_4_x86_64",
			"cp312-cp312-musllinux_1_2_x86_64", "cp312-cp312-manylinux_2_17_aarch64",
			"cp31-abi3-linux_x86_64", "cp313-abi3-manylinux_2_17_x86_64", "cp311-none-any",
			"py2-none-any", "py313-none-any", "cp312-cp312-macosx_11_0_x86_64", "cp312-cp312-win_amd64",
		}},
		{"3.11", "aarch64-linux", []string{
			"cp311-cp311-manylinux_2_40_aarch64",
			"cp311-cp311-manylinux_2_17_aarch64",
			"cp311-cp311-manylinux2014_aarch64",
			"cp311-cp311-linux_aarch64",
			"cp311-abi3-manylinux_2_28_aarch64",
			"cp311-none-manylinux2014_aarch64",
			"cp310-abi3-manylinux_2_17_aarch64",
			"py3-none-manylinux_2_17_aarch64",
			"cp311-none-any",
			"py3-none-any",
		}, []string{
			"cp311-cp311-manylinux_2_16_aarch64", "cp311-cp311-manylinux2010_aarch64",
			"cp311-cp311-manylinux1_aarch64", "cp311-cp311-manylinux_2_17_x86_64",
		}},
		{"3.12", "x86_64-darwin", []string{
			"cp312-cp312-macosx_15_0_x86_64",
			"cp312-cp312-macosx_15_0_intel",
			"cp312-cp312-macosx_15_0_fat64",
			"cp312-cp312-macosx_15_0_fat32",
			"cp312-cp312-macosx_15_0_universal2",
			"cp312-cp312-macosx_15_0_universal",
			"cp312-cp312-macosx_14_0_x86_64",
			"cp312-cp312-macosx_11_0_universal",
			"cp312-cp312-macosx_10_16_x86_64",
			"cp312-cp312-macosx_10_9_x86_64",
			"cp312-cp312-macosx_10_9_universal2",
			"cp312-cp312-macosx_10_4_universal",
			"cp312-abi3-macosx_15_0_x86_64",
			"cp38-abi3-macosx_10_9_x86_64",
			"py3-none-macosx_10_9_x86_64",
			"cp312-none-any",
		}, []string{
			"cp312-cp312-macosx_16_0_x86_64", "cp312-cp312-macosx_11_1_x86_64",
			"cp312-cp312-macosx_10_3_x86_64", "cp312-cp312-macosx_11_0_arm64",
			"cp312-cp312-macosx_10_9_fat3",
		}},
		{"3.12", "aarch64-darwin", []string{
			"cp312-cp312-macosx_15_0_arm64",
			"cp312-cp312-macosx_15_0_universal2",
			"cp312-cp312-macosx_14_0_arm64",
			"cp312-cp312-macosx_11_0_arm64",
			"cp312-cp312-macosx_11_0_universal2",
			"cp312-cp312-macosx_10_16_universal2",
			"cp312-cp312-macosx_10_4_universal2",
			"cp312-abi3-macosx_11_0_arm64",
			"cp312-none-macosx_11_0_arm64",
			"cp311-abi3-macosx_11_0_arm64",
			"py312-none-macosx_11_0_arm64",
			"cp312-none-any",
			"py3-none-any",
		}, []string{
			"cp312-cp312-macosx_10_16_arm64", "cp312-cp312-macosx_10_9_x86_64",
			"cp312-cp312-macosx_11_0_x86_64", "cp312-cp312-macosx_11_0_intel",
			"cp312-cp312-macosx_10_9_universal",
		}},
	} {
		r := mustRanker(t, tc.python, tc.platform)
		last := -1
		for _, tag := range tc.ordered {
			rank, ok := r.impl.rank[tag]
			if !ok {
				t.Errorf("%s %s: %s is not supported", tc.python, tc.platform, tag)
				continue
			}
			if rank <= last {
				t.Errorf("%s %s: %s (rank %d) should come after the previous tag (rank %d)", tc.python, tc.platform, tag, rank, last)
			}
			last = rank
		}
		for _, tag := range tc.unsupported {
			if rank, ok := r.impl.rank[tag]; ok {
				t.Errorf("%s %s: %s should not be supported (rank %d)", tc.python, tc.platform, tag, rank)
			}
		}
		if got := r.SupportedTags(); got[0] != tc.ordered[0] || got[len(got)-1] != "py30-none-any" {
			t.Errorf("%s %s: SupportedTags() runs from %s to %s", tc.python, tc.platform, got[0], got[len(got)-1])
		}
	}
}

func TestNewRankerInvalid(t *testing.T) {
	for _, tc := range []struct{ python, platform, wantErr string }{
		{"3", "x86_64-linux", "unsupported target Python"},
		{"2.7", "x86_64-linux", "unsupported target Python"},
		{"3.x", "x86_64-linux", "unsupported target Python"},
		{"3.12.1", "x86_64-linux", "unsupported target Python"},
		{"3.012", "x86_64-linux", "unsupported target Python"},
		{"", "x86_64-linux", "unsupported target Python"},
		{"3.12", "x86_64-windows", `unsupported target platform "x86_64-windows"`},
		{"3.12", "i686-linux", "want x86_64-linux, aarch64-linux, x86_64-darwin or aarch64-darwin"},
	} {
		if _, err := NewRanker(Target{Python: tc.python, Platform: tc.platform}); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("NewRanker(%q, %q) error %v, want one containing %q", tc.python, tc.platform, err, tc.wantErr)
		}
	}
}

func TestRankAndBest(t *testing.T) {
	r := mustRanker(t, "3.12", "x86_64-linux")
	files := []string{
		"foo-1.0.tar.gz",                   // not a wheel
		"foo-1.0-py2-none-any.whl",         // not installable
		"foo-1.0-py2.py3-none-any.whl",     // installable through py3
		"foo-1.0-cp312-abi3-win_amd64.whl", // wrong platform
		"foo-1.0-cp39-abi3-manylinux_2_28_x86_64.whl",
		"foo-1.0-cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
		"foo-1.0-1-cp39-abi3-manylinux_2_28_x86_64.whl", // same rank as [4]: tie goes to the earliest
		"not a wheel.whl",
	}
	wantOK := []bool{false, false, true, false, true, true, true, false}
	for i, f := range files {
		if _, ok := r.Rank(f); ok != wantOK[i] {
			t.Errorf("Rank(%q) ok = %v, want %v", f, ok, wantOK[i])
		}
	}
	if got := r.Best(files); got != 4 {
		t.Errorf("Best = %d (%s), want 4", got, files[max(got, 0)])
	}
	if got := r.Best(files[:4]); got != 2 {
		t.Errorf("Best of the first four = %d, want 2", got)
	}
	if got := r.Best(files[:2]); got != -1 {
		t.Errorf("Best without an installable wheel = %d, want -1", got)
	}
	py3, _ := r.Rank(files[2])
	abi3, _ := r.Rank(files[4])
	if abi3 >= py3 {
		t.Errorf("an abi3 wheel (rank %d) should beat a pure one (rank %d)", abi3, py3)
	}
}

// realFilenames reads every filename of a project from the shared PyPI
// JSON samples, or skips the test when they are absent.
func realFilenames(t *testing.T, project, version string) []string {
	t.Helper()
	path := filepath.Join("..", "..", "..", "shared", "pypi-json-samples", "pypi", project, "json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("shared PyPI samples absent: %v", err)
	}
	var doc struct {
		Releases map[string][]struct {
			Filename string `json:"filename"`
		} `json:"releases"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var names []string
	for _, f := range doc.Releases[version] {
		names = append(names, f.Filename)
	}
	if len(names) == 0 {
		t.Fatalf("%s: no files for %s %s", path, project, version)
	}
	return names
}

// TestBestRealWheels picks from real PyPI file lists what pip would pick on
// each target.
func TestBestRealWheels(t *testing.T) {
	for _, tc := range []struct {
		project, version, python, platform, want string
	}{
		{"numpy", "1.25.1", "3.11", "x86_64-linux", "numpy-1.25.1-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"},
		{"numpy", "1.25.1", "3.11", "aarch64-linux", "numpy-1.25.1-cp311-cp311-manylinux_2_17_aarch64.manylinux2014_aarch64.whl"},
		{"numpy", "1.25.1", "3.11", "x86_64-darwin", "numpy-1.25.1-cp311-cp311-macosx_10_9_x86_64.whl"},
		{"numpy", "1.25.1", "3.11", "aarch64-darwin", "numpy-1.25.1-cp311-cp311-macosx_11_0_arm64.whl"},
		{"numpy", "1.25.1", "3.12", "x86_64-linux", ""}, // no cp312 wheel, no pure wheel
		{"black", "23.7.0", "3.11", "x86_64-linux", "black-23.7.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"},
		{"black", "23.7.0", "3.11", "aarch64-linux", "black-23.7.0-py3-none-any.whl"},
		{"black", "23.7.0", "3.11", "x86_64-darwin", "black-23.7.0-cp311-cp311-macosx_10_16_x86_64.whl"},
		// arm64 binaries do not exist before macOS 11: universal2 it is.
		{"black", "23.7.0", "3.11", "aarch64-darwin", "black-23.7.0-cp311-cp311-macosx_10_16_universal2.whl"},
		{"black", "23.7.0", "3.12", "x86_64-linux", "black-23.7.0-py3-none-any.whl"},
	} {
		files := realFilenames(t, tc.project, tc.version)
		got := ""
		if i := mustRanker(t, tc.python, tc.platform).Best(files); i >= 0 {
			got = files[i]
		}
		if got != tc.want {
			t.Errorf("%s %s on CPython %s %s: Best = %q, want %q", tc.project, tc.version, tc.python, tc.platform, got, tc.want)
		}
	}
}

// TestParseRealFilenames parses every file name of the shared samples:
// wheels parse as wheels and round-trip, sdists split around the version.
func TestParseRealFilenames(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "pypi-json-samples", "pypi")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Skipf("shared PyPI samples absent: %v", err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name(), "json"))
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Info struct {
				Name string `json:"name"`
			} `json:"info"`
			Releases map[string][]struct {
				Filename    string `json:"filename"`
				PackageType string `json:"packagetype"`
			} `json:"releases"`
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		for version, files := range doc.Releases {
			for _, f := range files {
				checkRealFilename(t, doc.Info.Name, version, f.Filename, f.PackageType)
			}
		}
	}
}

func checkRealFilename(t *testing.T, project, version, filename, kind string) {
	switch kind {
	case "bdist_wheel":
		w, err := ParseWheel(filename)
		if err != nil {
			t.Errorf("%s: %v", filename, err)
			return
		}
		if got := wheelFilename(w); got != filename {
			t.Errorf("ParseWheel(%q) reassembles as %q", filename, got)
		}
	case "sdist":
		sd, err := ParseSdist(filename, project)
		if _, _, isArchive := cutSdistExtension(filename); !isArchive {
			return
		}
		if err != nil || sd.Name+"-"+sd.Version+"."+sd.Extension != filename {
			t.Errorf("ParseSdist(%q, %q) = %+v, %v", filename, project, sd, err)
		}
	}
}

func wheelFilename(w Wheel) string {
	parts := []string{w.Distribution, w.Version}
	if w.Build != "" {
		parts = append(parts, w.Build)
	}
	parts = append(parts, strings.Join(w.Python, "."), strings.Join(w.ABI, "."), strings.Join(w.Platform, "."))
	return strings.Join(parts, "-") + ".whl"
}

// TestCPythonTagsFreeThreaded is packaging's test vector for
// cpython_tags((3, 13), ["cp313t"], ["plat1", "plat2"]) as packaging 26.1
// and later compute it (tests/test_tags.py; before 26.1 the abi3t tags were
// absent), next to the GIL build's (3, 13) ["cp313"].
func TestCPythonTagsFreeThreaded(t *testing.T) {
	platforms := []string{"plat1", "plat2"}
	stableOlder := func(abi string) []string {
		var tags []string
		for minor := 12; minor >= 2; minor-- {
			for _, p := range platforms {
				tags = append(tags, "cp3"+strconv.Itoa(minor)+"-"+abi+"-"+p)
			}
		}
		return tags
	}
	for _, tc := range []struct {
		freeThreaded bool
		want         []string
	}{
		{true, append([]string{
			"cp313-cp313t-plat1", "cp313-cp313t-plat2",
			"cp313-abi3t-plat1", "cp313-abi3t-plat2",
			"cp313-none-plat1", "cp313-none-plat2",
		}, stableOlder("abi3t")...)},
		{false, append([]string{
			"cp313-cp313-plat1", "cp313-cp313-plat2",
			"cp313-abi3-plat1", "cp313-abi3-plat2",
			"cp313-none-plat1", "cp313-none-plat2",
		}, stableOlder("abi3")...)},
	} {
		if got := cpythonTags(13, tc.freeThreaded, platforms); !slices.Equal(got, tc.want) {
			t.Errorf("cpythonTags(13, freeThreaded %v) =\n%q\nwant\n%q", tc.freeThreaded, got, tc.want)
		}
	}
}

// TestFreeThreadedRanking ranks a free-threaded target's wheels as pip on
// CPython 3.13t/3.15t does: its own cp3Nt wheels first, abi3 wheels (the GIL
// build's stable ABI) and cp3N wheels never, pure wheels as usual, and a
// PEP 803 abi3.abi3t wheel through abi3t.
func TestFreeThreadedRanking(t *testing.T) {
	for _, tc := range []struct {
		python, platform string
		files            []string
		want             string
		unusable         []string
	}{
		{"3.13", "x86_64-linux", []string{
			"numpy-2.3.2-cp313-cp313-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl",
			"numpy-2.3.2-cp313-cp313t-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl",
			"numpy-2.3.2-cp313-cp313t-musllinux_1_2_x86_64.whl",
		}, "numpy-2.3.2-cp313-cp313t-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl", []string{
			"numpy-2.3.2-cp313-cp313-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl",
			"numpy-2.3.2-cp313-cp313t-musllinux_1_2_x86_64.whl",
		}},
		{"3.13", "aarch64-darwin", []string{
			"cryptography-45.0.5-cp311-abi3-macosx_10_9_universal2.whl",
			"cryptography-45.0.5-cp37-abi3-macosx_10_9_universal2.whl",
		}, "", []string{
			"cryptography-45.0.5-cp311-abi3-macosx_10_9_universal2.whl",
			"cryptography-45.0.5-cp37-abi3-macosx_10_9_universal2.whl",
		}},
		{"3.13", "x86_64-linux", []string{
			"charset_normalizer-3.4.2-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
			"charset_normalizer-3.4.2-py3-none-any.whl",
		}, "charset_normalizer-3.4.2-py3-none-any.whl", nil},
		{"3.15", "x86_64-linux", []string{
			"ext-1.0-cp315-abi3.abi3t-manylinux_2_34_x86_64.whl",
			"ext-1.0-py3-none-any.whl",
		}, "ext-1.0-cp315-abi3.abi3t-manylinux_2_34_x86_64.whl", nil},
		{"3.14", "x86_64-linux", []string{
			"ext-1.0-cp315-abi3.abi3t-manylinux_2_34_x86_64.whl", // newer than the target
			"ext-1.0-cp312-abi3t-manylinux_2_34_x86_64.whl",
		}, "ext-1.0-cp312-abi3t-manylinux_2_34_x86_64.whl", []string{
			"ext-1.0-cp315-abi3.abi3t-manylinux_2_34_x86_64.whl",
		}},
	} {
		r, err := NewRanker(Target{Python: tc.python, Platform: tc.platform, FreeThreaded: true})
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if i := r.Best(tc.files); i >= 0 {
			got = tc.files[i]
		}
		if got != tc.want {
			t.Errorf("%st on %s: Best = %q, want %q", tc.python, tc.platform, got, tc.want)
		}
		for _, f := range tc.unusable {
			if rank, ok := r.Rank(f); ok {
				t.Errorf("%st on %s: %s is installable (rank %d)", tc.python, tc.platform, f, rank)
			}
		}
	}
	// The GIL build of the same minor takes none of the cp313t wheels and
	// none of the abi3t ones.
	gil := mustRanker(t, "3.13", "x86_64-linux")
	for _, f := range []string{"numpy-2.3.2-cp313-cp313t-manylinux_2_28_x86_64.whl", "ext-1.0-cp312-abi3t-manylinux_2_34_x86_64.whl"} {
		if _, ok := gil.Rank(f); ok {
			t.Errorf("3.13 (GIL): %s is installable", f)
		}
	}
}

func TestFreeThreadedTargetInvalid(t *testing.T) {
	for _, python := range []string{"3.12", "3.8"} {
		_, err := NewRanker(Target{Python: python, Platform: "x86_64-linux", FreeThreaded: true})
		if err == nil || !strings.Contains(err.Error(), "the free-threading build exists from 3.13 on") {
			t.Errorf("NewRanker(%st) error %v", python, err)
		}
	}
}
