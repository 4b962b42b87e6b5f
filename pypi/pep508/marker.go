package pep508

import (
	"strings"

	"github.com/req2nix/req2nix/pypi/pep440"
)

// Marker is a parsed environment marker. The zero Marker is "no marker" and
// evaluates to true.
type Marker struct {
	impl *markerNode
}

// markerNode is a marker expression as written: atoms joined by boolean
// operators, "and" binding tighter than "or" when evaluated. Parentheses
// are kept as nested nodes so String can reproduce them.
type markerNode struct {
	atoms []markerAtom
	ops   []string // ops[i] ("and" or "or") joins atoms[i] and atoms[i+1]
}

// markerAtom is either a parenthesised group or one comparison.
type markerAtom struct {
	group *markerNode
	cmp   *comparison
}

// operand is one side of a comparison: a variable name or a literal value.
type operand struct {
	isVar bool
	text  string
}

// comparison is `lhs op rhs`. clause caches the version clause op+rhs when
// lhs is a version-typed variable, so evaluation does not re-parse it.
type comparison struct {
	lhs, rhs operand
	op       string
	clause   *versionClause
}

// ParseMarker parses a PEP 508 marker expression. Errors are *SyntaxError.
func ParseMarker(s string) (Marker, error) {
	n, err := parseFullMarker(s)
	if err != nil {
		return Marker{}, err
	}
	return Marker{impl: n}, nil
}

// IsZero reports whether m is the empty marker.
func (m Marker) IsZero() bool { return m.impl == nil }

// String formats the marker canonically, as packaging's str(Marker):
// single spaces, canonical variable names, double-quoted values (single
// quotes or escapes only where a value could not otherwise be read back),
// and the parentheses written around groups of more than one comparison.
func (m Marker) String() string {
	if m.impl == nil {
		return ""
	}
	var b strings.Builder
	m.impl.format(&b, true)
	return b.String()
}

// format writes n; a group that is not the outermost gets parentheses.
func (n *markerNode) format(b *strings.Builder, outermost bool) {
	if len(n.atoms) == 1 {
		n.atoms[0].format(b, outermost)
		return
	}
	if !outermost {
		b.WriteByte('(')
	}
	for i, a := range n.atoms {
		if i > 0 {
			b.WriteString(" " + n.ops[i-1] + " ")
		}
		a.format(b, false)
	}
	if !outermost {
		b.WriteByte(')')
	}
}

// format writes the atom.
func (a markerAtom) format(b *strings.Builder, outermost bool) {
	if a.group != nil {
		a.group.format(b, outermost)
		return
	}
	b.WriteString(a.cmp.lhs.serialize() + " " + a.cmp.op + " " + a.cmp.rhs.serialize())
}

// serialize writes a variable bare and a value quoted.
func (o operand) serialize() string {
	if o.isVar {
		return o.text
	}
	return quote(o.text)
}

// newComparison builds a comparison, normalising extra names written as
// literals (PEP 685) as packaging does at parse time.
func newComparison(lhs operand, op string, rhs operand) *comparison {
	switch {
	case lhs.isVar && lhs.text == "extra" && !rhs.isVar:
		rhs.text = NormalizeName(rhs.text)
	case rhs.isVar && !lhs.isVar && (rhs.text == "extra" || setVariables[rhs.text]):
		lhs.text = NormalizeName(lhs.text)
	}
	c := &comparison{lhs: lhs, op: op, rhs: rhs}
	if lhs.isVar && versionVariables[lhs.text] {
		c.clause = parseVersionClause(op, rhs.text)
	}
	return c
}

// versionVariables are compared as PEP 440 versions when the other side
// with the operator forms a valid version clause (packaging's
// MARKERS_REQUIRING_VERSION).
var versionVariables = map[string]bool{
	"implementation_version": true,
	"platform_release":       true,
	"python_full_version":    true,
	"python_version":         true,
}

// setVariables hold sets of names (PEP 751 lock files): only `"name" in
// extras` and `"name" not in dependency_groups` are meaningful.
var setVariables = map[string]bool{"extras": true, "dependency_groups": true}

// versionClause is a single version specifier such as ">=3.8" or
// "===3.8", used to compare a version-typed marker variable.
type versionClause struct {
	arbitrary   string // for "===": the lower-cased string to equal
	isArbitrary bool
	specs       pep440.Specifiers
}

// parseVersionClause returns op+value as a version clause, or nil when
// packaging's Specifier would reject it.
func parseVersionClause(op, value string) *versionClause {
	clause := op + value
	if !isSpecifier(clause) {
		return nil
	}
	if op == "===" {
		return &versionClause{isArbitrary: true, arbitrary: strings.ToLower(pyStrip(value))}
	}
	specs, err := pep440.ParseSpecifiers(clause)
	if err != nil {
		return nil
	}
	return &versionClause{specs: specs}
}

// contains reports whether the version v satisfies the clause, accepting
// pre-releases; a string that is not a version never does.
func (c *versionClause) contains(v string) bool {
	if c.isArbitrary {
		return strings.ToLower(v) == c.arbitrary
	}
	parsed, err := pep440.Parse(v)
	return err == nil && c.specs.Contains(parsed, true)
}
