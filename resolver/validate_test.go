package resolver

import (
	"context"
	"encoding/json"
	"fmt"
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
	problems []string
	p        Provider
	env      pep508.Environment
	python   pep440.Version
	in       *reqfile.File
	chosen   map[string]Package
}

func validate(t *testing.T, p Provider, in *reqfile.File, res *Resolution) {
	t.Helper()
	problems, err := check(p, in, res)
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range problems {
		t.Error(msg)
	}
}

// check returns the problems of res, or an error from the provider.
func check(p Provider, in *reqfile.File, res *Resolution) ([]string, error) {
	env, err := pep508.TargetEnvironment(res.Python, res.Platform)
	if err != nil {
		return nil, err
	}
	v := &validator{p: p, env: env, python: pep440.MustParse(res.Python), in: in, chosen: map[string]Package{}}
	for _, pk := range res.Packages {
		v.chosen[pk.Name] = pk
	}
	reached := map[string]bool{}
	for _, r := range in.Requirements {
		if err := v.need("the root", r.Requirement, "", reached); err != nil {
			return nil, err
		}
	}
	for _, c := range in.Constraints {
		if pk, ok := v.chosen[pep508.NormalizeName(c.Name)]; ok && c.Marker.Evaluate(v.envWith("")) {
			if !c.Specifiers.Contains(v.asReleased(pk), true) {
				v.errorf("%s==%s violates the constraint %s", pk.Name, pk.Version, c.Requirement)
			}
		}
	}
	for _, pk := range res.Packages {
		if !reached[pk.Name] {
			v.errorf("%s is resolved but nothing requires it", pk.Name)
		}
	}
	return v.problems, nil
}

// asReleased is the chosen version as the index spells it (=== compares
// that spelling), or as the resolution gives it when the index has no such
// release (a direct reference).
func (v *validator) asReleased(pk Package) pep440.Version {
	want := pep440.MustParse(pk.Version)
	if proj, err := v.p.Project(context.Background(), pk.Name); err == nil {
		for _, r := range proj.Releases {
			if r.Version.Compare(want) == 0 {
				return r.Version
			}
		}
	}
	return want
}

func (v *validator) errorf(format string, args ...any) {
	v.problems = append(v.problems, fmt.Sprintf(format, args...))
}

func (v *validator) envWith(extra string) pep508.Environment {
	env := maps.Clone(v.env)
	env["extra"] = extra
	return env
}

// need checks one requirement of from (evaluated with extra) and, the
// first time a package is reached, its own requirements.
func (v *validator) need(from string, r pep508.Requirement, extra string, reached map[string]bool) error {
	if !r.Marker.Evaluate(v.envWith(extra)) {
		return nil
	}
	name := pep508.NormalizeName(r.Name)
	if name == "" { // an unnamed direct reference: the package of its URL
		for _, pk := range v.chosen {
			if pk.DirectURL == r.URL {
				name = pk.Name
			}
		}
	}
	if v.in.ProjectName != "" && name == pep508.NormalizeName(v.in.ProjectName) {
		return nil
	}
	pk, ok := v.chosen[name]
	if !ok {
		v.errorf("%s requires %s, which is not resolved", from, r)
		return nil
	}
	if r.URL == "" && pk.Version != "" && !(pk.DirectURL != "" && isPlaceholderVersion(pk.Version)) && !r.Specifiers.Contains(v.asReleased(pk), true) {
		v.errorf("%s requires %s, resolved %s", from, r, pk.Version)
	}
	for _, x := range r.Extras {
		if !slices.Contains(pk.Extras, pep508.NormalizeName(x)) {
			v.errorf("%s requires %s, but the extra %s of %s is not activated", from, r, x, name)
		}
	}
	if reached[name] {
		return nil
	}
	reached[name] = true
	if pk.DirectURL != "" { // not on the index: trust its edges
		for _, dep := range pk.Dependencies {
			if err := v.need(from, pep508.Requirement{Name: dep}, "", reached); err != nil {
				return err
			}
		}
		return nil
	}
	return v.release(pk, reached)
}

// release checks the chosen release of pk: requires-python, then its
// dependencies and those of its activated extras.
func (v *validator) release(pk Package, reached map[string]bool) error {
	ctx := context.Background()
	proj, err := v.p.Project(ctx, pk.Name)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(proj.Releases, func(r pypi.Release) bool { return r.Version.String() == pk.Version })
	if i < 0 {
		v.errorf("%s %s is not on the index", pk.Name, pk.Version)
		return nil
	}
	meta, err := v.p.Metadata(ctx, pk.Name, proj.Releases[i])
	if err != nil {
		return err
	}
	if rp, err := pep440.ParseSpecifiers(pk.RequiresPython); err == nil && !rp.Contains(v.python, true) {
		v.errorf("%s %s requires Python %s; the target is %s", pk.Name, pk.Version, pk.RequiresPython, v.python)
	}
	from := pk.Name + "==" + pk.Version
	for _, s := range meta.RequiresDist {
		r, err := pep508.ParseRequirement(s)
		if err != nil {
			v.errorf("%s: %v", from, err)
			continue
		}
		for _, x := range append([]string{""}, pk.Extras...) {
			if err := v.need(from, r, x, reached); err != nil {
				return err
			}
		}
	}
	return nil
}

// TestValidatorCatches makes sure the validator can fail: each tampering
// of a correct resolution is reported.
func TestValidatorCatches(t *testing.T) {
	idx := newMemIndex(t, `
a 1.0 extras=x: b>=2 | c; extra == "x"
b 1.0:
b 2.0:
c 1.0:
d 1.0:`)
	in := rootFile(t, "a[x]", "b<3")
	res, err := Resolve(context.Background(), idx, in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if problems, err := check(idx, in, res); err != nil || len(problems) > 0 {
		t.Fatalf("a correct resolution: %q, %v", problems, err)
	}
	tamper := []struct {
		name   string
		change func(r *Resolution)
		want   string
	}{
		{"wrong version", func(r *Resolution) { r.Packages[1].Version = "1.0" }, "a==1.0 requires b>=2, resolved 1.0"},
		{"extra dropped", func(r *Resolution) { r.Packages[0].Extras = nil }, "the root requires a[x], but the extra x of a is not activated"},
		{"package dropped", func(r *Resolution) { r.Packages = r.Packages[:2] }, "a==1.0 requires c; extra == \"x\", which is not resolved"},
		{"package added", func(r *Resolution) { r.Packages = append(r.Packages, Package{Name: "d", Version: "1.0"}) }, "d is resolved but nothing requires it"},
		{"constraint broken", func(*Resolution) { in.Constraints = rootFile(t, "", "b<2").Constraints }, "b==2.0 violates the constraint b<2"},
	}
	for _, tc := range tamper { // the last one changes the input
		r := *res
		r.Packages = slices.Clone(res.Packages)
		tc.change(&r)
		problems, err := check(idx, in, &r)
		if err != nil || !slices.Contains(problems, tc.want) {
			t.Errorf("%s: problems %q, want %q", tc.name, problems, tc.want)
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
