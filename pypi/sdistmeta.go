package pypi

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// readSdistMetadata reads an sdist's PKG-INFO. Setuptools sdists often
// leave Requires-Dist out of PKG-INFO (or mark it Dynamic, PEP 643) and
// record the dependencies in <project>.egg-info/requires.txt instead; then
// those are used, converted as importlib.metadata converts them. A
// Requires-Dist marked Dynamic with no requires.txt cannot be known
// without building the sdist: an error.
func readSdistMetadata(p, name string) (*Metadata, error) {
	found, err := readSdist(p, name, func(path string) bool {
		return isTopMember(path, "PKG-INFO") || isEggInfoRequires(path)
	})
	if err != nil {
		return nil, err
	}
	var pkgInfo, requires []byte
	var requiresPath string
	for _, path := range slices.Sorted(maps.Keys(found)) {
		switch {
		case isTopMember(path, "PKG-INFO"):
			pkgInfo = found[path]
		case requires == nil || len(path) < len(requiresPath):
			requires, requiresPath = found[path], path
		}
	}
	if pkgInfo == nil {
		return nil, fmt.Errorf("%s: %w PKG-INFO", name, errNoMember)
	}
	m, err := parseCoreMetadata(pkgInfo, SourcePKGInfo)
	if err != nil {
		return nil, fmt.Errorf("%s: PKG-INFO: %v", name, err)
	}
	dynamic := dynamicFields(pkgInfo)["requires-dist"]
	switch {
	case requires != nil && (len(m.RequiresDist) == 0 || dynamic):
		m.RequiresDist = eggInfoRequirements(string(requires))
	case dynamic:
		return nil, fmt.Errorf("%s: PKG-INFO marks Requires-Dist as dynamic and there is no egg-info requires.txt: the dependencies are only known after building the sdist", name)
	}
	return m, nil
}

// isEggInfoRequires matches <top>/[<dir>/]<name>.egg-info/requires.txt (a
// src layout puts the egg-info one level down).
func isEggInfoRequires(path string) bool {
	parts := strings.Split(path, "/")
	n := len(parts)
	return (n == 3 || n == 4) && parts[n-1] == "requires.txt" && strings.HasSuffix(parts[n-2], ".egg-info")
}

// dynamicFields returns the lower-cased field names of Dynamic headers.
func dynamicFields(body []byte) map[string]bool {
	out := map[string]bool{}
	for _, h := range headerFields(body) {
		if strings.EqualFold(h.name, "dynamic") {
			out[strings.ToLower(h.value)] = true
		}
	}
	return out
}

// eggInfoRequirements converts requires.txt to PEP 508 strings the way
// importlib.metadata does: lines of the unnamed section as they are; a
// section "[extra]" adds `; extra == "extra"`, "[:marker]" adds
// `; marker`, "[extra:marker]" adds `; (marker) and extra == "extra"`.
func eggInfoRequirements(text string) []string {
	var out []string
	section := ""
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = strings.TrimSpace(line[1 : len(line)-1])
		default:
			out = append(out, line+sectionMarker(line, section))
		}
	}
	return out
}

// sectionMarker is the marker suffix for a requires.txt section; a URL
// requirement gets a space before the ";" so the URL does not swallow it.
func sectionMarker(req, section string) string {
	extra, marker, _ := strings.Cut(section, ":")
	extra, marker = strings.TrimSpace(extra), strings.TrimSpace(marker)
	if extra != "" && marker != "" {
		marker = "(" + marker + ")"
	}
	var conds []string
	if marker != "" {
		conds = append(conds, marker)
	}
	if extra != "" {
		conds = append(conds, `extra == "`+extra+`"`)
	}
	if len(conds) == 0 {
		return ""
	}
	space := ""
	if strings.Contains(req, "@") {
		space = " "
	}
	return space + "; " + strings.Join(conds, " and ")
}
