package lockfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/req2nix/req2nix/pypi/pep440"
	"github.com/req2nix/req2nix/pypi/pep508"
)

// Pipfile.lock as Pipenv writes it (pipfile-spec 6): a JSON object with
// "_meta" and one object per category — "default" for the Pipfile's
// [packages], "develop" for [dev-packages], and custom categories under
// their own names — mapping package names to their pinned version
// ("==x.y"), sha256 hashes (no file names), markers and extras, or to a
// git, path or file source.
type pipfileMeta struct {
	PipfileSpec *int `json:"pipfile-spec"`
	Requires    struct {
		PythonVersion     string `json:"python_version"`
		PythonFullVersion string `json:"python_full_version"`
	} `json:"requires"`
	Sources []struct {
		Name string `json:"name"`
		URL  string `json:"url"`
	} `json:"sources"`
}

type pipfileEntry struct {
	Version      string   `json:"version"`
	Hashes       []string `json:"hashes"`
	Markers      string   `json:"markers"`
	Extras       []string `json:"extras"`
	Index        string   `json:"index"`
	Git          string   `json:"git"`
	Ref          string   `json:"ref"`
	Path         string   `json:"path"`
	File         string   `json:"file"`
	Editable     bool     `json:"editable"`
	Subdirectory string   `json:"subdirectory"`
}

// pipfileSpec is the Pipfile.lock format version read.
const pipfileSpec = 6

// pipenvGroup is the req2nix group name of a Pipfile.lock category:
// "default" is the main set (""), "develop" is "dev" (--group dev), custom
// categories keep their names.
func pipenvGroup(category string) string {
	switch category {
	case "default":
		return ""
	case "develop":
		return "dev"
	}
	return pep508.NormalizeName(category)
}

// parsePipenv reads a Pipfile.lock. A package listed in several
// categories at the same version is one package in several groups.
func parsePipenv(file string, data []byte) (*Lock, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, errorAt(file, jsonErrorLine(data, err), "invalid JSON: %v", err)
	}
	lock := &Lock{Format: Pipenv, Path: file}
	sources, err := readPipenvMeta(lock, doc["_meta"])
	if err != nil {
		return nil, err
	}
	byKey := map[string]int{}
	for _, category := range slices.Sorted(maps.Keys(doc)) {
		if category == "_meta" {
			continue
		}
		if err := readPipenvCategory(lock, category, doc[category], sources, byKey); err != nil {
			return nil, err
		}
	}
	sort.SliceStable(lock.Packages, func(i, j int) bool { return lock.Packages[i].Name < lock.Packages[j].Name })
	return lock, nil
}

// jsonErrorLine is the line of a JSON syntax error, or 0.
func jsonErrorLine(data []byte, err error) int {
	var se *json.SyntaxError
	if !errors.As(err, &se) || se.Offset > int64(len(data)) {
		return 0
	}
	return bytes.Count(data[:se.Offset], []byte("\n")) + 1
}

// readPipenvMeta reads _meta: the format version, the Python and the
// sources (indexes), returned by name.
func readPipenvMeta(lock *Lock, raw json.RawMessage) (map[string]string, error) {
	var meta pipfileMeta
	if raw == nil {
		return nil, errorAt(lock.Path, 0, "no _meta; this is not a Pipfile.lock Pipenv wrote")
	}
	if err := json.Unmarshal(raw, &meta); err != nil {
		return nil, errorAt(lock.Path, 0, "_meta: %v", err)
	}
	if meta.PipfileSpec != nil && *meta.PipfileSpec != pipfileSpec {
		return nil, errorAt(lock.Path, 0, "pipfile-spec %d is not supported: req2nix reads pipfile-spec %d", *meta.PipfileSpec, pipfileSpec)
	}
	sources := map[string]string{}
	for _, s := range meta.Sources {
		lock.Indexes = appendUnique(lock.Indexes, s.URL)
		sources[s.Name] = s.URL
	}
	python := meta.Requires.PythonFullVersion
	if python == "" && meta.Requires.PythonVersion != "" {
		python = meta.Requires.PythonVersion + ".*"
	}
	if python != "" {
		spec, err := pep440.ParseSpecifiers("==" + python)
		if err != nil {
			return nil, errorAt(lock.Path, 0, "_meta requires python %q: %v", python, err)
		}
		lock.RequiresPython = Constraint{spec}
	}
	return sources, nil
}

// readPipenvCategory reads the packages of one category.
func readPipenvCategory(lock *Lock, category string, raw json.RawMessage, sources map[string]string, byKey map[string]int) error {
	var entries map[string]pipfileEntry
	if err := json.Unmarshal(raw, &entries); err != nil {
		return errorAt(lock.Path, 0, "%s: %v", category, err)
	}
	group := pipenvGroup(category)
	if group != "" {
		lock.Groups = appendUnique(lock.Groups, group)
	}
	for _, key := range slices.Sorted(maps.Keys(entries)) {
		p, err := readPipenvEntry(lock.Path, category+"."+key, key, entries[key])
		if err == nil && p.Source.Kind == FromIndex {
			p.Source.URL = sources[p.Source.URL]
		}
		if err != nil {
			return err
		}
		id := p.Name + " " + p.Version + " " + string(p.Source.Kind) + p.Source.URL + p.Source.Path + p.Marker.String()
		if i, seen := byKey[id]; seen {
			lock.Packages[i].Groups = appendUnique(lock.Packages[i].Groups, group)
			continue
		}
		p.Groups = []string{group}
		byKey[id] = len(lock.Packages)
		lock.Packages = append(lock.Packages, p)
	}
	sort.Strings(lock.Groups)
	return nil
}

// readPipenvEntry reads one package of a category.
func readPipenvEntry(file, where, key string, e pipfileEntry) (Package, error) {
	name, err := packageName(file, 0, key)
	if err != nil {
		return Package{}, err
	}
	p := Package{Name: name, Extras: normalizedNames(e.Extras)}
	if p.Marker, err = parseMarker(file, 0, where, e.Markers); err != nil {
		return p, err
	}
	if e.Version != "" {
		v, ok := strings.CutPrefix(e.Version, "==")
		if !ok || strings.HasPrefix(v, "=") {
			return p, errorAt(file, 0, "%s: version %q is not a pin (==x.y)", where, e.Version)
		}
		p.Version = strings.TrimSpace(v)
		if err := parseVersion(file, 0, where, p.Version); err != nil {
			return p, err
		}
	}
	if p.Source, err = pipenvSource(file, where, e); err != nil {
		return p, err
	}
	for _, h := range e.Hashes {
		hashes, err := parseHash(file, 0, where, h)
		if err != nil {
			return p, err
		}
		p.Files = append(p.Files, File{Hashes: hashes})
	}
	if p.Source.Kind == FromIndex && p.Version == "" {
		return p, errorAt(file, 0, "%s: no version; a package from an index must be pinned", where)
	}
	return p, nil
}

// pipenvSource maps git, path and file entries; anything else comes from
// an index (the entry's index names one of _meta's sources).
func pipenvSource(file, where string, e pipfileEntry) (Source, error) {
	switch {
	case e.Git != "":
		if e.Ref == "" {
			return Source{}, errorAt(file, 0, "%s: git %s has no ref (the commit)", where, e.Git)
		}
		return Source{Kind: FromGit, VCS: "git", URL: strings.TrimPrefix(e.Git, "git+"), Commit: strings.ToLower(e.Ref),
			Subdirectory: e.Subdirectory, Editable: e.Editable}, nil
	case e.Path != "" && isArchiveName(e.Path):
		return Source{Kind: FromPath, Path: e.Path, Subdirectory: e.Subdirectory}, nil
	case e.Path != "":
		return Source{Kind: FromDirectory, Path: e.Path, Editable: e.Editable, Subdirectory: e.Subdirectory}, nil
	case e.File != "" && (strings.HasPrefix(e.File, "https://") || strings.HasPrefix(e.File, "http://")):
		return Source{Kind: FromURL, URL: e.File, Subdirectory: e.Subdirectory}, nil
	case e.File != "":
		return Source{Kind: FromPath, Path: strings.TrimPrefix(e.File, "file://"), Subdirectory: e.Subdirectory}, nil
	}
	return Source{Kind: FromIndex, URL: e.Index}, nil
}

// isArchiveName reports whether a path names a wheel or an sdist.
func isArchiveName(p string) bool {
	for _, ext := range []string{".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz", ".tar.xz", ".tar"} {
		if strings.HasSuffix(p, ext) {
			return true
		}
	}
	return false
}
