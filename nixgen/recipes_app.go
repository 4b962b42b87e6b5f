package nixgen

import (
	"fmt"
	"path"
	"strings"

	"github.com/req2nix/req2nix/internal/lazyre"
)

// App is the project itself built as an application with the resolved
// environment: buildPythonApplication from the project's own source, its
// [build-system] mapped to attributes of the package set, its
// dependencies from the resolution.
type App struct {
	PName   string
	Version string
	// Root is the project directory relative to the Nix file ("." when
	// they are together); Files are the project's files and directories
	// the build needs, relative to Root (pyproject.toml, src, README.md,
	// …): the source is exactly them (lib.fileset), so editing anything
	// else (the Nix files, .venv, tests) does not rebuild it.
	Root         string
	Files        []string
	BuildSystem  []string // attributes of python.pkgs
	Dependencies []string // attributes of python.pkgs
	MainProgram  string   // the console script apps.default runs; "" when the project has none
	// SCMVersion: the version comes from version control (setuptools-scm,
	// hatch-vcs), which the fileset source lacks: it is passed as
	// SETUPTOOLS_SCM_PRETEND_VERSION.
	SCMVersion bool
}

// AppBinding is the name of the application's binding.
const AppBinding = "app"

// pathPartRE is a path component a Nix path literal can spell.
var pathPartRE = lazyre.New(`^[A-Za-z0-9._+-]+$`)

// relPathExpr is a Nix path expression for a relative path: a literal
// (./src, ./..) when Nix can spell it so, else (./. + "/…"), in
// parentheses so that it is one element in a list.
func relPathExpr(rel string) (string, error) {
	clean := path.Clean(rel)
	if rel == "" || path.IsAbs(clean) || strings.Contains(rel, "\\") {
		return "", fmt.Errorf("%q is not a relative path", rel)
	}
	if err := checkNixValue("path", rel); err != nil {
		return "", err
	}
	if clean == "." {
		return "./.", nil
	}
	for _, part := range strings.Split(clean, "/") {
		if !pathPartRE.R().MatchString(part) {
			return "(./. + " + nixString("/"+clean) + ")", nil
		}
	}
	return "./" + clean, nil
}

// Expr renders the buildPythonApplication expression (at indentation 0).
func (a App) Expr() (string, error) {
	if !pipNameRE.R().MatchString(a.PName) || !pipVersionRE.R().MatchString(a.Version) {
		return "", fmt.Errorf("application %q %q: a project name and a PEP 440 version are needed", a.PName, a.Version)
	}
	if a.MainProgram != "" {
		if err := checkNixValue("console script", a.MainProgram); err != nil || strings.ContainsAny(a.MainProgram, "/ ") {
			return "", fmt.Errorf("application %s: console script %q is not a program name", a.PName, a.MainProgram)
		}
	}
	root, err := relPathExpr(a.Root)
	if err != nil {
		return "", fmt.Errorf("application %s: root: %w", a.PName, err)
	}
	files, err := a.fileExprs()
	if err != nil {
		return "", err
	}
	var p printer
	p.open(recipePython + ".pkgs.buildPythonApplication {")
	p.bind("pname", nixString(a.PName))
	p.bind("version", nixString(a.Version))
	p.bind("pyproject", "true")
	p.open("src = " + recipePkgs + ".lib.fileset.toSource {")
	p.bind("root", root)
	p.list("fileset = "+recipePkgs+".lib.fileset.unions ", files, ";")
	p.close("};")
	p.list("build-system = ", prefixed(recipePython+".pkgs.", a.BuildSystem), ";")
	p.list("dependencies = ", prefixed(recipePython+".pkgs.", a.Dependencies), ";")
	if a.SCMVersion {
		p.line("env.SETUPTOOLS_SCM_PRETEND_VERSION = " + nixString(a.Version) + ";")
	}
	p.line("# The project's tests need what the resolution does not hold.")
	p.bind("doCheck", "false")
	if a.MainProgram != "" {
		p.line("meta.mainProgram = " + nixString(a.MainProgram) + ";")
	}
	p.close("}")
	return p.String(), nil
}

// fileExprs are the fileset's paths: each file below Root, as a Nix path.
func (a App) fileExprs() ([]string, error) {
	if len(a.Files) == 0 {
		return nil, fmt.Errorf("application %s: no project files for its source", a.PName)
	}
	var out []string
	for _, f := range a.Files {
		clean := path.Clean(f)
		if clean == "." || clean == ".." || strings.HasPrefix(clean, "../") {
			return nil, fmt.Errorf("application %s: %q is not a file inside the project", a.PName, f)
		}
		e, err := relPathExpr(path.Join(a.Root, clean))
		if err != nil {
			return nil, fmt.Errorf("application %s: %w", a.PName, err)
		}
		out = append(out, e)
	}
	return out, nil
}

// AppProgram is the program of a flake's apps.default for the application
// (it has a console script: App.MainProgram).
const AppProgram = recipePkgs + ".lib.getExe " + AppBinding
