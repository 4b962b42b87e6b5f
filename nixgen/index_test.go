package nixgen

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestLookupCanonical(t *testing.T) {
	ix, err := NewIndex("python312", "test", []Entry{
		{Attr: "django_5", PName: "django", Version: "5.1.7"},
		{Attr: "django", PName: "django", Version: "4.2.20"},
		{Attr: "django_4", PName: "django", Version: "4.2.20"},
		{Attr: "Babel", PName: "babel", Version: "2.17.0"},
		{Attr: "babel", PName: "babel", Version: "2.17.0"},
		{Attr: "pyjwt", PName: "PyJWT", Version: "2.10.1"},
		{Attr: "jwt-legacy", PName: "PyJWT", Version: "1.0"},
		{Attr: "pytorch-bin", PName: "torch", Version: "2.5.1"},
		{Attr: "torch-bin", PName: "torch", Version: "2.5.1"},
		{Attr: "unknown", Version: ""},
	}, []string{"bootstrap"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, wantAttr string
		ok             bool
	}{
		{"django", "django", true},   // the attribute named as the project wins over versioned ones
		{"Django", "django", true},   // looked up by normalised name
		{"babel", "babel", true},     // an alias loses to its target
		{"PyJWT", "pyjwt", true},     // matched on the pname, not the attribute
		{"torch", "torch-bin", true}, // no exact attribute: shortest, then byte order
		{"unknown", "unknown", true}, // pname defaults to the attribute
		{"bootstrap", "", false},     // other attributes are not packages
		{"jwt-legacy", "", false},    // attribute names alone do not match
		{"py-jwt", "", false},        // another project
		{"flask", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		e, ok := ix.Lookup(tt.name)
		if ok != tt.ok || e.Attr != tt.wantAttr {
			t.Errorf("Lookup(%q) = %q, %v; want %q, %v", tt.name, e.Attr, ok, tt.wantAttr, tt.ok)
		}
	}
}

func TestLookupVersionPrefersExactVersion(t *testing.T) {
	ix := stubIndex(t)
	tests := []struct {
		name, version, wantAttr string
	}{
		{"django", "5.1.7", "django_5"}, // a cache hit under a versioned attribute
		{"django", "4.2.20", "django"},  // django and django_4 both ship it: canonical first
		{"django", "3.2", "django"},     // no exact version: canonical
		{"markupsafe", "1.1.1", "markupsafe"},
	}
	for _, tt := range tests {
		if e, _ := ix.lookupVersion(tt.name, tt.version); e.Attr != tt.wantAttr {
			t.Errorf("lookupVersion(%s, %s) = %s, want %s", tt.name, tt.version, e.Attr, tt.wantAttr)
		}
	}
}

func TestVersions(t *testing.T) {
	ix, err := NewIndex("python312", "test", []Entry{
		{Attr: "django", PName: "django", Version: "4.2.20"},
		{Attr: "django_5", PName: "django", Version: "5.1.7"},
		{Attr: "pyyaml", PName: "PyYAML", Version: "6.0.2"},
		{Attr: "flask"},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"django": "4.2.20", "pyyaml": "6.0.2"}
	if got := ix.Versions(); !reflect.DeepEqual(got, want) {
		t.Errorf("Versions() = %v, want %v (canonical entries with a known version)", got, want)
	}
}

func TestSameVersion(t *testing.T) {
	tests := []struct {
		nix, resolved string
		want          bool
	}{
		{"1.0", "1.0", true},
		{"2022.06.15", "2022.6.15", true}, // PEP 440 equal, spelled differently
		{"1.0", "1.0.0", true},
		{"1.0", "1.0.1", false},
		{"", "1.0", false}, // unknown never matches
		{"unstable-2024-01-01", "2024.1.1", false},
	}
	for _, tt := range tests {
		if got := sameVersion(tt.nix, tt.resolved); got != tt.want {
			t.Errorf("sameVersion(%q, %q) = %v, want %v", tt.nix, tt.resolved, got, tt.want)
		}
	}
}

func TestNewIndexErrors(t *testing.T) {
	if _, err := NewIndex("python312", "x.json", []Entry{{PName: "flask"}}, nil); err == nil || !strings.Contains(err.Error(), "x.json") {
		t.Errorf("entry without attribute: err = %v, want an error naming the source", err)
	}
	if _, err := NewIndex("python312", "x.json", []Entry{{Attr: "a"}, {Attr: "a"}}, nil); err == nil || !strings.Contains(err.Error(), `"a"`) {
		t.Errorf("duplicate attribute: err = %v, want an error naming it", err)
	}
}

func TestLoadIndexFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.json", `{"python_attr": "python312", "python_version": "3.12.10",
		"packages": [{"attr": "pyyaml", "pname": "PyYAML", "version": "6.0.2"}, {"attr": "flask"}],
		"other_attrs": ["bootstrap"]}`)
	ix, err := LoadIndexFile(good, "python312")
	if err != nil {
		t.Fatal(err)
	}
	good2 := write("good2.json", `{"packages": [{"attr": "requests", "version": "2.32.3",
		"dependencies": ["certifi", "idna"], "build_system": ["setuptools"], "platforms": ["x86_64-linux"]}]}`)
	ix2, err := LoadIndexFile(good2, "python312")
	if err != nil {
		t.Fatal(err)
	}
	want := Entry{Attr: "requests", PName: "requests", Version: "2.32.3",
		Dependencies: []string{"certifi", "idna"}, BuildSystem: []string{"setuptools"}, Platforms: []string{"x86_64-linux"}}
	if e, ok := ix2.EntryByAttr("requests"); !ok || !reflect.DeepEqual(e, want) {
		t.Errorf("EntryByAttr(requests) = %+v, %v; want %+v", e, ok, want)
	}
	if e, ok := ix.Lookup("pyyaml"); !ok || !reflect.DeepEqual(e, Entry{Attr: "pyyaml", PName: "PyYAML", Version: "6.0.2"}) {
		t.Errorf("Lookup(pyyaml) = %+v, %v", e, ok)
	}
	if e, ok := ix.Lookup("flask"); !ok || !reflect.DeepEqual(e, Entry{Attr: "flask", PName: "flask"}) {
		t.Errorf("Lookup(flask) = %+v, %v: pname defaults to attr, version unknown", e, ok)
	}
	if ix.Source != "file "+good || ix.PythonVersion != "3.12.10" || !ix.hasAttr("bootstrap") {
		t.Errorf("Source %q, PythonVersion %q, bootstrap known %v", ix.Source, ix.PythonVersion, ix.hasAttr("bootstrap"))
	}
	errTests := []struct {
		name, content, python, wantErr string
	}{
		{"other-python.json", `{"python_attr": "python313", "packages": []}`, "python312", "is for python313, not python312"},
		{"bad.json", `{"packages": [`, "python312", "bad.json: the JSON ends early"},
		{"syntax.json", "{\n  packages: []}", "python312", "syntax.json: line 2, column 3: invalid JSON: invalid character 'p' looking for beginning of object key string"},
		{"not-a-list.json", `{"packages": 3}`, "python312", "not-a-list.json: line 1, column 14: packages must be a list, not a number"},
		{"attr-number.json", `{"packages": [{"attr": 5}]}`, "python312", "packages.attr must be a string, not a number"},
		{"unknown-field.json", `{"pkgs": []}`, "python312", `unknown field "pkgs"`},
		{"dup.json", `{"packages": [{"attr": "a"}, {"attr": "a"}]}`, "python312", "listed twice"},
		{"nul.json", `{"packages": [{"attr": "a", "version": "1\u0000"}]}`, "python312", "NUL"},
		{"nul-other.json", `{"packages": [], "other_attrs": ["\u0000"]}`, "python312", "NUL"},
	}
	for _, tt := range errTests {
		_, err := LoadIndexFile(write(tt.name, tt.content), tt.python)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.wantErr)
		}
	}
	if _, err := LoadIndexFile(filepath.Join(dir, "missing.json"), "python312"); err == nil || !strings.HasSuffix(err.Error(), "missing.json: cannot read it: no such file or directory") {
		t.Errorf("missing file: err = %v", err)
	}
}

// TestIndexJSONRoundTrip: MarshalJSON writes what LoadIndexFile reads.
func TestIndexJSONRoundTrip(t *testing.T) {
	ix := stubIndex(t)
	data, err := json.Marshal(ix)
	if err != nil {
		t.Fatal(err)
	}
	back, err := parseIndex(data, "python312", "round trip")
	if err != nil {
		t.Fatal(err)
	}
	if !sameIndex(back, ix) {
		t.Errorf("round trip changed the index:\n%s", data)
	}
}

func TestEmbeddedIndex(t *testing.T) {
	ix, err := EmbeddedIndex("python313")
	if err != nil {
		t.Fatal(err)
	}
	if ix.Source != EmbeddedSource || ix.PythonAttr != "python313" || ix.Len() < 8000 {
		t.Errorf("Source %q, PythonAttr %q", ix.Source, ix.PythonAttr)
	}
	for _, name := range []string{"flask", "requests", "Jinja2", "typing_extensions", "setuptools"} {
		if e, ok := ix.Lookup(name); !ok || e.Version != "" {
			t.Errorf("Lookup(%s) = %+v, %v: want present with unknown version", name, e, ok)
		}
	}
	// Versioned variants, helpers, null attributes and aliases are known
	// attribute names, never packages.
	for _, attr := range []string{"django_5", "pytest7CheckHook", "typing", "bootstrap", "scikitlearn"} {
		if _, ok := ix.Lookup(attr); ok {
			t.Errorf("Lookup(%s) found a package", attr)
		}
		if !ix.hasAttr(attr) {
			t.Errorf("%s is not a known attribute", attr)
		}
	}
	if len(ix.Versions()) != 0 {
		t.Errorf("embedded index claims versions: %d", len(ix.Versions()))
	}
	if _, err := EmbeddedIndex("python39"); err == nil || !strings.Contains(err.Error(), "python39") {
		t.Errorf("EmbeddedIndex(python39) = %v, want an error naming it", err)
	}
}

// TestEmbeddedIndexUpToDate regenerates the embedded index from ../shared
// (skipped when absent) and compares.
func TestEmbeddedIndexUpToDate(t *testing.T) {
	attrs := filepath.Join("..", "..", "shared", "nixpkgs", "python-attrs.txt")
	if _, err := os.Stat(attrs); err != nil {
		t.Skip("../shared/nixpkgs not available")
	}
	checkGenerated(t, "./internal/genindex", []string{"-attrs", attrs,
		"-aliases", filepath.Join("..", "..", "shared", "nixpkgs", "python-aliases.txt")}, "embedded_index.idx", embeddedIndexData)
}
