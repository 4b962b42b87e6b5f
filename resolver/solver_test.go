package resolver

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// intSource is a source over integer versions for testing the PubGrub core
// without PEP 440. Its DSL, one line per version:
//
//	root: a>=2 b
//	a 1: b<2
//	a 2: b>=2 c==1
type intSource struct {
	names    []string       // by pkg id; 0 is root
	ids      map[string]pkg //
	versions map[pkg][]int  // ascending
	deps     map[[2]int][]string
	calls    int
}

func newIntSource(t testing.TB, dsl string) *intSource {
	s := &intSource{names: []string{"root"}, ids: map[string]pkg{"root": 0},
		versions: map[pkg][]int{0: {0}}, deps: map[[2]int][]string{}}
	for _, line := range strings.Split(strings.TrimSpace(dsl), "\n") {
		head, body, _ := strings.Cut(strings.TrimSpace(line), ":")
		f := strings.Fields(head)
		p, v := s.id(f[0]), 0
		if len(f) == 2 {
			var err error
			if v, err = strconv.Atoi(f[1]); err != nil {
				t.Fatalf("bad line %q", line)
			}
			s.versions[p] = append(s.versions[p], v)
			sort.Ints(s.versions[p])
		}
		s.deps[[2]int{int(p), v}] = strings.Fields(body)
	}
	return s
}

func (s *intSource) id(name string) pkg {
	if p, ok := s.ids[name]; ok {
		return p
	}
	p := pkg(len(s.names))
	s.names = append(s.names, name)
	s.ids[name] = p
	return p
}

func (s *intSource) choose(p pkg, allowed vset, _ func(pkg) (int, bool)) (int, bool) {
	h := allowed.highest()
	return h, h >= 0
}

func (s *intSource) priority(p pkg, allowed vset, _ func(pkg) (int, bool)) int {
	return min(allowed.count(), 2)
}

func (s *intSource) dependencies(_ context.Context, p pkg, i int) ([]dependency, string, error) {
	s.calls++
	var out []dependency
	for _, d := range s.deps[[2]int{int(p), s.versions[p][i]}] {
		if d == "!" {
			return nil, "is broken", nil
		}
		name, spec := splitSpec(d)
		q := s.id(name)
		out = append(out, dependency{pkg: q, set: s.specSet(q, spec), origin: "in:" + name})
	}
	return out, "", nil
}

func splitSpec(d string) (string, string) {
	i := strings.IndexAny(d, "<>=!")
	if i < 0 {
		return d, ""
	}
	return d[:i], d[i:]
}

// specSet evaluates ">=2,<4", "==3", "!=1" over the package's versions.
func (s *intSource) specSet(q pkg, spec string) vset {
	vs := s.versions[q]
	set := setOf(len(vs), func(i int) bool {
		for _, c := range strings.Split(spec, ",") {
			if c == "" {
				continue
			}
			op := strings.TrimRight(c, "0123456789")
			n, _ := strconv.Atoi(c[len(op):])
			v := vs[i]
			ok := map[string]bool{">=": v >= n, "<=": v <= n, ">": v > n, "<": v < n, "==": v == n, "!=": v != n}[op]
			if !ok {
				return false
			}
		}
		return true
	})
	return set.withLabel(spec)
}

func (s *intSource) termText(p pkg, set vset) string {
	if set.label != "" || set.isFull() {
		return s.names[p] + set.label
	}
	var parts []string
	for _, i := range set.members() {
		parts = append(parts, strconv.Itoa(s.versions[p][i]))
	}
	return s.names[p] + "{" + strings.Join(parts, ",") + "}"
}

func (s *intSource) noVersions(p pkg, set vset) []string {
	return []string{"there is no version of " + s.termText(p, set)}
}

func (s *intSource) every(p pkg, set vset) bool { return p != rootPkg && set.isFull() }

func (s *intSource) unavailable(p pkg, set vset, reason string) string {
	return s.termText(p, set) + " " + reason
}

func (s *intSource) usable(p pkg, set vset) bool { return !set.isEmpty() }

func (s *intSource) format(sol map[pkg]int) string {
	var parts []string
	for p, i := range sol {
		if p != rootPkg {
			parts = append(parts, fmt.Sprintf("%s %d", s.names[p], s.versions[p][i]))
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// TestSolverCore runs the scenarios of Dart pub's doc/solver.md (and a few
// more) on the bare PubGrub core.
func TestSolverCore(t *testing.T) {
	tests := []struct {
		name, dsl, want, explain string
	}{
		{"no conflicts", `
root: a==1 b==1
a 1: aa==1 ab==1
b 1: ba==1 bb==1
aa 1:
ab 1:
ba 1:
bb 1:`, "a 1, aa 1, ab 1, b 1, ba 1, bb 1", ""},
		{"avoiding a conflict during decision making", `
root: foo>=1 bar<2
foo 1: bar==1
foo 2: bar==2
bar 1:
bar 2:`, "bar 1, foo 1", ""},
		// The solver decides bar (fewest candidates) first, then must backjump
		// out of foo 2, whose dependency on bar 2 conflicts.
		{"performing conflict resolution", `
root: foo>=1
foo 1:
foo 2: bar==1
bar 1: foo==1`, "foo 1", ""},
		{"conflict resolution with a partial satisfier", `
root: foo>=1 target>=2
foo 1:
foo 11: left>=1 right>=1
left 1: shared>=1
right 1: shared<2
shared 1: target<2
shared 2:
target 1:
target 2:`, "foo 1, target 2", ""},
		{"linear error reporting", `
root: foo>=1 baz<2
foo 1: bar>=2
bar 2: baz>=3
baz 1:
baz 3:`, "", `Because every version of foo depends on bar>=2 which depends on baz>=3, every version of foo requires baz>=3.
So, because in:baz requires baz<2 and in:foo requires foo>=1, version solving failed.`},
		{"cycle", `
root: a
a 1: b
a 2: b
b 1: a
b 2: a==1`, "a 2, b 1", ""},
		{"backjumping", `
root: a c
a 1: b
a 2: b
b 1: c==1
b 2: c==2
c 1:
c 2:
c 3:`, "a 2, b 2, c 2", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := newIntSource(t, tt.dsl)
			sol, err := newSolver(context.Background(), src).solve()
			if tt.explain != "" {
				c, ok := err.(*conflict)
				if !ok {
					t.Fatalf("got %v, %v; want a conflict", src.format(sol), err)
				}
				if got := explain(c.root, src); got != tt.explain {
					t.Errorf("explanation:\n%s\nwant:\n%s", got, tt.explain)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tt.want != "" && src.format(sol) != tt.want {
				t.Errorf("got %s, want %s", src.format(sol), tt.want)
			}
			t.Log(src.format(sol))
		})
	}
}
