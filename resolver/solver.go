package resolver

import (
	"context"
	"encoding/binary"
	"errors"
	"sort"
)

// source is what the PubGrub core needs from the world: candidate choice,
// decision priorities and dependencies. Package ids and version indices are
// the world's; the core knows nothing of PEP 440.
type source interface {
	// choose returns the preferred usable version of p in allowed, or false
	// when there is none. decided reports versions already decided for
	// other packages (an extra follows its base package).
	choose(p pkg, allowed vset, decided func(pkg) (int, bool)) (int, bool)
	// priority orders pending decisions: lower classes first, then
	// packages in discovery (id) order.
	priority(p pkg, allowed vset, decided func(pkg) (int, bool)) int
	// dependencies returns what version v of p depends on, or a reason the
	// version cannot be used at all (its metadata says it needs another
	// Python, its metadata is invalid, ...).
	dependencies(ctx context.Context, p pkg, v int) (deps []dependency, unavailable string, err error)
	// usable reports whether set holds a version of p that may be chosen
	// (whatever else is decided).
	usable(p pkg, set vset) bool
}

// dependency is one edge returned by source.dependencies: "needs q in set",
// or for constraint edges "q, if selected, must be in set".
type dependency struct {
	pkg        pkg
	set        vset
	origin     string // for root requirements and constraints: "requirements.txt:3"
	constraint bool
	fact       string // a constraint stated as a whole (Options.Fixed), instead of "<origin> constrains ..."
}

// assignment is one step of the partial solution.
type assignment struct {
	term     term
	acc      term // the package's accumulated term up to and including this assignment
	level    int
	decision bool
	cause    *incompat // for derivations
}

// pkgState is the partial solution's summary of one package.
type pkgState struct {
	acc     term  // intersection of the package's assignments
	idx     []int // indices of its assignments
	decided bool
	version int
}

// solver is PubGrub: unit propagation over incompatibilities, decisions
// with prioritisation, and conflict resolution that learns new
// incompatibilities and backjumps.
type solver struct {
	ctx       context.Context
	src       source
	incompats map[pkg][]*incompat
	deps      map[depKey]*incompat // dependency incompatibilities, for merging
	assigns   []assignment
	level     int
	pkgs      []*pkgState                // by pkg; nil when the package has no assignment
	onDecide  func(p pkg, decisions int) // progress hook (decisions standing, the root's included); may be nil
}

func newSolver(ctx context.Context, src source) *solver {
	return &solver{ctx: ctx, src: src, incompats: map[pkg][]*incompat{}, deps: map[depKey]*incompat{}}
}

func (s *solver) state(p pkg) *pkgState {
	if int(p) < len(s.pkgs) {
		return s.pkgs[p]
	}
	return nil
}

func (s *solver) setState(p pkg, st *pkgState) {
	for int(p) >= len(s.pkgs) {
		s.pkgs = append(s.pkgs, nil)
	}
	s.pkgs[p] = st
}

// solve runs PubGrub to completion. It returns the decided version of every
// selected package, a *conflict when there is no solution, or the first
// error from the source.
func (s *solver) solve() (map[pkg]int, error) {
	s.addIncompat(newIncompat(causeRoot, term{pkg: rootPkg, set: fullSet(1)}))
	changed := []pkg{rootPkg}
	for {
		if err := s.propagate(changed); err != nil {
			return nil, err
		}
		if err := s.ctx.Err(); err != nil {
			return nil, err
		}
		p, ok := s.nextPackage()
		if !ok {
			return s.solution(), nil
		}
		var err error
		if changed, err = s.decide(p); err != nil {
			return nil, err
		}
	}
}

func (s *solver) solution() map[pkg]int {
	out := map[pkg]int{}
	for p, st := range s.pkgs {
		if st != nil && st.decided {
			out[pkg(p)] = st.version
		}
	}
	return out
}

func (s *solver) decided(p pkg) (int, bool) {
	if st := s.state(p); st != nil && st.decided {
		return st.version, true
	}
	return 0, false
}

func (s *solver) addIncompat(ic *incompat) {
	for _, t := range ic.terms {
		s.incompats[t.pkg] = append(s.incompats[t.pkg], ic)
	}
}

// relation classifies ic against the partial solution: satisfied,
// contradicted, or almost satisfied (all terms but one satisfied, the
// remaining one returned), else inconclusive.
type relation int

const (
	relSatisfied relation = iota
	relContradicted
	relAlmost
	relInconclusive
)

func (s *solver) relation(ic *incompat) (relation, term) {
	var unsat term
	found := false
	for _, t := range ic.terms {
		sat, contra := s.check(t)
		if sat {
			continue
		}
		if contra {
			return relContradicted, term{}
		}
		if found {
			return relInconclusive, term{}
		}
		unsat, found = t, true
	}
	if !found {
		return relSatisfied, term{}
	}
	return relAlmost, unsat
}

// check reports whether the partial solution satisfies or contradicts t.
// A package without assignments allows anything, including absence.
func (s *solver) check(t term) (satisfied, contradicted bool) {
	if st := s.state(t.pkg); st != nil {
		return t.satisfiedBy(st.acc), t.contradictedBy(st.acc)
	}
	empty := t.set.isEmpty()
	return !t.pos && empty, t.pos && empty
}

// propagate is unit propagation from the changed packages. Unlike pub,
// it visits a package's incompatibilities oldest first, so that root
// requirements are derived in the order written and explanations follow it.
func (s *solver) propagate(changed []pkg) error {
	for len(changed) > 0 {
		p := changed[len(changed)-1]
		changed = changed[:len(changed)-1]
		list := s.incompats[p]
		for i := 0; i < len(list); i++ {
			rel, t := s.relation(list[i])
			switch rel {
			case relSatisfied:
				root, err := s.resolveConflict(list[i])
				if err != nil {
					return err
				}
				if rel, t = s.relation(root); rel != relAlmost {
					return errors.New("resolver: internal error: a learned incompatibility is not almost satisfied after backjumping")
				}
				s.derive(t.negate(), root)
				changed = []pkg{t.pkg}
				i = len(list) // continue from the learned incompatibility's package
			case relAlmost:
				s.derive(t.negate(), list[i])
				changed = appendUnique(changed, t.pkg)
			}
		}
	}
	return nil
}

func appendUnique(ps []pkg, p pkg) []pkg {
	for _, q := range ps {
		if q == p {
			return ps
		}
	}
	return append(ps, p)
}

// resolveConflict learns from a satisfied incompatibility until it finds one
// that, after backjumping, is almost satisfied; it fails with a *conflict
// when the root itself is incompatible.
func (s *solver) resolveConflict(ic *incompat) (*incompat, error) {
	learned := false
	for {
		if isFailure(ic) {
			return nil, &conflict{root: ic}
		}
		si, st, prevLevel := s.satisfier(ic)
		sat := s.assigns[si]
		if sat.decision || prevLevel != sat.level {
			if learned {
				s.addIncompat(ic)
			}
			s.backtrack(prevLevel)
			return ic, nil
		}
		var terms []term
		for _, t := range ic.terms {
			if t.pkg != st.pkg {
				terms = append(terms, t)
			}
		}
		for _, t := range sat.cause.terms {
			if t.pkg != st.pkg {
				terms = append(terms, t)
			}
		}
		if diff := sat.term.difference(st); !diff.isEmptyPositive() {
			terms = append(terms, diff.negate())
		}
		ic = derive(ic, sat.cause, terms)
		learned = true
	}
}

func isFailure(ic *incompat) bool {
	return len(ic.terms) == 0 || (len(ic.terms) == 1 && ic.terms[0].pkg == rootPkg && ic.terms[0].pos)
}

// satisfier finds the assignment that made ic satisfied (the latest of the
// earliest assignments satisfying each term), the term of ic on its package,
// and the decision level to backjump to.
func (s *solver) satisfier(ic *incompat) (int, term, int) {
	at := make([]int, len(ic.terms))
	si, sk := -1, -1
	for k, t := range ic.terms {
		at[k] = s.earliestSatisfying(t)
		if at[k] > si {
			si, sk = at[k], k
		}
	}
	prevLevel := 1
	for k := range ic.terms {
		if k != sk && at[k] >= 0 {
			prevLevel = max(prevLevel, s.assigns[at[k]].level)
		}
	}
	st := ic.terms[sk]
	if diff := s.assigns[si].term.difference(st); !diff.isEmptyPositive() {
		prevLevel = max(prevLevel, s.assigns[s.earliestSatisfying(diff.negate())].level)
	}
	return si, st, prevLevel
}

// earliestSatisfying returns the index of the first assignment after which
// the package's accumulated term satisfies t, or -1 when t holds with no
// assignment at all ("not in ∅", from a dependency no version matches).
func (s *solver) earliestSatisfying(t term) int {
	if t.satisfiedBy(anyTerm(t.pkg, t.set.n)) {
		return -1
	}
	for _, i := range s.state(t.pkg).idx {
		if t.satisfiedBy(s.assigns[i].acc) {
			return i
		}
	}
	panic("resolver: satisfier not found for a satisfied term") // an internal invariant
}

func (s *solver) assign(a assignment) {
	st := s.state(a.term.pkg)
	if st == nil {
		st = &pkgState{acc: anyTerm(a.term.pkg, a.term.set.n)}
		s.setState(a.term.pkg, st)
	}
	st.acc = st.acc.intersect(a.term)
	a.acc = st.acc
	s.assigns = append(s.assigns, a)
	st.idx = append(st.idx, len(s.assigns)-1)
	if a.decision {
		st.decided = true
		st.version = a.term.set.highest()
	}
}

func (s *solver) derive(t term, cause *incompat) {
	s.assign(assignment{term: t, level: s.level, cause: cause})
}

// backtrack removes every assignment above level.
func (s *solver) backtrack(level int) {
	n := len(s.assigns)
	for n > 0 && s.assigns[n-1].level > level {
		n--
	}
	touched := map[pkg]bool{}
	for _, a := range s.assigns[n:] {
		touched[a.term.pkg] = true
	}
	s.assigns = s.assigns[:n]
	s.level = level
	for p := range touched {
		s.replay(p, n)
	}
}

// replay restores a package's summary from its assignments below n: the
// accumulated term of the last one left, and its decision if one is left.
func (s *solver) replay(p pkg, n int) {
	st := s.state(p)
	keep := st.idx[:0]
	for _, i := range st.idx {
		if i < n {
			keep = append(keep, i)
		}
	}
	if len(keep) == 0 {
		s.pkgs[p] = nil
		return
	}
	fresh := &pkgState{acc: s.assigns[keep[len(keep)-1]].acc, idx: keep}
	for _, i := range keep {
		if a := s.assigns[i]; a.decision {
			fresh.decided, fresh.version = true, a.term.set.highest()
		}
	}
	s.pkgs[p] = fresh
}

// nextPackage picks the undecided package with a positive derivation to
// decide next: the lowest priority class, then the first discovered. Like
// uv's (and close to pip's breadth-first order), this decides root
// requirements in the order written and their dependencies level by level,
// so the newest versions go to the packages named first.
func (s *solver) nextPackage() (pkg, bool) {
	best, bestClass := pkg(-1), 0
	for i, st := range s.pkgs {
		if st == nil || st.decided || !st.acc.pos {
			continue
		}
		if class := s.src.priority(pkg(i), st.acc.set, s.decided); best < 0 || class < bestClass {
			best, bestClass = pkg(i), class
		}
	}
	return best, best >= 0
}

// decide chooses a version of p and adds its dependencies, deciding it only
// if none of them is already violated. It returns the packages to propagate.
func (s *solver) decide(p pkg) ([]pkg, error) {
	allowed := s.state(p).acc.set
	v, ok := s.src.choose(p, allowed, s.decided)
	if !ok {
		s.addIncompat(newIncompat(causeNoVersions, term{pkg: p, set: allowed, pos: true}))
		return []pkg{p}, nil
	}
	deps, unavailable, err := s.src.dependencies(s.ctx, p, v)
	if err != nil {
		return nil, err
	}
	version := term{pkg: p, set: singleton(allowed.n, v), pos: true}
	if unavailable != "" {
		ic := newIncompat(causeUnavailable, version)
		ic.reason = unavailable
		s.addIncompat(ic)
		return []pkg{p}, nil
	}
	changed := []pkg{p}
	clash := false
	for _, d := range depsInOrder(p, deps) {
		ic := dependencyIncompat(version, d)
		if ic.neverSatisfied() { // a version depending on itself
			continue
		}
		switch {
		case ic.kind == causeDependency && len(ic.terms) == 2:
			ic = s.mergeDependency(ic, p, d)
		case d.constraint:
			ic = s.addOnce(ic, depKey{rootPkg, d.pkg, setKey(d.set), true})
		default:
			s.addIncompat(ic)
		}
		if d.constraint {
			changed = appendUnique(changed, d.pkg)
		}
		if s.addNoVersions(d) {
			changed = appendUnique(changed, d.pkg)
			clash = clash || p != rootPkg // the root is always decided: its decision is level 1
		}
		clash = clash || s.violatedBesides(ic, p)
	}
	if !clash {
		s.level++
		s.assign(assignment{term: version, level: s.level, decision: true})
		if s.onDecide != nil {
			s.onDecide(p, s.level)
		}
	}
	return changed, nil
}

// depsInOrder is the order in which a version's dependencies are added,
// which is the order unit propagation derives them in and so decides which
// one conflict resolution meets first. The root's come in the order written
// (explanations follow the file); a package's come last first, as in pub,
// so that a conflict between a dependency and a dependency's dependency is
// explained along the chain ("foo depends on a which depends on b>=2")
// rather than as two packages being incompatible.
func depsInOrder(p pkg, deps []dependency) []dependency {
	if p == rootPkg {
		return deps
	}
	out := make([]dependency, len(deps))
	for i, d := range deps {
		out[len(deps)-1-i] = d
	}
	return out
}

// addNoVersions adds, once, the fact that no version of a dependency's set
// can be chosen, when that is so, and reports whether it is; the version
// with that dependency is then not decided, and propagating the fact rules
// it out. Learning the fact when the dependency is met rather than when its
// package is decided keeps explanations short: "no version of urllib3
// matches <2 and requirements.txt:3 requires urllib3<2", not a detour
// through whichever package happens to be decided first.
func (s *solver) addNoVersions(d dependency) bool {
	if d.set.isEmpty() || s.src.usable(d.pkg, d.set) {
		return false
	}
	s.addOnce(newIncompat(causeNoVersions, term{pkg: d.pkg, set: d.set, pos: true}), depKey{-1, d.pkg, setKey(d.set), false})
	return true
}

// depKey identifies the dependency of a package on a set of another's
// versions.
type depKey struct {
	from, to   pkg
	set        string
	constraint bool
}

func setKey(s vset) string {
	b := make([]byte, 0, 8*len(s.words))
	for _, w := range s.words {
		b = binary.LittleEndian.AppendUint64(b, w)
	}
	return string(b)
}

// mergeDependency adds a dependency incompatibility, merging it with an
// earlier one from another version of the same package on the same set of
// versions (as pubgrub-rs does): "a>=1.0,<3.0 depends on c>=3" is both a
// shorter explanation and one incompatibility less to propagate.
func (s *solver) mergeDependency(ic *incompat, p pkg, d dependency) *incompat {
	key := depKey{p, d.pkg, setKey(d.set), false}
	old, ok := s.deps[key]
	if !ok {
		return s.addOnce(ic, key)
	}
	from, _ := old.term(p)
	version, _ := ic.term(p)
	merged := newIncompat(causeDependency, term{pkg: p, set: from.set.union(version.set), pos: true}, term{pkg: d.pkg, set: d.set})
	merged.origin = ic.origin
	for _, q := range []pkg{p, d.pkg} {
		list := s.incompats[q]
		for i := range list {
			if list[i] == old {
				list[i] = merged
			}
		}
	}
	s.deps[key] = merged
	return merged
}

// addOnce adds ic unless an incompatibility with the same key was added
// (a constraint comes again when the version that discovered its package
// is decided again after a backjump); it returns the one in force.
func (s *solver) addOnce(ic *incompat, key depKey) *incompat {
	if old, ok := s.deps[key]; ok {
		return old
	}
	s.deps[key] = ic
	s.addIncompat(ic)
	return ic
}

func dependencyIncompat(version term, d dependency) *incompat {
	var ic *incompat
	if d.constraint {
		ic = newIncompat(causeConstraint, term{pkg: rootPkg, set: fullSet(1), pos: true},
			term{pkg: d.pkg, set: d.set.complement(), pos: true})
		ic.shown = d.set
		ic.reason = d.fact
	} else {
		ic = newIncompat(causeDependency, version, term{pkg: d.pkg, set: d.set})
		ic.shown = d.set // a dependency on another version of itself leaves one term
	}
	ic.origin = d.origin
	return ic
}

// violatedBesides reports whether every term of ic not on p is already
// satisfied, so that deciding p would satisfy ic.
func (s *solver) violatedBesides(ic *incompat, p pkg) bool {
	for _, t := range ic.terms {
		if sat, _ := s.check(t); t.pkg != p && !sat {
			return false
		}
	}
	return true
}

// sortedPkgs lists ps in id order (for deterministic iteration).
func sortedPkgs(m map[pkg]int) []pkg {
	out := make([]pkg, 0, len(m))
	for p := range m {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
