package setuppy

import (
	"fmt"
	"slices"
	"strings"
)

// vkind is the kind of a value.
type vkind int

const (
	vUnknown vkind = iota // not understood: why says why
	vStr
	vList  // a list or tuple
	vDict  // a dict with string keys
	vOther // a literal of no interest (a number, True, None, bytes, a set)
)

// value is what an expression evaluates to, as far as it is understood.
type value struct {
	kind  vkind
	str   string
	items []value
	keys  []string         // dict keys in order
	dict  map[string]value // dict entries
	// unknown lists dict entries that are not understood (a **splat of a
	// computed dict, a computed key): any key may hide in them.
	unknown []string
	text    string // the source text, for messages
	why     string // vUnknown: why it is not understood ("is computed")
}

func unknown(text, why string) value { return value{kind: vUnknown, text: text, why: why} }

// reason says why a value is not the expected kind of thing (what).
func (v value) reason(what string) string {
	switch {
	case v.why != "":
		return v.why
	case v.kind == vDict:
		return "is a dict, not " + what
	case v.kind == vList:
		return "is a list, not " + what
	}
	return "is not " + what
}

// eval evaluates the tokens [start, end) as one expression.
func (m *module) eval(start, end int) value {
	text := m.text(start, end)
	if start >= end {
		return unknown(text, "is empty")
	}
	v, next := m.sum(start, end)
	if next != end && v.kind != vUnknown {
		v = unknown(text, "is not a plain literal")
	}
	v.text = text
	return v
}

// sum evaluates primary ("+" primary)*: strings and lists concatenate.
func (m *module) sum(i, end int) (value, int) {
	v, i := m.primary(i, end)
	for i < end && m.is(i, tOp, "+") {
		var w value
		w, i = m.primary(i+1, end)
		v = concat(v, w)
	}
	return v, i
}

func concat(a, b value) value {
	switch {
	case a.kind == vStr && b.kind == vStr:
		return value{kind: vStr, str: a.str + b.str}
	case a.kind == vList && (b.kind == vList || b.kind == vUnknown):
		return value{kind: vList, items: append(slices.Clone(a.items), b)}
	case a.kind == vUnknown && b.kind == vList:
		return value{kind: vList, items: append([]value{a}, b.items...)}
	case a.kind == vUnknown:
		return a
	}
	return b
}

// primary evaluates one operand; a trailing call, attribute or subscript
// makes it computed.
func (m *module) primary(i, end int) (value, int) {
	if i >= end {
		return unknown("", "is missing"), i
	}
	start := i
	v, i := m.atom(i, end)
	if i < end && (m.is(i, tOp, ".") || m.is(i, tOp, "(") || m.is(i, tOp, "[")) {
		stop := m.exprEnd(i, "+")
		return unknown(m.text(start, stop), "is computed"), stop
	}
	return v, i
}

// atom evaluates a literal, a name or a bracketed display.
func (m *module) atom(i, end int) (value, int) {
	t := m.toks[i]
	switch {
	case t.kind == tString:
		return m.strings(i, end)
	case t.kind == tNumber:
		return value{kind: vOther}, i + 1
	case t.kind == tName:
		return m.name(i, end)
	case m.is(i, tOp, "["):
		c := m.closer(i)
		return m.sequence(i+1, c), c + 1
	case m.is(i, tOp, "("):
		c := m.closer(i)
		args := m.callArgs(i + 1)
		if len(args) == 1 && !m.is(c-1, tOp, ",") {
			return m.eval(args[0].start, args[0].end), c + 1 // parentheses
		}
		return m.sequence(i+1, c), c + 1
	case m.is(i, tOp, "{"):
		c := m.closer(i)
		return m.display(i+1, c), c + 1
	}
	stop := m.exprEnd(i, "+")
	return unknown(m.text(i, stop), "is not a literal"), stop
}

// strings evaluates adjacent string literals (Python joins them).
func (m *module) strings(i, end int) (value, int) {
	var b strings.Builder
	start := i
	for ; i < end && m.toks[i].kind == tString; i++ {
		lit, err := decodeString(m.src[m.toks[i].start:m.toks[i].end])
		switch {
		case err != nil:
			return unknown(m.text(start, i+1), "is not readable ("+err.Error()+")"), m.skipStrings(i, end)
		case lit.bytes:
			return value{kind: vOther}, m.skipStrings(i, end)
		}
		b.WriteString(lit.parts[0])
		for j, field := range lit.fields {
			s, why := m.field(field)
			if why != "" {
				return unknown(m.text(start, i+1), why), m.skipStrings(i, end)
			}
			b.WriteString(s + lit.parts[j+1])
		}
	}
	return value{kind: vStr, str: b.String()}, i
}

func (m *module) skipStrings(i, end int) int {
	for i < end && m.toks[i].kind == tString {
		i++
	}
	return i
}

// field is the text of an f-string replacement field that names a string;
// why says why it cannot be known otherwise.
func (m *module) field(field string) (string, string) {
	name := strings.TrimSpace(field)
	if !isIdentifier(name) {
		return "", fmt.Sprintf("has the field {%s}, which is computed", field)
	}
	v := m.lookup(name)
	if v.kind != vStr {
		return "", fmt.Sprintf("has the field {%s}, which %s", name, v.reason("a string"))
	}
	return v.str, ""
}

func isIdentifier(s string) bool {
	toks, err := tokenize(s)
	return err == nil && len(toks) == 3 && toks[0].kind == tName && toks[0].end == len(s)
}

// name evaluates a name: a constant, dict(...)/list(...)/tuple(...) of
// literals, or a name bound once at module level.
func (m *module) name(i, end int) (value, int) {
	w := m.word(i)
	switch w {
	case "True", "False", "None":
		return value{kind: vOther}, i + 1
	case "dict", "list", "tuple":
		if i+1 < end && m.is(i+1, tOp, "(") && m.bindings[w] == nil {
			c := m.closer(i + 1)
			return m.builtinCall(w, i+2, c), c + 1
		}
	}
	if i+1 < end && (m.is(i+1, tOp, "(") || m.is(i+1, tOp, ".") || m.is(i+1, tOp, "[")) {
		stop := m.exprEnd(i, "+")
		return unknown(m.text(i, stop), "is computed"), stop
	}
	return m.lookup(w), i + 1
}

// builtinCall evaluates dict(k=v, ...), list(literal) and tuple(literal).
func (m *module) builtinCall(fn string, i, c int) value {
	args := m.callArgs(i)
	text := m.text(i-2, c+1)
	if fn != "dict" {
		if len(args) == 1 && args[0].keyword == "" && !args[0].doubleStar {
			if v := m.eval(args[0].start, args[0].end); v.kind == vList {
				return v
			}
		}
		return unknown(text, "is computed")
	}
	d := value{kind: vDict, dict: map[string]value{}}
	for _, a := range args {
		var v value
		switch {
		case a.keyword != "":
			d.set(a.keyword, m.eval(a.start, a.end))
			continue
		case a.doubleStar:
			v = m.eval(a.start, a.end)
		default:
			v = m.eval(a.start, a.end)
			if v.kind != vDict {
				v = unknown(m.text(a.start, a.end), "is computed")
			}
		}
		d.merge(v)
	}
	return d
}

// sequence evaluates the items of a list or tuple display; a
// comprehension is computed.
func (m *module) sequence(i, c int) value {
	args := m.callArgs(i)
	v := value{kind: vList, items: make([]value, 0, len(args))}
	for _, a := range args {
		if a.keyword != "" || a.doubleStar || m.hasFor(a.start, a.end) {
			return unknown(m.text(i-1, c+1), "is computed (a comprehension)")
		}
		if a.start > i && m.is(a.start-1, tOp, "*") { // *other: its items
			inner := m.eval(a.start, a.end)
			if inner.kind == vList {
				v.items = append(v.items, inner.items...)
				continue
			}
			v.items = append(v.items, inner)
			continue
		}
		v.items = append(v.items, m.eval(a.start, a.end))
	}
	return v
}

// hasFor reports a "for" at bracket depth 0 in [i, end): a comprehension.
func (m *module) hasFor(i, end int) bool {
	for j := i; j < end; j = m.next(j) {
		if m.word(j) == "for" {
			return true
		}
	}
	return false
}

// next returns the token after the one at i, skipping a bracketed group
// as a whole.
func (m *module) next(i int) int {
	if m.is(i, tOp, "(") || m.is(i, tOp, "[") || m.is(i, tOp, "{") {
		return m.closer(i) + 1
	}
	return i + 1
}

// display evaluates a dict display {k: v, **other}; a set is of no
// interest.
func (m *module) display(i, c int) value {
	d := value{kind: vDict, dict: map[string]value{}}
	for i < c {
		if m.is(i, tOp, "**") {
			end := m.exprEnd(i + 1)
			d.merge(m.eval(i+1, end))
			i = m.skipComma(end)
			continue
		}
		keyEnd := m.exprEnd(i, ":")
		if !m.is(keyEnd, tOp, ":") {
			if m.hasFor(i, keyEnd) {
				return unknown(m.text(i-1, c+1), "is computed (a comprehension)")
			}
			return value{kind: vOther} // a set
		}
		valEnd := m.exprEnd(keyEnd + 1)
		if m.hasFor(keyEnd+1, valEnd) {
			return unknown(m.text(i-1, c+1), "is computed (a comprehension)")
		}
		key, val := m.eval(i, keyEnd), m.eval(keyEnd+1, valEnd)
		if key.kind == vStr {
			d.set(key.str, val)
		} else {
			d.unknown = append(d.unknown, fmt.Sprintf("the key %s %s", key.text, key.reason("a string")))
		}
		i = m.skipComma(valEnd)
	}
	return d
}

func (m *module) skipComma(i int) int {
	if m.is(i, tOp, ",") {
		return i + 1
	}
	return i
}

// set adds or replaces a dict entry.
func (d *value) set(k string, v value) {
	if _, ok := d.dict[k]; !ok {
		d.keys = append(d.keys, k)
	}
	d.dict[k] = v
}

// merge adds the entries of v (a **splat) to the dict d.
func (d *value) merge(v value) {
	if v.kind != vDict {
		d.unknown = append(d.unknown, fmt.Sprintf("**%s %s", v.text, v.reason("a dict")))
		return
	}
	for _, k := range v.keys {
		d.set(k, v.dict[k])
	}
	d.unknown = append(d.unknown, v.unknown...)
}

// maxNames bounds a chain of names referring to names.
const maxNames = 50

// lookup evaluates a name through its binding.
func (m *module) lookup(name string) value {
	if v, ok := m.cache[name]; ok {
		return v
	}
	b := m.bindings[name]
	var v value
	switch {
	case b == nil:
		v = unknown(name, "is not assigned in setup.py")
	case b.count > 1:
		v = unknown(name, fmt.Sprintf("is assigned %d times", b.count))
	case b.nested:
		v = unknown(name, "is assigned inside a block (conditionally)")
	case b.start < 0:
		v = unknown(name, "is imported or computed")
	case b.mutated:
		v = unknown(name, "is changed after its assignment")
	case m.resolving[name]:
		v = unknown(name, "refers to itself")
	case len(m.resolving) >= maxNames:
		v = unknown(name, fmt.Sprintf("refers through more than %d names", maxNames))
	default:
		m.resolving[name] = true
		v = m.eval(b.start, b.end)
		delete(m.resolving, name)
		if v.kind == vUnknown {
			v = unknown(name, fmt.Sprintf("%s (%s = %s)", v.why, name, v.text))
		}
		for _, k := range b.keys {
			if v.kind == vDict {
				v.set(k, unknown(fmt.Sprintf("%s[%q]", name, k), "is assigned again after the dict is made"))
			}
		}
		v.text = name
	}
	m.cache[name] = v
	return v
}
