package main

import (
	"cmp"
	"fmt"
	"strings"
	"testing"

	"github.com/req2nix/req2nix/nixgen"
)

// asIs is an as-is decision rebuilt because of the given packages (a hit
// without any).
func asIs(name string, because ...string) nixgen.Decision {
	d := nixgen.Decision{Name: name, Version: "1.0", NixpkgsVersion: "1.0", InNixpkgs: true, Kind: nixgen.KindAsIs, Cache: nixgen.CacheHit, RebuiltBecause: because}
	if len(because) > 0 {
		d.Cache = nixgen.CacheRebuilt
	}
	return d
}

func overridden(name, version, nixpkgs string) nixgen.Decision {
	return nixgen.Decision{Name: name, Version: version, NixpkgsVersion: nixpkgs, InNixpkgs: true, Kind: nixgen.KindOverride, Cache: nixgen.CacheBuilt}
}

// TestRebuildHint: the summary names the overrides forcing most rebuilds
// (with nixpkgs' version, most first, at most three) once one forces
// manyRebuilds, and stays quiet below.
func TestRebuildHint(t *testing.T) {
	many := []nixgen.Decision{overridden("six", "1.16.0", "1.17.0"), overridden("urllib3", "1.26.20", "2.3.0")}
	for i := 0; i < 5; i++ {
		many = append(many, asIs(fmt.Sprintf("dep%d", i), "six"))
	}
	many = append(many, asIs("requests", "urllib3"), asIs("botocore", "six", "urllib3"), asIs("idna"))
	tests := []struct {
		name string
		ds   []nixgen.Decision
		want string
	}{
		{"one override under many as-is packages", many,
			"hint: the overrides forcing most rebuilds: six rebuilds 6 (botocore, dep0, dep1, dep2, …), nixpkgs has 1.17.0; requirements that allow nixpkgs' version let those packages come from the binary cache"},
		{"few rebuilds", []nixgen.Decision{overridden("urllib3", "1.26.20", "2.3.0"), asIs("requests", "urllib3"), asIs("botocore", "urllib3")}, ""},
		{"nothing rebuilt", []nixgen.Decision{asIs("idna")}, ""},
	}
	for _, tt := range tests {
		got := rebuildHint(&nixgen.Plan{Packages: tt.ds, EdgesKnown: true})
		if got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
}

// TestSummaryRows: with dependency edges the as-is packages split into
// binary-cache hits and rebuilds (with their causes); without, they are
// one row saying the count is an upper bound. Wheels replacing nixpkgs'
// package count as overridden, and say so.
func TestSummaryRows(t *testing.T) {
	wheel := nixgen.Decision{Name: "six", Version: "1.16.0", NixpkgsVersion: "1.17.0", InNixpkgs: true, Kind: nixgen.KindNew, Format: "wheel", Cache: nixgen.CacheBuilt}
	fresh := nixgen.Decision{Name: "tinyweb", Version: "1.0", Kind: nixgen.KindNew, Format: "wheel", Cache: nixgen.CacheBuilt}
	unknown := asIs("idna")
	unknown.Cache = nixgen.CacheUnknown
	reused := asIs("certifi") // reused from python313's binary cache under a swap
	reused.Reused = true
	swapped := nixgen.Plan{EdgesKnown: true, PythonAttr: "python313FreeThreading", Packages: []nixgen.Decision{reused}}
	tests := []struct {
		name   string
		plan   nixgen.Plan
		format string
		want   []string
	}{
		{"edges known", nixgen.Plan{EdgesKnown: true, Packages: []nixgen.Decision{asIs("certifi"), asIs("requests", "six", "urllib3"), wheel, overridden("urllib3", "1.26.20", "2.3.0"), fresh}}, "",
			[]string{"from the binary cache (nixpkgs as is): certifi 1.0", "rebuilt because a dependency changed: requests (six, urllib3)",
				"overridden to another version: six 1.16.0 (nixpkgs has 1.17.0; from its wheel), urllib3 1.26.20 (nixpkgs has 2.3.0)", "built new: tinyweb 1.0"}},
		{"no edges", nixgen.Plan{Packages: []nixgen.Decision{unknown, fresh}}, "",
			[]string{"from nixpkgs as is: at most that many from the binary cache (the nixpkgs index has no dependency edges, so rebuilds cannot be counted): idna 1.0",
				"overridden to another version", "built new: tinyweb 1.0"}},
		{"a swap's reused package in shell.nix", swapped, nixgen.FormatShell,
			[]string{"from the binary cache (nixpkgs as is): certifi 1.0", "rebuilt because a dependency changed", "overridden to another version", "built new"}},
		{"a swap's reused package in overlay.nix, which cannot reuse it", swapped, nixgen.FormatOverlay,
			[]string{"from the binary cache (nixpkgs as is)", "rebuilt because a dependency changed",
				"nixpkgs' version, rebuilt for python313FreeThreading (the binary cache has nixpkgs' interpreters only): certifi 1.0", "overridden to another version", "built new"}},
	}
	for _, tt := range tests {
		var got []string
		for _, row := range summaryRows(&tt.plan, cmp.Or(tt.format, nixgen.FormatShell)) {
			line := row.title
			if len(row.items) > 0 {
				line += ": " + strings.Join(row.items, ", ")
			}
			got = append(got, line)
		}
		if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
}

// TestAddedByNixpkgs: what nixpkgs' dependency lists add is listed once,
// with the packages that bring it in, and another version of a resolved
// project is called so.
func TestAddedByNixpkgs(t *testing.T) {
	httpx, anyio := asIs("httpx"), asIs("anyio-user")
	httpx.Adds = []nixgen.Added{{Name: "sniffio", Attr: "sniffio", Version: "1.3.1"}}
	anyio.Adds = []nixgen.Added{{Name: "sniffio", Attr: "sniffio", Version: "1.3.1"}, {Name: "django", Attr: "django", Version: "4.2.20", Resolved: "5.1.7"}}
	got := addedByNixpkgs(&nixgen.Plan{Packages: []nixgen.Decision{anyio, httpx}})
	want := []string{"django 4.2.20 beside the resolved 5.1.7 (for anyio-user)", "sniffio 1.3.1 (for anyio-user, httpx)"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got %q\nwant %q", got, want)
	}
}
