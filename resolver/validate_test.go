package resolver

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/req2nix/req2nix/fixtures"
	"github.com/req2nix/req2nix/pypi"
	"github.com/req2nix/req2nix/pypi/pep440"
	"github.com/req2nix/req2nix/pypi/pep508"
	"github.com/req2nix/req2nix/pypi/reqfile"
)

// validator checks a Resolution against the index independently of the
// solver: every requirement in force (the root's, and each chosen
// release's after markers, extras included) is met by the chosen version
// with its extras, constraints hold, requires-python admits the target,
// and every package is reachable from the root.
type validator struct {
	t      *testing.T
	p      Provider
	env    pep508.Environment
	python pep440.Version
	in     *reqfile.File
	chosen map[string]Package
}

func validate(t *testing.T, p Provider, in *reqfile.File, res *Resolution) {
	t.Helper()
	env, err := pep508.TargetEnvironment(res.Python, res.Platform)
	if err != nil {
		t.Fatal(err)
	}
	v := &validator{t: t, p: p, env: env, python: pep440.MustParse(res.Python), in: in, chosen: map[string]Package{}}
	for _, pk := range res.Packages {
		v.chosen[pk.Name] = pk
	}
	reached := map[string]bool{}
	for _, r := range in.Requirements {
		v.need("the root", r.Requirement, "", reached)
	}
	for _, c := range in.Constraints {
		if pk, ok := v.chosen[pep508.NormalizeName(c.Name)]; ok && c.Marker.Evaluate(v.envWith("")) {
			if !c.Specifiers.Contains(pep440.MustParse(pk.Version), true) {
				t.Errorf("%s==%s violates the constraint %s", pk.Name, pk.Version, c.Requirement)
			}
		}
	}
	for name := range v.chosen {
		if !reached[name] {
			t.Errorf("%s is resolved but nothing requires it", name)
		}
	}
}

func (v *validator) envWith(extra string) pep508.Environment {
	env := maps.Clone(v.env)
	env["extra"] = extra
	return env
}

// need checks one requirement of from (evaluated with extra) and, the
// first time a package is reached, its own requirements.
func (v *validator) need(from string, r pep508.Requirement, extra string, reached map[string]bool) {
	if !r.Marker.Evaluate(v.envWith(extra)) {
		return
	}
	name := pep508.NormalizeName(r.Name)
	if v.in.ProjectName != "" && name == pep508.NormalizeName(v.in.ProjectName) {
		return
	}
	pk, ok := v.chosen[name]
	if !ok {
		v.t.Errorf("%s requires %s, which is not resolved", from, r)
		return
	}
	if r.URL == "" && !r.Specifiers.Contains(pep440.MustParse(pk.Version), true) {
		v.t.Errorf("%s requires %s, resolved %s", from, r, pk.Version)
	}
	for _, x := range r.Extras {
		if !slices.Contains(pk.Extras, pep508.NormalizeName(x)) {
			v.t.Errorf("%s requires %s, but the extra %s of %s is not activated", from, r, x, name)
		}
	}
	if reached[name] {
		return
	}
	reached[name] = true
	if pk.DirectURL == "" {
		v.release(pk, reached)
	}
}

// release checks the chosen release of pk: requires-python, then its
// dependencies and those of its activated extras.
func (v *validator) release(pk Package, reached map[string]bool) {
	ctx := context.Background()
	proj, err := v.p.Project(ctx, pk.Name)
	if err != nil {
		v.t.Fatal(err)
	}
	i := slices.IndexFunc(proj.Releases, func(r pypi.Release) bool { return r.Version.String() == pk.Version })
	if i < 0 {
		v.t.Fatalf("%s %s is not on the index", pk.Name, pk.Version)
	}
	meta, err := v.p.Metadata(ctx, pk.Name, proj.Releases[i])
	if err != nil {
		v.t.Fatal(err)
	}
	if rp, err := pep440.ParseSpecifiers(pk.RequiresPython); err == nil && !rp.Contains(v.python, true) {
		v.t.Errorf("%s %s requires Python %s; the target is %s", pk.Name, pk.Version, pk.RequiresPython, v.python)
	}
	from := pk.Name + "==" + pk.Version
	for _, s := range meta.RequiresDist {
		r, err := pep508.ParseRequirement(s)
		if err != nil {
			v.t.Errorf("%s: %v", from, err)
			continue
		}
		for _, x := range append([]string{""}, pk.Extras...) {
			v.need(from, r, x, reached)
		}
	}
}

// TestFixtureProjects resolves the sample projects of fixtures/ (read by
// reqfile) on the fixture index, as the README's examples do (CPython
// 3.13, nixpkgs versions preferred), validates the result, and compares
// the versions with the golden report.
func TestFixtureProjects(t *testing.T) {
	nixpkgs := fixtureNixpkgs(t)
	for _, tc := range []struct {
		project string
		sel     reqfile.Selection
	}{
		{"webapp", reqfile.Selection{}},
		{"pep621-app", reqfile.Selection{Extras: []string{"html"}, Groups: []string{"dev"}}},
		{"poetry-app", reqfile.Selection{Extras: []string{"slug"}, Groups: []string{"dev"}}},
	} {
		t.Run(tc.project, func(t *testing.T) {
			t.Chdir(fixtures.ProjectDir(tc.project))
			in, err := reqfile.Load([]string{"."}, tc.sel)
			if err != nil {
				t.Skipf("reqfile: %v", err)
			}
			client, err := pypi.New(pypi.Options{IndexURL: fixtures.IndexURL(), CacheDir: cacheDir(t)})
			if err != nil {
				t.Skipf("pypi client: %v", err)
			}
			res, err := Resolve(context.Background(), client, in, Options{Python: "3.13", Nixpkgs: nixpkgs, PreferNixpkgs: true})
			if err != nil {
				t.Fatal(err)
			}
			validate(t, client, in, res)
			if want := goldenVersions(t, tc.project); want != nil {
				got := map[string]string{}
				for _, p := range res.Packages {
					got[p.Name] = p.Version
				}
				if !maps.Equal(got, want) {
					t.Errorf("versions %v\ngolden   %v", got, want)
				}
			}
		})
	}
}

// fixtureNixpkgs reads the fixture nixpkgs index as name -> version.
func fixtureNixpkgs(t *testing.T) map[string]string {
	var doc struct {
		Packages []struct{ Attr, PName, Version string }
	}
	data, err := os.ReadFile(filepath.Join(fixtures.Dir(), "nixpkgs-index.json"))
	if err == nil {
		err = json.Unmarshal(data, &doc)
	}
	if err != nil {
		t.Skipf("fixture nixpkgs index: %v", err)
	}
	out := map[string]string{}
	for _, p := range doc.Packages {
		name := p.PName
		if name == "" {
			name = p.Attr
		}
		out[pep508.NormalizeName(name)] = p.Version
	}
	return out
}

// goldenVersions reads the versions of a project's golden report, or nil.
func goldenVersions(t *testing.T, project string) map[string]string {
	var doc struct {
		Packages []struct{ Name, Version string }
	}
	data, err := os.ReadFile(filepath.Join(fixtures.ProjectDir(project), "golden", "report.json"))
	if err != nil || json.Unmarshal(data, &doc) != nil {
		return nil
	}
	out := map[string]string{}
	for _, p := range doc.Packages {
		out[p.Name] = p.Version
	}
	return out
}
