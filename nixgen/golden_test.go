package nixgen

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

func goldenPath(name, format string) string {
	return filepath.Join("testdata", "golden", name+"."+formatFiles[format])
}

// TestGolden compares every format of every fixture resolution with its
// golden file (go test -run TestGolden -update rewrites them).
func TestGolden(t *testing.T) {
	ix := stubIndex(t)
	for _, c := range goldenCases {
		for _, format := range allFormats {
			t.Run(c.name+"/"+format, func(t *testing.T) {
				got, err := generate(c.res(), ix, goldenOptions(format))
				if err != nil {
					t.Fatal(err)
				}
				compareGolden(t, goldenPath(c.name, format), got)
			})
		}
	}
}

// compareGolden compares output with its golden file, or rewrites the
// file with -update.
func compareGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./nixgen -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the generated output (run with -update after checking):\n%s", path, firstDiff(string(want), string(got)))
	}
}

// firstDiff shows the first differing line.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + wl + "\n  got:  " + gl
		}
	}
	return ""
}

// TestGoldenParses runs nix-instantiate --parse on every Nix golden.
func TestGoldenParses(t *testing.T) {
	for _, c := range goldenCases {
		for _, format := range []string{FormatShell, FormatFlake, FormatOverlay} {
			path := goldenPath(c.name, format)
			if _, err := nix(t, "--parse", path); err != nil {
				t.Errorf("%s does not parse: %v", path, err)
			}
		}
	}
}

// TestOverridesIdenticalAcrossFormats checks that shell.nix, flake.nix and
// overlay.nix carry the same packageOverrides function, byte for byte once
// their indentation is removed.
func TestOverridesIdenticalAcrossFormats(t *testing.T) {
	ix := stubIndex(t)
	for _, c := range goldenCases {
		var texts []string
		for _, format := range []string{FormatShell, FormatFlake, FormatOverlay} {
			out, err := generate(c.res(), ix, goldenOptions(format))
			if err != nil {
				t.Fatal(err)
			}
			texts = append(texts, overridesOf(t, string(out)))
		}
		if texts[0] != texts[1] || texts[0] != texts[2] {
			t.Errorf("%s: overrides differ between formats:\nshell:\n%s\nflake:\n%s\noverlay:\n%s", c.name, texts[0], texts[1], texts[2])
		}
		if !strings.HasPrefix(texts[0], "pyfinal: pyprev: {") {
			t.Errorf("%s: overrides not found: %q", c.name, texts[0])
		}
	}
}

// overridesOf extracts the packageOverrides function from the output and
// removes its indentation.
func overridesOf(t *testing.T, out string) string {
	t.Helper()
	lines := strings.Split(out, "\n")
	start, indent := -1, ""
	for i, l := range lines {
		trimmed := strings.TrimLeft(l, " ")
		if rest, ok := strings.CutPrefix(trimmed, "packageOverrides = "); ok {
			start, indent = i, l[:len(l)-len(trimmed)]
			lines[i] = indent + rest
			break
		}
		if trimmed == "pyfinal: pyprev: {" || trimmed == "pyfinal: pyprev: { }" {
			start = i
			break
		}
	}
	if start < 0 {
		t.Fatalf("no packageOverrides in:\n%s", out)
	}
	var body []string
	for _, l := range lines[start:] {
		body = append(body, strings.TrimPrefix(l, indent))
		if strings.TrimLeft(l, " ") == "};" || strings.TrimLeft(l, " ") == "}" || strings.HasSuffix(l, "{ };") || strings.HasSuffix(l, "{ }") {
			if len(l)-len(strings.TrimLeft(l, " ")) == len(indent) {
				break
			}
		}
	}
	text := strings.Join(body, "\n")
	return strings.TrimSuffix(text, ";")
}

// TestDeterministic: the output does not depend on the order of packages or
// files in the resolution, nor on map iteration.
func TestDeterministic(t *testing.T) {
	ix := stubIndex(t)
	for _, c := range goldenCases {
		want, err := generate(c.res(), ix, goldenOptions(FormatShell))
		if err != nil {
			t.Fatal(err)
		}
		res := c.res()
		for i, j := 0, len(res.Packages)-1; i < j; i, j = i+1, j-1 {
			res.Packages[i], res.Packages[j] = res.Packages[j], res.Packages[i]
		}
		for n := 0; n < 5; n++ {
			got, err := generate(res, ix, goldenOptions(FormatShell))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("%s: output depends on package order or map iteration:\n%s", c.name, firstDiff(string(want), string(got)))
			}
		}
	}
}
