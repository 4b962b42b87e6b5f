package reqfile

import (
	"os"
	"path/filepath"
	"strings"
)

// Load reads every path in order and merges what they declare. A path is a
// requirements file, a pyproject.toml (any *.toml), or a directory, which
// stands for its pyproject.toml if present, else its requirements.txt.
// Requirements files share pip's file-wide state (--no-binary and
// --only-binary); the first --index-url wins and a different one elsewhere
// is an error naming both places. sel applies to every pyproject.toml read;
// selecting extras or groups without reading one is an error.
func Load(paths []string, sel Selection) (*File, error) {
	rp := newReqParser()
	sawPyproject := false
	for _, p := range paths {
		path, err := resolveInput(p)
		if err != nil {
			return nil, err
		}
		if !isPyprojectPath(path) {
			if err := rp.parseFile(path, false, nil); err != nil {
				return nil, err
			}
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

func isPyprojectPath(path string) bool {
	return strings.EqualFold(filepath.Ext(path), ".toml")
}

// resolveInput maps a directory to the dependency file in it.
func resolveInput(p string) (string, error) {
	fi, err := os.Stat(p)
	if err != nil || !fi.IsDir() {
		return p, nil // reading it reports a missing file
	}
	for _, name := range []string{"pyproject.toml", "requirements.txt"} {
		if candidate := filepath.Join(p, name); isFile(candidate) {
			return candidate, nil
		}
	}
	return "", errorf(Source{File: p}, "directory has neither pyproject.toml nor requirements.txt; name the dependency file to read")
}

// mergePyproject adds what a pyproject.toml declared (g) to f, after what f
// already has. A pyproject.toml sets no index options.
func (f *File) mergePyproject(g *File) {
	f.Requirements = append(f.Requirements, g.Requirements...)
	f.BuildRequires = append(f.BuildRequires, g.BuildRequires...)
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
