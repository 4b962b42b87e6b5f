package reqfile

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/req2nix/req2nix/pypi/pep440"
	"github.com/req2nix/req2nix/pypi/pep508"
)

// poetryDep is one dependency from a [tool.poetry] dependencies table.
type poetryDep struct {
	Requirement
	optional bool // only installed with an extra that names it
	develop  bool // develop = true: editable, for a path or VCS source (its own or, when enriching, [project]'s)
}

// poetryDeps are the dependencies of one Poetry table, in file order.
type poetryDeps struct {
	deps []poetryDep
}

// required returns the dependencies that are not optional.
func (pd *poetryDeps) required() []Requirement {
	var reqs []Requirement
	for _, d := range pd.deps {
		if !d.optional {
			reqs = append(reqs, d.Requirement)
		}
	}
	return reqs
}

// readPoetryMain reads [tool.poetry.dependencies]; its "python" entry sets
// RequiresPython when [project] requires-python does not.
func (pp *pyproject) readPoetryMain(poetry map[string]any) (*poetryDeps, error) {
	path := []string{"tool", "poetry", "dependencies"}
	t, err := pp.table(poetry, path...)
	if err != nil {
		return nil, err
	}
	for key, v := range t {
		if s, ok := v.(string); ok && strings.EqualFold(key, "python") && pp.file.RequiresPython == "" {
			if err := pp.setPoetryPython(s, childPath(path, key)); err != nil {
				return nil, err
			}
		}
	}
	return pp.poetryTable(t, path)
}

func (pp *pyproject) setPoetryPython(constraint string, path []string) error {
	specs, err := poetryConstraint(constraint)
	if err != nil {
		if kept, dropped := python3Branch(constraint); dropped != "" {
			pp.warn(path, "python = %q: kept only %q (req2nix targets Python 3, and no PEP 440 specifier set expresses the union)", dropped, kept)
			specs, err = poetryConstraint(kept)
		}
	}
	if err != nil {
		return pp.errorf(path, "python: %v", err)
	}
	if specs == "" {
		return nil
	}
	return pp.setRequiresPython(specs, path)
}

// python3Branch handles the common `python = "~2.7 || ^3.8"` of older
// Poetry projects: when exactly one branch of a union admits a Python 3
// that req2nix can target, that branch is the constraint (and the whole
// union is returned as dropped, for a warning). Anything else is returned
// unchanged, so that a real union stays an error.
func python3Branch(constraint string) (kept, dropped string) {
	if !strings.Contains(constraint, "||") {
		return constraint, ""
	}
	var python3 []string
	for _, branch := range strings.Split(constraint, "||") {
		specs, err := poetryConstraint(branch)
		if err != nil {
			return constraint, ""
		}
		if admitsTargetPython(specs) {
			python3 = append(python3, strings.TrimSpace(branch))
		}
	}
	if len(python3) != 1 {
		return constraint, ""
	}
	return python3[0], constraint
}

// admitsTargetPython reports whether specs contains the newest patch of
// some Python minor req2nix can target.
func admitsTargetPython(specs string) bool {
	set, err := pep440.ParseSpecifiers(specs)
	if err != nil {
		return false
	}
	for _, minor := range pep508.KnownPythons() {
		patch, _ := pep508.LatestPatch(minor)
		if v, err := pep440.Parse(patch); err == nil && set.Contains(v, true) {
			return true
		}
	}
	return false
}

// poetryTable reads a Poetry dependencies table (main or a group's).
// "python" entries are skipped: they constrain the interpreter.
func (pp *pyproject) poetryTable(t map[string]any, path []string) (*poetryDeps, error) {
	pd := &poetryDeps{}
	for _, name := range pp.orderedKeys(t, path) {
		if strings.EqualFold(name, "python") {
			continue
		}
		deps, err := pp.poetryDependency(name, t[name], childPath(path, name))
		if err != nil {
			return nil, err
		}
		pd.deps = append(pd.deps, deps...)
	}
	return pd, nil
}

// poetryDependency reads one entry: a constraint string, a table, or a list
// of tables (one per marker-distinguished constraint).
func (pp *pyproject) poetryDependency(name string, v any, path []string) ([]poetryDep, error) {
	switch v := v.(type) {
	case string:
		d, err := pp.poetryDepTable(name, map[string]any{"version": v}, path)
		return []poetryDep{d}, err
	case map[string]any:
		d, err := pp.poetryDepTable(name, v, path)
		return []poetryDep{d}, err
	case []any:
		var deps []poetryDep
		for i, e := range v {
			more, err := pp.poetryListElement(name, e, elemPath(path, i))
			if err != nil {
				return nil, err
			}
			deps = append(deps, more...)
		}
		return deps, nil
	}
	return nil, pp.errorf(path, "dependency %s must be a version constraint string or a table; write %s = \"^1.0\"", name, name)
}

func (pp *pyproject) poetryListElement(name string, e any, path []string) ([]poetryDep, error) {
	if _, isList := e.([]any); isList {
		return nil, pp.errorf(path, "dependency %s: a list of constraints must hold tables; write {version = \"...\", markers = \"...\"}", name)
	}
	return pp.poetryDependency(name, e, path)
}

// poetryDepKeys are the keys of a Poetry dependency table.
var poetryDepKeys = map[string]bool{
	"version": true, "extras": true, "markers": true, "python": true, "platform": true,
	"optional": true, "allow-prereleases": true, "allows-prereleases": true,
	"git": true, "branch": true, "rev": true, "tag": true, "subdirectory": true,
	"path": true, "file": true, "url": true, "develop": true, "source": true,
}

// poetryDepTable reads a dependency table as poetry-core's create_dependency
// does.
func (pp *pyproject) poetryDepTable(name string, t map[string]any, path []string) (poetryDep, error) {
	pp.warnUnknownKeys(name, t, path)
	var d poetryDep
	bools := []struct {
		key string
		dst *bool
	}{{"optional", &d.optional}, {"allow-prereleases", &d.AllowPrereleases}, {"allows-prereleases", &d.AllowPrereleases}, {"develop", &d.develop}}
	for _, b := range bools {
		if err := pp.boolean(t, b.dst, childPath(path, b.key)); err != nil {
			return d, err
		}
	}
	extras, err := pp.strList(t, childPath(path, "extras")...)
	if err != nil {
		return d, err
	}
	link, specs, err := pp.poetryTarget(t, path)
	if err != nil {
		return d, err
	}
	marker, err := pp.poetryMarker(t, path)
	if err != nil {
		return d, err
	}
	if source, _ := t["source"].(string); source != "" {
		pp.warn(childPath(path, "source"), "source = %q of %s has no effect in req2nix; give the index with --index-url", source, name)
	}
	req, err := buildRequirement(name, extras, specs, link, marker)
	if err != nil {
		msg, _ := syntaxErrorParts(err)
		return d, pp.errorf(path, "dependency %s: %s; check its name, extras and markers", name, msg)
	}
	d.Requirement.Requirement, d.Source = req, pp.src(path...)
	d.Editable = d.develop && link != ""
	return d, nil
}

func (pp *pyproject) warnUnknownKeys(name string, t map[string]any, path []string) {
	var unknown []string
	for k := range t {
		if !poetryDepKeys[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		pp.warn(childPath(path, k), "unknown key %q in dependency %s is ignored", k, name)
	}
}

func (pp *pyproject) boolean(t map[string]any, dst *bool, path []string) error {
	v, ok := t[path[len(path)-1]]
	if !ok {
		return nil
	}
	b, ok := v.(bool)
	if !ok {
		return pp.errorf(path, "%s must be true or false", dotted(path))
	}
	*dst = *dst || b
	return nil
}

// poetryTarget returns the direct reference (git, path, file, url) of a
// dependency table, or else its version constraint as PEP 440 specifiers.
func (pp *pyproject) poetryTarget(t map[string]any, path []string) (link, specs string, err error) {
	str := func(key string) string { s, _ := t[key].(string); return s }
	sub := str("subdirectory")
	switch {
	case str("git") != "":
		return gitURL(str("git"), firstNonEmpty(str("rev"), str("tag"), str("branch")), sub), "", nil
	case str("path") != "" || str("file") != "":
		p := filepath.FromSlash(firstNonEmpty(str("path"), str("file")))
		if !filepath.IsAbs(p) {
			p = filepath.Join(filepath.Dir(pp.path), p)
		}
		if sub != "" && isDir(p) {
			p, sub = filepath.Join(p, sub), ""
		}
		return withSubdirectory(fileURL(p), sub), "", nil
	case str("url") != "":
		return withSubdirectory(str("url"), sub), "", nil
	}
	version, err := pp.str(t, childPath(path, "version")...)
	if err != nil {
		return "", "", err
	}
	if specs, err = poetryConstraint(version); err != nil {
		return "", "", pp.errorf(childPath(path, "version"), "%v", err)
	}
	return "", specs, nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func withSubdirectory(u, sub string) string {
	if sub == "" {
		return u
	}
	return u + "#subdirectory=" + sub
}

// gitURL turns Poetry's git = "..." into a pip VCS URL: "git+" is added,
// scp-like "git@host:owner/repo.git" becomes ssh://, a reference follows "@".
func gitURL(repo, ref, sub string) string {
	switch {
	case strings.HasPrefix(repo, "git+"):
	case strings.Contains(repo, "://"):
		repo = "git+" + repo
	case strings.Contains(repo, "@") && strings.Contains(repo, ":"):
		host, p, _ := strings.Cut(repo, ":")
		repo = "git+ssh://" + host + "/" + strings.TrimPrefix(p, "/")
	default:
		repo = "git+file://" + repo
	}
	if ref != "" {
		repo += "@" + ref
	}
	return withSubdirectory(repo, sub)
}

// poetryMarker combines markers, python and platform of a dependency table
// into one marker expression (poetry-core intersects them).
func (pp *pyproject) poetryMarker(t map[string]any, path []string) (string, error) {
	var parts []string
	for _, key := range []string{"markers", "python", "platform"} {
		s, err := pp.str(t, childPath(path, key)...)
		if err != nil {
			return "", err
		}
		if s == "" {
			continue
		}
		switch key {
		case "python":
			if s, err = pythonMarker(s); err != nil {
				return "", pp.errorf(childPath(path, key), "python: %v", err)
			}
		case "platform":
			s = platformMarker(s)
		}
		if s != "" {
			parts = append(parts, s)
		}
	}
	return andMarkers(parts), nil
}

// pythonMarker is poetry-core's create_nested_marker("python_version", …):
// each clause of the translated constraint compares python_version, or
// python_full_version when the version has three or more components.
func pythonMarker(constraint string) (string, error) {
	specs, err := poetryConstraint(constraint)
	if err != nil || specs == "" {
		return "", err
	}
	var parts []string
	for _, clause := range strings.Split(specs, ",") {
		op := clause[:strings.IndexFunc(clause, func(r rune) bool { return !strings.ContainsRune("<>=!~", r) })]
		ver := clause[len(op):]
		name := "python_version"
		if v, err := pep440.Parse(strings.TrimSuffix(ver, ".*")); err == nil && len(v.Release()) >= 3 {
			name = "python_full_version"
		}
		parts = append(parts, fmt.Sprintf("%s %s %q", name, op, ver))
	}
	return strings.Join(parts, " and "), nil
}

// platformMarker turns Poetry's platform = "linux" (or "linux || darwin",
// "!=win32") into sys_platform comparisons.
func platformMarker(platform string) string {
	var parts []string
	for _, p := range strings.Split(strings.ReplaceAll(platform, "||", "|"), "|") {
		p = strings.TrimSpace(p)
		op := "=="
		if rest, ok := strings.CutPrefix(p, "!="); ok {
			op, p = "!=", strings.TrimSpace(rest)
		} else if rest, ok := strings.CutPrefix(p, "=="); ok {
			p = strings.TrimSpace(rest)
		}
		if p != "" {
			parts = append(parts, fmt.Sprintf("sys_platform %s %q", op, p))
		}
	}
	return strings.Join(parts, " or ")
}

// andMarkers joins marker expressions with "and", parenthesised.
func andMarkers(parts []string) string {
	var nonEmpty []string
	for _, p := range parts {
		if p != "" {
			nonEmpty = append(nonEmpty, p)
		}
	}
	if len(nonEmpty) == 1 {
		return nonEmpty[0]
	}
	for i, p := range nonEmpty {
		nonEmpty[i] = "(" + p + ")"
	}
	return strings.Join(nonEmpty, " and ")
}

// buildRequirement assembles and parses a PEP 508 requirement.
func buildRequirement(name string, extras []string, specs, link, marker string) (pep508.Requirement, error) {
	var b strings.Builder
	b.WriteString(name)
	if len(extras) > 0 {
		b.WriteString("[" + strings.Join(extras, ",") + "]")
	}
	switch {
	case link != "":
		b.WriteString(" @ " + link)
	case specs != "":
		b.WriteString(" " + specs)
	}
	if marker != "" {
		b.WriteString(" ; " + marker)
	}
	return pep508.ParseRequirement(b.String())
}

func markerText(m pep508.Marker) string {
	if m.IsZero() {
		return ""
	}
	return m.String()
}

// readPoetryExtras reads [tool.poetry.extras]: each extra names optional
// dependencies of [tool.poetry.dependencies].
func (pp *pyproject) readPoetryExtras(poetry map[string]any, pd *poetryDeps) (*namedLists, error) {
	return pp.namedTable(poetry, []string{"tool", "poetry", "extras"}, func(t map[string]any, path []string) ([]Requirement, error) {
		names, err := pp.strList(t, path...)
		return pd.named(names), err
	})
}

// named returns the optional dependencies whose names are listed.
func (pd *poetryDeps) named(names []string) []Requirement {
	want := map[string]bool{}
	for _, n := range names {
		want[pep508.NormalizeName(n)] = true
	}
	var reqs []Requirement
	for _, d := range pd.deps {
		if d.optional && want[pep508.NormalizeName(d.Name)] {
			reqs = append(reqs, d.Requirement)
		}
	}
	return reqs
}

// enrich merges [project] requirements with [tool.poetry.dependencies]
// entries of the same name, as poetry-core does for locking: constraints
// and markers are intersected, a Poetry path/VCS/URL source replaces a
// plain version, develop and allow-prereleases are taken from Poetry.
// It also returns the normalised names of the Poetry entries used.
func enrich(reqs []Requirement, pd *poetryDeps) ([]Requirement, map[string]bool, error) {
	byName := map[string][]poetryDep{}
	for _, d := range pd.deps {
		n := pep508.NormalizeName(d.Name)
		byName[n] = append(byName[n], d)
	}
	used := map[string]bool{}
	var out []Requirement
	for _, r := range reqs {
		n := pep508.NormalizeName(r.Name)
		if len(byName[n]) == 0 {
			out = append(out, r)
			continue
		}
		used[n] = true
		for _, d := range byName[n] {
			merged, err := mergePoetry(r, d)
			if err != nil {
				msg, _ := syntaxErrorParts(err)
				return nil, nil, errorf(d.Source, "cannot combine %s with [project] %s: %s; make them agree", d.Name, r.Name, msg)
			}
			out = append(out, merged)
		}
	}
	return out, used, nil
}

// reportUnused warns about Poetry entries that enriched nothing.
func (pp *pyproject) reportUnused(pd *poetryDeps, used map[string]bool) {
	for _, d := range pd.deps {
		if !used[pep508.NormalizeName(d.Name)] {
			pp.file.Warnings = append(pp.file.Warnings, warnf(d.Source, "%s is only in [tool.poetry.dependencies] and is ignored because [project] dependencies are set (as by Poetry); add it to [project] dependencies", d.Name))
		}
	}
}

func mergePoetry(r Requirement, d poetryDep) (Requirement, error) {
	link, specs := r.URL, ""
	switch {
	case link == "" && d.URL != "":
		link = d.URL
	case link == "":
		specs = strings.Trim(r.Specifiers.String()+","+d.Specifiers.String(), ",")
	}
	req, err := buildRequirement(r.Name, r.Extras, specs, link, andMarkers([]string{markerText(r.Marker), markerText(d.Marker)}))
	if err != nil {
		return r, err
	}
	return Requirement{Requirement: req, Source: r.Source, Editable: d.develop && link != "", AllowPrereleases: d.AllowPrereleases, Version: r.Version}, nil
}

// warnPoetrySources reports [[tool.poetry.source]] package indexes, which
// req2nix does not read: the index is given with --index-url.
func (pp *pyproject) warnPoetrySources(poetry map[string]any) {
	sources, _ := poetry["source"].([]any)
	for i, s := range sources {
		t, _ := s.(map[string]any)
		name, _ := t["name"].(string)
		url, _ := t["url"].(string)
		pp.warn([]string{"tool", "poetry", "source", fmt.Sprintf("#%d", i)}, "package source %q (%s) is not used by req2nix; pass its URL with --index-url or --extra-index-url", name, url)
	}
}
