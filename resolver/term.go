package resolver

// pkg identifies a package inside one resolution: the root (0), a real
// project, or a virtual "name[extra]" package. The world assigns ids in
// discovery order, which is deterministic because only the solver discovers.
type pkg int

const rootPkg pkg = 0

// term is PubGrub's term: "p is selected at a version in set" (positive) or
// "p is not selected at a version in set" (negative, which is also satisfied
// when p is not selected at all).
type term struct {
	pkg pkg
	set vset
	pos bool
}

func (t term) negate() term { return term{pkg: t.pkg, set: t.set, pos: !t.pos} }

// anyTerm is the term every assignment satisfies: "not in ∅".
func anyTerm(p pkg, n int) term { return term{pkg: p, set: emptySet(n)} }

// intersect returns the term satisfied exactly when both t and u are.
func (t term) intersect(u term) term {
	switch {
	case t.pos && u.pos:
		return term{t.pkg, t.set.intersect(u.set), true}
	case t.pos:
		return term{t.pkg, t.set.minus(u.set), true}
	case u.pos:
		return term{t.pkg, u.set.minus(t.set), true}
	default:
		return term{t.pkg, t.set.union(u.set), false}
	}
}

// difference returns the term satisfied when t is and u is not.
func (t term) difference(u term) term { return t.intersect(u.negate()) }

// isEmptyPositive reports whether no assignment can satisfy t.
func (t term) isEmptyPositive() bool { return t.pos && t.set.isEmpty() }

// satisfiedBy reports whether every selection allowed by acc satisfies t.
func (t term) satisfiedBy(acc term) bool {
	switch {
	case acc.pos && t.pos:
		return acc.set.subsetOf(t.set)
	case acc.pos:
		return acc.set.disjoint(t.set)
	case t.pos:
		return false // acc allows p to be absent, t does not
	default:
		return t.set.subsetOf(acc.set)
	}
}

// contradictedBy reports whether no selection allowed by acc satisfies t,
// that is, whether every one satisfies its negation.
func (t term) contradictedBy(acc term) bool { return t.negate().satisfiedBy(acc) }

// causeKind says why an incompatibility holds.
type causeKind uint8

const (
	causeRoot        causeKind = iota // the root must be selected
	causeNoVersions                   // no usable version of a package in a set
	causeUnavailable                  // one version cannot be used (metadata, requires-python)
	causeDependency                   // a version (or the root) depends on a package
	causeConstraint                   // a constraints file narrows a package
	causeDerived                      // learned from two others during conflict resolution
)

// incompat is a set of terms that must not all be true; external ones carry
// their cause, derived ones the two incompatibilities they came from, which
// together form the derivation tree of a failure.
type incompat struct {
	terms          []term // sorted by pkg, one per package
	kind           causeKind
	cause1, cause2 *incompat
	origin         string // root requirement or constraint origin ("requirements.txt:3")
	reason         string // causeUnavailable: why; causeConstraint: the fact in full, when it is not the user's (Options.Fixed)
	shown          vset   // causeConstraint: the allowed set; causeDependency: the set depended on
}

// term returns the term on p, if any.
func (ic *incompat) term(p pkg) (term, bool) {
	for _, t := range ic.terms {
		if t.pkg == p {
			return t, true
		}
	}
	return term{}, false
}

// newIncompat builds an incompatibility, intersecting terms on the same
// package.
func newIncompat(kind causeKind, terms ...term) *incompat {
	var merged []term
	for _, t := range terms {
		found := false
		for i := range merged {
			if merged[i].pkg == t.pkg {
				merged[i] = merged[i].intersect(t)
				found = true
			}
		}
		if !found {
			merged = append(merged, t)
		}
	}
	sortTerms(merged)
	return &incompat{terms: merged, kind: kind}
}

// neverSatisfied reports whether some term of ic can never hold (after
// merging, "p==1 depends on p" leaves "p in ∅").
func (ic *incompat) neverSatisfied() bool {
	for _, t := range ic.terms {
		if t.isEmptyPositive() {
			return true
		}
	}
	return false
}

// derive builds the incompatibility learned from two others. As in pub, a
// positive root term is dropped when other terms remain (the root is always
// selected), and so are terms every assignment satisfies.
func derive(c1, c2 *incompat, terms []term) *incompat {
	ic := newIncompat(causeDerived, terms...)
	out := ic.terms[:0]
	for _, t := range ic.terms {
		if (!t.pos && t.set.isEmpty()) || (t.pos && t.pkg == rootPkg && len(ic.terms) > 1) {
			continue
		}
		out = append(out, t)
	}
	ic.terms = out
	ic.cause1, ic.cause2 = c1, c2
	return ic
}

func sortTerms(ts []term) {
	for i := 1; i < len(ts); i++ {
		for j := i; j > 0 && ts[j].pkg < ts[j-1].pkg; j-- {
			ts[j], ts[j-1] = ts[j-1], ts[j]
		}
	}
}
