package nixgen

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// sameIndex reports whether two indexes hold the same packages and other
// attributes (a known-empty list and an unknown one count as equal: the
// JSON format does not tell them apart).
func sameIndex(a, b *Index) bool {
	if a.PythonAttr != b.PythonAttr || a.PythonVersion != b.PythonVersion || len(entriesOf(a)) != len(entriesOf(b)) ||
		!slices.Equal(namesOf(a), namesOf(b)) || !reflect.DeepEqual(a.otherAttrs(), b.otherAttrs()) {
		return false
	}
	for i := range entriesOf(a) {
		x, y := entriesOf(a)[i], entriesOf(b)[i]
		if x.Attr != y.Attr || x.PName != y.PName || x.Version != y.Version ||
			!slices.Equal(x.Dependencies, y.Dependencies) || !slices.Equal(x.BuildSystem, y.BuildSystem) || !slices.Equal(x.Platforms, y.Platforms) {
			return false
		}
	}
	return true
}

// TestCacheRoundTrip: the cache format keeps every field, including the
// difference between an unknown and an empty list, and values with the
// characters it escapes.
func TestCacheRoundTrip(t *testing.T) {
	ix, err := NewIndex("python313", "evaluated nixpkgs\twith a tab\nand a newline", []Entry{
		{Attr: "requests", Version: "2.32.3", Dependencies: []string{"certifi", "idna"}, BuildSystem: []string{"setuptools"}, Platforms: []string{"aarch64-linux", "x86_64-linux"}},
		{Attr: "pyyaml", PName: "PyYAML", Version: "6.0.2", Dependencies: []string{}, BuildSystem: nil, Platforms: slices.Clone(flakeSystems)},
		{Attr: "darwin-only", Platforms: []string{"x86_64-darwin"}},
		{Attr: "odd", PName: "odd name\\with\tescapes", Version: "1 0", Dependencies: []string{"a b", `c\d`}, Platforms: []string{"riscv64-linux", "x86_64-linux"}},
		{Attr: "django_5", PName: "django", Version: "5.1.7", Platforms: []string{}},
		{Attr: "django", PName: "django", Version: "4.2.20"},
	}, []string{"bootstrap", "with space"})
	if err != nil {
		t.Fatal(err)
	}
	ix.PythonVersion = "3.13.5"
	data := ix.encodeCache()
	back, err := decodeCache(data, "test")
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if !reflect.DeepEqual(entriesOf(back), entriesOf(ix)) || !sameIndex(back, ix) || back.Source != ix.Source {
		t.Errorf("round trip changed the index:\n%s\n%+v\n%+v", data, entriesOf(back), entriesOf(ix))
	}
	for attr, want := range map[string]string{"requests": "\t:certifi idna\t:setuptools\ta\n", "pyyaml": "\t:\t?\tf\n", "django": "\t?\t?\t?\n",
		"odd": "\t:a\\sb c\\\\d\t?\t:riscv64-linux x86_64-linux\n"} {
		if !strings.Contains(string(data), "\t"+attr+"\t") || !strings.Contains(string(data), want) {
			t.Errorf("%s: the cache does not hold %q:\n%s", attr, want, data)
		}
	}
	if e, _ := back.Lookup("django"); e.Attr != "django" {
		t.Errorf("canonical django = %s after the round trip", e.Attr)
	}
}

func TestDecodeCacheErrors(t *testing.T) {
	v1 := "req2nix-index 1\nsource\ts\npython_attr\tpython313\npython_version\t\nentries\t1\n\ta\t\t1\t?\t?\t?\nothers\t0\n"
	v2 := "req2nix-index 2\nsource\ts\npython_attr\tpython313\npython_version\t\nentries\t2\n\tb\t\t1\t?\t?\t?\nx\ta\t\t1\t?\t?\t?\nby_attr\t1 0\nothers\t1\nhelper\n"
	for _, good := range []string{v1, v2} {
		if _, err := decodeCache([]byte(good), "x"); err != nil {
			t.Fatalf("good file %q: %v", good, err)
		}
	}
	type test struct{ data, wantErr string }
	tests := []test{
		{"", "not a"},
		{"req2nix-index 3\n", "not a"},
		{strings.Replace(v1, "entries\t1", "entries\t2", 1), "line 7: a package line has fewer than 7 fields"},
		{strings.Replace(v1, "entries\t1\n\ta\t\t1\t?\t?\t?\n", "entries\t2\nb\tb\t\t1\t?\t?\t?\na\ta\t\t1\t?\t?\t?\n", 1), "out of order"},
		{strings.Replace(v1, "entries\t1\n\ta\t\t1\t?\t?\t?\n", "entries\t2\n\ta\t\t1\t?\t?\t?\n\ta\t\t2\t?\t?\t?\n", 1), `"a" is listed twice`},
		// Format 2 keeps package lines undecoded, but checks them as
		// thoroughly, and its attribute order.
		{strings.Replace(v2, "entries\t2", "entries\t3", 1), "line 8: a package line has fewer than 7 fields"},
		{strings.Replace(v2, "\nx\ta", "\na\ta", 1), "entries are out of order"},
		{strings.Replace(v2, "\tb\t\t1", "\ta\t\t1", 1) /* attributes a, a */, `attribute "a" is listed twice`},
		{strings.Replace(v2, "by_attr\t1 0", "by_attr\t0 1", 1), "by_attr is out of order"},
		{strings.Replace(v2, "by_attr\t1 0", "by_attr\t1 1", 1), `bad entry number "1"`},
		{strings.Replace(v2, "by_attr\t1 0", "by_attr\t1 2", 1), `bad entry number "2"`},
		{strings.Replace(v2, "by_attr\t1 0", "by_attr\t1 -1", 1), `bad entry number "-1"`},
		{strings.Replace(v2, "by_attr\t1 0", "by_attr\t1", 1), "by_attr lists 1 entries, not 2"},
		{strings.Replace(v2, "by_attr\t1 0\n", "", 1), "by_attr"},
		{strings.Replace(v2, "others\t1\nhelper\n", "others\t2\nhelper\nabc\n", 1), "other attributes are out of order"},
		{strings.Replace(v2, "others\t1\nhelper\n", "others\t2\nhelper\nhelper\n", 1), "other attributes are out of order"},
		{strings.Replace(v2, "others\t1\nhelper\n", "others\t1\nb\n", 1), `other attribute "b" is a package`},
	}
	for _, good := range []string{v1, v2} { // a bad package line is refused in either format
		tests = append(tests,
			test{strings.Replace(good, "\t?\t?\t?", "\t?\t?", 1), "fewer than 7 fields"},
			test{strings.Replace(good, "\t?\t?\t?", "\t?\t?\tz", 1), `bad platforms "z"`},
			test{strings.Replace(good, "\t?\t?\t?", "\tcertifi\t?\t?", 1), `bad list "certifi"`},
			test{strings.Replace(good, "\t?\t?\t?", "\t?\t:a\\\t?", 1), "lone backslash"},
			test{strings.Replace(good, "\ta\t", "\ta\\x\t", 1), `unknown escape \x`},
			test{strings.Replace(good, "\ta\t", "\t\t", 1), "no attribute name"},
			test{strings.Replace(good, "\ta\t", "\ta\x00\t", 1), "NUL"},
			test{strings.TrimSuffix(good, "\n"), "no newline"},
			test{good + "extra\n", "unexpected text"},
		)
	}
	for _, tt := range tests {
		if _, err := decodeCache([]byte(tt.data), "x"); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("decodeCache(%q) = %v, want %q", tt.data, err, tt.wantErr)
		}
	}
}

// syntheticIndex is an index the size of nixpkgs' Python package set:
// n packages with run-time dependencies, a build-system and platforms.
func syntheticIndex(tb testing.TB, n int) *Index {
	tb.Helper()
	entries := make([]Entry, n)
	for i := range entries {
		e := Entry{Attr: fmt.Sprintf("package-%05d", i), Version: fmt.Sprintf("%d.%d.%d", i%7, i%13, i%5),
			BuildSystem: []string{"setuptools"}, Platforms: flakeSystems}
		if i%5 == 0 {
			e.PName = fmt.Sprintf("Package_%05d", i)
		}
		for j := 1; j <= i%5; j++ {
			e.Dependencies = append(e.Dependencies, fmt.Sprintf("package-%05d", (i*7+j*131)%n))
		}
		entries[i] = e
	}
	others := make([]string, n/15)
	for i := range others {
		others[i] = fmt.Sprintf("helper%dHook", i)
	}
	ix, err := NewIndex("python313", "synthetic", entries, others)
	if err != nil {
		tb.Fatal(err)
	}
	return ix
}

// BenchmarkLoadCachedIndex measures loading a cached index of 9,000
// attributes (the size of nixpkgs' Python package set), against the
// budget of a warm re-run (50 ms end to end), and the file's size.
func BenchmarkLoadCachedIndex(b *testing.B) {
	data := syntheticIndex(b, 9000).encodeCache()
	for b.Loop() {
		if _, err := decodeCache(data, "bench"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(data))/1024, "KiB")
}

// BenchmarkLoadJSONIndex is the same index in the JSON format of
// --nixpkgs-index files, for comparison.
func BenchmarkLoadJSONIndex(b *testing.B) {
	data, err := syntheticIndex(b, 9000).MarshalJSON()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := parseIndex(data, "python313", "bench"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(data))/1024, "KiB")
}

// BenchmarkVersions measures the resolver's map of nixpkgs versions for an
// index of 9,000 attributes.
func BenchmarkVersions(b *testing.B) {
	ix := syntheticIndex(b, 9000)
	for b.Loop() {
		if len(ix.Versions()) != 9000 {
			b.Fatal("wrong size")
		}
	}
}

// entriesOf lists an index's packages in index order, decoded.
func entriesOf(ix *Index) []Entry {
	var out []Entry
	for _, e := range ix.all() {
		out = append(out, e)
	}
	return out
}

// namesOf lists the normalised pnames of an index's packages, in index
// order.
func namesOf(ix *Index) []string {
	var out []string
	for name := range ix.all() {
		out = append(out, name)
	}
	return out
}
