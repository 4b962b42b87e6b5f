package lockfile

import (
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/req2nix/req2nix/internal/lazyre"
	"github.com/req2nix/req2nix/pypi/pep508"
	"github.com/req2nix/req2nix/pypi/reqfile"
)

// pylockName is PEP 751's file name: pylock.toml or pylock.<name>.toml.
var pylockName = lazyre.New(`^pylock\.([^.]+\.)?toml$`)

// FormatOf tells a lock file by its name.
func FormatOf(path string) (Format, bool) {
	base := filepath.Base(path)
	switch {
	case pylockName.R().MatchString(base):
		return Pylock, true
	case base == "uv.lock":
		return UV, true
	case base == "poetry.lock":
		return Poetry, true
	case strings.EqualFold(base, "Pipfile.lock"):
		return Pipenv, true
	}
	return "", false
}

// InDir finds the lock file a directory holds, in order of preference:
// pylock.toml (the standard), a single pylock.<name>.toml, uv.lock,
// poetry.lock, Pipfile.lock. others are the other lock files there (not
// read). path is "" when there is none; several pylock.<name>.toml and no
// pylock.toml is an error: which one is meant cannot be guessed.
func InDir(dir string) (path string, others []string, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", nil, err
	}
	var found, named []string
	for _, e := range entries {
		if _, ok := FormatOf(e.Name()); ok && !e.IsDir() {
			found = append(found, filepath.Join(dir, e.Name()))
			if e.Name() != "pylock.toml" && pylockName.R().MatchString(e.Name()) {
				named = append(named, e.Name())
			}
		}
	}
	for _, want := range []string{"pylock.toml", "", "uv.lock", "poetry.lock", "Pipfile.lock"} {
		switch {
		case want == "" && len(named) > 1:
			return "", nil, errorAt(dir, 0, "the directory has several lock files (%s) and no pylock.toml; name the one to read", strings.Join(named, ", "))
		case want == "" && len(named) == 1:
			want = named[0]
		case want == "":
			continue
		}
		if i := slices.IndexFunc(found, func(p string) bool { return strings.EqualFold(filepath.Base(p), want) }); i >= 0 {
			return found[i], slices.Delete(slices.Clone(found), i, i+1), nil
		}
	}
	return "", nil, nil
}

// Load reads a lock file and, when there is one beside it, its project
// file (pyproject.toml; Pipfile for Pipfile.lock) for the dependencies sel
// selects. poetry.lock needs its pyproject.toml: the roots of the lock are
// the project's dependencies.
func Load(path string, sel reqfile.Selection) (*Lock, error) {
	format, ok := FormatOf(path)
	if !ok {
		return nil, errorAt(path, 0, "not a lock file name (pylock.toml, pylock.<name>.toml, uv.lock, poetry.lock, Pipfile.lock)")
	}
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	lock, err := Parse(format, path, data)
	if err != nil {
		return nil, err
	}
	if lock.Project, err = readProject(format, filepath.Dir(path), sel); err != nil {
		return nil, err
	}
	if format == Poetry {
		if lock.Project == nil {
			return nil, errorAt(path, 0, "poetry.lock is read with the pyproject.toml beside it (its dependencies, groups and extras), and there is none")
		}
		lock.Roots = declaredRoots(lock.Project.Declared)
	}
	return lock, nil
}

// Parse reads the text of a lock file of the given format.
func Parse(format Format, path string, data []byte) (*Lock, error) {
	switch format {
	case Pylock:
		return parsePylock(path, data)
	case UV:
		return parseUV(path, data)
	case Poetry:
		return parsePoetry(path, data)
	case Pipenv:
		return parsePipenv(path, data)
	}
	return nil, errorAt(path, 0, "unknown lock format %q", format)
}

// readProject reads the project file beside a lock, nil when absent.
func readProject(format Format, dir string, sel reqfile.Selection) (*Project, error) {
	if format == Pipenv {
		file := filepath.Join(dir, "Pipfile")
		if !isFile(file) {
			return nil, nil
		}
		return readPipfile(file, sel)
	}
	file := filepath.Join(dir, "pyproject.toml")
	if !isFile(file) {
		return nil, nil
	}
	extras, groups := definedSelection(file)
	f, err := reqfile.ParsePyproject(file, narrowSelection(sel, extras, groups))
	if err != nil {
		return nil, err
	}
	return &Project{File: file, Declared: f.Requirements, RequiresPython: f.RequiresPython,
		RequiresPythonSource: f.RequiresPythonSource, Name: pep508.NormalizeName(f.ProjectName),
		Extras: extras, Groups: groups}, nil
}

func isFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir()
}

// definedSelection lists the extras and groups a pyproject.toml defines
// (PEP 621 and 735, Poetry), normalised and sorted; none when it cannot be
// read (reqfile.ParsePyproject then says why).
func definedSelection(file string) (extras, groups []string) {
	var doc struct {
		Project struct {
			Optional map[string]any `toml:"optional-dependencies"`
		} `toml:"project"`
		Groups map[string]any `toml:"dependency-groups"`
		Tool   struct {
			Poetry struct {
				Extras  map[string]any `toml:"extras"`
				Group   map[string]any `toml:"group"`
				DevDeps map[string]any `toml:"dev-dependencies"`
			} `toml:"poetry"`
		} `toml:"tool"`
	}
	data, err := readFile(file)
	if err == nil {
		err = decodeTOML(file, data, &doc)
	}
	if err != nil {
		return nil, nil
	}
	extras = namesOf(doc.Project.Optional, doc.Tool.Poetry.Extras)
	groups = namesOf(doc.Groups, doc.Tool.Poetry.Group)
	if doc.Tool.Poetry.DevDeps != nil {
		groups = append(groups, "dev")
	}
	return normalizedNames(extras), normalizedNames(groups)
}

// narrowSelection keeps the extras and groups of sel that the
// pyproject.toml defines: a lock may know more (uv.lock's groups from
// [tool.uv] dev-dependencies), and the resolver checks every name against
// both.
func narrowSelection(sel reqfile.Selection, extras, groups []string) reqfile.Selection {
	out := reqfile.Selection{AllExtras: sel.AllExtras}
	for _, e := range sel.Extras {
		if slices.Contains(extras, pep508.NormalizeName(e)) {
			out.Extras = append(out.Extras, e)
		}
	}
	for _, g := range sel.Groups {
		if slices.Contains(groups, pep508.NormalizeName(g)) {
			out.Groups = append(out.Groups, g)
		}
	}
	return out
}

// namesOf lists the normalised keys of tables.
func namesOf(tables ...map[string]any) []string {
	var names []string
	for _, t := range tables {
		for k := range t {
			names = append(names, pep508.NormalizeName(k))
		}
	}
	return names
}

// declaredRoots turns the project's requirements into the roots of a
// walk (poetry.lock): each applies when its marker holds.
func declaredRoots(reqs []reqfile.Requirement) []Dependency {
	var roots []Dependency
	for _, r := range reqs {
		roots = append(roots, Dependency{Name: pep508.NormalizeName(r.Name), Specifier: specifierConstraint(r.Specifiers),
			Marker: r.Marker, Extras: normalizedNames(r.Extras), Line: r.Source.Line})
	}
	return roots
}
