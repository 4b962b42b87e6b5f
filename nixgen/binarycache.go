package nixgen

import (
	"fmt"
	"slices"
	"strings"

	"github.com/req2nix/req2nix/pypi/pep508"
)

// accountCache tells, for every package taken from nixpkgs as is, whether
// Nix can substitute it from the binary cache: only when nothing in its
// nixpkgs dependency closure (run-time dependencies and build systems,
// followed through nixpkgs packages outside the resolution too) is
// overridden or built new; otherwise its inputs changed and Nix rebuilds
// it. It also records the packages nixpkgs' run-time dependencies bring
// into the environment outside the resolution. Without dependency edges in
// the index, as-is packages stay CacheUnknown.
func accountCache(p *Plan, ix *Index) {
	p.EdgesKnown = ix.knowsEdges()
	if !p.EdgesKnown {
		return
	}
	g := closures{ix: ix, byAttr: map[string]int{}, byName: map[string]int{}, ds: p.Packages, entries: map[string]entryOK{}}
	for i, d := range p.Packages {
		if d.Kind == KindPip {
			continue // not in the package set: nixpkgs' own stays
		}
		g.byAttr[d.Attr] = i
		g.byName[pep508.NormalizeName(d.Name)] = i
	}
	for i := range p.Packages {
		d := &p.Packages[i]
		if d.Kind != KindAsIs {
			continue
		}
		d.RebuiltBecause = g.changed(d.Attr)
		d.Cache = CacheHit
		if len(d.RebuiltBecause) > 0 {
			d.Cache = CacheRebuilt
		}
		d.Adds = g.added(d.Attr)
		for _, a := range d.Adds {
			d.Notes = append(d.Notes, addedNote(a))
		}
	}
}

// knowsEdges reports whether the index records dependency edges: an index
// records them for all its packages or for none (a package without
// dependencies and build system looks the same in the JSON file as one
// whose edges are unknown).
func (ix *Index) knowsEdges() bool {
	for i := range ix.pkgs.len() {
		if ix.pkgs.knowsEdges(i) {
			return true
		}
	}
	return false
}

// closures walks nixpkgs' dependency graph of a plan.
type closures struct {
	ix      *Index
	ds      []Decision
	byAttr  map[string]int     // attribute -> decision
	byName  map[string]int     // normalised name -> decision
	entries map[string]entryOK // attribute -> its package, looked up once (the walks of a plan cross the same packages)
	seen    map[string]bool    // walk's, reused
	queue   []string           // walk's, reused
}

type entryOK struct {
	e  Entry
	ok bool
}

// entry is ix.EntryByAttr, memoised.
func (g *closures) entry(attr string) (Entry, bool) {
	if r, done := g.entries[attr]; done {
		return r.e, r.ok
	}
	e, ok := g.ix.EntryByAttr(attr)
	g.entries[attr] = entryOK{e, ok}
	return e, ok
}

// walk visits the attributes reachable from attr through nixpkgs' edges
// (run-time dependencies, and build systems unless runtimeOnly), without
// passing through packages the plan builds itself: their inputs are the
// resolution's. visit is called once per attribute; attr itself is not
// visited.
func (g *closures) walk(attr string, runtimeOnly bool, visit func(attr string)) {
	// The seen set and the queue are reused: a plan walks once or twice
	// per package, and fresh maps were most of the walks' cost.
	if g.seen == nil {
		g.seen = map[string]bool{}
	}
	clear(g.seen)
	g.seen[attr] = true
	queue := append(g.queue[:0], attr)
	for head := 0; head < len(queue); head++ {
		a := queue[head]
		if i, ok := g.byAttr[a]; ok && a != attr && g.ds[i].Kind != KindAsIs {
			continue
		}
		e, ok := g.entry(a)
		if !ok {
			continue
		}
		edges := [2][]string{e.Dependencies, e.BuildSystem}
		if runtimeOnly {
			edges[1] = nil
		}
		for _, next := range edges {
			for _, n := range next {
				if !g.seen[n] {
					g.seen[n] = true
					visit(n)
					queue = append(queue, n)
				}
			}
		}
	}
	g.queue = queue
}

// changed names the overridden or new packages in attr's closure, sorted.
func (g *closures) changed(attr string) []string {
	var out []string
	g.walk(attr, false, func(a string) {
		if i, ok := g.byAttr[a]; ok && g.ds[i].Kind != KindAsIs {
			out = append(out, g.ds[i].Name)
		}
	})
	slices.Sort(out)
	return out
}

// added lists the nixpkgs packages in attr's run-time closure that the
// plan does not hold, sorted by name.
func (g *closures) added(attr string) []Added {
	var out []Added
	g.walk(attr, true, func(a string) {
		if _, ok := g.byAttr[a]; ok {
			return
		}
		e, ok := g.entry(a)
		if !ok {
			return
		}
		add := Added{Name: pep508.NormalizeName(e.PName), Attr: a, Version: e.Version}
		if i, ok := g.byName[add.Name]; ok {
			add.Resolved = g.ds[i].Version
		}
		out = append(out, add)
	})
	slices.SortFunc(out, func(a, b Added) int { return strings.Compare(a.Name+"\x00"+a.Attr, b.Name+"\x00"+b.Attr) })
	return out
}

// addedNote says what nixpkgs' dependency list adds to the environment.
func addedNote(a Added) string {
	if a.Resolved != "" {
		return fmt.Sprintf("nixpkgs' dependencies add %s %s (attribute %s) beside the resolved %s %s: the environment holds two versions of it", a.Name, orUnknown(a.Version), a.Attr, a.Name, a.Resolved)
	}
	return fmt.Sprintf("nixpkgs' dependencies add %s %s, which the resolution did not choose", a.Name, orUnknown(a.Version))
}

// CacheCounts sums a plan up as the summary says it: as-is packages from
// the binary cache, as-is ones rebuilt because a dependency changed, and
// (unknown) as-is ones whose rebuild cannot be told; packages overridden to
// another version of a nixpkgs project (overrides, and wheels replacing
// nixpkgs' package); packages nixpkgs lacks; packages pip installs.
type CacheCounts struct {
	Hit, Rebuilt, Unknown, Overridden, New, Pip int
	Interpreter                                 int // as is, but built for an interpreter the binary cache lacks
}

// Counts sums the plan's decisions up as an output of format counts them
// (see Decision.CacheIn).
func (p *Plan) Counts(format string) CacheCounts {
	var c CacheCounts
	for _, d := range p.Packages {
		cache := d.CacheIn(format)
		switch {
		case d.Kind == KindPip:
			c.Pip++
		case d.Kind == KindAsIs && cache == CacheHit:
			c.Hit++
		case d.Kind == KindAsIs && cache == CacheRebuilt:
			c.Rebuilt++
		case d.Kind == KindAsIs && cache == CacheInterpreter:
			c.Interpreter++
		case d.Kind == KindAsIs:
			c.Unknown++
		case d.InNixpkgs:
			c.Overridden++
		default:
			c.New++
		}
	}
	return c
}

// CacheIn is the decision's cache status in an output of format: an
// overlay cannot reuse the binary-cached packages of an interpreter swap
// (they are built for the swapped interpreter like the rest), shell.nix
// and flake.nix do.
func (d Decision) CacheIn(format string) Cache {
	if d.Reused && d.Cache == CacheHit && format == FormatOverlay {
		return CacheInterpreter
	}
	return d.Cache
}

// RebuildCause is a package whose override (or replacement) forces
// rebuilds of as-is packages.
type RebuildCause struct {
	Name    string   // the overridden or new package
	Rebuilt []string // the as-is packages rebuilt because of it, sorted
}

// RebuildCauses lists the packages whose change forces rebuilds of as-is
// packages, those forcing most first (then by name).
func (p *Plan) RebuildCauses() []RebuildCause {
	by := map[string][]string{}
	for _, d := range p.Packages {
		for _, c := range d.RebuiltBecause {
			by[c] = append(by[c], d.Name)
		}
	}
	var out []RebuildCause
	for name, rebuilt := range by {
		slices.Sort(rebuilt)
		out = append(out, RebuildCause{Name: name, Rebuilt: rebuilt})
	}
	slices.SortFunc(out, func(a, b RebuildCause) int {
		if len(a.Rebuilt) != len(b.Rebuilt) {
			return len(b.Rebuilt) - len(a.Rebuilt)
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}
