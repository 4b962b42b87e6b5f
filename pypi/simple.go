package pypi

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/req2nix/req2nix/pypi/pep440"
	"github.com/req2nix/req2nix/pypi/pep508"
	"github.com/req2nix/req2nix/pypi/tags"
)

// simplePage is what a Simple API project page says, in either form (PEP
// 691 JSON or PEP 503 HTML): the files, PEP 700's version list, and the
// PEP 792 project status.
type simplePage struct {
	apiVersion string // PEP 629 pypi:repository-version / meta.api-version, "" when not given
	files      []simpleFile
	versions   []string // PEP 700; nil when the page has none (HTML, API version 1.0)
	status     string   // PEP 792, lower case; "" when not given
	reason     string
	grouping   *grouping // the files grouped for project, when known already (a cached page)
}

// simpleFile is one file of a project page. URL is absolute.
type simpleFile struct {
	filename       string
	url            string
	sha256         string // lower-case hex; "" when the page gives none
	requiresPython string
	yanked         yankState
	metadata       metadataFlag // PEP 658/714 core metadata
	size           int64        // PEP 700; 0 when not given
	uploadTime     time.Time    // PEP 700; zero when not given
}

// metadataFlag reads a PEP 658/714 value: bool or {"sha256": ...}. Of
// the hashes, the strongest we can check is kept (algo "" when none).
type metadataFlag struct {
	present bool
	algo    string // lower case, one of digestAlgorithms
	digest  string // lower-case hex
}

func (m *metadataFlag) UnmarshalJSON(b []byte) error {
	if v, ok := jsonLiteral(b); ok { // the common case, without decoding into any
		*m = metadataFlag{present: v}
		return nil
	}
	var hashes map[string]any
	if err := json.Unmarshal(b, &hashes); err != nil {
		return fmt.Errorf("core-metadata: want bool or hash object, got %s", b)
	}
	*m = metadataFlag{present: true}
	for k, h := range hashes {
		if s, ok := h.(string); ok {
			m.offer(k, s)
		}
	}
	return nil
}

// offer keeps the hash algo=digest if it is stronger than the one kept.
func (m *metadataFlag) offer(algo, digest string) {
	algo = strings.ToLower(algo)
	if rank := digestRank(algo); rank >= 0 && (m.algo == "" || rank < digestRank(m.algo)) {
		m.algo, m.digest = algo, strings.ToLower(digest)
	}
}

// jsonLiteral reads true, false or null (as false); ok is false for any
// other JSON value.
func jsonLiteral(b []byte) (value, ok bool) {
	switch string(bytes.TrimSpace(b)) {
	case "true":
		return true, true
	case "false", "null":
		return false, true
	}
	return false, false
}

// simpleJSONPage is the part of a PEP 691 page we read. The core metadata
// key is "core-metadata" (PEP 714), formerly "data-dist-info-metadata" and
// "dist-info-metadata" (PEP 658). Size and upload time are hints: an odd
// value is ignored rather than failing the page.
type simpleJSONPage struct {
	Files []struct {
		Filename         string            `json:"filename"`
		URL              string            `json:"url"`
		Hashes           map[string]string `json:"hashes"`
		RequiresPython   *string           `json:"requires-python"`
		Yanked           yankState         `json:"yanked"`
		CoreMetadata     metadataFlag      `json:"core-metadata"`
		DataDistInfo     metadataFlag      `json:"data-dist-info-metadata"`
		DistInfoMetadata metadataFlag      `json:"dist-info-metadata"`
		Size             hintSize          `json:"size"`
		UploadTime       hintTime          `json:"upload-time"`
	} `json:"files"`
	Versions []string `json:"versions"`
	Meta     struct {
		APIVersion string `json:"api-version"`
	} `json:"meta"`
	Status struct {
		Status string `json:"status"`
		Reason string `json:"reason"`
	} `json:"project-status"`
}

// errNotProjectPage is an HTML page that cannot be a project page: no
// file links and no PEP 629 version (a login, proxy or maintenance page,
// which otherwise would read as a project without files).
var errNotProjectPage = errors.New("an HTML page with no file links and no pypi:repository-version, not a Simple API project page; check the index address (a login or proxy page answers like this)")

// parseSimplePage decodes a project page fetched from pageURL: PEP 503
// HTML when it starts with "<" (an index without PEP 691, or one that
// ignored our Accept header), else PEP 691 JSON. File URLs are resolved
// against pageURL.
func parseSimplePage(body []byte, pageURL *url.URL) (*simplePage, error) {
	if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 && trimmed[0] == '<' {
		p := parseSimpleHTML(trimmed, pageURL)
		if len(p.files) == 0 && p.apiVersion == "" {
			return nil, errNotProjectPage
		}
		return p, nil
	}
	var doc simpleJSONPage
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, err
	}
	if doc.Files == nil {
		return nil, fmt.Errorf(`no "files" list: not a PEP 691 project page`)
	}
	p := &simplePage{apiVersion: doc.Meta.APIVersion, versions: doc.Versions, status: strings.ToLower(strings.TrimSpace(doc.Status.Status)), reason: strings.TrimSpace(doc.Status.Reason)}
	for _, f := range doc.Files {
		sf := simpleFile{
			filename: f.Filename, url: resolveLink(pageURL, f.URL), sha256: sha256Of(f.Hashes), yanked: f.Yanked,
			metadata: firstPresent(f.CoreMetadata, f.DataDistInfo, f.DistInfoMetadata), size: int64(f.Size), uploadTime: time.Time(f.UploadTime),
		}
		if f.RequiresPython != nil {
			sf.requiresPython = strings.TrimSpace(*f.RequiresPython)
		}
		p.files = append(p.files, sf)
	}
	return p, nil
}

// firstPresent returns the first core metadata flag present, newest key
// first.
func firstPresent(flags ...metadataFlag) metadataFlag {
	for _, m := range flags {
		if m.present {
			return m
		}
	}
	return metadataFlag{}
}

// sha256Of is the sha256 of a PEP 691 hash dictionary, in lower case.
func sha256Of(hashes map[string]string) string {
	for k, v := range hashes {
		if strings.EqualFold(k, "sha256") {
			return strings.ToLower(v)
		}
	}
	return ""
}

// hintSize reads PEP 700's size: a non-negative integer, else 0 (a hint:
// an odd value does not fail the page).
type hintSize int64

func (h *hintSize) UnmarshalJSON(b []byte) error {
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil || n < 0 {
		n = 0
	}
	*h = hintSize(n)
	return nil
}

// hintTime reads an upload time (PEP 700's upload-time, the JSON API's
// upload_time_iso_8601 and upload_time; see parseUploadTime), else zero (a
// hint: an odd value does not fail the document).
type hintTime time.Time

func (h *hintTime) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) != nil {
		s = ""
	}
	*h = hintTime(parseUploadTime(s))
	return nil
}

// parseUploadTime reads an upload time as indexes write it: RFC 3339 (with
// or without fractional seconds), or the JSON API's zone-less upload_time
// (UTC); zero when it is neither.
func parseUploadTime(s string) time.Time {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC()
	}
	if t, err := time.Parse("2006-01-02T15:04:05.999999999", s); err == nil {
		return t
	}
	return time.Time{}
}

// resolveLink resolves a file link against the page URL; a link that does
// not parse is kept as written (the download names it then).
func resolveLink(pageURL *url.URL, link string) string {
	ref, err := url.Parse(strings.TrimSpace(link))
	if err != nil || pageURL == nil {
		return link
	}
	return pageURL.ResolveReference(ref).String()
}

// coreMetadataFile picks the file of a release whose .metadata to read:
// among the page's files that belong to the release and offer core
// metadata, the first wheel (metadata PyPI extracted from a built wheel is
// reliable), else the first other file.
func (p *simplePage) coreMetadataFile(release map[string]bool) (simpleFile, bool) {
	if p.grouping == nil || p.files != nil {
		for _, wheel := range []bool{true, false} {
			for _, f := range p.files {
				if release[f.filename] && f.metadata.present && strings.HasSuffix(f.filename, ".whl") == wheel {
					return f, true
				}
			}
		}
		return simpleFile{}, false
	}
	// A page read from its cached form: look in the releases holding one
	// of the files, for the first in page order.
	var best simpleFile
	bestAt, bestWheel := -1, false
	for r := range p.grouping.all() {
		if !slices.ContainsFunc(r.files, func(f File) bool { return release[f.Filename] }) {
			continue
		}
		for j, x := range r.extrasOf() {
			f := r.files[j]
			if !release[f.Filename] || !x.metadata.present {
				continue
			}
			wheel := strings.HasSuffix(f.Filename, ".whl")
			if bestAt < 0 || wheel && !bestWheel || wheel == bestWheel && x.at < bestAt {
				best, bestAt, bestWheel = fromFile(f, x.metadata), x.at, wheel
			}
		}
	}
	return best, bestAt >= 0
}

// project builds the Project of name (normalised) on index (redacted) from
// the page: its files grouped into releases by the version their filename
// gives (pip reads versions the same way), each release keyed by the
// index's own spelling of its version when known (keys: the JSON API's
// release keys, then PEP 700's versions), for version-document URLs. Files
// whose version cannot be read, or is not PEP 440, are skipped with a
// debug note, as releases without files are; releases come out ascending.
// The releases share their files with the page: read-only.
func (p *simplePage) project(name, index string, keys []string, log *slog.Logger) *Project {
	g := p.grouping
	if g == nil || g.name != name || keys != nil {
		g = p.group(name, keys)
	}
	for _, f := range g.skipped.files {
		log.Debug("skipping a file whose version cannot be read", "project", name, "index", index, "file", f.Filename)
	}
	out := &Project{Name: name, Index: index, Status: p.status, StatusReason: p.reason}
	for _, r := range g.releases {
		v, err := pep440.Parse(r.text)
		if err != nil || len(r.files) == 0 { // cannot be (the files were grouped by it), but a cached grouping is not trusted blindly
			continue
		}
		out.Releases = append(out.Releases, newRelease(name, index, r.key, v, r.files))
	}
	out.Releases = sortReleases(out.Releases)
	return out
}

// grouping is how a page's files fall into releases for one project name.
type grouping struct {
	name     string
	releases []pageRelease // in the order of their first file
	skipped  pageRelease   // the files whose version cannot be read
}

// all yields the releases, then the skipped files.
func (g *grouping) all() iter.Seq[*pageRelease] {
	return func(yield func(*pageRelease) bool) {
		for i := range g.releases {
			if !yield(&g.releases[i]) {
				return
			}
		}
		yield(&g.skipped)
	}
}

// pageRelease is the files of one release on a page.
type pageRelease struct {
	text   string      // the version as its first file spells it
	key    string      // the release key (see project)
	files  []File      // by filename, as the Release holds them
	extras []fileExtra // of each file; nil when still in form (see extrasOf)
	form   string      // the extras as the cached form holds them
}

// fileExtra is what a page says of a file beyond its File.
type fileExtra struct {
	at       int // position on the page
	metadata metadataFlag
}

// extrasOf returns the release's file extras, decoded from the cached form
// when need be (each time: pages are shared between goroutines, and few
// releases are ever asked about).
func (r pageRelease) extrasOf() []fileExtra {
	if r.extras != nil || r.form == "" {
		return r.extras
	}
	extras, err := decodeExtras(r.form, len(r.files))
	if err != nil {
		return make([]fileExtra, len(r.files)) // damaged: as if no file offered core metadata
	}
	return extras
}

// group groups the page's files into releases (see project).
func (p *simplePage) group(name string, keys []string) *grouping {
	files := p.allFiles()
	known := append(slices.Clone(keys), p.versions...)
	spelled := map[string]string{} // canonical version -> the index's key
	for _, k := range known {
		if v, err := pep440.Parse(k); err == nil && safeKey(k) {
			if prev, ok := spelled[v.String()]; !ok || k == v.String() && prev != k {
				spelled[v.String()] = k
			}
		}
	}
	g := &grouping{name: name}
	byVersion := map[string]int{}    // canonical version -> index in g.releases
	canonical := map[string]string{} // version text -> canonical version, parsed once
	for i, f := range files {
		text := fileVersion(f.filename, name, known)
		canon, ok := canonical[text]
		if !ok {
			if v, err := pep440.Parse(text); err == nil {
				canon = v.String()
			}
			canonical[text] = canon
		}
		r := &g.skipped
		if canon != "" {
			at, ok := byVersion[canon]
			if !ok {
				key := cmp.Or(spelled[canon], text)
				if !safeKey(key) {
					key = canon
				}
				at = len(g.releases)
				byVersion[canon] = at
				g.releases = append(g.releases, pageRelease{text: text, key: key})
			}
			r = &g.releases[at]
		}
		r.files = append(r.files, f.toFile())
		r.extras = append(r.extras, fileExtra{at: i, metadata: f.metadata})
	}
	for i := range g.releases {
		g.releases[i].sortFiles()
	}
	return g
}

// sortFiles puts the release's files (and their extras) in filename order,
// which the page usually has already.
func (r *pageRelease) sortFiles() {
	byName := func(a, b int) int { return strings.Compare(r.files[a].Filename, r.files[b].Filename) }
	order := make([]int, len(r.files))
	for i := range order {
		order[i] = i
	}
	if slices.IsSortedFunc(order, byName) {
		return
	}
	slices.SortStableFunc(order, byName)
	files, extras := make([]File, len(order)), make([]fileExtra, len(order))
	for k, i := range order {
		files[k], extras[k] = r.files[i], r.extras[i]
	}
	r.files, r.extras = files, extras
}

// allFiles returns the page's files in page order (rebuilt from the
// grouping for a page read from its cached form).
func (p *simplePage) allFiles() []simpleFile {
	if p.files != nil || p.grouping == nil {
		return p.files
	}
	var files []simpleFile
	for r := range p.grouping.all() {
		for j, x := range r.extrasOf() {
			if x.at >= len(files) {
				files = slices.Grow(files, x.at+1-len(files))[:x.at+1]
			}
			files[x.at] = fromFile(r.files[j], x.metadata)
		}
	}
	return files
}

// fromFile is the page's file a File and its core metadata flag came from.
func fromFile(f File, metadata metadataFlag) simpleFile {
	return simpleFile{filename: f.Filename, url: f.URL, sha256: f.SHA256, requiresPython: f.RequiresPython,
		yanked: yankState{f.Yanked, f.YankedReason}, metadata: metadata, uploadTime: f.UploadTime}
}

// toFile converts a page's file to a File (sha256 only: the digest the
// output pins).
func (f simpleFile) toFile() File {
	return File{
		Filename: f.filename, URL: f.url, SHA256: f.sha256, RequiresPython: f.requiresPython,
		Yanked: f.yanked.yanked, YankedReason: f.yanked.reason, PackageType: packageType(f.filename), UploadTime: f.uploadTime,
	}
}

// builtTypes are the JSON API's packagetype of built distributions, by
// file extension.
var builtTypes = [][2]string{
	{".whl", "bdist_wheel"}, {".egg", "bdist_egg"}, {".exe", "bdist_wininst"},
	{".msi", "bdist_msi"}, {".rpm", "bdist_rpm"}, {".dmg", "bdist_dmg"},
}

// packageType is the JSON API's packagetype a filename implies.
func packageType(filename string) string {
	for _, t := range builtTypes {
		if strings.HasSuffix(filename, t[0]) {
			return t[1]
		}
	}
	if _, err := tags.ParseSdist(filename, ""); err == nil {
		return "sdist"
	}
	return ""
}

// fileVersion reads the version from a distribution filename of project
// (normalised): a wheel's version part, an sdist's after the name, else
// (eggs, installers, odd wheels) the longest of the known versions that
// follows the name, ending the name or followed by "-" or ".". "" when
// none can be read.
func fileVersion(filename, project string, known []string) string {
	if w, err := tags.ParseWheel(filename); err == nil {
		return w.Version
	}
	if !strings.HasSuffix(filename, ".whl") {
		if sd, err := tags.ParseSdist(filename, project); err == nil {
			return sd.Version
		}
	}
	rest, ok := afterName(filename, project)
	if !ok {
		return ""
	}
	best := ""
	for _, k := range known {
		if len(k) > len(best) && strings.HasPrefix(rest, k) && (len(rest) == len(k) || rest[len(k)] == '-' || rest[len(k)] == '.') {
			best = k
		}
	}
	return best
}

// afterName is the part of filename after "<name>-", where <name>
// normalises to project (escaped "_" names included).
func afterName(filename, project string) (string, bool) {
	for i := 0; i < len(filename); i++ {
		if filename[i] == '-' && pep508.NormalizeName(filename[:i]) == project {
			return filename[i+1:], true
		}
	}
	return "", false
}
