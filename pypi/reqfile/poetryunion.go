package reqfile

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/req2nix/req2nix/internal/lazyre"
	"github.com/req2nix/req2nix/pypi/pep440"
)

// A Poetry union ("^3.2 || ^4.0") is one PEP 440 specifier set when it can
// be: poetry-core's VersionUnion.of merges ranges that overlap or touch
// (">=3.2,<4.0" and ">=4.0,<5.0" are ">=3.2,<5.0"), and a gap between the
// merged ranges is excluded with "!=" clauses ("^1.0 || ^3.0" is
// ">=1.0,<4.0,!=2.*"; ">=3.8,<3.9.7 || >3.9.7,<4.0" is
// ">=3.8,<4.0,!=3.9.7", as Poetry itself writes it).
//
// This is exact for every final, post- and local release. PEP 440 has no
// clause for the pre-releases that sort between a gap and the range above
// it (3.0rc1 in the first example: Poetry's >=3.0 excludes it, "!=2.*"
// does not), so those may differ; PEP 440 considers them only when
// pre-releases are allowed (--pre, or no final release fits).
//
// A union is refused when no specifier set expresses it: two exact
// versions, a gap that is not a whole number of release prefixes
// ("<1.5 || >=2.0" would need !=1.5.*, !=1.6.*, ... without end), a gap
// closed by an inclusive or non-final bound.

// maxUnionExclusions bounds the "!=" clauses a gap may take (a gap from 2
// to 2024 would take 2022): beyond it the union is refused as unreadable,
// with errLongUnion (a size limit of ours, not an impossibility).
const maxUnionExclusions = 64

var errLongUnion = errors.New("too long to write as PEP 440 specifiers")

// unionSplitRE is poetry-core's split of a constraint into alternatives.
var unionSplitRE = lazyre.New(`\s*\|\|?\s*`)

// poetryUnion translates a constraint with "|" or "||".
func poetryUnion(c string) (string, error) {
	var ranges []unionRange
	for _, branch := range unionSplitRE.R().Split(strings.TrimFunc(c, isPySpace), -1) {
		clauses, err := poetryAndGroup(branch)
		if err != nil {
			return "", fmt.Errorf("cannot parse version constraint %q: %v", c, err)
		}
		if len(clauses) == 0 {
			return "", nil // "*" in a union allows every version
		}
		r, err := newUnionRange(clauses)
		if err != nil {
			return "", fmt.Errorf("cannot parse version constraint %q: %v", c, err)
		}
		if !r.empty() {
			ranges = append(ranges, r)
		}
	}
	if len(ranges) == 0 {
		return "", fmt.Errorf("version constraint %q allows no version; fix the ranges", c)
	}
	out, err := unionSpecifiers(ranges)
	if errors.Is(err, errLongUnion) {
		return "", fmt.Errorf("version constraint %q is a union (||) %v; write the versions it should allow as one range", c, err)
	}
	if err != nil {
		return "", fmt.Errorf("version constraint %q is a union (||) that no PEP 440 specifier set can express (%v); write the versions it should allow as one range", c, err)
	}
	return out, nil
}

// cut is one end of a range: poetry-core's raw min or max (the version and
// whether it is included), and the PEP 440 clause that states it.
type cut struct {
	v      pep440.Version
	inc    bool
	clause string
}

// unionRange is one alternative of a union: the versions between lo and hi
// (each optional), less the clauses in excl ("!=V", "!=P.*").
type unionRange struct {
	lo, hi *cut
	excl   []string
}

var clauseRE = lazyre.New(`^(==|!=|<=|>=|<|>)(.+?)(\.\*)?$`)

// newUnionRange reads one alternative from its PEP 440 clauses (as
// poetrySingle writes them).
func newUnionRange(clauses []string) (unionRange, error) {
	var r unionRange
	for _, cl := range clauses {
		m := clauseRE.R().FindStringSubmatch(cl)
		if m == nil {
			return r, fmt.Errorf("%q cannot be part of a union", cl)
		}
		v, err := pep440.Parse(m[2])
		if err != nil {
			return r, err
		}
		switch op, wildcard := m[1], m[3] != ""; {
		case op == "!=":
			r.excl = append(r.excl, cl)
		case wildcard: // ==P.*: poetry-core's range from P.dev0 to the next release's dev0
			next := nextPrefix(v)
			r.raise(&cut{mustParse(v.BaseVersion() + ".dev0"), true, ">=" + v.BaseVersion()})
			r.lower(&cut{mustParse(next + ".dev0"), false, "<" + next})
		case op == "==":
			r.raise(&cut{v, true, ">=" + v.String()})
			r.lower(&cut{v, true, "<=" + v.String()})
		case op == ">=" || op == ">":
			r.raise(&cut{v, op == ">=", cl})
		default:
			r.lower(&cut{v, op == "<=", cl})
		}
	}
	return r, nil
}

func mustParse(s string) pep440.Version { return pep440.MustParse(s) }

// raise narrows the lower end to c when c is higher.
func (r *unionRange) raise(c *cut) {
	if r.lo == nil || compareLower(c, r.lo) > 0 {
		r.lo = c
	}
}

// lower narrows the upper end to c when c is lower.
func (r *unionRange) lower(c *cut) {
	if r.hi == nil || compareUpper(c, r.hi) < 0 {
		r.hi = c
	}
}

// compareLower orders lower ends: by version, an inclusive one first.
func compareLower(a, b *cut) int {
	if c := a.v.Compare(b.v); c != 0 || a.inc == b.inc {
		return c
	}
	if a.inc {
		return -1
	}
	return 1
}

// compareUpper orders upper ends as poetry-core's allows_higher does: by
// the highest version each allows, then an exclusive one first.
func compareUpper(a, b *cut) int {
	if c := allowedMax(a).Compare(allowedMax(b)); c != 0 || a.inc == b.inc {
		return c
	}
	if a.inc {
		return 1
	}
	return -1
}

// allowedMax is poetry-core's allowed_max of an upper end: an exclusive
// end at a release that is not a pre- or dev release stops before that
// release's dev0 ("<2.0" allows no 2.0rc1), as PEP 440's "<" does.
func allowedMax(hi *cut) pep440.Version {
	if hi.inc || hi.v.IsPrerelease() {
		return hi.v
	}
	return mustParse(hi.v.Public() + ".dev0")
}

func (r unionRange) empty() bool {
	if r.lo == nil || r.hi == nil {
		return false
	}
	c := r.lo.v.Compare(r.hi.v)
	return c > 0 || c == 0 && !(r.lo.inc && r.hi.inc)
}

// reaches reports whether a range ending at hi and one starting at lo
// overlap or touch, so that poetry-core merges them (VersionUnion.of:
// allows_any, or is_adjacent_to: the same version, included by one).
func reaches(hi, lo *cut) bool {
	if hi == nil || lo == nil {
		return true
	}
	if lo.v.Compare(hi.v) == 0 && hi.inc != lo.inc {
		return true
	}
	c := lo.v.Compare(allowedMax(hi))
	return c < 0 || c == 0 && hi.inc && lo.inc
}

// unionSpecifiers merges the ranges and states the result as one
// specifier set, or says why none can.
func unionSpecifiers(ranges []unionRange) (string, error) {
	if err := checkExclusions(ranges); err != nil {
		return "", err
	}
	slices.SortStableFunc(ranges, func(a, b unionRange) int {
		switch {
		case a.lo == nil && b.lo == nil:
			return 0
		case a.lo == nil:
			return -1
		case b.lo == nil:
			return 1
		}
		return compareLower(a.lo, b.lo)
	})
	merged := []unionRange{ranges[0]}
	for _, r := range ranges[1:] {
		last := &merged[len(merged)-1]
		if !reaches(last.hi, r.lo) {
			merged = append(merged, r)
			continue
		}
		if last.hi != nil && (r.hi == nil || compareUpper(r.hi, last.hi) > 0) {
			last.hi = r.hi
		}
		last.excl = append(last.excl, r.excl...)
	}
	var clauses []string
	if first := merged[0]; first.lo != nil {
		clauses = append(clauses, first.lo.clause)
	}
	if last := merged[len(merged)-1]; last.hi != nil {
		clauses = append(clauses, last.hi.clause)
	}
	for i, r := range merged {
		clauses = append(clauses, r.excl...)
		if i+1 < len(merged) {
			gap, err := gapExclusions(r.hi, merged[i+1].lo)
			if err != nil {
				return "", err
			}
			clauses = append(clauses, gap...)
		}
	}
	out := strings.Join(clauses, ",")
	if _, err := pep440.ParseSpecifiers(out); err != nil {
		return "", err
	}
	return out, nil
}

// checkExclusions requires each "!=" of an alternative to exclude versions
// no other alternative allows: the union would otherwise allow some of
// them, which one set of clauses cannot say.
func checkExclusions(ranges []unionRange) error {
	for i, r := range ranges {
		for _, cl := range r.excl {
			ex := exclusionRange(cl)
			for j, other := range ranges {
				if j != i && reaches(other.hi, ex.lo) && reaches(ex.hi, other.lo) {
					return fmt.Errorf("another alternative allows versions that %s excludes", cl)
				}
			}
		}
	}
	return nil
}

// exclusionRange is the range of versions a "!=" clause excludes.
func exclusionRange(cl string) unionRange {
	r, _ := newUnionRange([]string{"==" + strings.TrimPrefix(cl, "!=")})
	return r
}

// gapExclusions states the versions between two merged ranges (from hi of
// the lower one to lo of the higher one) as "!=" clauses.
func gapExclusions(hi, lo *cut) ([]string, error) {
	if !hi.inc && !lo.inc && hi.v.Compare(lo.v) == 0 && isFinal(hi.v) {
		return []string{"!=" + hi.v.String()}, nil // "<V || >V": Poetry's own !=V
	}
	from, ok := gapStart(hi)
	if !ok {
		return nil, fmt.Errorf("the gap after %s starts inside the versions of a release", hi.clause)
	}
	to, ok := gapEnd(lo)
	if !ok {
		return nil, fmt.Errorf("the gap before %s ends inside the versions of a release", lo.clause)
	}
	if from.Epoch() != to.Epoch() {
		return nil, fmt.Errorf("the gap between %s and %s spans epochs", hi.clause, lo.clause)
	}
	return coverReleases(from, to)
}

// gapStart is the release whose dev0 starts a gap after an upper end, when
// it does: "<2.0" (and so the dev0 of 2.0), or a wildcard's "<2.0.dev0".
func gapStart(hi *cut) (pep440.Version, bool) {
	if hi.inc || !(isFinal(hi.v) || isDev0(hi.v)) {
		return pep440.Version{}, false
	}
	return mustParse(hi.v.BaseVersion()), true
}

// gapEnd is the release a gap ends at (its pre-releases aside, which PEP
// 440 cannot exclude): the inclusive lower end's release, when that end is
// the release, one of its pre-releases or its dev0.
func gapEnd(lo *cut) (pep440.Version, bool) {
	if !lo.inc || lo.v.IsPostrelease() || lo.v.Local() != "" {
		return pep440.Version{}, false
	}
	return mustParse(lo.v.BaseVersion()), true
}

func isFinal(v pep440.Version) bool {
	return !v.IsPrerelease() && !v.IsPostrelease() && v.Local() == ""
}

func isDev0(v pep440.Version) bool { return v.String() == v.BaseVersion()+".dev0" }

// coverReleases returns the fewest "!=P.*" clauses whose prefixes cover
// every version from the dev0 of release from up to (not including) the
// dev0 of release to: the prefixes count up at the first component where
// the two differ, then down the components of to. Any later component of
// from that is not zero would need prefixes without end.
func coverReleases(from, to pep440.Version) ([]string, error) {
	a, b := from.Release(), to.Release()
	n := max(len(a), len(b))
	at := func(r []int, i int) int {
		if i < len(r) {
			return r[i]
		}
		return 0
	}
	k := 0
	for k < n && at(a, k) == at(b, k) {
		k++
	}
	if k == n {
		return nil, nil // no release between: only pre-releases of to
	}
	if at(a, k) > at(b, k) {
		return nil, fmt.Errorf("%s is above %s", from, to)
	}
	for i := k + 1; i < len(a); i++ {
		if a[i] != 0 {
			return nil, fmt.Errorf("the gap from %s to %s is not a whole number of release prefixes: it would need !=%s.*, !=%s.*, ... without end", from, to, prefixText(from, a[:i], a[i]), prefixText(from, a[:i], a[i]+1))
		}
	}
	count := at(b, k) - at(a, k)
	for i := k + 1; i < len(b); i++ {
		count += b[i]
	}
	if count > maxUnionExclusions {
		return nil, fmt.Errorf("%w (the gap from %s to %s would take %d != clauses; req2nix writes at most %d)", errLongUnion, from, to, count, maxUnionExclusions)
	}
	var out []string
	for x := at(a, k); x < at(b, k); x++ {
		out = append(out, "!="+prefixText(from, b[:k], x)+".*")
	}
	for i := k + 1; i < len(b); i++ {
		for x := 0; x < b[i]; x++ {
			out = append(out, "!="+prefixText(from, b[:i], x)+".*")
		}
	}
	return out, nil
}

// prefixText writes a release prefix: head, then last, with the epoch of v.
func prefixText(v pep440.Version, head []int, last int) string {
	parts := make([]string, 0, len(head)+1)
	for _, n := range head {
		parts = append(parts, strconv.Itoa(n))
	}
	s := strings.Join(append(parts, strconv.Itoa(last)), ".")
	if e := v.Epoch(); e > 0 {
		s = strconv.Itoa(e) + "!" + s
	}
	return s
}

// nextPrefix is the release after a wildcard's prefix: "1.3" for 1.2.*.
func nextPrefix(v pep440.Version) string {
	r := v.Release()
	return prefixText(v, r[:len(r)-1], r[len(r)-1]+1)
}
