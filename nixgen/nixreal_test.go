package nixgen

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/req2nix/req2nix/pypi/pep508"
	"github.com/req2nix/req2nix/resolver"
)

// realPackage is one package of nixreal's check.nix report.
type realPackage struct {
	PName        string   `json:"pname"`
	Version      string   `json:"version"`
	AsIs         bool     `json:"asIs"`
	NixpkgsSrc   bool     `json:"nixpkgsSrc"`
	Fetcher      string   `json:"fetcher"`
	Hash         string   `json:"hash"`
	Format       string   `json:"format"`
	BuildSystem  []string `json:"buildSystem"`
	Dependencies []string `json:"dependencies"`
	DoCheck      bool     `json:"doCheck"`
	DrvPath      string   `json:"drvPath"`
}

// nixrealVariant is how nixreal's synthetic nixpkgs writes its recipes.
type nixrealVariant struct {
	name   string
	style  string // NIXREAL_STYLE: "attrs" or "finalAttrs"
	legacy bool   // overridden packages use format = "setuptools", as old recipes do
	format string // FormatShell or FormatFlake
}

var nixrealVariants = []nixrealVariant{
	{"attrs", "attrs", false, FormatShell},
	{"finalAttrs", "finalAttrs", false, FormatShell},
	{"legacy format", "attrs", true, FormatShell},
	{"flake", "attrs", false, FormatFlake},
}

// TestNixreal evaluates representative outputs with nixpkgs' real Python
// machinery (buildPythonPackage, overridePythonAttrs, withPackages,
// fetchPypi), against a synthetic nixpkgs holding the plan's nixpkgs
// packages at nixpkgs' versions with nixpkgs' dependencies, in both
// recipe styles and with legacy-format recipes: the environment is the
// report's, as-is packages are nixpkgs' untouched, overrides build the
// resolved file with the sdist's build system and the resolution's
// dependencies (nixpkgs' own are dropped), wheels are installed as wheels.
func TestNixreal(t *testing.T) {
	dir := nixrealDir(t)
	cases := []struct {
		name string
		plan func(t *testing.T) (*Plan, *Index)
	}{
		{"flask", func(t *testing.T) (*Plan, *Index) { return planWith(t, flaskResolution(), stubIndex(t)), stubIndex(t) }},
		{"mixed", func(t *testing.T) (*Plan, *Index) { return planWith(t, mixedResolution(), stubIndex(t)), stubIndex(t) }},
		{"edges", func(t *testing.T) (*Plan, *Index) {
			// Without channels, whose nixpkgs dependency on django 4 would
			// put two djangos in the environment (the summary warns).
			ix, err := NewIndex("python312", "edges", edgeEntries(true), nil)
			if err != nil {
				t.Fatal(err)
			}
			res := edgeResolution()
			res.Packages = slices.DeleteFunc(res.Packages, func(p resolver.Package) bool { return p.Name == "channels" })
			return planWith(t, res, ix), ix
		}},
	}
	for _, c := range cases {
		plan, ix := c.plan(t)
		for _, v := range nixrealVariants {
			t.Run(c.name+"/"+v.name, func(t *testing.T) {
				out, err := plan.Render(Options{Format: v.format})
				if err != nil {
					t.Fatal(err)
				}
				work := t.TempDir()
				file := filepath.Join(work, formatFiles[v.format])
				index := filepath.Join(work, "index.json")
				writeJSON(t, index, nixrealIndex(plan, ix, v.legacy))
				if err := os.WriteFile(file, out, 0o644); err != nil {
					t.Fatal(err)
				}
				pkgs := evalNixreal(t, dir, file, v, index)
				checkNixreal(t, plan, ix, pkgs)
			})
		}
	}
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// evalNixreal runs nixreal's check.nix on a generated file.
func evalNixreal(t *testing.T, dir, file string, v nixrealVariant, index string) []realPackage {
	t.Helper()
	cmd := exec.Command("nix-instantiate", "--store", "dummy://", "--eval", "--strict", "--json",
		filepath.Join(dir, "check.nix"), "--argstr", "file", file, "--argstr", "format", v.format)
	cmd.Env = append(os.Environ(), "NIXREAL_INDEX="+index, "NIXREAL_STYLE="+v.style)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("nixreal: %v\n%s", err, stderr.String())
	}
	var report struct {
		Packages []realPackage `json:"packages"`
	}
	if err := json.Unmarshal(out, &report); err != nil {
		t.Fatalf("nixreal output: %v", err)
	}
	return report.Packages
}

// nixrealIndex is the synthetic nixpkgs a plan was made against: every
// attribute the plan's nixpkgs packages reach (their dependencies, build
// systems, nixpkgs' additions), at nixpkgs' versions, with nixpkgs'
// dependencies when the index knows them (for as-is packages of an index
// without edges, the resolved ones: what nixpkgs would have to hold for
// the plan to be right). legacy writes overridden packages' recipes with
// format = "setuptools".
func nixrealIndex(p *Plan, ix *Index, legacy bool) map[string]any {
	byAttr := map[string]Decision{}
	attrOf := map[string]string{}
	for _, d := range p.Packages {
		byAttr[d.Attr] = d
		attrOf[pep508.NormalizeName(d.Name)] = d.Attr
	}
	out := map[string]any{}
	queue := []string{}
	for _, d := range p.Packages {
		if d.InNixpkgs {
			queue = append(queue, d.Attr)
		}
		queue = append(queue, d.BuildSystem...)
	}
	for len(queue) > 0 {
		attr := queue[0]
		queue = queue[1:]
		e, ok := ix.EntryByAttr(attr)
		if _, done := out[attr]; done || !ok {
			continue
		}
		deps, bs := e.Dependencies, e.BuildSystem
		if d, ok := byAttr[attr]; ok && !p.EdgesKnown {
			deps = mapped(d.Resolved.Dependencies, func(n string) string { return attrOf[pep508.NormalizeName(n)] })
		}
		entry := map[string]any{"pname": e.PName, "version": orDefault(e.Version, "0-nixpkgs"), "dependencies": nonNil(deps)}
		if bs != nil {
			entry["build-system"] = bs
		}
		if d, ok := byAttr[attr]; ok && legacy && d.Kind == KindOverride {
			entry["format"] = "setuptools"
		}
		out[attr] = entry
		queue = append(append(queue, deps...), bs...)
	}
	return out
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func nonNil(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}

// checkNixreal checks nixreal's packages against the plan and its report.
func checkNixreal(t *testing.T, p *Plan, ix *Index, pkgs []realPackage) {
	t.Helper()
	got := map[string]realPackage{}
	var versions [][2]string
	for _, rp := range pkgs {
		got[pep508.NormalizeName(rp.PName)] = rp
		versions = append(versions, [2]string{rp.PName, rp.Version})
	}
	checkVersions(t, versions, planWant(t, p))
	pnameOf := func(attr string) string {
		for _, d := range p.Packages {
			if d.Attr == attr {
				return d.Name
			}
		}
		if e, ok := ix.EntryByAttr(attr); ok {
			return e.PName
		}
		return attr
	}
	for _, d := range p.Packages {
		rp := got[pep508.NormalizeName(d.Name)]
		switch {
		case d.Kind == KindAsIs:
			if !rp.AsIs {
				t.Errorf("%s: not nixpkgs' package as is: %+v", d.Name, rp)
			}
			continue
		case rp.NixpkgsSrc || rp.Fetcher == "nixpkgs" || rp.Hash != d.Src.Hash || rp.DoCheck:
			t.Errorf("%s: src %s %s (nixpkgs' %v), doCheck %v; want the resolved file %s, checks off", d.Name, rp.Fetcher, rp.Hash, rp.NixpkgsSrc, rp.DoCheck, d.Src.Hash)
		}
		wantFormat := "pyproject"
		if d.Format == "wheel" {
			wantFormat = "wheel"
		}
		if d.BuildSystem != nil || d.Format != "" {
			if rp.Format != wantFormat {
				t.Errorf("%s: built as %s, want %s", d.Name, rp.Format, wantFormat)
			}
		}
		if d.BuildSystem != nil {
			checkNames(t, d.Name+": build-system", rp.BuildSystem, mapped(d.BuildSystem, pnameOf))
		}
		checkNames(t, d.Name+": dependencies", rp.Dependencies, mapped(d.Deps, pnameOf))
	}
}

// TestNixrealCacheAccounting checks the binary-cache accounting against
// nixpkgs' real machinery: an as-is package is CacheHit exactly when its
// derivation in the generated environment is the very derivation plain
// nixpkgs has (what the binary cache holds), and CacheRebuilt when an
// override in its closure changed it.
func TestNixrealCacheAccounting(t *testing.T) {
	dir := nixrealDir(t)
	ix, err := NewIndex("python312", "edges", edgeEntries(true), nil)
	if err != nil {
		t.Fatal(err)
	}
	res := edgeResolution()
	res.Packages = slices.DeleteFunc(res.Packages, func(p resolver.Package) bool { return p.Name == "channels" })
	plan := planWith(t, res, ix)
	out, err := plan.Render(Options{})
	if err != nil {
		t.Fatal(err)
	}
	var asIs []string
	for _, d := range plan.Packages {
		if d.Kind == KindAsIs {
			asIs = append(asIs, "ps."+nixAttr(d.Attr))
		}
	}
	// Plain nixpkgs (the same pin) with the as-is packages only.
	baseline := "let pkgs = import (fetchTarball { url = " + nixString(DefaultPin().tarball()) + "; sha256 = " + nixString(DefaultPin().SHA256) + "; }) { config = { }; overlays = [ ]; };\n" +
		"in pkgs.mkShell { packages = [ (pkgs.python312.withPackages (ps: [ " + strings.Join(asIs, " ") + " ])) ]; }\n"
	work := t.TempDir()
	index := filepath.Join(work, "index.json")
	writeJSON(t, index, nixrealIndex(plan, ix, false))
	files := map[string]string{"shell.nix": string(out), "baseline.nix": baseline}
	drvs := map[string]map[string]string{}
	for name, text := range files {
		file := filepath.Join(work, name)
		if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		drvs[name] = map[string]string{}
		for _, rp := range evalNixreal(t, dir, file, nixrealVariants[0], index) {
			drvs[name][pep508.NormalizeName(rp.PName)] = rp.DrvPath
		}
	}
	hits := 0
	for _, d := range plan.Packages {
		if d.Kind != KindAsIs {
			continue
		}
		same := drvs["shell.nix"][d.Name] == drvs["baseline.nix"][d.Name]
		if same != (d.Cache == CacheHit) {
			t.Errorf("%s: %s (rebuilt because %q), but its derivation is unchanged: %v", d.Name, d.Cache, d.RebuiltBecause, same)
		}
		if same {
			hits++
		}
	}
	if hits == 0 || hits == len(asIs) {
		t.Errorf("%d of %d as-is packages unchanged: the test needs both kinds", hits, len(asIs))
	}
}
