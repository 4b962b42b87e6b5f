package lockfile

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"

	"github.com/req2nix/req2nix/pypi/pep440"
	"github.com/req2nix/req2nix/pypi/pep508"
	"github.com/req2nix/req2nix/pypi/reqfile"
)

// pipfileTables are the Pipfile tables that are not package categories.
var pipfileTables = map[string]bool{"source": true, "requires": true, "scripts": true, "pipenv": true}

// pipfileMarkerKeys are the marker variables a Pipfile entry may set
// directly (sys_platform = "== 'linux'").
var pipfileMarkerKeys = []string{
	"os_name", "sys_platform", "platform_machine", "platform_python_implementation", "platform_release",
	"platform_system", "platform_version", "python_version", "python_full_version", "implementation_name", "implementation_version",
}

// readPipfile reads what a Pipfile declares in the categories sel selects:
// [packages] always, [dev-packages] for the group "dev", other categories
// by name.
func readPipfile(file string, sel reqfile.Selection) (*Project, error) {
	data, err := readFile(file)
	if err != nil {
		return nil, err
	}
	return parsePipfile(file, data, sel)
}

// parsePipfile is readPipfile of file's content.
func parsePipfile(file string, data []byte, sel reqfile.Selection) (*Project, error) {
	var doc map[string]any
	if err := decodeTOML(file, data, &doc); err != nil {
		return nil, err
	}
	lines := keyLines(data)
	project := &Project{File: file}
	tables := slices.Sorted(maps.Keys(doc))
	slices.SortStableFunc(tables, func(a, b string) int { return boolInt(b == "packages") - boolInt(a == "packages") })
	for _, table := range tables {
		entries, ok := doc[table].(map[string]any)
		if !ok || pipfileTables[table] {
			continue
		}
		if table != "packages" {
			project.Groups = appendUnique(project.Groups, pipfileGroup(table))
		}
		if !pipfileSelected(table, sel) {
			continue
		}
		for _, name := range slices.Sorted(maps.Keys(entries)) {
			src := reqfile.Source{File: file, Line: lines[table+"\x00"+name]}
			r, err := pipfileRequirement(src, name, entries[name])
			if err != nil {
				return nil, err
			}
			project.Declared = append(project.Declared, r)
		}
	}
	if requires, ok := doc["requires"].(map[string]any); ok {
		if v, ok := requires["python_version"].(string); ok && v != "" {
			project.RequiresPython = "==" + v + ".*"
			project.RequiresPythonSource = reqfile.Source{File: file, Line: lines["requires\x00python_version"]}
		}
	}
	return project, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// pipfileSelected reports whether a Pipfile table is selected.
func pipfileSelected(table string, sel reqfile.Selection) bool {
	if table == "packages" {
		return true
	}
	group := pipfileGroup(table)
	for _, g := range sel.Groups {
		if n := pep508.NormalizeName(g); n == group || group == "dev" && n == "develop" {
			return true
		}
	}
	return false
}

// pipfileGroup is the group name of a Pipfile table other than [packages].
func pipfileGroup(table string) string {
	if table == "dev-packages" {
		return "dev"
	}
	return pep508.NormalizeName(table)
}

// pipfileRequirement reads one entry: a version specifier ("*" is any) or
// a table with version, extras, markers (and marker variables as keys),
// or a git, path or file source.
func pipfileRequirement(src reqfile.Source, name string, v any) (reqfile.Requirement, error) {
	r := reqfile.Requirement{Source: src}
	if !pep508.ValidName(name) {
		return r, &reqfile.Error{Source: src, Msg: fmt.Sprintf("%q is not a valid project name", name)}
	}
	r.Name = name
	var version string
	switch e := v.(type) {
	case string:
		version = e
	case map[string]any:
		str := func(k string) string { s, _ := e[k].(string); return s }
		version = str("version")
		for _, k := range []string{"git", "path", "file"} {
			if s := str(k); s != "" {
				r.URL = s
			}
		}
		r.Editable, _ = e["editable"].(bool)
		r.Extras = pipfileExtras(e["extras"])
		marker, err := pipfileMarker(e)
		if err != nil {
			return r, &reqfile.Error{Source: src, Msg: name + ": " + err.Error(), Err: err}
		}
		r.Marker = marker
	default:
		return r, &reqfile.Error{Source: src, Msg: fmt.Sprintf("%s: an entry is a version string or a table, not %T", name, v)}
	}
	if version = strings.TrimSpace(version); version != "" && version != "*" {
		spec, err := pep440.ParseSpecifiers(version)
		if err != nil {
			return r, &reqfile.Error{Source: src, Msg: fmt.Sprintf("%s: version %q: %v", name, version, err), Err: err}
		}
		r.Specifiers = spec
	}
	return r, nil
}

func pipfileExtras(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, e := range list {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// pipfileMarker joins an entry's markers and its marker-variable keys.
func pipfileMarker(e map[string]any) (pep508.Marker, error) {
	var parts []string
	if m, ok := e["markers"].(string); ok && strings.TrimSpace(m) != "" {
		parts = append(parts, "("+m+")")
	}
	for _, k := range pipfileMarkerKeys {
		if v, ok := e[k].(string); ok && strings.TrimSpace(v) != "" {
			parts = append(parts, k+" "+strings.TrimSpace(v))
		}
	}
	if len(parts) == 0 {
		return pep508.Marker{}, nil
	}
	return pep508.ParseMarker(strings.Join(parts, " and "))
}

// keyLines maps "table\x00key" to the line of every key of a TOML
// document's tables (top-level keys under "\x00key").
func keyLines(data []byte) map[string]int {
	lines := map[string]int{}
	var p unstable.Parser
	p.Reset(data)
	table := ""
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			key, _ := keyOf(e)
			table = strings.Join(key, ".")
		case unstable.KeyValue:
			if key, first := keyOf(e); first != nil {
				lines[table+"\x00"+strings.Join(key, ".")] = p.Shape(first.Raw).Start.Line
			}
		}
	}
	return lines
}

// keyOf returns the parts of a table header's or key/value's key, and the
// node of its first part (nil when there is none).
func keyOf(e *unstable.Node) ([]string, *unstable.Node) {
	var parts []string
	var first *unstable.Node
	for it := e.Key(); it.Next(); {
		if first == nil {
			first = it.Node()
		}
		parts = append(parts, string(it.Node().Data))
	}
	return parts, first
}
