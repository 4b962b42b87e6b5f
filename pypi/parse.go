package pypi

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/req2nix/req2nix/pypi/pep440"
)

// projectDoc is what we read of a JSON API project document: the
// latest release's metadata from its info, and PyPI's deprecated
// "releases" list of every release's files, which is decoded only when
// asked for: only where the Simple API has no page for the project (an
// old mirror), which spares decoding a megabyte of it for every large
// project otherwise, and to keep it in the cache's form. Documents of
// indexes that dropped the list have none.
type projectDoc struct {
	name          string // info's
	latestVersion pep440.Version
	latest        *Metadata // nil when the info gives no usable metadata (see latestMetadata)
	listed        bool      // "releases" is there (and not null)
	keys          func() []string
	releases      func() (map[string][]File, error)
}

// hasReleases reports whether the document lists releases.
func (d *projectDoc) hasReleases() bool { return d.listed }

// releaseKeys are the release keys, the index's spelling of its versions,
// sorted; nil when the document lists none (or the list is no object).
func (d *projectDoc) releaseKeys() []string { return d.keys() }

// latestMetadata is the metadata of the latest release as the project
// document's info gives it — the same info as that release's version
// document, so asking for the latter can be skipped. ok is false when the
// info names no parseable version or has no requires_dist list (null needs
// the core-metadata fallback, which only Metadata does).
func (d *projectDoc) latestMetadata() (version pep440.Version, m *Metadata, ok bool) {
	return d.latestVersion, d.latest, d.latest != nil
}

// rawProjectDoc is the part of a JSON API project document we decode at
// once. The info fields are only hints (see latestMetadata): kept raw, so
// that an odd value does not make the document unreadable.
type rawProjectDoc struct {
	Info struct {
		Name           string          `json:"name"`
		Version        json.RawMessage `json:"version"`
		RequiresDist   json.RawMessage `json:"requires_dist"`
		RequiresPython json.RawMessage `json:"requires_python"`
		ProvidesExtra  json.RawMessage `json:"provides_extra"`
	} `json:"info"`
	Releases json.RawMessage `json:"releases"`
}

// latest reads the info's metadata of the latest release (nil when it
// has none usable).
func (d *rawProjectDoc) latest() (pep440.Version, *Metadata) {
	var raw string
	var deps []string
	if json.Unmarshal(d.Info.Version, &raw) != nil || json.Unmarshal(d.Info.RequiresDist, &deps) != nil || deps == nil {
		return pep440.Version{}, nil
	}
	v, err := pep440.Parse(raw)
	if err != nil {
		return pep440.Version{}, nil
	}
	m := &Metadata{Name: d.Info.Name, Version: raw, RequiresDist: trimAll(deps), Source: SourceJSON}
	var requiresPython *string
	if json.Unmarshal(d.Info.RequiresPython, &requiresPython) == nil && requiresPython != nil {
		m.RequiresPython = strings.TrimSpace(*requiresPython)
	}
	_ = json.Unmarshal(d.Info.ProvidesExtra, &m.ProvidesExtra) // a hint only
	return v, m
}

// releaseKeys decodes the keys of the release list.
func releaseKeys(raw json.RawMessage) []string {
	var rs map[string]json.RawMessage
	if json.Unmarshal(raw, &rs) != nil {
		return nil
	}
	return slices.Sorted(maps.Keys(rs))
}

// decodeReleases decodes the release list.
func decodeReleases(raw json.RawMessage) (map[string][]File, error) {
	var rs map[string][]fileDoc
	if err := json.Unmarshal(raw, &rs); err != nil {
		return nil, fmt.Errorf("releases: %w", err)
	}
	out := make(map[string][]File, len(rs))
	for key, files := range rs {
		converted := make([]File, len(files))
		for i, f := range files {
			converted[i] = f.toFile()
		}
		out[key] = converted
	}
	return out, nil
}

// fileDoc is one file of a release in the JSON API. The upload times are
// hints (--exclude-newer): kept raw, so that an odd value does not make
// the document unreadable.
type fileDoc struct {
	Filename string `json:"filename"`
	URL      string `json:"url"`
	Digests  struct {
		SHA256 string `json:"sha256"`
	} `json:"digests"`
	RequiresPython *string   `json:"requires_python"`
	Yanked         yankState `json:"yanked"`
	YankedReason   *string   `json:"yanked_reason"`
	PackageType    string    `json:"packagetype"`
	UploadTimeISO  hintTime  `json:"upload_time_iso_8601"`
	UploadTime     hintTime  `json:"upload_time"`
}

// yankState reads "yanked" in any shape indexes send it: absent or null
// (not yanked), a bool, or (PEP 691) a string giving the reason.
type yankState struct {
	yanked bool
	reason string
}

func (y *yankState) UnmarshalJSON(b []byte) error {
	if v, ok := jsonLiteral(b); ok { // the common case, without decoding into any
		*y = yankState{yanked: v}
		return nil
	}
	var reason string
	if err := json.Unmarshal(b, &reason); err != nil {
		return fmt.Errorf("yanked: want bool or string, got %s", b)
	}
	*y = yankState{yanked: reason != "", reason: reason} // PEP 691: "" is falsy, as in pip
	return nil
}

// parseProject decodes a JSON API project document for project name
// (normalised) from index (redacted); see projectDoc.project.
func parseProject(body []byte, name, index string, log *slog.Logger) (*Project, error) {
	doc, err := decodeProjectDoc(body)
	if err != nil {
		return nil, err
	}
	return doc.project(name, index, log)
}

// decodeProjectDoc decodes a JSON API project document: one with an "info"
// naming the project, or (older mirrors) with "releases".
func decodeProjectDoc(body []byte) (*projectDoc, error) {
	var raw rawProjectDoc
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, err
	}
	listed := len(raw.Releases) > 0 && string(raw.Releases) != "null"
	if !listed && raw.Info.Name == "" {
		return nil, errors.New(`no "info" with a name and no "releases": not a JSON API project document`)
	}
	doc := &projectDoc{name: raw.Info.Name, listed: listed}
	doc.latestVersion, doc.latest = raw.latest()
	doc.keys = func() []string { return nil }
	doc.releases = func() (map[string][]File, error) { return nil, nil }
	if listed {
		doc.keys = sync.OnceValue(func() []string { return releaseKeys(raw.Releases) })
		doc.releases = sync.OnceValues(func() (map[string][]File, error) { return decodeReleases(raw.Releases) })
	}
	return doc, nil
}

// project builds the Project of name (normalised) on index (redacted) from
// the document's releases. Release keys that are not PEP 440 versions are
// skipped with a debug note, as are releases without files; releases come
// out ascending. When two keys spell the same version, the one spelled
// canonically (else the first in key order) wins.
func (d *projectDoc) project(name, index string, log *slog.Logger) (*Project, error) {
	releases, err := d.releases()
	if err != nil {
		return nil, err
	}
	p := &Project{Name: name, Index: index}
	for _, key := range slices.Sorted(maps.Keys(releases)) {
		if r, ok := parseRelease(name, index, key, releases[key], log); ok {
			p.Releases = append(p.Releases, r)
		}
	}
	p.Releases = sortReleases(p.Releases)
	return p, nil
}

// parseRelease builds a Release from one "releases" entry, or reports false
// for an entry to skip.
func parseRelease(name, index, key string, files []File, log *slog.Logger) (Release, bool) {
	v, err := pep440.Parse(key)
	switch {
	case err != nil:
		log.Debug("skipping release with a non-PEP 440 version", "project", name, "index", index, "version", key)
		return Release{}, false
	case len(files) == 0:
		log.Debug("skipping release without files", "project", name, "index", index, "version", key)
		return Release{}, false
	case !safeKey(key):
		log.Debug("skipping release with an unusable key", "project", name, "index", index, "version", key)
		return Release{}, false
	}
	return newRelease(name, index, key, v, slices.Clone(files)), true
}

// newRelease builds a release, its files in filename order (the order
// PyPI gives them in both APIs, made certain so that choosing among equal
// files does not depend on an index's order).
func newRelease(name, index, key string, v pep440.Version, files []File) Release {
	byName := func(a, b File) int { return strings.Compare(a.Filename, b.Filename) }
	if !slices.IsSortedFunc(files, byName) { // indexes list them sorted already
		slices.SortStableFunc(files, byName)
	}
	return Release{Name: name, Version: v, Key: key, Index: index, Files: files}
}

// toFile converts the JSON form to a File.
func (f fileDoc) toFile() File {
	out := File{
		Filename:     f.Filename,
		URL:          f.URL,
		SHA256:       strings.ToLower(f.Digests.SHA256),
		Yanked:       f.Yanked.yanked,
		YankedReason: f.Yanked.reason,
		PackageType:  f.PackageType,
		UploadTime:   time.Time(f.UploadTimeISO),
	}
	if out.UploadTime.IsZero() {
		out.UploadTime = time.Time(f.UploadTime)
	}
	if f.RequiresPython != nil {
		out.RequiresPython = strings.TrimSpace(*f.RequiresPython)
	}
	if f.YankedReason != nil && out.Yanked {
		out.YankedReason = *f.YankedReason
	}
	return out
}

// sortReleases sorts ascending by version and drops later spellings of an
// equal version, preferring the canonical spelling.
func sortReleases(rs []Release) []Release {
	sort.SliceStable(rs, func(i, j int) bool {
		if c := rs[i].Version.Compare(rs[j].Version); c != 0 {
			return c < 0
		}
		return canonical(rs[i]) && !canonical(rs[j])
	})
	out := rs[:0]
	for _, r := range rs {
		if n := len(out); n > 0 && out[n-1].Version.Compare(r.Version) == 0 {
			continue
		}
		out = append(out, r)
	}
	return out
}

// canonical reports whether the release key is the normalised version.
func canonical(r Release) bool { return r.Key == r.Version.String() }

// versionDoc is the part of a JSON API version document we read.
type versionDoc struct {
	Info struct {
		Name           string   `json:"name"`
		Version        string   `json:"version"`
		RequiresDist   []string `json:"requires_dist"` // nil when null: metadata unknown
		RequiresPython *string  `json:"requires_python"`
		ProvidesExtra  []string `json:"provides_extra"`
	} `json:"info"`
}

// parseVersionDoc decodes a version document. It returns the metadata and
// whether requires_dist was present (a list, possibly empty) rather than
// null.
func parseVersionDoc(body []byte) (*Metadata, bool, error) {
	var doc versionDoc
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, false, err
	}
	if doc.Info.Name == "" && doc.Info.Version == "" {
		return nil, false, errors.New(`no "info" with name and version: not a JSON API version document`)
	}
	m := &Metadata{
		Name:          doc.Info.Name,
		Version:       doc.Info.Version,
		RequiresDist:  trimAll(doc.Info.RequiresDist),
		ProvidesExtra: doc.Info.ProvidesExtra,
		Source:        SourceJSON,
	}
	if doc.Info.RequiresPython != nil {
		m.RequiresPython = strings.TrimSpace(*doc.Info.RequiresPython)
	}
	return m, doc.Info.RequiresDist != nil, nil
}

// trimAll trims spaces from each string, keeping nil as nil.
func trimAll(ss []string) []string {
	if ss == nil {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.TrimSpace(s)
	}
	return out
}
