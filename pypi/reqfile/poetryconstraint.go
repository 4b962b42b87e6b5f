package reqfile

import (
	"cmp"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/req2nix/req2nix/internal/lazyre"
	"github.com/req2nix/req2nix/pypi/pep440"
)

// poetryConstraint translates a Poetry version constraint into PEP 440
// specifiers ("" for any version), exactly as poetry-core's
// parse_constraint reads it: "^1.2.3" is ">=1.2.3,<2.0.0", "~1.2" is
// ">=1.2,<1.3", "1.2.*" is "==1.2.*", a bare "1.2.3" is "==1.2.3",
// and clauses are separated by commas or spaces. A union ("||") becomes
// one specifier set where one can express it (see poetryUnion).
func poetryConstraint(c string) (string, error) {
	s := strings.TrimFunc(c, isPySpace)
	if s == "*" || s == "" {
		return "", nil
	}
	if strings.Contains(s, "|") {
		return poetryUnion(s)
	}
	clauses, err := poetryAndGroup(s)
	if err != nil {
		return "", fmt.Errorf("cannot parse version constraint %q: %v", c, err)
	}
	out := strings.Join(clauses, ",")
	if _, err := pep440.ParseSpecifiers(out); err != nil {
		return "", fmt.Errorf("cannot translate version constraint %q to PEP 440 (%v); rewrite it with PEP 440 operators", c, err)
	}
	return out, nil
}

// poetryAndGroup translates clauses that must all hold (one alternative of
// a union) into PEP 440 clauses; none for any version.
func poetryAndGroup(s string) ([]string, error) {
	s = strings.TrimRightFunc(strings.TrimRight(strings.TrimFunc(s, isPySpace), ","), isPySpace)
	if s == "*" {
		return nil, nil
	}
	var clauses []string
	for _, part := range splitPoetryAnd(s) {
		cs, err := poetrySingle(part)
		if err != nil {
			return nil, err
		}
		clauses = append(clauses, cs...)
	}
	return clauses, nil
}

var (
	poetryAnyRE = lazyre.New(`(?i)^v?[x*](\.[x*])*$`)
	poetryXRE   = lazyre.New(`^(!=|==)?\s*v?(\d+(?:\.\d+){0,2})(?:\.\*)+$`)
	poetryOpRE  = lazyre.New(`^(<>|!=|>=?|<=?|==?)?\s*(.*?)(\.\*)?$`)
)

// poetrySingle translates one clause (poetry-core's parse_single_constraint).
func poetrySingle(c string) ([]string, error) {
	switch {
	case poetryAnyRE.R().MatchString(c):
		return nil, nil
	case strings.HasPrefix(c, "~="):
		return poetryTilde(c[2:], 2)
	case strings.HasPrefix(c, "~"):
		return poetryTilde(c[1:], 1)
	case strings.HasPrefix(c, "^"):
		return poetryCaret(c[1:])
	}
	if m := poetryXRE.R().FindStringSubmatch(c); m != nil {
		v, err := poetryVersion(m[2])
		if err != nil {
			return nil, err
		}
		return poetryWildcard(c, cmp.Or(m[1], "=="), v)
	}
	return poetryBasic(c)
}

// poetryVersion parses the version of a clause (after its operator).
func poetryVersion(s string) (pep440.Version, error) {
	s = strings.TrimLeftFunc(s, isPySpace)
	if s == "" {
		return pep440.Version{}, errors.New("the version is missing")
	}
	v, err := pep440.Parse(s)
	if err != nil || strings.TrimFunc(s, isPySpace) != s {
		return pep440.Version{}, fmt.Errorf("%q is not a version", s)
	}
	return v, nil
}

// poetryTilde translates "~" (majorAt 1) and "~=" (majorAt 2): the upper
// bound is the next major release when the version has majorAt
// components, else the next minor one. So "~1" is ">=1,<2", "~1.2" is
// ">=1.2,<1.3", "~=1.2" is ">=1.2,<2.0", and poetry reads "~=1" as
// ">=1,<1.1".
func poetryTilde(s string, majorAt int) ([]string, error) {
	v, err := poetryVersion(s)
	if err != nil {
		return nil, err
	}
	if len(v.Release()) == majorAt {
		return poetryRange(v, nextMajor(v)), nil
	}
	return poetryRange(v, nextMinor(v)), nil
}

// poetryCaret: the upper bound is the next "breaking" release, which bumps
// the first non-zero component ("^0.2.3" is ">=0.2.3,<0.3.0").
func poetryCaret(s string) ([]string, error) {
	v, err := poetryVersion(s)
	if err != nil {
		return nil, err
	}
	r := v.Release()
	switch {
	case r[0] > 0 || len(r) == 1:
		return poetryRange(v, nextMajor(v)), nil
	case r[1] > 0 || len(r) == 2:
		return poetryRange(v, nextMinor(v)), nil
	}
	return poetryRange(v, nextPatch(v)), nil
}

func poetryRange(low pep440.Version, high string) []string {
	return []string{">=" + low.Public(), "<" + high}
}

// poetryBasic: a comparison ("<", "<=", ">", ">=", "!=", "==", "=") or a
// bare version, meaning "==". As in poetry-core, a trailing ".*" is
// ignored after an ordering operator and makes "==" and "!=" a wildcard.
func poetryBasic(c string) ([]string, error) {
	m := poetryOpRE.R().FindStringSubmatch(c)
	if m == nil {
		return nil, fmt.Errorf("%q is not a version", c) // a line break
	}
	op, text, wildcard := m[1], m[2], m[3]
	if op == "<>" {
		return nil, fmt.Errorf("%q: write != instead of <>", c)
	}
	if text == "dev" {
		text = "0.0-dev"
	}
	v, err := poetryVersion(text)
	if err != nil {
		return nil, err
	}
	switch op {
	case "<", "<=", ">", ">=":
		return []string{op + v.Public()}, nil // PEP 440 allows local versions only with == and !=
	case "", "=":
		op = "=="
	}
	if wildcard != "" {
		return poetryWildcard(c, op, v)
	}
	return []string{op + v.String()}, nil
}

// poetryWildcard translates "==1.2.*" and "!=1.2.*": poetry-core's range
// from 1.2.dev0 up to 1.3.dev0 (or its complement) is exactly PEP 440's
// prefix match. A wildcard after a pre-, post- or dev-release or a local
// version, which poetry turns into other ranges, is refused.
func poetryWildcard(c, op string, v pep440.Version) ([]string, error) {
	if v.Public() != v.BaseVersion() || v.Local() != "" {
		return nil, fmt.Errorf("%q: a wildcard must follow a plain release such as 1.2", c)
	}
	return []string{op + v.BaseVersion() + ".*"}, nil
}

// nextMajor, nextMinor and nextPatch are poetry-core's Release.next_*
// applied to the version's stable release: the component is bumped, later
// ones are zeroed, missing minor or patch components are added as needed.
func nextMajor(v pep440.Version) string { return bumpRelease(v, 0) }
func nextMinor(v pep440.Version) string { return bumpRelease(v, 1) }
func nextPatch(v pep440.Version) string { return bumpRelease(v, 2) }

func bumpRelease(v pep440.Version, i int) string {
	r := append([]int{}, v.Release()...)
	for len(r) <= i {
		r = append(r, 0)
	}
	r[i]++
	for j := i + 1; j < len(r); j++ {
		r[j] = 0
	}
	parts := make([]string, len(r))
	for j, n := range r {
		parts[j] = strconv.Itoa(n)
	}
	s := strings.Join(parts, ".")
	if e := v.Epoch(); e > 0 {
		s = strconv.Itoa(e) + "!" + s
	}
	return s
}

// splitPoetryAnd splits clauses as poetry-core's regular expression
//
//	(?<!^)(?<![~=>< ,]) *(?<!-)[, ](?!-) *(?!,|$)
//
// does: at a comma or space, except right after an operator (so ">= 1.0"
// stays one clause) or next to "-".
func splitPoetryAnd(s string) []string {
	var parts []string
	start := 0
	for i := 1; i < len(s); i++ {
		if end, ok := andSeparatorAt(s, i); ok {
			parts = append(parts, s[start:i])
			start, i = end, end
		}
	}
	return append(parts, s[start:])
}

// andSeparatorAt reports whether the separator expression matches at i and
// where the match ends; it tries the alternatives in the order Python's
// backtracking regular expression engine does.
func andSeparatorAt(s string, i int) (int, bool) {
	if strings.IndexByte("~=>< ,", s[i-1]) >= 0 {
		return 0, false
	}
	lead := 0
	for i+lead < len(s) && s[i+lead] == ' ' {
		lead++
	}
	for j := lead; j >= 0; j-- {
		k := i + j // the separator character
		if k >= len(s) || (s[k] != ',' && s[k] != ' ') || (k > 0 && s[k-1] == '-') || (k+1 < len(s) && s[k+1] == '-') {
			continue
		}
		trail := 0
		for k+1+trail < len(s) && s[k+1+trail] == ' ' {
			trail++
		}
		for t := trail; t >= 0; t-- {
			end := k + 1 + t
			if end < len(s) && s[end] != ',' {
				return end, true
			}
		}
	}
	return 0, false
}
