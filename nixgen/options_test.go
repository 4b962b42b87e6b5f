package nixgen

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/req2nix/req2nix/resolver"
)

// TestLocalNixpkgsPin: with Pin.Path the output's default nixpkgs is that
// directory, absolute or relative to the output file; evaluating the output
// without arguments then uses it.
func TestLocalNixpkgsPin(t *testing.T) {
	dir := t.TempDir()
	stub := stubDir(t)
	rel, err := filepath.Rel(dir, stub)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{stub, rel} {
		opts := goldenOptions(FormatShell)
		opts.Pin = Pin{Path: path}
		out, err := generate(flaskResolution(), stubIndex(t), opts)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(out), "fetchTarball") {
			t.Errorf("Path pin still fetches:\n%s", out)
		}
		file := filepath.Join(dir, "shell.nix")
		if err := os.WriteFile(file, out, 0o644); err != nil {
			t.Fatal(err)
		}
		expr := "import (" + pathExpr(filepath.Join(stub, "inspect.nix")) + ") (builtins.head (import (" + pathExpr(file) + ") { }).packages)"
		got, err := nix(t, "--eval", "--strict", "--json", "-E", expr)
		if err != nil {
			t.Fatalf("path %s: %v", path, err)
		}
		var env envReport
		if err := json.Unmarshal(got, &env); err != nil {
			t.Fatal(err)
		}
		plan := planWith(t, flaskResolution(), stubIndex(t))
		checkEnv(t, env, "python312", planWant(t, plan), plan.Packages, stubIndex(t))
	}
	opts := goldenOptions(FormatFlake)
	opts.Pin = Pin{Path: stub}
	out, err := generate(flaskResolution(), stubIndex(t), opts)
	if err != nil || !strings.Contains(string(out), `inputs.nixpkgs.url = "path:`+stub+`";`) {
		t.Errorf("flake with a local nixpkgs: %v\n%s", err, out)
	}
}

// TestEmptyResolution: nothing to install still gives a valid shell.
func TestEmptyResolution(t *testing.T) {
	for _, format := range allFormats {
		out, err := generate(&resolver.Resolution{}, stubIndex(t), goldenOptions(format))
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if format == FormatJSON {
			if !json.Valid(out) || !strings.Contains(string(out), `"packages": []`) {
				t.Errorf("json: %s", out)
			}
			continue
		}
		if !strings.Contains(string(out), "pyfinal: pyprev: { }") {
			t.Errorf("%s: no empty overrides:\n%s", format, out)
		}
		file := filepath.Join(t.TempDir(), "x.nix")
		os.WriteFile(file, out, 0o644)
		if _, err := nix(t, "--parse", file); err != nil {
			t.Errorf("%s: %v\n%s", format, err, out)
		}
	}
}

func TestGenerateOptionErrors(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		wantErr string
	}{
		{"format", Options{Format: "yaml"}, `output format "yaml"`},
		{"pin without hash", Options{Pin: Pin{Rev: "abc"}}, "no sha256"},
		{"pin without hash, flake", Options{Format: FormatFlake, Pin: Pin{Rev: "abc"}}, "no sha256"},
	}
	if _, err := generate(flaskResolution(), nil, Options{}); err == nil {
		t.Error("a plan without an index succeeded")
	}
	badAttr, err := NewIndex("python3; abort", "test", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := generate(&resolver.Resolution{}, badAttr, Options{}); err == nil || !strings.Contains(err.Error(), "expected a name such as python312") {
		t.Errorf("an index for interpreter %q: %v", badAttr.PythonAttr, err)
	}
	// The overlay and the report do not fetch nixpkgs: no hash needed.
	for _, format := range []string{FormatOverlay, FormatJSON} {
		if _, err := generate(flaskResolution(), stubIndex(t), Options{Format: format, Pin: Pin{Rev: "abc"}}); err != nil {
			t.Errorf("%s with an unhashed pin: %v", format, err)
		}
	}
	for _, tt := range tests {
		_, err := generate(flaskResolution(), stubIndex(t), tt.opts)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.wantErr)
		}
	}
}

// TestHeaderIsComment: whatever the user-supplied header values, they stay
// inside the comment block.
func TestHeaderIsComment(t *testing.T) {
	opts := Options{
		Command:  "req2nix\n{ evil = true; }",
		Inputs:   []string{"a\rb", "requirements.txt"},
		IndexURL: "https://user@index.example/\n",
	}
	res := flaskResolution()
	res.Warnings = []string{"w1\n# req2nix-lock: evil==1"}
	out, err := generate(res, stubIndex(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(out), "\n")
	for _, l := range lines {
		if l == "{" {
			break
		}
		if !strings.HasPrefix(l, "#") {
			t.Fatalf("header line %q is not a comment", l)
		}
	}
	pins, err := ReadPins(out)
	if err != nil || len(pins) != len(res.Packages) || pins["evil"] != "" {
		t.Errorf("ReadPins = %v, %v", pins, err)
	}
}

func BenchmarkGenerate(b *testing.B) {
	var pkgs []resolver.Package
	for i := 0; i < 1000; i++ {
		name := "pkg" + itoaNix(i)
		var deps []string
		if i > 0 {
			deps = []string{"pkg" + itoaNix(i-1)}
		}
		pkgs = append(pkgs, pkg(name, "1.0", deps, sdist(name+"-1.0.tar.gz")))
	}
	res := &resolver.Resolution{Packages: pkgs}
	ix := stubIndex(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := generate(res, ix, Options{Format: FormatShell}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestHostileIndexAttributes: attribute names, pnames and versions from an
// evaluated or user-given index are as untrusted as the package index's
// data; as-is and overridden packages under such attributes still give
// output that parses, with every attribute selection quoted.
func TestHostileIndexAttributes(t *testing.T) {
	var entries []Entry
	var pkgs []resolver.Package
	for i, s := range hostileStrings {
		name := "p" + itoaNix(i)
		entries = append(entries, Entry{Attr: s, PName: name, Version: "1" + s})
		version := "1" + s // as-is: the version nixpkgs ships
		if i%2 == 1 {
			version = "2" // override
		}
		pkgs = append(pkgs, pkg(name, version, nil, sdist(name+"-2.tar.gz")))
	}
	ix, err := NewIndex("python312", "hostile\nindex", entries, []string{"${x}"})
	if err != nil {
		t.Fatal(err)
	}
	res := &resolver.Resolution{Packages: pkgs}
	for _, format := range []string{FormatShell, FormatFlake, FormatOverlay} {
		out, err := generate(res, ix, Options{Format: format})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range hostileStrings {
			if !strings.Contains(string(out), "ps."+nixAttr(s)) {
				t.Errorf("%s: attribute %q not selected as ps.%s", format, s, nixAttr(s))
			}
		}
		file := filepath.Join(t.TempDir(), "x.nix")
		if err := os.WriteFile(file, out, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := nix(t, "--parse", file); err != nil {
			t.Errorf("%s: %v\n%s", format, err, out)
		}
	}
}

func TestInterpreterMatch(t *testing.T) {
	tests := []struct {
		attr, python string
		ok           bool
	}{
		{"python312", "3.12.10", true},
		{"python312", "3.12", true},
		{"python312", "", true}, // unknown: nothing to check
		{"python312", "3.13.3", false},
		{"python31", "3.12.1", false},
		{"python310", "3.1.0", false},
		{"pypy310", "3.9", true}, // not a CPython attribute: not checked
	}
	for _, tt := range tests {
		err := checkInterpreterMatch(tt.attr, tt.python, false)
		if (err == nil) != tt.ok {
			t.Errorf("checkInterpreterMatch(%s, %s) = %v, want ok=%v", tt.attr, tt.python, err, tt.ok)
		}
	}
	res := flaskResolution()
	res.Python = "3.13.3"
	if _, err := generate(res, stubIndex(t), Options{}); err == nil || !strings.Contains(err.Error(), "resolution is for Python 3.13.3") {
		t.Errorf("a plan for 3.13 with python312: %v", err)
	}
}
