package nixgen

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/req2nix/req2nix/resolver"
)

// fuzzResolution builds a resolution around one package with arbitrary
// name, version, file name and URL, depending on click (as-is in the stub).
func fuzzResolution(name, version, filename, url string, wheelFile bool) *resolver.Resolution {
	f := sdistAt(url, filename)
	if wheelFile {
		f = wheelAt(url, filename)
	}
	p := root(pkg(name, version, []string{"click"}, f))
	click := pkg("click", "7.1.1", nil, sdist("click-7.1.1.tar.gz"))
	if strings.Compare(name, "click") < 0 {
		return &resolver.Resolution{Packages: []resolver.Package{p, click}}
	}
	return &resolver.Resolution{Packages: []resolver.Package{click, p}}
}

// FuzzGenerate: whatever the index says, the plan either refuses with an
// error or writes Nix that parses, whose values evaluate back to exactly
// the index's (checked against the stub nixpkgs), and whose lock lines
// read back to the resolution.
func FuzzGenerate(f *testing.F) {
	f.Add("flask", "1.1.2", "Flask-1.1.2.tar.gz", pypiURL("Flask-1.1.2.tar.gz"), false)
	f.Add("or", "1.0", "x.whl", "https://example.org/${x}.whl", true)
	f.Fuzz(func(t *testing.T, name, version, filename, url string, wheelFile bool) {
		res := fuzzResolution(name, version, filename, url, wheelFile)
		ix := stubIndex(t)
		out, err := generate(res, ix, goldenOptions(FormatShell))
		if err != nil {
			return // refused cleanly
		}
		pins, err := ReadPins(out)
		if err != nil || len(pins) != 2 || pins[name] != version || pins["click"] != "7.1.1" {
			t.Fatalf("ReadPins = %v, %v; want %q==%q and click", pins, err, name, version)
		}
		file := filepath.Join(t.TempDir(), "shell.nix")
		if err := os.WriteFile(file, out, 0o644); err != nil {
			t.Fatal(err)
		}
		plan := planWith(t, res, ix)
		ds := plan.Packages
		for _, d := range ds {
			if d.Kind == KindAsIs && d.Name != "click" {
				// nixpkgs' own package brings nixpkgs' own dependencies:
				// the environment is not the resolution; parse only.
				if _, err := nix(t, "--parse", file); err != nil {
					t.Fatalf("output does not parse: %v\n%s", err, out)
				}
				return
			}
		}
		// Evaluating parses too.
		env := evalEnv(t, evalCase{format: FormatShell, file: file})
		checkEnv(t, env, "python312", planWant(t, plan), ds, ix)
	})
}

// FuzzReadPins: no input makes ReadPins panic, and what it accepts has
// non-empty names and versions.
func FuzzReadPins(f *testing.F) {
	f.Add([]byte("# req2nix-lock: flask==1.1.2\n{ }\n"))
	f.Add([]byte(`{"schema_version": "1.0.0", "packages": [{"name": "a", "version": "1"}]}`))
	f.Add([]byte("# req2nix-lock: certifi==2024.7.4\n# req2nix-lock x86_64-darwin: appnope==0.1.4\n# req2nix-lock aarch64-linux: blinker==1.8.2 url=git+https://h/b@0123 rev=0123456789abcdef0123456789abcdef01234567\n{ }\n"))
	f.Add([]byte(`{"schema_version": "1.2.0", "systems": ["x86_64-linux", "aarch64-darwin"], "packages": [{"name": "a", "version": "1", "systems": ["aarch64-darwin"]}, {"name": "b", "version": "2"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		pins, err := ReadSystemPins(data)
		if err != nil {
			return
		}
		check := func(system string, m map[string]string) {
			for name, version := range m {
				if name == "" || version == "" {
					t.Fatalf("accepted empty pin %q==%q (system %q)", name, version, system)
				}
			}
		}
		check("", pins.All)
		for system, m := range pins.BySystem {
			if !slices.Contains(resolver.AllSystems(), system) {
				t.Fatalf("accepted pins for unknown system %q", system)
			}
			check(system, m)
		}
	})
}

// FuzzParseIndex: no index file makes the loader panic, and an accepted
// index survives MarshalJSON and loading again unchanged.
func FuzzParseIndex(f *testing.F) {
	f.Add([]byte(`{"python_attr": "python312", "packages": [{"attr": "pyyaml", "pname": "PyYAML", "version": "6.0.2"}, {"attr": "Babel", "pname": "babel"}], "other_attrs": ["bootstrap"]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ix, err := parseIndex(data, "python312", "fuzz")
		if err != nil {
			return
		}
		out, err := json.Marshal(ix)
		if err != nil {
			t.Fatal(err)
		}
		back, err := parseIndex(out, "python312", "fuzz")
		if err != nil {
			t.Fatalf("re-reading %s: %v", out, err)
		}
		if !sameIndex(back, ix) {
			t.Fatalf("round trip changed the index: %s", out)
		}
		cached, err := decodeCache(ix.encodeCache(), "fuzz")
		if err != nil || !reflect.DeepEqual(entriesOf(cached), entriesOf(ix)) || !sameIndex(cached, ix) {
			t.Fatalf("the cache format changed the index (%v): %q", err, ix.encodeCache())
		}
	})
}
