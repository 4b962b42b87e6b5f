package reqfile

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// localProjectName reads the name of the project in dir from its
// pyproject.toml ([project] name, else [tool.poetry] name) or setup.cfg
// ([metadata] name), without building it.
func localProjectName(dir string) (string, error) {
	if name := pyprojectName(filepath.Join(dir, "pyproject.toml")); name != "" {
		return name, nil
	}
	if name := setupCfgName(filepath.Join(dir, "setup.cfg")); name != "" {
		return name, nil
	}
	return "", fmt.Errorf("cannot tell the project name of directory %s: neither pyproject.toml [project] name nor setup.cfg [metadata] name is set; set one of them", dir)
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
