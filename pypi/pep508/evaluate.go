package pep508

import (
	"fmt"
	"slices"
	"strings"
)

// Environment holds the PEP 508 marker variables (python_version,
// python_full_version, os_name, sys_platform, platform_system,
// platform_machine, platform_release, platform_version,
// platform_python_implementation, implementation_name,
// implementation_version) plus "extra". The PEP 751 set-valued variables
// "extras" and "dependency_groups" hold comma-separated names.
type Environment map[string]string

// Evaluate evaluates m in env, as packaging 26's Marker.evaluate does.
//
// The version-typed variables (python_version, python_full_version,
// implementation_version, platform_release) compare as PEP 440 versions,
// pre-releases included, whenever the operator and the other side form a
// valid version clause ("3.8" < python_version works too); a value that is
// not a version then never matches. Everything else compares as strings,
// where "<" and ">" are always false and "<=" and ">=" mean "==" (the
// dependency specifiers spec); "in" and "not in" test for a substring.
// "extra" and the set-valued variables compare by normalised name.
//
// A variable missing from env is an empty string (an empty set for "extras"
// and "dependency_groups"). A marker packaging refuses to evaluate (see
// EvaluateStrict) is false: pip would not install the requirement either.
func (m Marker) Evaluate(env Environment) bool {
	ok, err := m.EvaluateStrict(env)
	return ok && err == nil
}

// EvaluateStrict is Evaluate that reports, as an *EvalError, what packaging
// 26 raises on: "~=" or "===" between strings that are not versions, a
// set-valued variable on the left of an operator, or a comparison of two
// literals whose right side names no variable in env.
func (m Marker) EvaluateStrict(env Environment) (bool, error) {
	if m.impl == nil {
		return true, nil
	}
	ok, msg := m.impl.eval(env)
	if msg != "" {
		return false, &EvalError{Marker: m.String(), Msg: msg}
	}
	return ok, nil
}

// eval evaluates every atom (as packaging does, so an undefined comparison
// anywhere is reported) and combines them, "and" before "or". A non-empty
// msg says why the expression is undefined.
func (n *markerNode) eval(env Environment) (result bool, msg string) {
	group := true
	for i, a := range n.atoms {
		v, m := a.eval(env)
		if m != "" {
			return false, m
		}
		if i > 0 && n.ops[i-1] == "or" {
			result = result || group
			group = true
		}
		group = group && v
	}
	return result || group, ""
}

// eval evaluates one atom.
func (a markerAtom) eval(env Environment) (bool, string) {
	if a.group != nil {
		return a.group.eval(env)
	}
	return a.cmp.eval(env)
}

// markerValue is a looked-up value: a string, or a set of names.
type markerValue struct {
	str   string
	set   []string
	isSet bool
}

// eval evaluates the comparison. As in packaging, the variable on the left
// (or else the right operand, variable or not) names the environment key,
// and the key's type decides how the values compare.
func (c *comparison) eval(env Environment) (bool, string) {
	if c.lhs.isVar {
		return c.evalVariableLeft(env)
	}
	return c.evalLiteralLeft(env)
}

// evalVariableLeft evaluates `variable op operand`: the environment value
// against the right operand's text.
func (c *comparison) evalVariableLeft(env Environment) (bool, string) {
	key := c.lhs.text
	lhs, msg := lookup(env, key)
	switch {
	case msg != "":
		return false, msg
	case lhs.isSet:
		return false, fmt.Sprintf("set-valued %s can only be used as `\"name\" in %s`, not on the left of %q", key, key, c.op)
	case c.clause != nil:
		return c.clause.contains(lhs.str), ""
	}
	return compare(lhs.str, c.op, markerValue{str: c.rhs.text}, key)
}

// evalLiteralLeft evaluates `"literal" op operand`: the literal against the
// environment value the right operand names.
func (c *comparison) evalLiteralLeft(env Environment) (bool, string) {
	key := c.rhs.text
	rhs, msg := lookup(env, key)
	if msg != "" {
		return false, msg
	}
	lhs := c.lhs.text
	if setVariables[key] {
		lhs = NormalizeName(lhs)
	}
	if versionVariables[key] {
		if clause := parseVersionClause(c.op, rhs.str); clause != nil {
			return clause.contains(lhs), ""
		}
	}
	return compare(lhs, c.op, rhs, key)
}

// compare applies op to values that are not compared as versions. Per the
// dependency specifiers spec (and packaging 26), strings have no order:
// "<" and ">" are false and "<=" and ">=" mean "==".
func compare(lhs, op string, rhs markerValue, key string) (bool, string) {
	switch op {
	case "in":
		return rhs.contains(lhs), ""
	case "not in":
		return !rhs.contains(lhs), ""
	case "<", ">":
		return false, ""
	case "<=", "==", ">=":
		return !rhs.isSet && lhs == rhs.str, ""
	case "!=":
		return rhs.isSet || lhs != rhs.str, ""
	}
	return false, fmt.Sprintf("%q is undefined between %q and %q (%s is not compared as a version here)", op, lhs, rhs.String(), key)
}

// contains is Python's `x in v`: substring for a string, membership for a set.
func (v markerValue) contains(x string) bool {
	if v.isSet {
		return slices.Contains(v.set, x)
	}
	return strings.Contains(v.str, x)
}

// String renders the value for messages.
func (v markerValue) String() string {
	if v.isSet {
		return "{" + strings.Join(v.set, ",") + "}"
	}
	return v.str
}

// knownVariables default to empty when missing from an Environment; any
// other key (reachable only as the right side of a two-literal comparison)
// must be present.
var knownVariables = map[string]bool{
	"implementation_name": true, "implementation_version": true, "os_name": true,
	"platform_machine": true, "platform_release": true, "platform_system": true,
	"platform_version": true, "python_full_version": true,
	"platform_python_implementation": true, "python_version": true,
	"sys_platform": true, "extra": true, "extras": true, "dependency_groups": true,
}

// lookup returns the value of key in env, normalised as packaging does
// before comparing: extra names canonicalised, set members split and
// canonicalised, and an untagged python_full_version ("3.11.1+") repaired.
func lookup(env Environment, key string) (markerValue, string) {
	v, ok := env[key]
	if !ok && !knownVariables[key] {
		return markerValue{}, fmt.Sprintf("%q does not exist in evaluation environment", key)
	}
	switch {
	case setVariables[key]:
		return markerValue{isSet: true, set: splitNames(v)}, ""
	case key == "extra" && v != "":
		v = NormalizeName(v)
	case key == "python_full_version" && strings.HasSuffix(v, "+"):
		v += "local"
	}
	return markerValue{str: v}, ""
}

// splitNames splits a comma-separated list of names into normalised names.
func splitNames(list string) []string {
	var names []string
	for _, name := range strings.Split(list, ",") {
		if name = strings.TrimSpace(name); name != "" {
			names = append(names, NormalizeName(name))
		}
	}
	return names
}
