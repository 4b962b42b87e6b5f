package reqfile

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/req2nix/req2nix/pypi/pep440"
	"github.com/req2nix/req2nix/pypi/pep508"
)

// ParsePyproject reads the dependencies a pyproject.toml declares: PEP 621
// [project] dependencies and the selected optional-dependencies,
// requires-python and name; the selected PEP 735 [dependency-groups]; Poetry's
// [tool.poetry] dependencies, groups and extras (Poetry constraints
// translated to PEP 440 as poetry-core reads them); [build-system] requires.
// Each requirement's Source is the line of its TOML value.
func ParsePyproject(path string, sel Selection) (*File, error) {
	text, err := readText(path, path)
	if err != nil {
		return nil, err
	}
	return parsePyprojectText(path, text, sel)
}

// ParsePyprojectText is ParsePyproject on the contents of a pyproject.toml
// read elsewhere (a git commit, an archive); path names it in messages.
func ParsePyprojectText(body []byte, path string, sel Selection) (*File, error) {
	text, err := decodeUTF8(body, path)
	if err != nil {
		return nil, err
	}
	return parsePyprojectText(path, text, sel)
}

// parsePyprojectText is ParsePyproject on the text of the file at path.
func parsePyprojectText(path, text string, sel Selection) (*File, error) {
	var doc map[string]any
	if err := toml.Unmarshal([]byte(text), &doc); err != nil {
		return nil, tomlError(path, err)
	}
	pp := &pyproject{
		path:  path,
		doc:   doc,
		lines: indexTOMLLines([]byte(text)),
		file:  &File{},
		sel:   normalizeSelection(sel),
	}
	if err := pp.read(); err != nil {
		return nil, err
	}
	pp.file.Inputs = []string{path}
	return pp.file, nil
}

func tomlError(path string, err error) error {
	// go-toml prefixes its messages with "toml: ", which would repeat "TOML".
	msg := "invalid TOML: " + strings.TrimPrefix(err.Error(), "toml: ") + "; fix the syntax"
	var de *toml.DecodeError
	if errors.As(err, &de) {
		row, col := de.Position()
		return &Error{Source: Source{File: path, Line: row}, Col: col, Msg: msg, Err: err}
	}
	return &Error{Source: Source{File: path}, Msg: msg, Err: err}
}

// hasExtra reports whether a normalised selection includes an extra.
func (s Selection) hasExtra(name string) bool {
	return s.AllExtras || indexOf(s.Extras, name) >= 0
}

func normalizeSelection(sel Selection) Selection {
	out := Selection{AllExtras: sel.AllExtras}
	for _, e := range sel.Extras {
		out.Extras = append(out.Extras, pep508.NormalizeName(e))
	}
	for _, g := range sel.Groups {
		out.Groups = append(out.Groups, pep508.NormalizeName(g))
	}
	return out
}

// pyproject is one pyproject.toml being read.
type pyproject struct {
	path  string
	doc   map[string]any
	lines tomlLines
	file  *File
	sel   Selection

	projectName string // normalised, for self-referencing extras
	projectOpt  *namedLists
}

// src is the Source of the TOML value at key path.
func (pp *pyproject) src(path ...string) Source {
	return Source{File: pp.path, Line: pp.lines.line(path...)}
}

func (pp *pyproject) errorf(path []string, format string, args ...any) error {
	return errorf(pp.src(path...), format, args...)
}

func (pp *pyproject) warn(path []string, format string, args ...any) {
	pp.file.Warnings = append(pp.file.Warnings, warnf(pp.src(path...), format, args...))
}

func (pp *pyproject) read() error {
	project, err := pp.table(pp.doc, "project")
	if err != nil {
		return err
	}
	tool, err := pp.table(pp.doc, "tool")
	if err != nil {
		return err
	}
	poetry, err := pp.table(tool, "tool", "poetry")
	if err != nil {
		return err
	}
	steps := []func() error{
		func() error { return pp.readName(project, poetry) },
		func() error { return pp.readRequiresPython(project) },
		pp.readBuildSystem,
		func() error { return pp.readDependencies(project, poetry) },
		func() error { return pp.readGroups(poetry) },
		func() error { pp.warnPoetrySources(poetry); return nil },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// table returns doc[path[-1]] as a table (nil when absent).
func (pp *pyproject) table(parent map[string]any, path ...string) (map[string]any, error) {
	v, ok := parent[path[len(path)-1]]
	if !ok || parent == nil {
		return nil, nil
	}
	t, ok := v.(map[string]any)
	if !ok {
		return nil, pp.errorf(path, "%s must be a table; see the pyproject.toml specification", dotted(path))
	}
	return t, nil
}

// str returns parent[key] as a string ("" when absent).
func (pp *pyproject) str(parent map[string]any, path ...string) (string, error) {
	v, ok := parent[path[len(path)-1]]
	if !ok {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", pp.errorf(path, "%s must be a string; quote it", dotted(path))
	}
	return s, nil
}

// strList returns parent[key] as a list of strings (nil when absent).
func (pp *pyproject) strList(parent map[string]any, path ...string) ([]string, error) {
	v, ok := parent[path[len(path)-1]]
	if !ok {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, pp.errorf(path, "%s must be a list of strings; write [\"...\", ...]", dotted(path))
	}
	out := make([]string, len(list))
	for i, x := range list {
		s, ok := x.(string)
		if !ok {
			return nil, pp.errorf(elemPath(path, i), "%s must be a list of strings; quote element %d", dotted(path), i+1)
		}
		out[i] = s
	}
	return out, nil
}

// dotted formats a key path for messages: "project.optional-dependencies".
func dotted(path []string) string {
	var b strings.Builder
	for i, p := range path {
		if strings.HasPrefix(p, "#") {
			b.WriteString("[" + p[1:] + "]")
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}

func elemPath(path []string, i int) []string {
	return append(append([]string{}, path...), fmt.Sprintf("#%d", i))
}

func childPath(path []string, key string) []string {
	return append(append([]string{}, path...), key)
}

// orderedKeys returns the keys of a table in the order they appear in the
// file (maps lose it).
func (pp *pyproject) orderedKeys(m map[string]any, path []string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		li, lj := pp.lines.line(childPath(path, keys[i])...), pp.lines.line(childPath(path, keys[j])...)
		if li != lj {
			return li < lj
		}
		return keys[i] < keys[j]
	})
	return keys
}

func (pp *pyproject) readName(project, poetry map[string]any) error {
	name, err := pp.str(project, "project", "name")
	if err != nil {
		return err
	}
	if name == "" {
		if name, err = pp.str(poetry, "tool", "poetry", "name"); err != nil {
			return err
		}
	}
	pp.file.ProjectName = name
	pp.projectName = pep508.NormalizeName(name)
	return nil
}

func (pp *pyproject) readRequiresPython(project map[string]any) error {
	path := []string{"project", "requires-python"}
	rp, err := pp.str(project, path...)
	if err != nil || rp == "" {
		return err
	}
	return pp.setRequiresPython(rp, path)
}

func (pp *pyproject) setRequiresPython(specs string, path []string) error {
	if _, err := pep440.ParseSpecifiers(specs); err != nil {
		return &Error{Source: pp.src(path...), Msg: fmt.Sprintf("invalid %s %q: %v; write PEP 440 specifiers such as \">=3.9\"", dotted(path), specs, err), Err: err}
	}
	pp.file.RequiresPython, pp.file.RequiresPythonSource = specs, pp.src(path...)
	return nil
}

func (pp *pyproject) readBuildSystem() error {
	bs, err := pp.table(pp.doc, "build-system")
	if err != nil {
		return err
	}
	reqs, err := pp.pep508List(bs, "build-system", "requires")
	pp.file.BuildRequires = reqs
	return err
}

// pep508List reads a list of PEP 508 strings at path.
func (pp *pyproject) pep508List(parent map[string]any, path ...string) ([]Requirement, error) {
	list, err := pp.strList(parent, path...)
	if err != nil {
		return nil, err
	}
	var reqs []Requirement
	for i, s := range list {
		r, err := pp.pep508(s, elemPath(path, i))
		if err != nil {
			return nil, err
		}
		reqs = append(reqs, r)
	}
	return reqs, nil
}

func (pp *pyproject) pep508(s string, path []string) (Requirement, error) {
	src := pp.src(path...)
	r, err := pep508.ParseRequirement(s)
	if err != nil {
		e := requirementError(s, err, src)
		e.Col = 0 // the column is within the TOML string, not the line
		return Requirement{}, e
	}
	return Requirement{Requirement: r, Source: src}, nil
}

// namedLists is a table of named requirement lists (extras, groups) with
// names normalised and kept in file order.
type namedLists struct {
	names []string // normalised, in file order
	reqs  map[string][]Requirement
}

func (n *namedLists) has(name string) bool { _, ok := n.reqs[name]; return ok }

func (n *namedLists) add(name string, reqs []Requirement) {
	if n.reqs == nil {
		n.reqs = map[string][]Requirement{}
	}
	if !n.has(name) {
		n.names = append(n.names, name)
	}
	n.reqs[name] = append(n.reqs[name], reqs...)
}

// readOptionalDependencies reads [project.optional-dependencies].
func (pp *pyproject) readOptionalDependencies(project map[string]any) (*namedLists, error) {
	return pp.namedTable(project, []string{"project", "optional-dependencies"}, func(t map[string]any, path []string) ([]Requirement, error) {
		return pp.pep508List(t, path...)
	})
}

// namedTable reads a table of named lists (extras) with names normalised,
// reading each list with readList.
func (pp *pyproject) namedTable(parent map[string]any, path []string, readList func(t map[string]any, path []string) ([]Requirement, error)) (*namedLists, error) {
	t, err := pp.table(parent, path...)
	if err != nil {
		return nil, err
	}
	lists := &namedLists{}
	for _, key := range pp.orderedKeys(t, path) {
		reqs, err := readList(t, childPath(path, key))
		if err != nil {
			return nil, err
		}
		lists.add(pep508.NormalizeName(key), reqs)
	}
	return lists, nil
}

// readDependencies reads the main dependencies and selected extras from
// [project] and [tool.poetry] as poetry-core combines them: [project]
// dependencies win; [tool.poetry.dependencies] then only enrich those of
// the same name (constraint, markers, source, develop, allow-prereleases),
// unless the [project] ones are dynamic.
func (pp *pyproject) readDependencies(project, poetry map[string]any) error {
	main, err := pp.pep508List(project, "project", "dependencies")
	if err != nil {
		return err
	}
	if pp.projectOpt, err = pp.readOptionalDependencies(project); err != nil {
		return err
	}
	dynamic, err := pp.strList(project, "project", "dynamic")
	if err != nil {
		return err
	}
	pd, err := pp.readPoetryMain(poetry)
	if err != nil {
		return err
	}
	if indexOf(dynamic, "dependencies") >= 0 && len(pd.deps) == 0 {
		pp.warn([]string{"project", "dynamic"}, "[project] dependencies are dynamic (computed by the build backend) and are not read; list them in [project] dependencies or a requirements file")
	}
	hasProject := len(main) > 0 || len(pp.projectOpt.names) > 0
	if !hasProject {
		return pp.usePoetryOnly(poetry, pd)
	}
	mixed := indexOf(dynamic, "dependencies") >= 0 || indexOf(dynamic, "optional-dependencies") >= 0
	extras, err := pp.selectExtras(pp.projectOpt)
	if err != nil {
		return err
	}
	reqs, used, err := enrich(append(main[:len(main):len(main)], extras...), pd)
	if err != nil {
		return err
	}
	if mixed && len(main) == 0 {
		reqs = append(reqs, pd.required()...) // Poetry supplies the dynamic main dependencies
	} else {
		pp.reportUnused(pd, used)
	}
	pp.file.Requirements = append(pp.file.Requirements, pp.expandSelf(reqs, pp.selectedExtras())...)
	return nil
}

// selectedExtras returns the set of selected extras of [project].
func (pp *pyproject) selectedExtras() map[string]bool {
	seen := map[string]bool{}
	for _, name := range pp.projectOpt.names {
		seen[name] = pp.sel.hasExtra(name)
	}
	return seen
}

// usePoetryOnly takes the main dependencies and extras from [tool.poetry]
// when [project] declares none.
func (pp *pyproject) usePoetryOnly(poetry map[string]any, pd *poetryDeps) error {
	extras, err := pp.readPoetryExtras(poetry, pd)
	if err != nil {
		return err
	}
	selected, err := pp.selectExtras(extras)
	if err != nil {
		return err
	}
	pp.file.Requirements = append(pp.file.Requirements, pd.required()...)
	pp.file.Requirements = append(pp.file.Requirements, selected...)
	return nil
}

// selectExtras returns the requirements of the selected extras, in the
// order the extras are defined; an unknown extra is an error.
func (pp *pyproject) selectExtras(extras *namedLists) ([]Requirement, error) {
	pp.file.Extras = extras.names
	for _, e := range pp.sel.Extras {
		if !extras.has(e) {
			return nil, errorf(Source{File: pp.path}, "unknown extra %q; defined extras: %s", e, listOrNone(extras.names))
		}
	}
	var reqs []Requirement
	for _, name := range extras.names {
		if pp.sel.hasExtra(name) {
			reqs = append(reqs, extras.reqs[name]...)
		}
	}
	return reqs, nil
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// expandSelf replaces a requirement on the project itself
// ("myproject[test]", the usual way to combine extras) by the requirements
// of the extras it names. seen holds the extras already included (it
// guards against extras naming each other) and may be nil.
func (pp *pyproject) expandSelf(reqs []Requirement, seen map[string]bool) []Requirement {
	var out []Requirement
	for _, r := range reqs {
		if pp.projectName == "" || pep508.NormalizeName(r.Name) != pp.projectName || r.URL != "" {
			out = append(out, r)
			continue
		}
		if seen == nil {
			seen = map[string]bool{}
		}
		for _, e := range r.Extras {
			e = pep508.NormalizeName(e)
			if !seen[e] {
				seen[e] = true
				out = append(out, pp.expandSelf(pp.projectOpt.reqs[e], seen)...)
			}
		}
	}
	return out
}
