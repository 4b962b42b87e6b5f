package resolver

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/req2nix/req2nix/pypi/pep440"
	"github.com/req2nix/req2nix/pypi/pep508"
)

// fuzzGraph is a small random dependency graph decoded from fuzz input:
// packages p0..p(n-1) with versions 1.0..4.0, each providing an extra "x";
// requirements use the operators below, may ask for p[x], and may apply
// only with the owner's extra x.
type fuzzGraph struct {
	versions    [][]int              // per package, ascending
	deps        map[[2]int][]fuzzReq // (package, version) -> requirements
	root        []fuzzReq            //
	constraints []fuzzReq            // apply only to packages otherwise chosen
}

type fuzzReq struct {
	pkg, ver int
	op       string
	extra    bool // asks for p[x]
	underX   bool // applies only when the owner's extra x is active
}

var fuzzOps = []string{">=", "<", "==", "!=", ""}

func (r fuzzReq) String() string {
	s := fmt.Sprintf("p%d", r.pkg)
	if r.extra {
		s += "[x]"
	}
	if r.op != "" {
		s += fmt.Sprintf("%s%d.0", r.op, r.ver)
	}
	if r.underX {
		s += `; extra == "x"`
	}
	return s
}

func (r fuzzReq) allows(v int) bool {
	switch r.op {
	case ">=":
		return v >= r.ver
	case "<":
		return v < r.ver
	case "==":
		return v == r.ver
	case "!=":
		return v != r.ver
	}
	return true
}

func decodeGraph(data []byte) fuzzGraph {
	next := func(mod int) int {
		if len(data) == 0 {
			return 0
		}
		b := int(data[0])
		data = data[1:]
		return b % mod
	}
	g := fuzzGraph{deps: map[[2]int][]fuzzReq{}}
	n := 2 + next(4)
	req := func() fuzzReq {
		return fuzzReq{pkg: next(n), op: fuzzOps[next(len(fuzzOps))], ver: 1 + next(4), extra: next(4) == 1, underX: next(3) == 1}
	}
	for p := 0; p < n; p++ {
		mask := 1 + next(15) // which of 1.0..4.0 exist
		var vs []int
		for v := 1; v <= 4; v++ {
			if mask&(1<<(v-1)) != 0 {
				vs = append(vs, v)
			}
		}
		g.versions = append(g.versions, vs)
		for _, v := range vs {
			for k := next(3); k > 0; k-- {
				g.deps[[2]int{p, v}] = append(g.deps[[2]int{p, v}], req())
			}
		}
	}
	for k := 1 + next(2); k > 0; k-- {
		r := req()
		r.underX = false
		g.root = append(g.root, r)
	}
	for k := next(2); k > 0; k-- {
		r := req()
		r.underX, r.extra = false, false
		g.constraints = append(g.constraints, r)
	}
	return g
}

func (g fuzzGraph) dsl() string {
	var b strings.Builder
	for p, vs := range g.versions {
		for _, v := range vs {
			var reqs []string
			for _, r := range g.deps[[2]int{p, v}] {
				reqs = append(reqs, r.String())
			}
			fmt.Fprintf(&b, "p%d %d.0 extras=x: %s\n", p, v, strings.Join(reqs, " | "))
		}
	}
	return b.String()
}

func lines(reqs []fuzzReq) string {
	var out []string
	for _, r := range reqs {
		out = append(out, r.String())
	}
	return strings.Join(out, "\n")
}

// active returns the requirements in force for a choice of versions and
// extras: the root's and, for each chosen package, its own and those of
// its extra when active.
func (g fuzzGraph) active(choice []int, extras []bool) []fuzzReq {
	reqs := append([]fuzzReq(nil), g.root...)
	for p, v := range choice {
		for _, r := range g.deps[[2]int{p, v}] {
			if v != 0 && (!r.underX || extras[p]) {
				reqs = append(reqs, r)
			}
		}
	}
	return reqs
}

// valid reports whether choice (package -> version, 0 = absent) with the
// given extras satisfies every requirement in force, extras requested
// included.
func (g fuzzGraph) valid(choice []int, extras []bool) bool {
	for _, c := range g.constraints {
		if choice[c.pkg] != 0 && !c.allows(choice[c.pkg]) {
			return false
		}
	}
	for _, r := range g.active(choice, extras) {
		if choice[r.pkg] == 0 || !r.allows(choice[r.pkg]) || (r.extra && !extras[r.pkg]) {
			return false
		}
	}
	return true
}

// minimalExtras activates exactly the extras the requirements in force ask
// for (activating more only adds requirements).
func (g fuzzGraph) minimalExtras(choice []int) []bool {
	extras := make([]bool, len(choice))
	for changed := true; changed; {
		changed = false
		for _, r := range g.active(choice, extras) {
			if r.extra && !extras[r.pkg] {
				extras[r.pkg], changed = true, true
			}
		}
	}
	return extras
}

// solvable searches every choice of versions.
func (g fuzzGraph) solvable() bool {
	choice := make([]int, len(g.versions))
	var try func(p int) bool
	try = func(p int) bool {
		if p == len(g.versions) {
			return g.valid(choice, g.minimalExtras(choice))
		}
		for _, v := range append([]int{0}, g.versions[p]...) {
			choice[p] = v
			if try(p + 1) {
				return true
			}
		}
		choice[p] = 0
		return false
	}
	return try(0)
}

// FuzzResolve checks the solver against exhaustive search on small random
// graphs with extras and constraints: a solution it returns must be valid, and it may
// report no
// solution only when none exists, with an explanation. Seeds are in
// testdata/fuzz/FuzzResolve.
func FuzzResolve(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		g := decodeGraph(data)
		idx := newMemIndex(t, g.dsl())
		res, err := Resolve(context.Background(), idx, rootFile(t, lines(g.root), lines(g.constraints)), Options{})
		var ns *NoSolutionError
		switch {
		case errors.As(err, &ns):
			if g.solvable() {
				t.Fatalf("no solution reported for a solvable graph:\n%s\nroot: %s\nconstraints: %s\n%s", g.dsl(), lines(g.root), lines(g.constraints), err)
			}
			if !strings.HasSuffix(err.Error(), "version solving failed.") {
				t.Fatalf("explanation does not conclude:\n%s", err)
			}
		case err != nil:
			t.Fatalf("unexpected error: %v", err)
		default:
			choice, extras := make([]int, len(g.versions)), make([]bool, len(g.versions))
			for _, p := range res.Packages {
				var i int
				fmt.Sscanf(p.Name, "p%d", &i)
				choice[i] = pep440.MustParse(p.Version).Release()[0]
				extras[i] = len(p.Extras) > 0
			}
			if !g.valid(choice, extras) {
				t.Fatalf("invalid solution %s for\n%s\nroot: %s\nconstraints: %s", summary(res), g.dsl(), lines(g.root), lines(g.constraints))
			}
		}
	})
}

// FuzzMetadata feeds arbitrary Requires-Dist lines (one per line of the
// input, the first being the root requirement) to a small index of
// projects a, b and c: whatever the metadata says, Resolve must not panic,
// and a resolution it returns must pass the validator. Seeds are in
// testdata/fuzz/FuzzMetadata.
func FuzzMetadata(f *testing.F) {
	f.Fuzz(func(t *testing.T, text string) {
		root, rest, _ := strings.Cut(text, "\n")
		if _, err := pep508.ParseRequirement(root); err != nil || strings.ContainsAny(root, "@") {
			return // the root comes from reqfile, which rejects what does not parse
		}
		idx := newMemIndex(t, "a 1.0:\na 2.0 extras=x:\nb 1.0:\nb 2.0rc1:\nc 1.0 rp=>=3.13:")
		for _, key := range []string{"a==2.0", "b==1.0"} {
			idx.meta[key].RequiresDist = strings.Split(rest, "\n")
		}
		in := rootFile(t, root, "")
		res, err := Resolve(context.Background(), idx, in, Options{})
		if err != nil {
			return // a conflict, or a package the index does not have
		}
		validate(t, idx, in, res)
	})
}
