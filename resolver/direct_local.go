package resolver

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/req2nix/req2nix/pypi/pep508"
	"github.com/req2nix/req2nix/pypi/reqfile"
)

// localProject is the static metadata of a local project directory, read
// from pyproject.toml's [project] table (PEP 621) or, failing that, from
// setup.cfg's [metadata] and [options]. Fields a build backend computes
// (PEP 621 "dynamic", setup.cfg "attr:"/"file:", setup.py) are listed in
// unknown instead.
type localProject struct {
	file           string // the file the metadata came from, for messages
	name, version  string
	requiresPython string
	requiresDist   []string // dependencies, then extras' with "extra == ..." markers
	extras         []string
	unknown        []string // "version", "dependencies", "optional-dependencies", sorted
}

// maxProjectFileBytes bounds pyproject.toml and setup.cfg.
const maxProjectFileBytes = 4 << 20

// readLocalProject reads the static metadata of the project in dir.
func readLocalProject(dir string) (*localProject, error) {
	if fi, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("%s does not exist; check the path", dir)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("%s is a file, neither a project directory nor an archive (.whl, .tar.gz, .zip)", dir)
	}
	p, err := readPyprojectTable(filepath.Join(dir, "pyproject.toml"))
	if p != nil || err != nil {
		return p, err
	}
	p, err = readSetupCfg(filepath.Join(dir, "setup.cfg"), fileExists(filepath.Join(dir, "setup.py")))
	if p != nil || err != nil {
		return p, err
	}
	return &localProject{file: dir, unknown: []string{"dependencies", "optional-dependencies", "version"}}, nil
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
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

// pyprojectProject is the part of PEP 621's [project] table read here.
type pyprojectProject struct {
	Name                 string              `toml:"name"`
	Version              string              `toml:"version"`
	RequiresPython       string              `toml:"requires-python"`
	Dependencies         []string            `toml:"dependencies"`
	OptionalDependencies map[string][]string `toml:"optional-dependencies"`
	Dynamic              []string            `toml:"dynamic"`
}

// readPyprojectTable reads [project] from pyproject.toml; (nil, nil) when
// the file or the table is absent.
func readPyprojectTable(p string) (*localProject, error) {
	body, err := readSmallFile(p)
	if body == nil || err != nil {
		return nil, err
	}
	lp, err := parsePyproject(body, p)
	if lp != nil || err != nil {
		return lp, err
	}
	return readPoetryProject(body, p)
}

// readPoetryProject reads a Poetry project's [tool.poetry] name and version
// and, through reqfile (which translates Poetry's constraints), its main
// dependencies; (nil, nil) without the table. Its extras are not read.
func readPoetryProject(body []byte, p string) (*localProject, error) {
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
	f, err := reqfile.ParsePyproject(p, reqfile.Selection{})
	if err != nil {
		return nil, err
	}
	lp := &localProject{file: p, name: doc.Tool.Poetry.Name, version: doc.Tool.Poetry.Version, requiresPython: f.RequiresPython}
	if lp.version == "" {
		lp.unknown = []string{"version"}
	}
	for _, r := range f.Requirements {
		lp.requiresDist = append(lp.requiresDist, r.Requirement.String())
	}
	return lp, nil
}

// parsePyproject reads [project] from pyproject.toml text; (nil, nil)
// without the table.
func parsePyproject(body []byte, p string) (*localProject, error) {
	var doc struct {
		Project *pyprojectProject `toml:"project"`
	}
	if err := toml.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("%s: %v", p, err)
	}
	if doc.Project == nil {
		return nil, nil
	}
	pp := doc.Project
	lp := &localProject{file: p, name: pp.Name, version: pp.Version, requiresPython: pp.RequiresPython}
	for _, d := range pp.Dynamic {
		switch d {
		case "version", "dependencies", "optional-dependencies":
			lp.unknown = append(lp.unknown, d)
		}
	}
	slices.Sort(lp.unknown)
	if err := lp.addRequirements(pp.Dependencies, pp.OptionalDependencies); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return lp, nil
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
		lp.extras = append(lp.extras, x)
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

// readSetupCfg reads setuptools' declarative setup.cfg; (nil, nil) when it
// is absent or has no [metadata] name. With a setup.py beside it and no
// install_requires, the dependencies may come from setup.py: unknown.
func readSetupCfg(p string, hasSetupPy bool) (*localProject, error) {
	body, err := readSmallFile(p)
	if body == nil || err != nil {
		return nil, err
	}
	return parseSetupCfg(body, p, hasSetupPy)
}

// parseSetupCfg reads setup.cfg text (see readSetupCfg).
func parseSetupCfg(body []byte, p string, hasSetupPy bool) (*localProject, error) {
	ini := parseINI(body)
	meta, opts := ini["metadata"], ini["options"]
	if meta["name"] == "" {
		return nil, nil
	}
	lp := &localProject{file: p, name: meta["name"], version: meta["version"], requiresPython: opts["python_requires"]}
	if isSetupCfgDirective(lp.version) || lp.version == "" {
		lp.version = ""
		lp.unknown = append(lp.unknown, "version")
	}
	deps, hasDeps := opts["install_requires"]
	if isSetupCfgDirective(deps) || (!hasDeps && hasSetupPy) {
		lp.unknown = append(lp.unknown, "dependencies")
		deps = ""
	}
	extras := map[string][]string{}
	for x, v := range ini["options.extras_require"] {
		extras[x] = setupCfgList(v)
	}
	slices.Sort(lp.unknown)
	if err := lp.addRequirements(setupCfgList(deps), extras); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return lp, nil
}

// isSetupCfgDirective reports a value computed by setuptools ("attr: ...",
// "file: ...").
func isSetupCfgDirective(v string) bool {
	return strings.HasPrefix(v, "attr:") || strings.HasPrefix(v, "file:")
}

// setupCfgList splits a setup.cfg list value: one item a line (a single
// line may also be separated by semicolons, but markers use them too, so
// only lines are split), comments dropped.
func setupCfgList(v string) []string {
	var out []string
	for _, line := range strings.Split(v, "\n") {
		if i := strings.Index(line, " #"); i >= 0 {
			line = line[:i]
		}
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return out
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
