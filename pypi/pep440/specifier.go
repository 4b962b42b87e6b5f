package pep440

import (
	"fmt"
	"slices"
	"strings"
)

// Specifiers is a parsed, comma-separated set of version clauses. The zero
// value is the empty set, which contains every version.
type Specifiers struct {
	impl []specifier
}

// operator is a clause's comparison operator.
type operator uint8

const (
	opEqual        operator = iota // ==
	opNotEqual                     // !=
	opLessEqual                    // <=
	opGreaterEqual                 // >=
	opLess                         // <
	opGreater                      // >
	opCompatible                   // ~=
	opArbitrary                    // ===
)

var operatorText = [...]string{"==", "!=", "<=", ">=", "<", ">", "~=", "==="}

// specifier is one clause, e.g. ">=1.0" or "!=1.3.*".
type specifier struct {
	op       operator
	str      string   // normalised: ">=1.0", "!=1.3.*"; the version as written for ===
	v        *version // the clause's version (the prefix for wildcards); nil for ===
	wildcard bool     // ==V.* or !=V.*
	// lessBound is what <V compares against: V itself when V is a
	// pre-release, else V.dev0, so that <V excludes V's pre-releases.
	lessBound *version
	// arbitrary is the lower-cased === text; arbitraryOK is false when it
	// can never equal a normalised version (non-ASCII).
	arbitrary   string
	arbitraryOK bool
}

// ParseSpecifiers parses "", ">=1.0", ">=1.0, !=1.3.*, <2" and so on:
// clauses separated by ",", white space allowed around operators and
// versions, empty clauses ignored (as packaging's SpecifierSet does).
func ParseSpecifiers(s string) (Specifiers, error) {
	var specs []specifier
	for clause := range strings.SplitSeq(s, ",") {
		clause = trimSpace(clause)
		if clause == "" {
			continue
		}
		spec, err := parseSpecifier(clause)
		if err != nil {
			if clause != trimSpace(s) {
				return Specifiers{}, fmt.Errorf("invalid specifiers %q: %w", s, err)
			}
			return Specifiers{}, err
		}
		specs = append(specs, spec)
	}
	return Specifiers{impl: canonicalOrder(specs)}, nil
}

// parseSpecifier parses one clause with surrounding white space removed.
func parseSpecifier(clause string) (specifier, error) {
	op, rest, err := splitOperator(clause)
	if err != nil {
		return specifier{}, err
	}
	token, err := versionToken(clause, op, trimSpace(rest))
	if err != nil {
		return specifier{}, err
	}
	if op == opArbitrary {
		lower, ok := pythonLowerASCII(token)
		return specifier{op: op, str: clause[:3] + token, arbitrary: lower, arbitraryOK: ok}, nil
	}
	if strings.HasSuffix(token, ".*") {
		return parseWildcard(clause, op, token[:len(token)-2])
	}
	v, err := Parse(token)
	if err != nil {
		return specifier{}, fmt.Errorf("invalid specifier %q: %w", clause, err)
	}
	if err := checkOperatorVersion(op, v.impl); err != nil {
		return specifier{}, fmt.Errorf("invalid specifier %q: %w", clause, err)
	}
	spec := specifier{op: op, str: operatorText[op] + v.String(), v: v.impl}
	if op == opLess {
		spec.lessBound = earliestPrerelease(v.impl)
	}
	return spec, nil
}

// splitOperator splits the operator off the front of a clause.
func splitOperator(clause string) (operator, string, error) {
	if strings.HasPrefix(clause, "===") {
		return opArbitrary, clause[3:], nil
	}
	for _, op := range []operator{opCompatible, opEqual, opNotEqual, opLessEqual, opGreaterEqual, opLess, opGreater} {
		if strings.HasPrefix(clause, operatorText[op]) {
			return op, clause[len(operatorText[op]):], nil
		}
	}
	return 0, "", fmt.Errorf("invalid specifier %q: expected an operator (==, !=, <=, >=, <, >, ~= or ===) before the version", clause)
}

// versionToken returns the version text of a clause, which must be the last
// thing in it.
func versionToken(clause string, op operator, rest string) (string, error) {
	end := strings.IndexFunc(rest, isSpace)
	if end < 0 {
		end = len(rest)
	}
	token := rest[:end]
	if end < len(rest) {
		return "", fmt.Errorf("invalid specifier %q: unexpected %q after the version %q", clause, trimSpace(rest[end:]), token)
	}
	if op == opArbitrary {
		if i := strings.IndexAny(token, ";)"); i >= 0 {
			return "", fmt.Errorf("invalid specifier %q: %q is not allowed in an === version", clause, token[i:i+1])
		}
		return token, nil
	}
	if token == "" {
		return "", fmt.Errorf("invalid specifier %q: missing version after %s", clause, operatorText[op])
	}
	return token, nil
}

// parseWildcard parses the prefix of ==V.* or !=V.*: a plain release.
func parseWildcard(clause string, op operator, prefix string) (specifier, error) {
	if op != opEqual && op != opNotEqual {
		return specifier{}, fmt.Errorf("invalid specifier %q: a .* wildcard is only allowed with == and !=", clause)
	}
	v, err := Parse(prefix)
	if err != nil {
		return specifier{}, fmt.Errorf("invalid specifier %q: %w", clause, err)
	}
	if v.impl.preL != preNone || v.impl.post >= 0 || v.impl.dev >= 0 || v.impl.local != nil {
		return specifier{}, fmt.Errorf("invalid specifier %q: a .* wildcard must follow a plain release such as 1.2, not %q", clause, v.String())
	}
	return specifier{op: op, str: operatorText[op] + v.String() + ".*", v: v.impl, wildcard: true}, nil
}

// checkOperatorVersion applies the PEP's per-operator restrictions.
func checkOperatorVersion(op operator, v *version) error {
	if v.local != nil && op != opEqual && op != opNotEqual {
		return fmt.Errorf("a local version label (+%s) is only allowed with == and !=", v.str[v.pubLen+1:])
	}
	if op == opCompatible && len(v.release) < 2 {
		return fmt.Errorf("~= needs at least two release segments (e.g. ~=%d.0)", v.release[0])
	}
	return nil
}

// earliestPrerelease is the bound of <V: V itself when V is a pre-release,
// else V.dev0, the first pre-release of V.
func earliestPrerelease(v *version) *version {
	if v.preL != preNone || v.dev >= 0 {
		return v
	}
	b := *v
	b.dev = 0
	return &b
}

// canonicalOrder sorts clauses by their string form and drops clauses equal
// to an earlier one (trailing release zeros ignored except for ~=), as
// packaging's str(SpecifierSet) does.
func canonicalOrder(specs []specifier) []specifier {
	if len(specs) < 2 {
		return specs
	}
	slices.SortStableFunc(specs, func(a, b specifier) int { return strings.Compare(a.str, b.str) })
	keys := make([]string, 0, len(specs))
	out := specs[:0]
	for _, s := range specs {
		if key := s.canonicalKey(); !slices.Contains(keys, key) {
			keys = append(keys, key)
			out = append(out, s)
		}
	}
	return out
}

// canonicalKey identifies clauses packaging considers equal.
func (s specifier) canonicalKey() string {
	if s.op == opArbitrary || s.wildcard || s.op == opCompatible || !hasTrailingZero(s.v.release) {
		return s.str
	}
	trimmed := *s.v
	n := len(trimmed.release)
	for n > 1 && trimmed.release[n-1] == 0 {
		n--
	}
	trimmed.release = trimmed.release[:n]
	str, _, _ := trimmed.format()
	return operatorText[s.op] + str
}

func hasTrailingZero(release []int) bool { return len(release) > 1 && release[len(release)-1] == 0 }

// Contains reports whether v satisfies every clause. With prereleases false
// a pre-release (or dev release) is never contained; with true it is
// contained when it satisfies the clauses. The PEP 440 exclusions (>V
// excludes V's post-releases, <V excludes V's pre-releases, ...) apply either
// way. ===V compares v as it was written when parsed (case aside), so
// ===1.01 contains Parse("1.01") but not Parse("1.1"), and ===1.0 not
// Parse("1.0.0"). The zero Version is never contained.
func (s Specifiers) Contains(v Version, prereleases bool) bool {
	if v.impl == nil || (!prereleases && v.IsPrerelease()) {
		return false
	}
	for i := range s.impl {
		if !s.impl[i].matches(v.impl) {
			return false
		}
	}
	return true
}

// matches reports whether p satisfies the clause, pre-release policy aside.
func (s *specifier) matches(p *version) bool {
	switch s.op {
	case opArbitrary: // the version as written, not normalised: ===1.0 is not 1.0.0
		return s.arbitraryOK && strings.EqualFold(p.text, s.arbitrary) // both ASCII
	case opEqual:
		return s.equal(p)
	case opNotEqual:
		return !s.equal(p)
	case opLessEqual:
		return comparePublic(p, s.v) <= 0
	case opGreaterEqual:
		return comparePublic(p, s.v) >= 0
	case opLess:
		return comparePublic(p, s.lessBound) < 0
	case opGreater:
		return comparePublic(p, s.v) > 0 && !s.isPostOf(p)
	default: // opCompatible: >=V and ==V-without-its-last-release-part.*
		return comparePublic(p, s.v) >= 0 && hasReleasePrefix(p, s.v.epoch, s.v.release[:len(s.v.release)-1])
	}
}

// equal is == without the wildcard/local subtleties spelled out by callers:
// a wildcard matches a release prefix (zero padded, any suffix, any local);
// a version with a local label matches exactly; one without matches any
// local label of that public version.
func (s *specifier) equal(p *version) bool {
	switch {
	case s.wildcard:
		return hasReleasePrefix(p, s.v.epoch, s.v.release)
	case s.v.local != nil:
		return comparePublic(p, s.v) == 0 && compareLocal(p.local, s.v.local) == 0
	default:
		return comparePublic(p, s.v) == 0
	}
}

// isPostOf reports whether p is a post-release (or local version) of the
// clause's final or pre-release version, which >V excludes. When V is
// itself a post- or dev release only V's local versions are excluded, and
// comparePublic already did that.
func (s *specifier) isPostOf(p *version) bool {
	v := s.v
	if v.post >= 0 || v.dev >= 0 {
		return false
	}
	return p.epoch == v.epoch && compareRelease(p.release, v.release) == 0 &&
		p.preL == v.preL && (p.preL == preNone || p.preN == v.preN)
}

// hasReleasePrefix reports whether p has the given epoch and its release,
// padded with zeros, starts with prefix.
func hasReleasePrefix(p *version, epoch int, prefix []int) bool {
	if p.epoch != epoch {
		return false
	}
	for i, n := range prefix {
		if at(p.release, i) != n {
			return false
		}
	}
	return true
}

// Prereleases reports whether a clause names a pre-release, which makes the
// default policy accept pre-releases (packaging's SpecifierSet.prereleases):
// any operator but != whose version is a pre-release or dev release, except
// wildcards; === counts when its text is a valid pre-release version.
func (s Specifiers) Prereleases() bool {
	for i := range s.impl {
		if s.impl[i].prereleases() {
			return true
		}
	}
	return false
}

func (s *specifier) prereleases() bool {
	switch {
	case s.op == opNotEqual || s.wildcard:
		return false
	case s.op == opArbitrary:
		v, err := Parse(s.str[len("==="):])
		return err == nil && v.IsPrerelease()
	}
	return s.v.preL != preNone || s.v.dev >= 0
}

// PrereleasePolicy says which pre-releases Filter keeps.
type PrereleasePolicy int

const (
	// PrereleasesDefault is PEP 440's and pip's rule: keep pre-releases when
	// a clause names one, or when no final or post release matches.
	PrereleasesDefault PrereleasePolicy = iota
	// PrereleasesAllow keeps every matching pre-release (pip --pre).
	PrereleasesAllow
	// PrereleasesDeny never keeps pre-releases (or dev releases).
	PrereleasesDeny
)

// Filter returns the versions of vs that s contains under policy, in the
// order given (packaging's SpecifierSet.filter, policy Default being
// prereleases=None).
func (s Specifiers) Filter(vs []Version, policy PrereleasePolicy) []Version {
	allowPre := policy == PrereleasesAllow || (policy == PrereleasesDefault && s.Prereleases())
	var out, pre []Version
	for _, v := range vs {
		if !s.Contains(v, true) {
			continue
		}
		if !v.IsPrerelease() || allowPre {
			out = append(out, v)
		} else if policy == PrereleasesDefault {
			pre = append(pre, v)
		}
	}
	if len(out) == 0 {
		return pre
	}
	return out
}

// String returns the normalised clauses sorted and joined by "," (as
// packaging's str(SpecifierSet)); it parses back to an equal set.
func (s Specifiers) String() string {
	parts := make([]string, len(s.impl))
	for i := range s.impl {
		parts[i] = s.impl[i].str
	}
	return strings.Join(parts, ",")
}

// IsEmpty reports whether s has no clauses.
func (s Specifiers) IsEmpty() bool { return len(s.impl) == 0 }

// pythonLowerASCII lower-cases s as Python's str.lower() would, for the
// purpose of comparing with an ASCII string: it reports false when the
// result cannot be ASCII. (U+212A KELVIN SIGN is the one non-ASCII
// character whose lower case is ASCII.)
func pythonLowerASCII(s string) (string, bool) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\u212a':
			r = 'k'
		case r >= 0x80:
			return "", false
		case 'A' <= r && r <= 'Z':
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String(), true
}
