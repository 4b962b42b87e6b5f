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
	// every reports whether set holds every version of p, so that a subject
	// reads "every version of p".
	every(p pkg, set vset) bool
	// noVersions explains an empty candidate set as facts to be joined with
	// "and": "no version of flask matches >=5 (available: ...)".
	noVersions(p pkg, set vset) []string
	// unavailable states why the versions of p in set cannot be used.
	unavailable(p pkg, set vset, reason string) string
}

// reporter renders a derivation tree as Dart pub's error reporting does
// (doc/solver.md, "Error Reporting"): one "Because ..., ..." sentence per
// derived node written, "And because" along linear paths and "So, because"
// for conclusions, a node collapsed into its successor when it has one
// derived cause, "Thus," after two branches, and line numbers for nodes
// referred to again. A step whose conclusion reads like its cause's joins
// that cause's sentence. Deliberate differences from pub, all in wording:
//
//   - a root requirement is stated with its origin ("requirements.txt:2
//     requires baz>=1,<2") rather than "root depends on", so two of them are
//     not merged into "depends on both";
//   - "cannot be used" for pub's "is forbidden" (as uv says);
//   - a line number follows its sentence ("... cannot be used. (1)"), as in
//     pubgrub-rs and uv, instead of prefixing it;
//   - a project with a single release is named by it ("foo==1.0.0") where
//     pub says "every version of foo".
type reporter struct {
	d     describer
	root  *incompat
	uses  map[*incompat]int // how many derived nodes name each incompatibility as a cause
	refs  map[*incompat]int // line numbers given to nodes referred to again
	lines []sentence
	// labels are the sets with specifier text that the tree's facts
	// mention, by package: a derived set equal to one of them is written
	// in the user's terms ("requests>=2.32", not "requests>=2.32.0").
	labels map[pkg][]vset
}

// sentence is one line of an explanation: "<lead> <causes, joined with
// and>, <conclusion>. (<number>)"; a blank line has no lead.
type sentence struct {
	lead       string   // "Because", "And because", "So, because", "Thus,", or "" for a blank line
	causes     []string // none after "Thus,"
	conclusion string
	number     int // 0 when the line is not referred to
}

func (s sentence) String() string {
	if s.lead == "" {
		return ""
	}
	out := s.lead + " "
	if len(s.causes) > 0 {
		out += joinAnd(s.causes) + ", "
	}
	out += s.conclusion + "."
	if s.number > 0 {
		out += fmt.Sprintf(" (%d)", s.number)
	}
	return out
}

// explain renders the derivation tree rooted at ic.
func explain(ic *incompat, d describer) string {
	ic = collapseNoVersions(ic, map[*incompat]*incompat{})
	r := &reporter{d: d, root: ic, uses: map[*incompat]int{}, refs: map[*incompat]int{}, labels: map[pkg][]vset{}}
	walkExternal(ic, r.collectLabels)
	if ic.kind != causeDerived {
		return capitalize(joinAnd(r.facts(ic))) + "."
	}
	r.countUses(ic)
	r.visit(ic, false)
	text := make([]string, len(r.lines))
	for i, s := range r.lines {
		text[i] = s.String()
	}
	return strings.Join(text, "\n")
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

// visit writes the lines explaining a derived node (pub's algorithm, steps
// numbered as in solver.md).
func (r *reporter) visit(ic *incompat, conclusion bool) {
	numbered := conclusion || r.uses[ic] > 1
	conj := "And because"
	if conclusion || ic == r.root {
		conj = "So, because"
	}
	c1, c2 := ic.cause1, ic.cause2
	switch d1, d2 := c1.kind == causeDerived, c2.kind == causeDerived; {
	case d1 && d2:
		r.visitBothDerived(ic, conj)
	case d1 || d2:
		derived, ext := c1, c2
		if d2 {
			derived, ext = c2, c1
		}
		r.visitOneDerived(ic, derived, ext, conj)
	default: // 3
		r.say("Because", r.and(c1, c2), ic)
	}
	if numbered {
		r.number(ic)
	}
}

// visitBothDerived is step 1: both causes were derived.
func (r *reporter) visitBothDerived(ic *incompat, conj string) {
	c1, c2 := ic.cause1, ic.cause2
	_, ok1 := r.refs[c1]
	_, ok2 := r.refs[c2]
	switch {
	case ok1 && ok2: // 1.i
		r.say("Because", r.and(c1, c2), ic)
	case ok1 || ok2: // 1.ii
		with, without := c1, c2
		if ok2 {
			with, without = c2, c1
		}
		r.visit(without, false)
		r.say(conj, []string{r.clause(with)}, ic)
	case singleLine(c1) || singleLine(c2): // 1.iii.a
		simple, complex := c1, c2
		if !singleLine(c1) {
			simple, complex = c2, c1
		}
		r.visit(complex, false)
		r.visit(simple, false)
		r.say("Thus,", nil, ic)
	default: // 1.iii.b
		r.visit(c1, true)
		r.lines = append(r.lines, sentence{})
		r.visit(c2, false)
		r.say(conj, []string{r.clause(c1)}, ic)
	}
}

// visitOneDerived is step 2: one cause was derived, the other is a fact.
func (r *reporter) visitOneDerived(ic, derived, ext *incompat, conj string) {
	if _, ok := r.refs[derived]; ok { // 2.i
		r.say("Because", r.and(ext, derived), ic)
		return
	}
	if prior, priorExt, ok := r.collapsible(derived); ok { // 2.ii
		r.visit(prior, false)
		r.say(conj, r.and(priorExt, ext), ic)
		return
	}
	r.visit(derived, false) // 2.iii
	if last := &r.lines[len(r.lines)-1]; r.restates(ic, derived, *last) {
		last.causes = append(last.causes, r.facts(ext)...)
		return
	}
	r.say(conj, r.facts(ext), ic)
}

// restates reports whether ic reads the same as its derived cause, whose
// sentence was just written (their sets differ only in versions the index
// does not have): the fact that derives one from the other then joins that
// sentence rather than repeating its conclusion.
func (r *reporter) restates(ic, derived *incompat, last sentence) bool {
	return r.uses[derived] == 1 && last.number == 0 && last.lead != "Thus," &&
		last.conclusion == r.conclusion(ic) && r.conclusion(derived) == last.conclusion
}

// collapsible reports whether a derived node can be left unsaid, its
// external cause joined to its successor's: it is used once and has exactly
// one derived cause, which has no line number yet.
func (r *reporter) collapsible(ic *incompat) (prior, priorExt *incompat, ok bool) {
	if r.uses[ic] > 1 {
		return nil, nil, false
	}
	c1, c2 := ic.cause1, ic.cause2
	if (c1.kind == causeDerived) == (c2.kind == causeDerived) {
		return nil, nil, false
	}
	if c2.kind == causeDerived {
		c1, c2 = c2, c1
	}
	_, numbered := r.refs[c1]
	return c1, c2, !numbered
}

// singleLine reports whether a derived node follows from two facts.
func singleLine(ic *incompat) bool {
	return ic.kind == causeDerived && ic.cause1.kind != causeDerived && ic.cause2.kind != causeDerived
}

// say writes the sentence concluding ic.
func (r *reporter) say(lead string, causes []string, ic *incompat) {
	r.lines = append(r.lines, sentence{lead: lead, causes: causes, conclusion: r.conclusion(ic)})
}

// number gives the last line written, which explains ic, a line number.
func (r *reporter) number(ic *incompat) {
	n := len(r.refs) + 1
	r.refs[ic] = n
	r.lines[len(r.lines)-1].number = n
}

// collectLabels notes the sets of an external incompatibility that carry
// specifier text.
func (r *reporter) collectLabels(ic *incompat) {
	for _, t := range ic.terms {
		r.addLabel(t.pkg, t.set)
	}
	if len(ic.terms) > 0 {
		r.addLabel(ic.terms[len(ic.terms)-1].pkg, ic.shown) // constraints, self-dependencies
	}
}

func (r *reporter) addLabel(p pkg, set vset) {
	if set.label != "" && set.label != anyLabel {
		r.labels[p] = append(r.labels[p], set)
	}
}

// termText renders a term's package and versions, naming a set of several
// versions (not all) by the shortest specifier text (then the first in byte
// order) that the facts give for exactly those versions; one version is
// best named exactly, and all by the bare name.
func (r *reporter) termText(p pkg, set vset) string {
	if set.label == "" && set.count() > 1 && !r.d.every(p, set) {
		best := ""
		for _, l := range r.labels[p] {
			if l.equal(set) && (best == "" || len(l.label) < len(best) || len(l.label) == len(best) && l.label < best) {
				best = l.label
			}
		}
		if best != "" {
			set = set.withLabel(best)
		}
	}
	return r.d.termText(p, set)
}

// clause states an incompatibility inside a sentence: a fact, or a derived
// node with its line number.
func (r *reporter) clause(ic *incompat) string {
	if ic.kind != causeDerived {
		return joinAnd(r.facts(ic))
	}
	if n, ok := r.refs[ic]; ok {
		return fmt.Sprintf("%s (%d)", r.conclusion(ic), n)
	}
	return r.conclusion(ic)
}

// ref is the " (n)" following a numbered node, or "".
func (r *reporter) ref(ic *incompat) string {
	if n, ok := r.refs[ic]; ok {
		return fmt.Sprintf(" (%d)", n)
	}
	return ""
}

// and states two causes, to be joined with "and": as one chain when the
// first's dependency is the second's subject ("foo depends on bar>=2 which
// depends on baz>=3"), as "both" when they share a subject, else as their
// facts.
func (r *reporter) and(a, b *incompat) []string {
	for _, pair := range [][2]*incompat{{a, b}, {b, a}} {
		if s, ok := r.requiresThrough(pair[0], pair[1]); ok {
			return []string{s}
		}
	}
	if s, ok := r.requiresBoth(a, b); ok {
		return []string{s}
	}
	for _, pair := range [][2]*incompat{{a, b}, {b, a}} {
		if s, ok := r.requiresForbidden(pair[0], pair[1]); ok {
			return []string{s}
		}
	}
	var parts []string
	for _, ic := range []*incompat{a, b} {
		if ic.kind == causeDerived {
			parts = append(parts, r.clause(ic))
		} else {
			parts = append(parts, r.facts(ic)...)
		}
	}
	return parts
}

// requiresThrough chains prior ("p depends on q") and latter ("q depends on
// s") when every version of q that prior allows is one latter is about.
func (r *reporter) requiresThrough(prior, latter *incompat) (string, bool) {
	from, to, ok := r.depForm(prior)
	lfrom, lto, lok := r.depForm(latter)
	if !ok || !lok || to.pkg != lfrom.pkg || !to.set.subsetOf(lfrom.set) || lfrom.pkg == rootPkg {
		return "", false
	}
	return fmt.Sprintf("%s %s%s which %s %s%s", r.lead(prior, from), r.termText(to.pkg, to.set), r.ref(prior),
		r.verb(latter), r.termText(lto.pkg, lto.set), r.ref(latter)), true
}

// requiresBoth joins two dependencies of the same versions of a package
// ("foo<1.1 depends on both a>=1 and b>=1"). Root requirements keep their
// own origins.
func (r *reporter) requiresBoth(a, b *incompat) (string, bool) {
	from, to, ok := r.depForm(a)
	bfrom, bto, bok := r.depForm(b)
	if !ok || !bok || from.pkg != bfrom.pkg || !from.set.equal(bfrom.set) || a.origin != "" || b.origin != "" {
		return "", false
	}
	lead := r.lead(a, from)
	if a.kind != b.kind {
		lead = r.subject(from) + " requires"
	}
	return fmt.Sprintf("%s both %s%s and %s%s", lead, r.termText(to.pkg, to.set), r.ref(a), r.termText(bto.pkg, bto.set), r.ref(b)), true
}

// requiresForbidden joins a dependency on versions that a derived node
// rules out ("foo depends on bar>=2 which cannot be used (1)").
func (r *reporter) requiresForbidden(prior, latter *incompat) (string, bool) {
	from, to, ok := r.depForm(prior)
	if !ok || latter.kind != causeDerived || len(latter.terms) != 1 || !latter.terms[0].pos ||
		latter.terms[0].pkg != to.pkg || !to.set.subsetOf(latter.terms[0].set) {
		return "", false
	}
	return fmt.Sprintf("%s %s%s which cannot be used%s", r.lead(prior, from), r.termText(to.pkg, to.set), r.ref(prior), r.ref(latter)), true
}

// depForm splits an incompatibility of the form {p in S, not q in T} ("p
// in S depends on q in T") into its terms.
func (r *reporter) depForm(ic *incompat) (from, to term, ok bool) {
	if ic.kind != causeDependency && ic.kind != causeDerived {
		return term{}, term{}, false
	}
	ts := ic.terms
	if ic.kind == causeDerived && len(ts) > 1 {
		ts = withoutRoot(ts)
	}
	switch {
	case len(ts) != 2:
		return term{}, term{}, false
	case ts[0].pos && !ts[1].pos:
		return ts[0], ts[1], true
	case !ts[0].pos && ts[1].pos:
		return ts[1], ts[0], true
	}
	return term{}, term{}, false
}

// lead is the subject and verb of a dependency: "requirements.txt:1
// requires", "every version of foo depends on", "foo>=2 requires" (a
// derived one).
func (r *reporter) lead(ic *incompat, from term) string {
	if from.pkg == rootPkg {
		if ic.origin == "" {
			return "the requirements include"
		}
		return ic.origin + " requires"
	}
	return r.subject(from) + " " + r.verb(ic)
}

func (r *reporter) verb(ic *incompat) string {
	if ic.kind == causeDependency {
		return "depends on"
	}
	return "requires"
}

// subject names the versions a positive term is about.
func (r *reporter) subject(t term) string {
	if r.d.every(t.pkg, t.set) {
		return "every version of " + r.termText(t.pkg, t.set)
	}
	return r.termText(t.pkg, t.set)
}

// facts states an external incompatibility as facts to be joined with
// "and".
func (r *reporter) facts(ic *incompat) []string {
	switch ic.kind {
	case causeNoVersions:
		return r.d.noVersions(ic.terms[0].pkg, ic.terms[0].set)
	case causeUnavailable:
		return []string{r.d.unavailable(ic.terms[0].pkg, ic.terms[0].set, ic.reason)}
	case causeConstraint:
		t := ic.terms[len(ic.terms)-1]
		if ic.reason != "" {
			return []string{ic.reason}
		}
		if ic.origin == "" {
			return []string{fmt.Sprintf("the constraints allow only %s", r.termText(t.pkg, ic.shown))}
		}
		return []string{fmt.Sprintf("%s constrains %s", ic.origin, r.termText(t.pkg, ic.shown))}
	case causeDependency:
		if from, to, ok := r.depForm(ic); ok {
			return []string{r.lead(ic, from) + " " + r.termText(to.pkg, to.set)}
		}
		if t := ic.terms[0]; len(ic.terms) == 1 && t.pos { // on another version of itself
			return []string{r.lead(ic, t) + " " + r.termText(t.pkg, ic.shown)}
		}
	case causeRoot:
		return []string{"the requirements must be resolved"}
	}
	return []string{r.conclusion(ic)}
}

// conclusion states what a derived incompatibility means, in pub's words
// (solver.md's Incompatibility.toString).
func (r *reporter) conclusion(ic *incompat) string {
	ts := ic.terms
	if len(ts) > 1 {
		ts = withoutRoot(ts)
	}
	if len(ts) == 0 || (len(ts) == 1 && ts[0].pkg == rootPkg && ts[0].pos) {
		return "version solving failed"
	}
	var pos, neg []string
	for _, t := range ts {
		if t.pos {
			pos = append(pos, r.termText(t.pkg, t.set))
		} else {
			neg = append(neg, r.termText(t.pkg, t.set))
		}
	}
	switch {
	case len(ts) == 1 && len(pos) == 1:
		return pos[0] + " cannot be used"
	case len(ts) == 1:
		return neg[0] + " is required"
	case len(pos) == 1 && len(neg) > 0:
		from, _ := positive(ts)
		return r.subject(from) + " requires " + strings.Join(neg, " or ")
	case len(pos) == 2 && len(neg) == 0:
		return r.subject(ts[0]) + " is incompatible with " + pos[1]
	case len(neg) == 0:
		return "one of " + strings.Join(pos, ", ") + " cannot be used"
	case len(pos) == 0:
		return strings.Join(neg, " or ") + " is required"
	}
	return "if " + joinAnd(pos) + " then " + strings.Join(neg, " or ")
}

// positive returns the first positive term.
func positive(ts []term) (term, bool) {
	for _, t := range ts {
		if t.pos {
			return t, true
		}
	}
	return term{}, false
}

// collapseNoVersions rewrites a derivation tree so that a dependency
// shared by all the versions of a package that can be used reads as one
// fact, as pubgrub-rs's collapse_no_versions does: "requests==2.32.0 is
// yanked and requests==2.32.3 depends on urllib3<3, requests>=2.32 depends
// on urllib3<3" becomes "requests>=2.32 depends on urllib3<3". The other
// versions cannot be chosen anyway, so nothing the user can act on is lost.
// Nodes are copied (the solver's tree is left alone), shared ones once.
func collapseNoVersions(ic *incompat, done map[*incompat]*incompat) *incompat {
	if ic.kind != causeDerived {
		return ic
	}
	if out, ok := done[ic]; ok {
		return out
	}
	c1, c2 := collapseNoVersions(ic.cause1, done), collapseNoVersions(ic.cause2, done)
	out := &incompat{terms: ic.terms, kind: causeDerived, cause1: c1, cause2: c2}
	if dep, ok := mergedDependency(out); ok {
		out = &incompat{terms: ic.terms, kind: causeDependency, origin: dep.origin}
	}
	done[ic] = out
	return out
}

// mergedDependency reports whether a derived node {p in S, not q in T}
// follows from a dependency of some versions of p on q in T and a fact
// that the others cannot be used, returning the dependency.
func mergedDependency(ic *incompat) (*incompat, bool) {
	if len(ic.terms) != 2 {
		return nil, false
	}
	for _, pair := range [][2]*incompat{{ic.cause1, ic.cause2}, {ic.cause2, ic.cause1}} {
		dep, other := pair[0], pair[1]
		if dep.kind != causeDependency || len(dep.terms) != 2 || !sameTerm(dep.terms, ic.terms, false) {
			continue
		}
		from, _ := positive(ic.terms)
		if (other.kind == causeNoVersions || other.kind == causeUnavailable) && other.terms[0].pkg == from.pkg {
			return dep, true
		}
	}
	return nil, false
}

// sameTerm reports whether two incompatibilities have the same term of the
// given polarity.
func sameTerm(a, b []term, pos bool) bool {
	for _, t := range a {
		if t.pos != pos {
			continue
		}
		for _, u := range b {
			if u.pos == pos && u.pkg == t.pkg && u.set.equal(t.set) {
				return true
			}
		}
	}
	return false
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
