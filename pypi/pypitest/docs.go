package pypitest

import (
	"bytes"
	"encoding/json"
)

// project is everything the index holds for one normalised name.
type project struct {
	name     string // normalised
	releases []Release
	files    map[string][]file // release key -> files
}

// jsonFile is a file in the JSON API.
type jsonFile struct {
	Filename       string            `json:"filename"`
	URL            string            `json:"url"`
	Digests        map[string]string `json:"digests"`
	PackageType    string            `json:"packagetype"`
	PythonVersion  string            `json:"python_version"`
	RequiresPython *string           `json:"requires_python"`
	Size           int               `json:"size"`
	Yanked         bool              `json:"yanked"`
	YankedReason   *string           `json:"yanked_reason"`
}

// jsonInfo is the "info" object of the JSON API.
type jsonInfo struct {
	Name           string   `json:"name"`
	Version        string   `json:"version"`
	RequiresDist   []string `json:"requires_dist"`
	RequiresPython *string  `json:"requires_python"`
	ProvidesExtra  []string `json:"provides_extra"`
	Summary        string   `json:"summary"`
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// info renders a release's "info".
func (r Release) info() jsonInfo {
	in := jsonInfo{Name: r.Name, Version: r.Version, RequiresDist: r.RequiresDist, RequiresPython: optional(r.RequiresPython), ProvidesExtra: r.ProvidesExtra, Summary: "served by pypitest"}
	if r.CoreMetadataOnly {
		in.RequiresDist = nil
	}
	return in
}

// jsonFiles renders a release's files with URLs under filesBase.
func (p *project) jsonFiles(r Release, filesBase string) []jsonFile {
	out := []jsonFile{}
	for _, f := range p.files[r.Version] {
		pyver := "source"
		if f.kind != "sdist" {
			pyver = "py3"
		}
		jf := jsonFile{
			Filename: f.name, URL: filesBase + "/" + f.name, Digests: map[string]string{"sha256": f.sha256},
			PackageType: f.kind, PythonVersion: pyver, RequiresPython: optional(r.RequiresPython),
			Size: len(f.content), Yanked: r.Yanked,
		}
		if r.Yanked {
			jf.YankedReason = optional(r.YankedReason)
		}
		out = append(out, jf)
	}
	return out
}

// projectDoc renders GET /pypi/<name>/json.
func (p *project) projectDoc(filesBase string) ([]byte, error) {
	latest := p.releases[len(p.releases)-1]
	releases := map[string][]jsonFile{}
	for _, r := range p.releases {
		releases[r.Version] = p.jsonFiles(r, filesBase)
	}
	return marshal(map[string]any{
		"info":     latest.info(),
		"releases": releases,
		"urls":     p.jsonFiles(latest, filesBase),
	}, " ")
}

// versionDoc renders GET /pypi/<name>/<version>/json.
func (p *project) versionDoc(r Release, filesBase string) ([]byte, error) {
	return marshal(map[string]any{
		"info": r.info(),
		"urls": p.jsonFiles(r, filesBase),
	}, " ")
}

// release finds a release by key.
func (p *project) release(key string) (Release, bool) {
	for _, r := range p.releases {
		if r.Version == key {
			return r, true
		}
	}
	return Release{}, false
}

// simpleFile is a file of a PEP 691 page.
type simpleFile struct {
	Filename       string            `json:"filename"`
	URL            string            `json:"url"`
	Hashes         map[string]string `json:"hashes"`
	RequiresPython *string           `json:"requires-python,omitempty"`
	CoreMetadata   any               `json:"core-metadata"`
	DataDistInfo   any               `json:"data-dist-info-metadata"`
	Yanked         any               `json:"yanked"`
}

// simpleDoc renders the PEP 691 page; file URLs are relativeBase +
// filename (relative, as indexes may serve them).
func (p *project) simpleDoc(relativeBase string) ([]byte, error) {
	files := []simpleFile{}
	versions := []string{}
	for _, r := range p.releases {
		versions = append(versions, r.Version)
		for _, f := range p.files[r.Version] {
			sf := simpleFile{Filename: f.name, URL: relativeBase + f.name, Hashes: map[string]string{"sha256": f.sha256}, RequiresPython: optional(r.RequiresPython), CoreMetadata: false, DataDistInfo: false, Yanked: false}
			if f.metadata != nil {
				h := map[string]string{"sha256": sha256hex(f.metadata)}
				sf.CoreMetadata, sf.DataDistInfo = h, h
			}
			if r.Yanked {
				sf.Yanked = r.YankedReason
				if r.YankedReason == "" {
					sf.Yanked = true
				}
			}
			files = append(files, sf)
		}
	}
	return marshal(map[string]any{
		"meta":     map[string]string{"api-version": "1.1"},
		"name":     p.name,
		"files":    files,
		"versions": versions,
	}, "")
}

// marshal encodes v as PyPI does: no HTML escaping of <, > and &, indented
// by indent ("" for compact).
func marshal(v any, indent string) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", indent)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
