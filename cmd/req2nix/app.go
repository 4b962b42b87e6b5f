package main

import (
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/pelletier/go-toml/v2"
)

// projectMeta is what --app needs of a pyproject.toml beyond its
// requirements: the project's name and version (PEP 621, else Poetry's),
// its [build-system] requires and its console scripts.
type projectMeta struct {
	name, version string
	buildRequires []string // nil: no [build-system] requires (setuptools, PEP 518)
	scripts       []string // sorted
}

type pyprojectFile struct {
	Project *struct {
		Name    string            `toml:"name"`
		Version string            `toml:"version"`
		Dynamic []string          `toml:"dynamic"`
		Scripts map[string]string `toml:"scripts"`
	} `toml:"project"`
	Tool struct {
		Poetry *struct {
			Name    string         `toml:"name"`
			Version string         `toml:"version"`
			Scripts map[string]any `toml:"scripts"`
		} `toml:"poetry"`
	} `toml:"tool"`
	BuildSystem *struct {
		Requires []string `toml:"requires"`
	} `toml:"build-system"`
}

// readProjectMeta reads the project table of a pyproject.toml for --app.
func readProjectMeta(file string) (projectMeta, error) {
	data, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return projectMeta{}, &inputError{fmt.Errorf("--app builds a project described by a pyproject.toml, and %s does not exist", file)}
	}
	if err != nil {
		return projectMeta{}, &inputError{fmt.Errorf("--app: %v", err)}
	}
	m, err := parseProjectMeta(data)
	if err != nil {
		return projectMeta{}, &inputError{fmt.Errorf("--app: %s: %v", file, err)}
	}
	return m, nil
}

// parseProjectMeta reads the project table of a pyproject.toml's text.
func parseProjectMeta(data []byte) (projectMeta, error) {
	var f pyprojectFile
	if err := toml.Unmarshal(data, &f); err != nil {
		return projectMeta{}, err
	}
	var m projectMeta
	scripts := map[string]bool{}
	switch {
	case f.Project != nil:
		m.name, m.version = f.Project.Name, f.Project.Version
		if slices.Contains(f.Project.Dynamic, "version") {
			m.version = ""
		}
		for s := range f.Project.Scripts {
			scripts[s] = true
		}
	case f.Tool.Poetry != nil:
		m.name, m.version = f.Tool.Poetry.Name, f.Tool.Poetry.Version
		for s := range f.Tool.Poetry.Scripts {
			scripts[s] = true
		}
	}
	if m.name == "" {
		return projectMeta{}, errors.New("it names no project ([project] name, or [tool.poetry] name)")
	}
	if f.BuildSystem != nil && f.BuildSystem.Requires != nil {
		m.buildRequires = f.BuildSystem.Requires
	}
	for s := range scripts {
		m.scripts = append(m.scripts, s)
	}
	slices.Sort(m.scripts)
	return m, nil
}
