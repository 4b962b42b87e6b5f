package reqfile

import (
	"strings"

	"github.com/req2nix/req2nix/pypi/pep508"
)

// groupItem is one entry of a dependency group: a requirement, or an
// inclusion of another group.
type groupItem struct {
	req     *Requirement
	include string // normalised name of the included group
	src     Source
}

// dependencyGroups are the groups of PEP 735 [dependency-groups] and of
// Poetry ([tool.poetry.group.<name>], legacy dev-dependencies as "dev"),
// merged by normalised name.
type dependencyGroups struct {
	names    []string // normalised, in definition order
	items    map[string][]groupItem
	spelling map[string]string // PEP 735 key as written, to report duplicates
}

func (g *dependencyGroups) add(name string, items ...groupItem) {
	if g.items == nil {
		g.items = map[string][]groupItem{}
	}
	if _, ok := g.items[name]; !ok {
		g.names = append(g.names, name)
	}
	g.items[name] = append(g.items[name], items...)
}

// readGroups reads every group and adds the requirements of the selected
// ones.
func (pp *pyproject) readGroups(poetry map[string]any) error {
	groups := &dependencyGroups{spelling: map[string]string{}}
	readers := []func(*dependencyGroups) error{
		pp.readPEP735Groups,
		func(g *dependencyGroups) error { return pp.readPoetryGroups(poetry, g) },
		func(g *dependencyGroups) error { return pp.readPoetryDevDependencies(poetry, g) },
	}
	for _, read := range readers {
		if err := read(groups); err != nil {
			return err
		}
	}
	pp.file.Groups = groups.names
	for _, name := range pp.sel.Groups {
		if _, ok := groups.items[name]; !ok {
			return errorf(Source{File: pp.path}, "unknown dependency group %q; defined groups: %s", name, listOrNone(groups.names))
		}
	}
	r := &groupResolver{groups: groups, done: map[string]bool{}}
	for _, name := range pp.sel.Groups {
		if err := r.resolve(name, nil); err != nil {
			return err
		}
	}
	pp.file.Requirements = append(pp.file.Requirements, pp.expandSelf(r.reqs, nil)...)
	return nil
}

// readPEP735Groups reads [dependency-groups]: lists of PEP 508 strings and
// {include-group = "name"} tables.
func (pp *pyproject) readPEP735Groups(groups *dependencyGroups) error {
	path := []string{"dependency-groups"}
	t, err := pp.table(pp.doc, path...)
	if err != nil {
		return err
	}
	for _, key := range pp.orderedKeys(t, path) {
		name := pep508.NormalizeName(key)
		if first, dup := groups.spelling[name]; dup {
			return pp.errorf(childPath(path, key), "duplicate dependency group %s (spelled %q and %q); merge them", name, first, key)
		}
		groups.spelling[name] = key
		items, err := pp.pep735Items(t[key], childPath(path, key))
		if err != nil {
			return err
		}
		groups.add(name, items...)
	}
	return nil
}

func (pp *pyproject) pep735Items(v any, path []string) ([]groupItem, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, pp.errorf(path, "%s must be a list; write [\"requirement\", {include-group = \"name\"}]", dotted(path))
	}
	items := make([]groupItem, 0, len(list))
	for i, e := range list {
		ep := elemPath(path, i)
		item, err := pp.pep735Item(e, ep)
		if err != nil {
			return nil, err
		}
		items = append(items, item)
	}
	return items, nil
}

func (pp *pyproject) pep735Item(e any, path []string) (groupItem, error) {
	switch e := e.(type) {
	case string:
		r, err := pp.pep508(e, path)
		return groupItem{req: &r, src: r.Source}, err
	case map[string]any:
		inc, ok := e["include-group"].(string)
		if ok && len(e) == 1 {
			return groupItem{include: pep508.NormalizeName(inc), src: pp.src(path...)}, nil
		}
	}
	return groupItem{}, pp.errorf(path, "%s must be a requirement string or {include-group = \"name\"}", dotted(path))
}

// readPoetryGroups reads [tool.poetry.group.<name>]: its dependencies and
// include-groups. Whether a group is optional does not matter here: only
// selected groups are read.
func (pp *pyproject) readPoetryGroups(poetry map[string]any, groups *dependencyGroups) error {
	path := []string{"tool", "poetry", "group"}
	t, err := pp.table(poetry, path...)
	if err != nil {
		return err
	}
	for _, key := range pp.orderedKeys(t, path) {
		gpath := childPath(path, key)
		gt, err := pp.table(t, gpath...)
		if err != nil {
			return err
		}
		items, err := pp.poetryGroupItems(gt, gpath)
		if err != nil {
			return err
		}
		groups.add(pep508.NormalizeName(key), items...)
	}
	return nil
}

func (pp *pyproject) poetryGroupItems(gt map[string]any, gpath []string) ([]groupItem, error) {
	items, err := pp.poetryDepItems(gt, childPath(gpath, "dependencies"))
	if err != nil {
		return nil, err
	}
	ipath := childPath(gpath, "include-groups")
	includes, err := pp.strList(gt, ipath...)
	if err != nil {
		return nil, err
	}
	for i, inc := range includes {
		items = append(items, groupItem{include: pep508.NormalizeName(inc), src: pp.src(elemPath(ipath, i)...)})
	}
	return items, nil
}

// poetryDepItems reads a Poetry dependencies table as group items.
func (pp *pyproject) poetryDepItems(parent map[string]any, path []string) ([]groupItem, error) {
	t, err := pp.table(parent, path...)
	if err != nil {
		return nil, err
	}
	pd, err := pp.poetryTable(t, path)
	if err != nil {
		return nil, err
	}
	items := make([]groupItem, len(pd.deps))
	for i := range pd.deps {
		items[i] = groupItem{req: &pd.deps[i].Requirement, src: pd.deps[i].Source}
	}
	return items, nil
}

// readPoetryDevDependencies reads the legacy [tool.poetry.dev-dependencies]
// as group "dev".
func (pp *pyproject) readPoetryDevDependencies(poetry map[string]any, groups *dependencyGroups) error {
	if _, ok := poetry["dev-dependencies"]; !ok {
		return nil
	}
	items, err := pp.poetryDepItems(poetry, []string{"tool", "poetry", "dev-dependencies"})
	if err != nil {
		return err
	}
	groups.add("dev", items...)
	return nil
}

// groupResolver collects the requirements of selected groups, following
// inclusions depth-first; each group is added once.
type groupResolver struct {
	groups *dependencyGroups
	done   map[string]bool
	reqs   []Requirement
}

// resolve adds group name; stack is the chain of groups including it.
func (r *groupResolver) resolve(name string, stack []string) error {
	if r.done[name] {
		return nil
	}
	stack = append(stack, name)
	for _, item := range r.groups.items[name] {
		if item.req != nil {
			r.reqs = append(r.reqs, *item.req)
			continue
		}
		if err := r.include(item, stack); err != nil {
			return err
		}
	}
	r.done[name] = true
	return nil
}

func (r *groupResolver) include(item groupItem, stack []string) error {
	if indexOf(stack, item.include) >= 0 {
		chain := append(stack[indexOf(stack, item.include):], item.include)
		return errorf(item.src, "dependency group cycle %s; remove one of these inclusions", strings.Join(chain, " -> "))
	}
	if _, ok := r.groups.items[item.include]; !ok {
		return errorf(item.src, "group %q includes unknown group %q; defined groups: %s", stack[len(stack)-1], item.include, listOrNone(r.groups.names))
	}
	return r.resolve(item.include, stack)
}
