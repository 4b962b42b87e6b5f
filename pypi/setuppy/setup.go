// Package setuppy reads the arguments of the setup() call of a setup.py
// without running it, for projects that declare their metadata nowhere
// else (no [project] table, no setup.cfg). It understands Python literals —
// strings (f-strings whose fields are such names too), lists, tuples,
// dicts, dict(...), "+" of lists or strings — and names bound once, at
// module level, to them, including setup(**options). Anything else (a
// call, a file read, a comprehension, a name assigned conditionally) is
// reported, keyword by keyword and item by item, so that callers can say
// what to write by hand. Nothing is executed.
package setuppy

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Keywords are the setup() arguments read.
var Keywords = []string{"name", "version", "python_requires", "install_requires", "extras_require"}

// Setup is what setup() is given.
type Setup struct {
	Name, Version, PythonRequires string
	InstallRequires               []string
	ExtrasRequire                 map[string][]string
	// Given lists the keywords (of Keywords) setup() is given, explicitly
	// or through a literal **dict.
	Given map[string]bool
	// Known lists the keywords whose values above are complete: given as
	// literals, or not given at all (empty). The others are partly or not
	// known; Problems says why. A keyword neither given nor known may be
	// hidden in a **dict that is computed.
	Known map[string]bool
	// Problems explain what could not be understood, one a line, e.g.
	// "version = get_version() is computed".
	Problems []string
	// Line is the line of the setup() call.
	Line int
}

// ErrNoSetupCall marks a setup.py that calls no setup().
var ErrNoSetupCall = errors.New("no setup() call")

// maxSource bounds the setup.py read.
const maxSource = 4 << 20

// Parse reads the setup() call of a setup.py. It fails when the file
// cannot be tokenized, calls no setup() (ErrNoSetupCall) or calls it more
// than once.
func Parse(src []byte) (*Setup, error) {
	if len(src) > maxSource {
		return nil, fmt.Errorf("setup.py is larger than %d bytes", maxSource)
	}
	toks, err := tokenize(string(src))
	if err != nil {
		return nil, err
	}
	m := &module{src: string(src), toks: toks, resolving: map[string]bool{}, cache: map[string]value{}, match: map[int]int{}}
	m.scanBindings()
	call, err := m.findSetupCall()
	if err != nil {
		return nil, err
	}
	args := m.callArgs(call + 2)
	return m.setup(args, toks[call].line), nil
}

// module is a tokenized setup.py and what is known of its names.
type module struct {
	src       string
	toks      []token
	bindings  map[string]*binding
	resolving map[string]bool // names being evaluated (cycles)
	match     map[int]int     // opening bracket -> its closer, as found
	cache     map[string]value
}

// binding is how a name is bound: the expression of its one module-level
// assignment, or why it cannot be relied on.
type binding struct {
	start, end int      // token range of the assigned expression
	count      int      // assignments, imports, loops ... binding it
	nested     bool     // bound inside a block (conditionally)
	mutated    bool     // changed in place (append, update, +=, x[...] = ...)
	keys       []string // dict keys assigned (x["key"] = ...) or deleted
}

func (m *module) text(start, end int) string {
	if start >= end {
		return ""
	}
	s := strings.Join(strings.Fields(m.src[m.toks[start].start:m.toks[end-1].end]), " ")
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}

func (m *module) is(i int, k kind, s string) bool {
	if i < 0 || i >= len(m.toks) {
		return false
	}
	t := m.toks[i]
	return t.kind == k && m.src[t.start:t.end] == s
}

func (m *module) word(i int) string {
	if i < 0 || i >= len(m.toks) {
		return ""
	}
	t := m.toks[i]
	if t.kind != tName {
		return ""
	}
	return m.src[t.start:t.end]
}

// findSetupCall returns the token index of the one setup( call:
// "setup(", "setuptools.setup(" or "<module>.core.setup(", not a def.
func (m *module) findSetupCall() (int, error) {
	var calls []int
	for i := 0; i+1 < len(m.toks); i++ {
		if m.word(i) != "setup" || !m.is(i+1, tOp, "(") {
			continue
		}
		if i > 0 && (m.word(i-1) == "def" || m.is(i-1, tOp, ".") && !(i > 1 && slices.Contains([]string{"setuptools", "core", "skbuild"}, m.word(i-2)))) {
			continue
		}
		calls = append(calls, i)
	}
	switch len(calls) {
	case 0:
		return 0, ErrNoSetupCall
	case 1:
		return calls[0], nil
	}
	lines := make([]string, len(calls))
	for i, c := range calls {
		lines[i] = fmt.Sprint(m.toks[c].line)
	}
	return 0, fmt.Errorf("setup() is called %d times (lines %s), so which call runs is only known by running it", len(calls), strings.Join(lines, ", "))
}

// exprEnd returns the end of the expression starting at i: the first
// token at bracket depth 0 that is a comma, a closing bracket, a newline,
// or one of stops.
func (m *module) exprEnd(i int, stops ...string) int {
	depth := 0
	for ; i < len(m.toks); i++ {
		t := m.toks[i]
		if t.kind == tEOF || t.kind == tNewline && depth == 0 {
			return i
		}
		if t.kind != tOp {
			continue
		}
		switch s := m.src[t.start:t.end]; {
		case depth == 0 && (s == "(" || s == "[" || s == "{") && m.match[i] > i:
			i = m.match[i] // a group known to be closed: skip it whole
		case s == "(" || s == "[" || s == "{":
			depth++
		case s == ")" || s == "]" || s == "}":
			if depth == 0 {
				return i
			}
			depth--
		case depth == 0 && (s == "," || slices.Contains(stops, s)):
			return i
		}
	}
	return i
}

// closer returns the index of the bracket closing the one at i (the end
// of the line or file when it is not closed).
func (m *module) closer(i int) int {
	if c, ok := m.match[i]; ok {
		return c
	}
	end := m.exprEnd(i + 1)
	for end < len(m.toks) && m.is(end, tOp, ",") {
		end = m.exprEnd(end + 1)
	}
	if m.closing(end) && m.toks[end].kind == tOp {
		m.match[i] = end
	}
	return end
}

// arg is one argument of a call: keyword=value, **value or a positional.
type arg struct {
	keyword    string // "" for positional and ** arguments
	doubleStar bool
	start, end int
}

// callArgs splits the arguments of a call whose first argument token is at
// i (after the "(").
func (m *module) callArgs(i int) []arg {
	var args []arg
	for !m.closing(i) {
		a := arg{start: i}
		switch {
		case m.toks[i].kind == tName && m.is(i+1, tOp, "="):
			a.keyword, a.start = m.word(i), i+2
		case m.is(i, tOp, "**"):
			a.doubleStar, a.start = true, i+1
		case m.is(i, tOp, "*"):
			a.start = i + 1
		}
		a.end = m.exprEnd(a.start)
		args = append(args, a)
		i = a.end
		if m.is(i, tOp, ",") {
			i++
		}
		if a.end == a.start && !m.closing(i) { // not an expression: stop
			break
		}
	}
	return args
}

// closing reports the end of an argument list or display at i: a closing
// bracket, or the end of the line or file (unbalanced brackets).
func (m *module) closing(i int) bool {
	if i >= len(m.toks) {
		return true
	}
	t := m.toks[i]
	if t.kind == tNewline || t.kind == tEOF {
		return true
	}
	s := m.src[t.start:t.end]
	return t.kind == tOp && (s == ")" || s == "]" || s == "}")
}

// setup turns setup()'s arguments into a Setup.
func (m *module) setup(args []arg, line int) *Setup {
	kw := map[string]value{}
	var hidden []string // ** arguments whose keys are not known
	for _, a := range args {
		switch {
		case a.keyword != "":
			kw[a.keyword] = m.eval(a.start, a.end)
		case a.doubleStar:
			v := m.eval(a.start, a.end)
			if v.kind != vDict {
				hidden = append(hidden, fmt.Sprintf("setup(**%s): %s, so any keyword may come from it", m.text(a.start, a.end), v.why))
				continue
			}
			for _, k := range v.keys {
				if _, explicit := kw[k]; !explicit {
					kw[k] = v.dict[k]
				}
			}
			if len(v.unknown) > 0 {
				hidden = append(hidden, fmt.Sprintf("setup(**%s): %s, so any keyword may come from it", m.text(a.start, a.end), strings.Join(v.unknown, "; ")))
			}
		}
	}
	s := &Setup{Given: map[string]bool{}, Known: map[string]bool{}, Line: line}
	for _, k := range Keywords {
		v, given := kw[k]
		switch {
		case given:
			s.Given[k] = true
			if s.set(k, v) {
				s.Known[k] = true
			}
		case len(hidden) == 0:
			s.Known[k] = true
		}
	}
	s.Problems = append(hidden, s.Problems...)
	return s
}

// set stores keyword k's value, reporting what is not understood; true
// when it is complete.
func (s *Setup) set(k string, v value) bool {
	switch k {
	case "name", "version", "python_requires":
		if v.kind != vStr {
			s.problem("%s = %s %s", k, v.text, v.reason("a string"))
			return false
		}
		*map[string]*string{"name": &s.Name, "version": &s.Version, "python_requires": &s.PythonRequires}[k] = v.str
		return true
	case "install_requires":
		var ok bool
		s.InstallRequires, ok = s.requirements(k, v)
		return ok
	}
	return s.setExtras(v)
}

func (s *Setup) problem(format string, args ...any) {
	s.Problems = append(s.Problems, fmt.Sprintf(format, args...))
}

// requirements reads a list of requirement strings (or one string of
// lines, which setuptools accepts too).
func (s *Setup) requirements(what string, v value) ([]string, bool) {
	switch v.kind {
	case vStr:
		return RequirementLines(v.str), true
	case vList:
	default:
		s.problem("%s = %s %s", what, v.text, v.reason("a list of strings"))
		return nil, false
	}
	var out []string
	ok := true
	for i, item := range v.items {
		switch item.kind {
		case vStr:
			out = append(out, RequirementLines(item.str)...)
		case vList: // a nested part, as from "+"
			more, complete := s.requirements(what, item)
			out, ok = append(out, more...), ok && complete
		default:
			s.problem("%s: item %d, %s, %s", what, i+1, item.text, item.reason("a string"))
			ok = false
		}
	}
	return out, ok
}

// setExtras reads extras_require: a dict of extra -> requirements.
func (s *Setup) setExtras(v value) bool {
	if v.kind != vDict {
		s.problem("extras_require = %s %s", v.text, v.reason("a dict"))
		return false
	}
	s.ExtrasRequire = map[string][]string{}
	ok := len(v.unknown) == 0
	for _, u := range v.unknown {
		s.problem("extras_require: %s", u)
	}
	for _, k := range v.keys {
		reqs, complete := s.requirements(fmt.Sprintf("extras_require[%q]", k), v.dict[k])
		s.ExtrasRequire[k] = reqs
		ok = ok && complete
	}
	return ok
}

// RequirementLines splits a string of requirements, one a line, dropping
// blank lines and comments (whole lines, or after " #"), as setuptools
// reads install_requires="..." and setup.cfg's list values.
func RequirementLines(s string) []string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if i := strings.Index(line, " #"); i >= 0 {
			line = line[:i]
		}
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return out
}
