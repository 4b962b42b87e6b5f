package pypitest

import (
	"bytes"
	"crypto/md5"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"html"
	"strings"
	"time"
)

// project is everything the index holds for one normalised name.
type project struct {
	name     string // normalised
	releases []Release
	files    map[string][]file // release key -> files
	status   Status
}

// Status is a PEP 792 project status marker and its reason.
type Status struct {
	Status string // "active" (or ""), "archived", "deprecated" or "quarantined"
	Reason string
}

// quarantined reports a project the index must offer no files of (PEP 792);
// PyPI's JSON API then answers 404.
func (p *project) quarantined() bool { return p.status.Status == "quarantined" }

// jsonFile is a file in the JSON API, with every field PyPI sends, so that
// documents are as large as real ones.
type jsonFile struct {
	CommentText       *string           `json:"comment_text"`
	Digests           map[string]string `json:"digests"`
	Downloads         int               `json:"downloads"`
	Filename          string            `json:"filename"`
	HasSig            bool              `json:"has_sig"`
	MD5Digest         string            `json:"md5_digest"`
	PackageType       string            `json:"packagetype"`
	PythonVersion     string            `json:"python_version"`
	RequiresPython    *string           `json:"requires_python"`
	Size              int               `json:"size"`
	UploadTime        *string           `json:"upload_time"`
	UploadTimeISO8601 *string           `json:"upload_time_iso_8601"`
	URL               string            `json:"url"`
	Yanked            bool              `json:"yanked"`
	YankedReason      *string           `json:"yanked_reason"`
}

// jsonInfo is the "info" object of the JSON API.
type jsonInfo struct {
	Name           string   `json:"name"`
	Version        string   `json:"version"`
	RequiresDist   []string `json:"requires_dist"`
	RequiresPython *string  `json:"requires_python"`
	ProvidesExtra  []string `json:"provides_extra"`
	Summary        string   `json:"summary"`
	Description    string   `json:"description"`
	Yanked         bool     `json:"yanked"`
	YankedReason   *string  `json:"yanked_reason"`
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// timeText renders an upload time as layout, or nil for none.
func timeText(t time.Time, layout string) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(layout)
	return &s
}

// info renders a release's "info".
func (r Release) info() jsonInfo {
	in := jsonInfo{Name: r.Name, Version: r.Version, RequiresDist: r.RequiresDist, RequiresPython: optional(r.RequiresPython),
		ProvidesExtra: r.ProvidesExtra, Summary: "served by pypitest", Description: r.Description, Yanked: r.Yanked}
	if r.Yanked {
		in.YankedReason = optional(r.YankedReason)
	}
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
		sum := md5.Sum(f.content)
		jf := jsonFile{
			Filename: f.name, URL: filesBase + "/" + f.name, PackageType: f.kind, PythonVersion: pyver,
			// PyPI's blake2b_256; the standard library has no BLAKE2, so a
			// digest of the same length stands in (clients do not read it).
			Digests:        map[string]string{"sha256": f.sha256, "md5": hex.EncodeToString(sum[:]), "blake2b_256": sha512_256hex(f.content)},
			MD5Digest:      hex.EncodeToString(sum[:]),
			RequiresPython: optional(r.RequiresPython), Size: len(f.content), Downloads: -1, Yanked: r.Yanked,
			UploadTime:        timeText(r.UploadTime, "2006-01-02T15:04:05"),
			UploadTimeISO8601: timeText(r.UploadTime, "2006-01-02T15:04:05.000000Z"),
		}
		if r.Yanked {
			jf.YankedReason = optional(r.YankedReason)
		}
		out = append(out, jf)
	}
	return out
}

// projectDoc renders GET /pypi/<name>/json; the "releases" key only when
// withReleases (PyPI deprecated it).
func (p *project) projectDoc(filesBase string, withReleases bool) ([]byte, error) {
	latest := p.releases[len(p.releases)-1]
	doc := map[string]any{
		"info":            latest.info(),
		"urls":            p.jsonFiles(latest, filesBase),
		"last_serial":     1,
		"vulnerabilities": []any{},
	}
	if withReleases {
		releases := map[string][]jsonFile{}
		for _, r := range p.releases {
			releases[r.Version] = p.jsonFiles(r, filesBase)
		}
		doc["releases"] = releases
	}
	return marshal(doc, " ")
}

// versionDoc renders GET /pypi/<name>/<version>/json.
func (p *project) versionDoc(r Release, filesBase string) ([]byte, error) {
	return marshal(map[string]any{
		"info":            r.info(),
		"urls":            p.jsonFiles(r, filesBase),
		"last_serial":     1,
		"vulnerabilities": []any{},
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

// simpleFile is a file of a PEP 691 page (with PEP 700's size and
// upload-time).
type simpleFile struct {
	Filename       string            `json:"filename"`
	URL            string            `json:"url"`
	Hashes         map[string]string `json:"hashes"`
	RequiresPython *string           `json:"requires-python,omitempty"`
	CoreMetadata   any               `json:"core-metadata"`
	DataDistInfo   any               `json:"data-dist-info-metadata"`
	Yanked         any               `json:"yanked"`
	Size           int               `json:"size"`
	UploadTime     *string           `json:"upload-time,omitempty"`
}

// servedFiles are the releases' files the Simple API lists: none for a
// quarantined project.
func (p *project) servedFiles(each func(Release, file)) {
	if p.quarantined() {
		return
	}
	for _, r := range p.releases {
		for _, f := range p.files[r.Version] {
			each(r, f)
		}
	}
}

// simpleDoc renders the PEP 691 page; file URLs are relativeBase +
// filename (relative, as indexes may serve them).
func (p *project) simpleDoc(relativeBase string) ([]byte, error) {
	files := []simpleFile{}
	versions := []string{}
	seen := map[string]bool{}
	p.servedFiles(func(r Release, f file) {
		if !seen[r.Version] {
			seen[r.Version] = true
			versions = append(versions, r.Version)
		}
		sf := simpleFile{Filename: f.name, URL: relativeBase + f.name, Hashes: map[string]string{"sha256": f.sha256}, RequiresPython: optional(r.RequiresPython),
			CoreMetadata: false, DataDistInfo: false, Yanked: false, Size: len(f.content), UploadTime: timeText(r.UploadTime, "2006-01-02T15:04:05.000000Z")}
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
	})
	doc := map[string]any{
		"meta":     map[string]string{"api-version": "1.4"},
		"name":     p.name,
		"files":    files,
		"versions": versions,
	}
	if p.status.Status != "" {
		status := map[string]string{"status": p.status.Status}
		if p.status.Reason != "" {
			status["reason"] = p.status.Reason
		}
		doc["project-status"] = status
	}
	return marshal(doc, "")
}

// simpleHTML renders the PEP 503 page with the attributes of PEP 592
// (data-yanked), PEP 658/714 (data-core-metadata) and the status meta tags
// of PEP 792; file URLs are relativeBase + filename.
func (p *project) simpleHTML(relativeBase string) []byte {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"1.4\">\n")
	if p.status.Status != "" {
		b.WriteString(`    <meta name="pypi:project-status" content="` + html.EscapeString(p.status.Status) + "\">\n")
	}
	if p.status.Reason != "" {
		b.WriteString(`    <meta name="pypi:project-status-reason" content="` + html.EscapeString(p.status.Reason) + "\">\n")
	}
	b.WriteString("    <title>Links for " + html.EscapeString(p.name) + "</title>\n  </head>\n  <body>\n")
	p.servedFiles(func(r Release, f file) {
		b.WriteString(`    <a href="` + html.EscapeString(relativeBase+f.name) + `#sha256=` + f.sha256 + `"`)
		if r.RequiresPython != "" {
			b.WriteString(` data-requires-python="` + html.EscapeString(r.RequiresPython) + `"`)
		}
		if r.Yanked {
			b.WriteString(` data-yanked="` + html.EscapeString(r.YankedReason) + `"`)
		}
		if f.metadata != nil {
			h := "sha256=" + sha256hex(f.metadata)
			b.WriteString(` data-core-metadata="` + h + `" data-dist-info-metadata="` + h + `"`)
		}
		b.WriteString(">" + html.EscapeString(f.name) + "</a><br />\n")
	})
	b.WriteString("  </body>\n</html>\n")
	return []byte(b.String())
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

// sha512_256hex is the hex SHA-512/256 of b (a stand-in for BLAKE2b-256).
func sha512_256hex(b []byte) string {
	sum := sha512.Sum512_256(b)
	return hex.EncodeToString(sum[:])
}
