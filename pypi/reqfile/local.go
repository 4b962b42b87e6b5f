package reqfile

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/req2nix/req2nix/pypi/setuppy"
)

// localProjectName reads the name of the project in dir from its
// pyproject.toml ([project] name, else [tool.poetry] name), setup.cfg
// ([metadata] name) or setup.py (a literal name= of setup()), without
// building it.
func localProjectName(dir string) (string, error) {
	if name := pyprojectName(filepath.Join(dir, "pyproject.toml")); name != "" {
		return name, nil
	}
	if name := setupCfgName(filepath.Join(dir, "setup.cfg")); name != "" {
		return name, nil
	}
	name, why := setupPyName(filepath.Join(dir, "setup.py"))
	if name != "" {
		return name, nil
	}
	return "", fmt.Errorf("cannot tell the project name of directory %s: neither pyproject.toml [project] name nor setup.cfg [metadata] name is set%s; set one of them, or write <name> @ <path>", dir, why)
}

// setupPyName returns the literal name= of setup() in a setup.py, or
// why there is none ("" when there is no setup.py).
func setupPyName(path string) (name, why string) {
	src, err := os.ReadFile(path)
	if err != nil {
		return "", ""
	}
	s, err := setuppy.Parse(src)
	switch {
	case err != nil:
		return "", fmt.Sprintf(", and setup.py was read but %v", err)
	case s.Name == "":
		return "", ", and setup.py was read but " + nameProblem(s)
	}
	return s.Name, ""
}

// nameProblem says why setup()'s name is not known.
func nameProblem(s *setuppy.Setup) string {
	for _, p := range s.Problems {
		if strings.HasPrefix(p, "name ") || strings.HasPrefix(p, "setup(**") {
			return "its " + p
		}
	}
	return "its setup() call has no name="
}

// pyprojectName returns the project name a pyproject.toml declares, or "".
func pyprojectName(path string) string {
	text, err := readText(path, path)
	if err != nil {
		return ""
	}
	var doc struct {
		Project struct{ Name string }
		Tool    struct{ Poetry struct{ Name string } }
	}
	if toml.Unmarshal([]byte(text), &doc) != nil {
		return ""
	}
	if doc.Project.Name != "" {
		return doc.Project.Name
	}
	return doc.Tool.Poetry.Name
}

// setupCfgName returns "name" of the [metadata] section of a setup.cfg
// (configparser syntax: "key = value" or "key: value"), or "".
func setupCfgName(path string) string {
	text, err := readText(path, path)
	if err != nil {
		return ""
	}
	section := ""
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			section = strings.TrimSpace(line[1 : len(line)-1])
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if k2, v2, ok2 := strings.Cut(line, ":"); ok2 && (!ok || len(k2) < len(key)) {
			key, value, ok = k2, v2, true
		}
		if ok && section == "metadata" && strings.TrimSpace(key) == "name" {
			return strings.TrimSpace(value)
		}
	}
	return ""
}
