package reqfile

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// Load reads every path in order and merges what they declare. A path is a
// requirements file, a pyproject.toml (any *.toml), or a directory, which
// stands for its pyproject.toml if present, else its requirements.txt (also
// when the pyproject.toml configures tools only, declaring no project).
// Requirements files share pip's file-wide state (--no-binary and
// --only-binary); as in pip the last --index-url wins (replacing a
// different one is a warning naming both places). sel applies to every pyproject.toml read;
// selecting extras or groups without reading one is an error.
func Load(paths []string, sel Selection) (*File, error) {
	rp := newReqParser()
	sawPyproject := false
	for _, p := range paths {
		path, err := resolveInput(p)
		if err != nil {
			return nil, err
		}
		if hint, ok := otherFormats[strings.ToLower(filepath.Base(path))]; ok {
			return nil, errorf(Source{File: path}, "not a requirements file nor a pyproject.toml; %s", hint)
		}
		if !isPyprojectPath(path) {
			if err := rp.parseFile(path, false, nil); err != nil {
				return nil, err
			}
			rp.file.Inputs = append(rp.file.Inputs, path)
			continue
		}
		sawPyproject = true
		f, err := ParsePyproject(path, sel)
		if err != nil {
			return nil, err
		}
		rp.file.mergePyproject(f)
	}
	if !sawPyproject && (len(sel.Extras) > 0 || len(sel.Groups) > 0) {
		return nil, errorf(Source{File: strings.Join(paths, ", ")}, "extras and dependency groups are selected but no pyproject.toml is read; add the project's pyproject.toml to the inputs")
	}
	rp.finish()
	return rp.file, nil
}

// otherFormats are dependency files of other tools that a migrating user
// may name, with what to do instead (read as requirements files, their
// first line would only be reported as an invalid requirement).
var otherFormats = map[string]string{
	"setup.py":         "list its install_requires in a requirements.txt, or give the project's pyproject.toml",
	"setup.cfg":        "list its install_requires in a requirements.txt, or give the project's pyproject.toml",
	"pipfile":          "`pipenv lock` writes the Pipfile.lock to give instead (req2nix reads lock files)",
	"pipfile.lock":     "give it as the only input: req2nix reads it as a lock file",
	"poetry.lock":      "give it as the only input: req2nix reads it as a lock file",
	"environment.yml":  "conda environments are not read; list the pip packages in a requirements.txt",
	"environment.yaml": "conda environments are not read; list the pip packages in a requirements.txt",
}

// toolConfigOnly reports whether a pyproject.toml declares no project at
// all (neither [project] nor [tool.poetry]): it only configures tools
// (black, ruff, a build system), so the dependencies of a directory that also
// has a requirements.txt are in the latter. An unreadable file counts as a
// project, so that reading it reports the problem.
func toolConfigOnly(path string) bool {
	data, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	var doc struct {
		Project any `toml:"project"`
		Tool    struct {
			Poetry any `toml:"poetry"`
		} `toml:"tool"`
	}
	if err := toml.Unmarshal(data, &doc); err != nil {
		return false
	}
	return doc.Project == nil && doc.Tool.Poetry == nil
}

func isPyprojectPath(path string) bool {
	return strings.EqualFold(filepath.Ext(path), ".toml")
}

// resolveInput maps a directory to the dependency file in it.
func resolveInput(p string) (string, error) {
	if p == "" {
		return "", errorf(Source{}, "an input file name is empty (\"\"); check the command line's quoting")
	}
	fi, err := os.Stat(p)
	if err != nil || !fi.IsDir() {
		return p, nil // reading it reports a missing file
	}
	pyproject, requirements := filepath.Join(p, "pyproject.toml"), filepath.Join(p, "requirements.txt")
	switch {
	case isFile(pyproject) && isFile(requirements) && toolConfigOnly(pyproject):
		return requirements, nil
	case isFile(pyproject):
		return pyproject, nil
	case isFile(requirements):
		return requirements, nil
	}
	if filepath.Clean(p) == "." {
		return "", errorf(Source{}, "the current directory has neither pyproject.toml nor requirements.txt; name the dependency file to read")
	}
	return "", errorf(Source{File: p}, "directory has neither pyproject.toml nor requirements.txt; name the dependency file to read")
}

// mergePyproject adds what a pyproject.toml declared (g) to f, after what f
// already has. A pyproject.toml sets no index options.
func (f *File) mergePyproject(g *File) {
	f.Requirements = append(f.Requirements, g.Requirements...)
	f.BuildRequires = append(f.BuildRequires, g.BuildRequires...)
	f.Inputs = append(f.Inputs, g.Inputs...)
	for _, name := range g.Groups {
		f.Groups = appendUnique(f.Groups, name)
	}
	for _, name := range g.Extras {
		f.Extras = appendUnique(f.Extras, name)
	}
	f.mergeProject(g)
	f.Warnings = append(f.Warnings, g.Warnings...)
}

// mergeProject takes the project name and requires-python of the first
// file that declares them; a later different requires-python is reported.
func (f *File) mergeProject(g *File) {
	if f.ProjectName == "" {
		f.ProjectName = g.ProjectName
	}
	switch {
	case g.RequiresPython == "":
	case f.RequiresPython == "":
		f.RequiresPython, f.RequiresPythonSource = g.RequiresPython, g.RequiresPythonSource
	case f.RequiresPython != g.RequiresPython:
		f.Warnings = append(f.Warnings, warnf(g.RequiresPythonSource, "requires-python %q is ignored: %q from %s comes first", g.RequiresPython, f.RequiresPython, f.RequiresPythonSource))
	}
}
