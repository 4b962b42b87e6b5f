package nixgen

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/req2nix/req2nix/resolver"
)

// edgeEntries is a nixpkgs package set with dependency edges: run-time
// dependencies, build systems, packages outside any resolution (hatchling,
// anyio, sniffio, django 4 under the attribute django) and a versioned
// pair (django, django_5).
func edgeEntries(withEdges bool) []Entry {
	e := func(attr, version string, deps, bs []string) Entry {
		if !withEdges {
			deps, bs = nil, nil
		}
		return Entry{Attr: attr, PName: attr, Version: version, Dependencies: deps, BuildSystem: bs}
	}
	return []Entry{
		e("anyio", "4.8.0", []string{"sniffio"}, []string{"setuptools"}),
		e("attrs", "25.1.0", nil, []string{"hatchling"}),
		e("certifi", "2025.1.31", nil, []string{"setuptools"}),
		e("channels", "4.2.0", []string{"django"}, []string{"setuptools"}),
		e("click", "8.1.8", nil, []string{"flit-core"}),
		{Attr: "django", PName: "django", Version: "4.2.20"},
		{Attr: "django_5", PName: "django", Version: "5.1.7"},
		e("flask", "3.1.0", []string{"click", "werkzeug"}, []string{"flit-core"}),
		e("flit-core", "3.11.0", nil, nil),
		e("hatchling", "1.27.0", []string{"packaging"}, nil),
		e("httpx", "0.28.1", []string{"anyio", "idna"}, []string{"hatchling"}),
		e("idna", "3.10", nil, []string{"flit-core"}),
		e("markupsafe", "3.0.2", nil, []string{"setuptools"}),
		e("packaging", "24.2", nil, []string{"flit-core"}),
		e("requests", "2.32.3", []string{"certifi", "idna", "urllib3"}, []string{"setuptools"}),
		e("setuptools", "80.9.0", nil, nil),
		e("sniffio", "1.3.1", nil, []string{"setuptools"}),
		e("urllib3", "2.3.0", nil, []string{"hatchling"}),
		e("werkzeug", "3.1.3", []string{"markupsafe"}, []string{"flit-core"}),
	}
}

// edgeResolution overrides urllib3, markupsafe and packaging (sdists only,
// so they are overrides of nixpkgs' recipes) and takes the rest as is.
func edgeResolution() *resolver.Resolution {
	return &resolver.Resolution{Python: "3.12.10", Platform: "x86_64-linux", Packages: []resolver.Package{
		root(pkg("attrs", "25.1.0", nil)),
		pkg("certifi", "2025.1.31", nil),
		root(pkg("channels", "4.2.0", []string{"django"})),
		pkg("click", "8.1.8", nil),
		pkg("django", "5.1.7", nil),
		root(pkg("flask", "3.1.0", []string{"click", "werkzeug"})),
		root(pkg("httpx", "0.28.1", []string{"idna"})),
		pkg("idna", "3.10", nil),
		pkg("markupsafe", "2.1.5", nil, sdist("MarkupSafe-2.1.5.tar.gz")),
		root(pkg("packaging", "23.2", nil, sdist("packaging-23.2.tar.gz"))),
		root(pkg("requests", "2.32.3", []string{"certifi", "idna", "urllib3"})),
		pkg("urllib3", "1.26.20", nil, sdist("urllib3-1.26.20.tar.gz")),
		pkg("werkzeug", "3.1.3", []string{"markupsafe"}),
	}}
}

func edgePlan(t *testing.T, withEdges bool) *Plan {
	t.Helper()
	ix, err := NewIndex("python312", "edges", edgeEntries(withEdges), nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := MakePlan(context.Background(), edgeResolution(), ix, goldenFacts, PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCacheAccounting: an as-is package comes from the binary cache only
// when nothing in its nixpkgs closure changed: a run-time dependency
// (requests: urllib3), one further down through another as-is package
// (flask: werkzeug: markupsafe), or the run-time dependency of a build
// system outside the resolution (attrs and httpx: hatchling: packaging).
func TestCacheAccounting(t *testing.T) {
	p := edgePlan(t, true)
	type want struct {
		cache   Cache
		because string
		adds    string
	}
	wants := map[string]want{
		"attrs":      {CacheRebuilt, "packaging", ""},
		"certifi":    {CacheHit, "", ""},
		"channels":   {CacheHit, "", "django 4.2.20 (django) resolved 5.1.7"},
		"click":      {CacheHit, "", ""},
		"django":     {CacheHit, "", ""},
		"flask":      {CacheRebuilt, "markupsafe", ""},
		"httpx":      {CacheRebuilt, "packaging", "anyio 4.8.0 (anyio); sniffio 1.3.1 (sniffio)"},
		"idna":       {CacheHit, "", ""},
		"markupsafe": {CacheBuilt, "", ""},
		"packaging":  {CacheBuilt, "", ""},
		"requests":   {CacheRebuilt, "urllib3", ""},
		"urllib3":    {CacheBuilt, "", ""},
		"werkzeug":   {CacheRebuilt, "markupsafe", ""},
	}
	if !p.EdgesKnown {
		t.Fatal("EdgesKnown is false for an index with edges")
	}
	for _, d := range p.Packages {
		var adds []string
		for _, a := range d.Adds {
			s := a.Name + " " + a.Version + " (" + a.Attr + ")"
			if a.Resolved != "" {
				s += " resolved " + a.Resolved
			}
			adds = append(adds, s)
		}
		got := want{d.Cache, strings.Join(d.RebuiltBecause, ","), strings.Join(adds, "; ")}
		if got != wants[d.Name] {
			t.Errorf("%s: %+v, want %+v", d.Name, got, wants[d.Name])
		}
	}
	if got, want := p.Counts(FormatShell), (CacheCounts{Hit: 5, Rebuilt: 5, Overridden: 3}); got != want {
		t.Errorf("Counts() = %+v, want %+v", got, want)
	}
	var causes []string
	for _, c := range p.RebuildCauses() {
		causes = append(causes, c.Name+":"+strings.Join(c.Rebuilt, ","))
	}
	if want := "markupsafe:flask,werkzeug packaging:attrs,httpx urllib3:requests"; strings.Join(causes, " ") != want {
		t.Errorf("RebuildCauses() = %s, want %s", strings.Join(causes, " "), want)
	}
}

// TestCacheUnknownWithoutEdges: an index without dependency edges claims
// no cache hit: as-is packages are CacheUnknown, the report leaves
// binary_cache out for them and says the edges are missing.
func TestCacheUnknownWithoutEdges(t *testing.T) {
	p := edgePlan(t, false)
	if p.EdgesKnown {
		t.Fatal("EdgesKnown without edges")
	}
	if got, want := p.Counts(FormatShell), (CacheCounts{Unknown: 10, Overridden: 3}); got != want {
		t.Errorf("Counts() = %+v, want %+v", got, want)
	}
	out, err := p.Render(Options{Format: FormatJSON})
	if err != nil {
		t.Fatal(err)
	}
	var r Report
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatal(err)
	}
	if r.Nixpkgs.DependencyEdges {
		t.Error("report: dependency_edges true")
	}
	for _, rp := range r.Packages {
		if rp.Kind == KindAsIs && rp.BinaryCache != nil || rp.Kind != KindAsIs && (rp.BinaryCache == nil || *rp.BinaryCache) {
			t.Errorf("%s (%s): binary_cache %v", rp.Name, rp.Kind, rp.BinaryCache)
		}
	}
	shell, err := p.Render(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(shell), "# Packages: 13 (10 from nixpkgs as is: at most 10 from the binary cache; 3 overridden, 0 new)") {
		t.Errorf("header does not say the hits are an upper bound:\n%s", shell)
	}
}

// TestReportCacheFields: the JSON report carries binary_cache,
// rebuilt_because and nixpkgs_adds as the plan decided them.
func TestReportCacheFields(t *testing.T) {
	out, err := edgePlan(t, true).Render(Options{Format: FormatJSON})
	if err != nil {
		t.Fatal(err)
	}
	var r Report
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatal(err)
	}
	byName := map[string]ReportPackage{}
	for _, p := range r.Packages {
		byName[p.Name] = p
	}
	yes, no := true, false
	checks := []struct {
		name    string
		cache   *bool
		because []string
		adds    []ReportAdded
	}{
		{"requests", &no, []string{"urllib3"}, nil},
		{"certifi", &yes, nil, nil},
		{"urllib3", &no, nil, nil},
		{"channels", &yes, nil, []ReportAdded{{Name: "django", Attr: "django", Version: "4.2.20", Resolved: "5.1.7"}}},
	}
	for _, c := range checks {
		p := byName[c.name]
		if !reflect.DeepEqual(p.BinaryCache, c.cache) || !reflect.DeepEqual(p.RebuiltBecause, c.because) || !reflect.DeepEqual(p.NixpkgsAdds, c.adds) {
			t.Errorf("%s: binary_cache %v, rebuilt_because %q, nixpkgs_adds %+v; want %v %q %+v", c.name, p.BinaryCache, p.RebuiltBecause, p.NixpkgsAdds, *c.cache, c.because, c.adds)
		}
	}
	if !r.Nixpkgs.DependencyEdges || r.SchemaVersion != SchemaVersion {
		t.Errorf("dependency_edges %v, schema %s", r.Nixpkgs.DependencyEdges, r.SchemaVersion)
	}
}

// TestFixedVersions: the build tools nixpkgs keeps are fixed at the
// versions the index knows, with the reason the resolver states.
func TestFixedVersions(t *testing.T) {
	got := FixedVersions(stubIndex(t))
	want := map[string]resolver.Fixed{
		"pip":        {Version: "25.0.1", By: "nixpkgs", Why: "not overridden: every package builds with it"},
		"setuptools": {Version: "80.9.0", By: "nixpkgs", Why: "not overridden: every package builds with it"},
		"wheel":      {Version: "0.45.1", By: "nixpkgs", Why: "not overridden: every package builds with it"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("FixedVersions(stub) = %+v\nwant %+v", got, want)
	}
	names, err := NewIndex("python312", "names only", []Entry{{Attr: "pip"}, {Attr: "setuptools"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := FixedVersions(names); len(got) != 0 {
		t.Errorf("FixedVersions without versions = %+v, want none", got)
	}
}
