package resolver

import (
	"fmt"
	"strings"
)

// conflict is the solver's failure: the root of the derivation tree, an
// incompatibility that says the root cannot be selected.
type conflict struct{ root *incompat }

func (c *conflict) Error() string { return "version solving failed" }

// describer turns packages and version sets into words.
type describer interface {
	// termText is "flask>=1.0", "flask[dotenv]==1.1.2", or "flask" for every
	// version.
	termText(p pkg, set vset) string
	// noVersions explains an empty candidate set: "there is no version of
	// flask matching >=5 (available: ...)".
	noVersions(p pkg, set vset) string
}

// reporter renders a derivation tree the way pubgrub-rs's
// DefaultStringReporter does: one "Because ..., ..." sentence per derived
// node, chaining "And because" along linear paths, and numbering lines that
// are referred to again ("(1)").
type reporter struct {
	d     describer
	uses  map[*incompat]int // how many derived nodes name each incompatibility as a cause
	refs  map[*incompat]int // line numbers given to shared nodes
	lines []string
	count int
}

// explain renders the derivation tree rooted at ic.
func explain(ic *incompat, d describer) string {
	r := &reporter{d: d, uses: map[*incompat]int{}, refs: map[*incompat]int{}}
	if ic.kind != causeDerived {
		return capitalize(r.external(ic)) + "."
	}
	r.countUses(ic)
	r.build(ic)
	return strings.Join(r.lines, "\n")
}

func (r *reporter) countUses(ic *incompat) {
	for _, c := range []*incompat{ic.cause1, ic.cause2} {
		if c == nil {
			continue
		}
		r.uses[c]++
		if r.uses[c] == 1 {
			r.countUses(c)
		}
	}
}

func (r *reporter) shared(ic *incompat) bool { return r.uses[ic] > 1 }

func (r *reporter) ref(ic *incompat) (int, bool) {
	n, ok := r.refs[ic]
	return n, ok
}

// build explains a derived node, then numbers it if it is shared.
func (r *reporter) build(ic *incompat) {
	r.buildHelper(ic)
	if r.shared(ic) {
		if _, ok := r.refs[ic]; !ok {
			r.addLineRef()
			r.refs[ic] = r.count
		}
	}
}

func (r *reporter) buildHelper(ic *incompat) {
	c1, c2 := ic.cause1, ic.cause2
	d1, d2 := c1.kind == causeDerived, c2.kind == causeDerived
	switch {
	case !d1 && !d2:
		r.push("Because %s and %s, %s.", r.external(c1), r.external(c2), r.terms(ic))
	case d1 && !d2:
		r.reportOneEach(c1, c2, ic)
	case !d1 && d2:
		r.reportOneEach(c2, c1, ic)
	default:
		r.reportBothDerived(c1, c2, ic)
	}
}

func (r *reporter) reportBothDerived(c1, c2, ic *incompat) {
	ref1, ok1 := r.ref(c1)
	ref2, ok2 := r.ref(c2)
	switch {
	case ok1 && ok2:
		r.push("Because %s (%d) and %s (%d), %s.", r.terms(c1), ref1, r.terms(c2), ref2, r.terms(ic))
	case ok1:
		r.build(c2)
		r.push("And because %s (%d), %s.", r.terms(c1), ref1, r.terms(ic))
	case ok2:
		r.build(c1)
		r.push("And because %s (%d), %s.", r.terms(c2), ref2, r.terms(ic))
	case r.shared(c1):
		r.build(c1)
		r.lines = append(r.lines, "")
		r.build(ic)
	default:
		r.build(c1)
		r.addLineRef()
		ref := r.count
		r.lines = append(r.lines, "")
		r.build(c2)
		r.push("And because %s (%d), %s.", r.terms(c1), ref, r.terms(ic))
	}
}

// reportOneEach explains a derived cause and an external one; a derived
// cause that itself has an external cause is collapsed into one sentence.
func (r *reporter) reportOneEach(derived, ext, ic *incompat) {
	if ref, ok := r.ref(derived); ok {
		r.push("Because %s (%d) and %s, %s.", r.terms(derived), ref, r.external(ext), r.terms(ic))
		return
	}
	p1, p2 := derived.cause1, derived.cause2
	switch {
	case p1.kind == causeDerived && p2.kind != causeDerived:
		r.build(p1)
		r.push("And because %s and %s, %s.", r.external(p2), r.external(ext), r.terms(ic))
	case p1.kind != causeDerived && p2.kind == causeDerived:
		r.build(p2)
		r.push("And because %s and %s, %s.", r.external(p1), r.external(ext), r.terms(ic))
	default:
		r.build(derived)
		r.push("And because %s, %s.", r.external(ext), r.terms(ic))
	}
}

func (r *reporter) push(format string, args ...any) {
	r.lines = append(r.lines, fmt.Sprintf(format, args...))
}

func (r *reporter) addLineRef() {
	r.count++
	if n := len(r.lines); n > 0 {
		r.lines[n-1] = fmt.Sprintf("%s (%d)", r.lines[n-1], r.count)
	}
}

// external states an external incompatibility as a fact.
func (r *reporter) external(ic *incompat) string {
	switch ic.kind {
	case causeNoVersions:
		return r.d.noVersions(ic.terms[0].pkg, ic.terms[0].set)
	case causeUnavailable:
		return r.d.termText(ic.terms[0].pkg, ic.terms[0].set) + " " + ic.reason
	case causeConstraint:
		t := ic.terms[len(ic.terms)-1]
		if ic.origin == "" {
			return fmt.Sprintf("the constraints allow only %s", r.d.termText(t.pkg, ic.shown))
		}
		return fmt.Sprintf("%s constrains %s", ic.origin, r.d.termText(t.pkg, ic.shown))
	case causeDependency:
		if len(ic.terms) == 2 && ic.terms[0].pos && !ic.terms[1].pos {
			return r.dependencyText(ic.terms[0], ic.terms[1], ic.origin)
		}
	case causeRoot:
		return "the requirements must be resolved"
	}
	return r.terms(ic)
}

func (r *reporter) dependencyText(from, to term, origin string) string {
	if from.pkg == rootPkg {
		if origin == "" {
			return fmt.Sprintf("the requirements include %s", r.d.termText(to.pkg, to.set))
		}
		return fmt.Sprintf("%s requires %s", origin, r.d.termText(to.pkg, to.set))
	}
	return fmt.Sprintf("%s depends on %s", r.d.termText(from.pkg, from.set), r.d.termText(to.pkg, to.set))
}

// terms states what a derived incompatibility means.
func (r *reporter) terms(ic *incompat) string {
	ts := ic.terms
	if len(ts) > 1 {
		ts = withoutRoot(ts)
	}
	switch {
	case len(ts) == 0 || (len(ts) == 1 && ts[0].pkg == rootPkg && ts[0].pos):
		return "version solving failed"
	case len(ts) == 1 && ts[0].pos:
		return r.d.termText(ts[0].pkg, ts[0].set) + " cannot be used"
	case len(ts) == 1:
		return r.d.termText(ts[0].pkg, ts[0].set) + " is required"
	case len(ts) == 2 && ts[0].pos && !ts[1].pos:
		return r.dependencyText(ts[0], ts[1], "")
	case len(ts) == 2 && !ts[0].pos && ts[1].pos:
		return r.dependencyText(ts[1], ts[0], "")
	}
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = r.d.termText(t.pkg, t.set)
		if !t.pos {
			parts[i] = "not " + parts[i]
		}
	}
	return joinAnd(parts) + " are incompatible"
}

// joinAnd joins "a", "b", "c" as "a, b and c".
func joinAnd(parts []string) string {
	if len(parts) < 2 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

func withoutRoot(ts []term) []term {
	var out []term
	for _, t := range ts {
		if !(t.pkg == rootPkg && t.pos) {
			out = append(out, t)
		}
	}
	return out
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
