package resolver

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/req2nix/req2nix/pypi/pep508"
	"github.com/req2nix/req2nix/pypi/reqfile"
	"github.com/req2nix/req2nix/pypi/setuppy"
)

// localProject is the static metadata of a project's source tree (a local
// directory, a git commit, an archive without PKG-INFO), read from
// pyproject.toml's [project] table (PEP 621) or [tool.poetry], setup.cfg's
// [metadata] and [options], and the literal arguments of setup.py's
// setup() call. Fields the build backend computes are listed in unknown.
type localProject struct {
	file           string // the file(s) the metadata came from, for messages
	name, version  string
	requiresPython string
	requiresDist   []string // dependencies, then extras' with "extra == ..." markers
	extras         []string
	unknown        []string // of metaFields, sorted
	buildRequires  []string // pyproject.toml's [build-system] requires; nil without them
	notes          []string // what setup.py could not tell of the unknown fields
	nameNote       string   // why setup.py's name is not known, when it is not
}

// metaFields are the fields a build backend may compute (PEP 621's names).
var metaFields = []string{"dependencies", "optional-dependencies", "requires-python", "version"}

// fieldState says what one file tells of a field.
type fieldState int

const (
	absent   fieldState = iota // not declared there
	given                      // declared statically: the value is known
	computed                   // declared, but computed (dynamic, "attr:", a call in setup.py); a value may be partly known
	hidden                     // setup.py passes a computed **dict, which may hold it
)

// metaSource is one file's static metadata.
type metaSource struct {
	file                    string
	name                    string
	version, requiresPython string
	deps                    []string
	extras                  map[string][]string
	state                   map[string]fieldState // by metaFields
	notes                   map[string][]string   // what could not be understood, by field ("" for all)
}

// maxProjectFileBytes bounds pyproject.toml, setup.cfg and setup.py.
const maxProjectFileBytes = 4 << 20

// projectTree is where a project's files are read from: a local
// directory, a git commit, or an archive's files.
type projectTree struct {
	// read returns a file of the project ("pyproject.toml"), bounded in
	// size; (nil, nil) when it does not exist.
	read  func(name string) ([]byte, error)
	where string // how messages name the project's directory
}

// path is how messages name a file of the project.
func (t projectTree) path(name string) string { return t.where + "/" + name }

// dirTree is the project in a local directory.
func dirTree(dir string) projectTree {
	return projectTree{where: dir, read: func(name string) ([]byte, error) {
		return readSmallFile(filepath.Join(dir, name))
	}}
}

// fsTree is the project in directory dir of files (a git commit's).
func fsTree(files fs.FS, dir, where string) projectTree {
	return projectTree{where: where, read: func(name string) ([]byte, error) {
		data, err := fs.ReadFile(files, path.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return data, err
	}}
}

// mapTree is the project of an archive whose files were read whole.
func mapTree(files map[string][]byte, where string) projectTree {
	return projectTree{where: where, read: func(name string) ([]byte, error) { return files[name], nil }}
}

// readSmallFile reads p; (nil, nil) when it does not exist.
func readSmallFile(p string) ([]byte, error) {
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var b bytes.Buffer
	if n, err := b.ReadFrom(io.LimitReader(f, maxProjectFileBytes+1)); err != nil {
		return nil, fmt.Errorf("reading %s: %v", p, err)
	} else if n > maxProjectFileBytes {
		return nil, fmt.Errorf("%s is larger than %d bytes", p, maxProjectFileBytes)
	}
	return b.Bytes(), nil
}

// readProjectTree reads the static metadata of the project in t: its
// [project] table first; fields it leaves to the build backend (or all,
// without one) from setup.cfg and setup.py.
func readProjectTree(t projectTree) (*localProject, error) {
	body, err := t.read("pyproject.toml")
	if err != nil {
		return nil, err
	}
	pyproject, err := readPyprojectFile(body, t)
	if err != nil {
		return nil, err
	}
	var sources []*metaSource
	if pyproject != nil {
		sources = append(sources, pyproject)
	}
	if pyproject == nil || pyproject.anyComputed() {
		cfg, err := readSetupCfg(t)
		if err != nil {
			return nil, err
		}
		py, err := readSetupPy(t)
		if err != nil {
			return nil, err
		}
		for _, s := range []*metaSource{cfg, py} {
			if s != nil {
				sources = append(sources, s)
			}
		}
	}
	lp, err := combine(t, sources)
	if lp != nil {
		lp.buildRequires = buildSystemRequires(body)
	}
	return lp, err
}

// buildSystemRequires is pyproject.toml's [build-system] requires; nil
// when the file, the table or the key is absent or unreadable (PEP 518:
// setuptools then builds it).
func buildSystemRequires(body []byte) []string {
	var doc struct {
		BuildSystem *struct {
			Requires []string `toml:"requires"`
		} `toml:"build-system"`
	}
	if body == nil || toml.Unmarshal(body, &doc) != nil || doc.BuildSystem == nil {
		return nil
	}
	return doc.BuildSystem.Requires
}

func (s *metaSource) anyComputed() bool {
	for _, st := range s.state {
		if st == computed || st == hidden {
			return true
		}
	}
	return false
}

// combine merges what the files tell, field by field, as setuptools does:
// a [project] table's static fields are final; its dynamic fields, and
// every field without one, come from setup.py's setup() arguments when it
// is given them, else from setup.cfg.
func combine(t projectTree, sources []*metaSource) (*localProject, error) {
	lp := &localProject{file: t.where}
	if len(sources) == 0 {
		lp.unknown = slices.Clone(metaFields)
		return lp, nil
	}
	var files []string
	for _, s := range sources {
		files = append(files, s.file)
		if lp.name == "" {
			lp.name = s.name
		}
	}
	lp.file = t.path(files[0])
	if len(files) > 1 {
		lp.file = t.where + " (" + strings.Join(files[:len(files)-1], ", ") + " and " + files[len(files)-1] + ")"
	}
	merged := &metaSource{extras: map[string][]string{}}
	for _, field := range metaFields {
		src, st := pick(sources, field)
		if st == computed || st == hidden {
			lp.unknown = append(lp.unknown, field)
		}
		if src != nil && st != hidden {
			copyField(merged, src, field)
		}
	}
	for _, s := range sources {
		lp.notes = append(lp.notes, s.notes[""]...)
		for _, field := range lp.unknown {
			lp.notes = append(lp.notes, s.notes[field]...)
		}
		if lp.name == "" && len(s.notes["name"]) > 0 {
			lp.nameNote = s.notes["name"][0]
		}
	}
	lp.version, lp.requiresPython = merged.version, merged.requiresPython
	if err := lp.addRequirements(merged.deps, merged.extras); err != nil {
		return nil, fmt.Errorf("%s: %w", lp.file, err)
	}
	return lp, nil
}

// pick chooses the source of a field: the first (pyproject.toml) when it
// is present there and not computed; else the last that declares it
// (setup.py over setup.cfg); else a hidden one.
func pick(sources []*metaSource, field string) (*metaSource, fieldState) {
	first := sources[0]
	if st := first.state[field]; first.file == "pyproject.toml" && st != computed {
		return first, st
	}
	var found *metaSource
	state := absent
	if first.file == "pyproject.toml" {
		state = computed // dynamic, and no other file declares it
	}
	for _, s := range sources {
		switch st := s.state[field]; {
		case st == given || st == computed:
			found, state = s, st
		case st == hidden && found == nil:
			state = hidden
		}
	}
	if field == "version" && state == absent {
		state = computed // setuptools-scm and other plugins set it
	}
	return found, state
}

// copyField copies one field's (possibly partial) value.
func copyField(dst, src *metaSource, field string) {
	switch field {
	case "version":
		dst.version = src.version
	case "requires-python":
		dst.requiresPython = src.requiresPython
	case "dependencies":
		dst.deps = src.deps
	case "optional-dependencies":
		dst.extras = src.extras
	}
}

// pyprojectProject is the part of PEP 621's [project] table read here.
type pyprojectProject struct {
	Name                 string              `toml:"name"`
	Version              *string             `toml:"version"`
	RequiresPython       *string             `toml:"requires-python"`
	Dependencies         []string            `toml:"dependencies"`
	OptionalDependencies map[string][]string `toml:"optional-dependencies"`
	Dynamic              []string            `toml:"dynamic"`
}

// readPyprojectFile reads [project] (or a Poetry project) from
// pyproject.toml's text; (nil, nil) when the file or the tables are absent.
func readPyprojectFile(body []byte, t projectTree) (*metaSource, error) {
	if body == nil {
		return nil, nil
	}
	s, err := parsePyproject(body, t.path("pyproject.toml"))
	if s != nil || err != nil {
		return s, err
	}
	return readPoetryProject(body, t)
}

// parsePyproject reads [project] from pyproject.toml text; (nil, nil)
// without the table. Its fields are given, or computed when dynamic.
func parsePyproject(body []byte, where string) (*metaSource, error) {
	var doc struct {
		Project *pyprojectProject `toml:"project"`
	}
	if err := toml.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("%s: %v", where, err)
	}
	if doc.Project == nil {
		return nil, nil
	}
	pp := doc.Project
	s := &metaSource{file: "pyproject.toml", name: pp.Name, deps: pp.Dependencies, extras: pp.OptionalDependencies, state: map[string]fieldState{}}
	s.version, s.state["version"] = optional(pp.Version)
	s.requiresPython, s.state["requires-python"] = optional(pp.RequiresPython)
	s.state["dependencies"], s.state["optional-dependencies"] = given, given
	for _, d := range pp.Dynamic {
		if slices.Contains(metaFields, d) {
			s.state[d] = computed
		}
	}
	return s, nil
}

func optional(v *string) (string, fieldState) {
	if v == nil {
		return "", absent
	}
	return *v, given
}

// readPoetryProject reads a Poetry project's [tool.poetry] name and version
// and, through reqfile (which translates Poetry's constraints), its main
// dependencies; (nil, nil) without the table. Its extras are not read.
func readPoetryProject(body []byte, t projectTree) (*metaSource, error) {
	var doc struct {
		Tool struct {
			Poetry *struct {
				Name    string `toml:"name"`
				Version string `toml:"version"`
			} `toml:"poetry"`
		} `toml:"tool"`
	}
	if err := toml.Unmarshal(body, &doc); err != nil || doc.Tool.Poetry == nil || doc.Tool.Poetry.Name == "" {
		return nil, nil
	}
	f, err := reqfile.ParsePyprojectText(body, t.path("pyproject.toml"), reqfile.Selection{})
	if err != nil {
		return nil, err
	}
	s := &metaSource{file: "pyproject.toml", name: doc.Tool.Poetry.Name, version: doc.Tool.Poetry.Version, requiresPython: f.RequiresPython,
		state: map[string]fieldState{"version": given, "requires-python": given, "dependencies": given, "optional-dependencies": given}}
	if s.version == "" {
		s.state["version"] = computed
	}
	for _, r := range f.Requirements {
		s.deps = append(s.deps, r.Requirement.String())
	}
	return s, nil
}

// addRequirements appends the dependencies and each extra's, the latter
// with an "extra == ..." marker as core metadata writes them.
func (lp *localProject) addRequirements(deps []string, extras map[string][]string) error {
	lp.requiresDist = append(lp.requiresDist, deps...)
	names := make([]string, 0, len(extras))
	for x := range extras {
		names = append(names, x)
	}
	slices.Sort(names)
	for _, x := range names {
		lp.extras = append(lp.extras, pep508.NormalizeName(x))
		for _, d := range extras[x] {
			s, err := withExtraMarker(d, pep508.NormalizeName(x))
			if err != nil {
				return err
			}
			lp.requiresDist = append(lp.requiresDist, s)
		}
	}
	for _, d := range lp.requiresDist {
		if _, err := pep508.ParseRequirement(d); err != nil {
			return fmt.Errorf("dependency %q: %v", d, err)
		}
	}
	return nil
}

// withExtraMarker adds `extra == "<extra>"` to a requirement's marker.
func withExtraMarker(req, extra string) (string, error) {
	r, err := pep508.ParseRequirement(req)
	if err != nil {
		return "", fmt.Errorf("optional dependency %q of extra %q: %v", req, extra, err)
	}
	marker := fmt.Sprintf("extra == %q", extra)
	if !r.Marker.IsZero() {
		marker = "(" + r.Marker.String() + ") and " + marker
	}
	r.Marker = pep508.Marker{}
	return r.String() + " ; " + marker, nil
}

// readSetupCfg reads setuptools' declarative setup.cfg; nil when it is
// absent or declares neither [metadata] nor [options].
func readSetupCfg(t projectTree) (*metaSource, error) {
	body, err := t.read("setup.cfg")
	if body == nil || err != nil {
		return nil, err
	}
	return parseSetupCfg(body), nil
}

// parseSetupCfg reads setup.cfg text (see readSetupCfg).
func parseSetupCfg(body []byte) *metaSource {
	ini := parseINI(body)
	meta, opts := ini["metadata"], ini["options"]
	if meta == nil && opts == nil {
		return nil
	}
	s := &metaSource{file: "setup.cfg", name: meta["name"], extras: map[string][]string{}, state: map[string]fieldState{}}
	s.version, s.state["version"] = cfgValue(meta, "version")
	s.requiresPython, s.state["requires-python"] = cfgValue(opts, "python_requires")
	var deps string
	deps, s.state["dependencies"] = cfgValue(opts, "install_requires")
	s.deps = setuppy.RequirementLines(deps)
	if x, ok := ini["options.extras_require"]; ok {
		s.state["optional-dependencies"] = given
		for name, v := range x {
			if isSetupCfgDirective(v) {
				s.state["optional-dependencies"] = computed
				continue
			}
			s.extras[name] = setuppy.RequirementLines(v)
		}
	}
	return s
}

// cfgValue reads a setup.cfg option: absent, given, or computed by
// setuptools ("attr: ...", "file: ...").
func cfgValue(section map[string]string, key string) (string, fieldState) {
	v, ok := section[key]
	switch {
	case !ok:
		return "", absent
	case isSetupCfgDirective(v):
		return "", computed
	}
	return v, given
}

// isSetupCfgDirective reports a value computed by setuptools ("attr: ...",
// "file: ...").
func isSetupCfgDirective(v string) bool {
	return strings.HasPrefix(v, "attr:") || strings.HasPrefix(v, "file:")
}

// readSetupPy reads the literal arguments of setup.py's setup() call; nil
// when there is no setup.py. What it cannot understand becomes notes.
func readSetupPy(t projectTree) (*metaSource, error) {
	body, err := t.read("setup.py")
	if body == nil || err != nil {
		return nil, err
	}
	st, err := setuppy.Parse(body)
	if err != nil {
		s := &metaSource{file: "setup.py", state: map[string]fieldState{}, notes: map[string][]string{"": {err.Error()}}}
		for _, f := range metaFields {
			s.state[f] = hidden
		}
		return s, nil
	}
	return fromSetupPy(st), nil
}

// setupKeywords maps metaFields to setup()'s keywords.
var setupKeywords = map[string]string{"version": "version", "requires-python": "python_requires", "dependencies": "install_requires", "optional-dependencies": "extras_require"}

// fromSetupPy turns what setuppy read into a metaSource.
func fromSetupPy(st *setuppy.Setup) *metaSource {
	s := &metaSource{file: "setup.py", name: st.Name, version: st.Version, requiresPython: st.PythonRequires,
		deps: st.InstallRequires, extras: st.ExtrasRequire, state: map[string]fieldState{}, notes: map[string][]string{}}
	for _, p := range st.Problems {
		s.notes[problemField(p)] = append(s.notes[problemField(p)], p)
	}
	for field, kw := range setupKeywords {
		switch {
		case st.Given[kw] && st.Known[kw]:
			s.state[field] = given
		case st.Given[kw]:
			s.state[field] = computed
		case !st.Known[kw]:
			s.state[field] = hidden
		}
	}
	return s
}

// problemField is the field a setuppy problem is about ("name", one of
// metaFields, or "" for all: a computed **dict).
func problemField(problem string) string {
	kw := problem[:strings.IndexFunc(problem+" ", func(r rune) bool { return r == ' ' || r == ':' || r == '[' })]
	if kw == "name" {
		return kw
	}
	for field, k := range setupKeywords {
		if k == kw {
			return field
		}
	}
	return ""
}

// parseINI reads an INI file as Python's configparser does for setup.cfg:
// [section] headers, "key = value" or "key: value", indented continuation
// lines joined with newlines, full-line # and ; comments. Keys are
// lower-cased.
func parseINI(body []byte) map[string]map[string]string {
	out := map[string]map[string]string{}
	var section map[string]string
	var key string
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 64<<10), maxProjectFileBytes)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), " \t\r")
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "" || trimmed[0] == '#' || trimmed[0] == ';':
		case line[0] == ' ' || line[0] == '\t':
			if section != nil && key != "" {
				section[key] += "\n" + trimmed
			}
		case strings.HasPrefix(trimmed, "[") && strings.HasSuffix(trimmed, "]"):
			name := strings.TrimSpace(trimmed[1 : len(trimmed)-1])
			if out[name] == nil {
				out[name] = map[string]string{}
			}
			section, key = out[name], ""
		default:
			i := strings.IndexAny(line, "=:")
			if section == nil || i < 0 {
				key = ""
				continue
			}
			key = strings.ToLower(strings.TrimSpace(line[:i]))
			section[key] = strings.TrimSpace(line[i+1:])
		}
	}
	return out
}
