package resolver

import (
	"testing"
)

// treeKit builds derivation trees by hand over an intSource, so that each
// step of the error-reporting algorithm can be exercised on its own.
type treeKit struct{ s *intSource }

func newTreeKit(t *testing.T) treeKit {
	return treeKit{newIntSource(t, `
foo 1:
foo 2:
a 1:
a 2:
b 1:
b 2:
c 1:
c 2:
d 1:
d 2:`)}
}

func (k treeKit) term(name, spec string, pos bool) term {
	if name == "root" {
		return term{pkg: rootPkg, set: fullSet(1), pos: pos}
	}
	p := k.s.id(name)
	return term{pkg: p, set: k.s.specSet(p, spec), pos: pos}
}

// dep is "from fspec depends on to tspec"; from the root it is the
// requirement "in:to".
func (k treeKit) dep(from, fspec, to, tspec string) *incompat {
	ic := newIncompat(causeDependency, k.term(from, fspec, true), k.term(to, tspec, false))
	if from == "root" {
		ic.origin = "in:" + to
	}
	return ic
}

func (k treeKit) none(name, spec string) *incompat {
	return newIncompat(causeNoVersions, k.term(name, spec, true))
}

func (k treeKit) broken(name, spec string) *incompat {
	ic := newIncompat(causeUnavailable, k.term(name, spec, true))
	ic.reason = "is broken"
	return ic
}

func (k treeKit) derived(c1, c2 *incompat, terms ...term) *incompat {
	ic := newIncompat(causeDerived, terms...)
	ic.cause1, ic.cause2 = c1, c2
	return ic
}

func (k treeKit) fails(c1, c2 *incompat) *incompat {
	return k.derived(c1, c2, k.term("root", "", true))
}

// TestReportSteps runs each case of pub's error-reporting algorithm
// (solver.md, "Error Reporting"), numbered as there.
func TestReportSteps(t *testing.T) {
	k := newTreeKit(t)
	tests := []struct {
		name string
		tree func() *incompat
		want string
	}{
		{"3: two facts", func() *incompat {
			return k.fails(k.none("foo", ">=3"), k.dep("root", "", "foo", ">=3"))
		}, "Because there is no version of foo>=3 and in:foo requires foo>=3, version solving failed."},
		{"3: a chain through a dependency", func() *incompat {
			return k.derived(k.dep("foo", "", "a", ">=2"), k.dep("a", ">=2", "b", "==1"), k.term("foo", "", true), k.term("b", "==1", false))
		}, "Because every version of foo depends on a>=2 which depends on b==1, every version of foo requires b==1."},
		{"3: two dependencies of the same versions", func() *incompat {
			return k.derived(k.dep("foo", "==2", "a", ">=2"), k.dep("foo", "==2", "b", ">=2"), k.term("foo", "==2", true), k.term("a", ">=2", false), k.term("b", ">=2", false))
		}, "Because foo==2 depends on both a>=2 and b>=2, foo==2 requires a>=2 or b>=2."},
		{"2.iii: a derived cause written out, then a fact", func() *incompat {
			inner := k.derived(k.dep("foo", "", "a", ">=2"), k.dep("foo", "", "b", "<2"), k.term("foo", "", true))
			return k.fails(inner, k.dep("root", "", "foo", ""))
		}, "Because every version of foo depends on both a>=2 and b<2, foo cannot be used.\n" +
			"So, because in:foo requires foo, version solving failed."},
		{"2.ii: a node with one derived cause is collapsed", func() *incompat {
			d1 := k.derived(k.dep("foo", "", "a", ">=2"), k.dep("a", ">=2", "b", "==1"), k.term("foo", "", true), k.term("b", "==1", false))
			d2 := k.derived(d1, k.dep("root", "", "b", "==2"), k.term("foo", "", true))
			return k.fails(d2, k.dep("root", "", "foo", ""))
		}, "Because every version of foo depends on a>=2 which depends on b==1, every version of foo requires b==1.\n" +
			"So, because in:b requires b==2 and in:foo requires foo, version solving failed."},
		{"2.i and requires-forbidden: a numbered cause is referred to", func() *incompat {
			bad := k.derived(k.broken("b", "==1"), k.none("b", "==2"), k.term("b", "", true)) // used twice
			viaA := k.derived(k.dep("a", "", "b", ""), bad, k.term("a", "", true))
			viaFoo := k.derived(k.dep("foo", "", "b", ""), bad, k.term("foo", "", true))
			both := k.derived(viaA, viaFoo, k.term("a", "", true), k.term("foo", "", true))
			return k.fails(both, k.dep("root", "", "foo", ""))
		}, "Because b==1 is broken and there is no version of b==2, b cannot be used. (1)\n" +
			"So, because every version of a depends on b, a cannot be used. (2)\n" +
			"\n" +
			"Because every version of foo depends on b which cannot be used (1), foo cannot be used.\n" +
			"And because a cannot be used (2), every version of foo is incompatible with a.\n" +
			"So, because in:foo requires foo, version solving failed."},
		{"1.iii.a: a single-line cause written last, then Thus", func() *incompat {
			a := k.derived(k.none("a", "==1"), k.broken("a", "==2"), k.term("a", "", true))
			b := k.derived(k.derived(k.none("b", "==1"), k.broken("b", "==2"), k.term("b", "", true)), k.dep("foo", "", "b", ""), k.term("foo", "", true))
			return k.fails(k.derived(a, b, k.term("foo", "", true)), k.dep("root", "", "foo", ""))
		}, "Because there is no version of b==1 and b==2 is broken, b cannot be used.\n" +
			"And because every version of foo depends on b, foo cannot be used.\n" +
			"Because there is no version of a==1 and a==2 is broken, a cannot be used.\n" +
			"Thus, foo cannot be used.\n" +
			"So, because in:foo requires foo, version solving failed."},
		{"1.ii and 1.i: causes numbered in an earlier branch", func() *incompat {
			a := k.derived(k.none("a", "==1"), k.broken("a", "==2"), k.term("a", "", true))
			b := k.derived(k.none("b", "==1"), k.broken("b", "==2"), k.term("b", "", true))
			foo1 := k.derived(a, k.dep("foo", "==1", "a", ""), k.term("foo", "==1", true))
			foo2 := k.derived(b, k.dep("foo", "==2", "b", ""), k.term("foo", "==2", true))
			foo := k.derived(foo1, foo2, k.term("foo", "", true))
			c := k.derived(a, b, k.term("c", "", true))
			return k.derived(foo, c, k.term("root", "", true))
		}, "Because there is no version of a==1 and a==2 is broken, a cannot be used. (1)\n" +
			"So, because foo==1 depends on a, foo==1 cannot be used. (2)\n" +
			"\n" +
			"Because there is no version of b==1 and b==2 is broken, b cannot be used. (3)\n" +
			"And because foo==2 depends on b, foo==2 cannot be used.\n" +
			"So, because foo==1 cannot be used (2), foo cannot be used. (4)\n" +
			"\n" +
			"Because a cannot be used (1) and b cannot be used (3), c cannot be used.\n" +
			"So, because foo cannot be used (4), version solving failed."},
		{"collapsed: the unusable versions' fact merges into a dependency", func() *incompat {
			merged := k.derived(k.broken("foo", "==1"), k.dep("foo", "==2", "a", ">=2"), k.term("foo", "", true), k.term("a", ">=2", false))
			return k.fails(k.derived(merged, k.dep("root", "", "a", "<2"), k.term("foo", "", true)), k.dep("root", "", "foo", ""))
		}, "Because every version of foo depends on a>=2 and in:a requires a<2, foo cannot be used.\n" +
			"So, because in:foo requires foo, version solving failed."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := explain(tt.tree(), k.s); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}
