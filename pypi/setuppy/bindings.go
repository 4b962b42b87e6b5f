package setuppy

import (
	"slices"
	"strings"
)

// compoundKeywords start statements whose body may follow a ":" on the
// same line ("if x: y = 1").
var compoundKeywords = []string{"if", "elif", "else", "while", "for", "with", "try", "except", "finally", "def", "class", "async"}

// mutators are the methods that change a list or dict in place.
var mutators = []string{"append", "extend", "insert", "remove", "pop", "clear", "update", "setdefault", "popitem", "sort", "reverse", "__setitem__", "__delitem__"}

// scanBindings records how every name is bound: the expression of a
// module-level "name = ..." and anything that makes it unreliable (a
// second binding, a binding inside a block, a change in place).
func (m *module) scanBindings() {
	m.bindings = map[string]*binding{}
	for i := 0; i < len(m.toks); {
		end := i
		for end < len(m.toks) && m.toks[end].kind != tNewline && m.toks[end].kind != tEOF {
			end++
		}
		if i < end {
			m.scanLine(i, end, m.toks[i].indent > 0)
		}
		i = end + 1
	}
	m.scanMutations()
}

func (m *module) bind(name string) *binding {
	b := m.bindings[name]
	if b == nil {
		b = &binding{start: -1}
		m.bindings[name] = b
	}
	return b
}

// scanLine reads the statements of one logical line, split at ";".
func (m *module) scanLine(i, end int, nested bool) {
	for i < end {
		stop := i
		for stop < end && !m.is(stop, tOp, ";") {
			stop = m.next(stop)
		}
		m.scanStatement(i, min(stop, end), nested)
		i = stop + 1
	}
}

// scanStatement records the bindings one simple or compound statement
// header makes.
func (m *module) scanStatement(i, end int, nested bool) {
	switch w := m.word(i); {
	case w == "import" || w == "from":
		m.scanImport(i, end)
		return
	case w == "def" || w == "class":
		m.bindOther(m.word(i + 1))
		return
	case slices.Contains(compoundKeywords, w):
		m.scanCompound(i, end)
		return
	}
	eqs := m.assignments(i, end)
	if len(eqs) == 0 {
		return
	}
	value := eqs[len(eqs)-1] + 1
	for k, eq := range eqs {
		start := i
		if k > 0 {
			start = eqs[k-1] + 1
		}
		m.bindTarget(start, eq, value, end, nested)
	}
}

// assignments returns the positions of the "=" of an assignment statement
// (several in "a = b = 1"), at bracket depth 0.
func (m *module) assignments(i, end int) []int {
	var eqs []int
	for j := i; j < end; j = m.next(j) {
		if m.is(j, tOp, "=") {
			eqs = append(eqs, j)
		}
		if m.word(j) == "lambda" {
			break
		}
	}
	return eqs
}

// bindTarget records an assignment of [value, end) to the target [start,
// eq): a name, an annotated name, a dict entry, or names in a tuple.
func (m *module) bindTarget(start, eq, value, end int, nested bool) {
	switch {
	case eq == start+1 && m.toks[start].kind == tName,
		eq > start+1 && m.toks[start].kind == tName && m.is(start+1, tOp, ":"): // name: annotation = value
		b := m.bind(m.word(start))
		b.count++
		b.nested = b.nested || nested
		b.start, b.end = value, end
	case m.toks[start].kind == tName && m.is(start+1, tOp, "["):
		m.subscriptAssigned(start)
	default:
		for j := start; j < eq; j++ {
			if m.toks[j].kind == tName && (j == start || !m.is(j-1, tOp, ".")) && !m.is(j+1, tOp, ".") {
				m.bindOther(m.word(j))
			}
		}
	}
}

// subscriptAssigned records "name[key] = ..." or "del name[key]": one key
// of a dict is replaced, or (another subscript) the value changes.
func (m *module) subscriptAssigned(i int) {
	b := m.bind(m.word(i))
	close := m.closer(i + 1)
	if close == i+3 && m.toks[i+2].kind == tString {
		if lit, err := decodeString(m.src[m.toks[i+2].start:m.toks[i+2].end]); err == nil && len(lit.fields) == 0 {
			b.keys = append(b.keys, lit.parts[0])
			return
		}
	}
	b.mutated = true
}

// bindOther counts a binding whose value is not a literal expression.
func (m *module) bindOther(name string) {
	if name != "" {
		b := m.bind(name)
		b.count++
		b.start = -1
	}
}

// scanImport counts the names an import binds.
func (m *module) scanImport(i, end int) {
	if m.word(i) == "from" {
		for i < end && m.word(i) != "import" {
			i++
		}
	}
	for j := i + 1; j < end; j++ {
		switch {
		case m.toks[j].kind != tName || m.word(j) == "as":
		case m.word(j-1) == "as":
			m.bindOther(m.word(j))
		case m.word(j+1) != "as" && !m.is(j-1, tOp, "."):
			first := m.word(j) // "import a.b" binds a
			m.bindOther(first)
			for j+1 < end && (m.is(j+1, tOp, ".") || m.toks[j+1].kind == tName && m.is(j, tOp, ".")) {
				j++
			}
		}
	}
}

// scanCompound reads a compound statement header: the names a for loop,
// "with ... as" or "except ... as" binds, and a body on the same line.
func (m *module) scanCompound(i, end int) {
	colon := i
	for colon < end && !m.is(colon, tOp, ":") {
		colon = m.next(colon)
	}
	if w := m.word(i); w == "for" || w == "async" && m.word(i+1) == "for" {
		for j := i; j < colon && m.word(j) != "in"; j++ {
			if m.toks[j].kind == tName && m.word(j) != "for" && m.word(j) != "async" {
				m.bindOther(m.word(j))
			}
		}
	}
	for j := i; j+1 < colon; j++ {
		if m.word(j) == "as" && m.toks[j+1].kind == tName {
			m.bindOther(m.word(j + 1))
		}
	}
	if colon+1 < end {
		m.scanLine(colon+1, end, true)
	}
}

// scanMutations marks names changed in place anywhere: x.append(...),
// x += ..., del x[...], x[...] = ... inside expressions too.
func (m *module) scanMutations() {
	for i := 0; i+2 < len(m.toks); i++ {
		if m.toks[i].kind != tName || i > 0 && m.is(i-1, tOp, ".") {
			continue
		}
		name := m.word(i)
		t := m.toks[i+1]
		switch op := m.src[t.start:t.end]; {
		case t.kind != tOp:
		case op == "." && slices.Contains(mutators, m.word(i+2)) && i+3 < len(m.toks) && m.is(i+3, tOp, "("):
			m.bind(name).mutated = true
		case len(op) >= 2 && strings.HasSuffix(op, "=") && op != "==" && op != "<=" && op != ">=" && op != "!=":
			m.bind(name).mutated = true // +=, |=, :=, ...
		case op == "[" && i > 0 && m.word(i-1) == "del":
			m.subscriptAssigned(i)
		}
	}
}
