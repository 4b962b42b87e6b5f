package pypi

import (
	"maps"
	"net/url"
	"slices"
	"sync"

	"github.com/req2nix/req2nix/pypi/pep440"
)

// The cached forms of the documents a resolution reads on every run (see
// docCodec and form.go). Bump a form's version whenever its fields change:
// an entry with another version is decoded from its body and rewritten.

// simplePageCodec reads the Simple API pages of project name (normalised)
// fetched from pageURL. The form holds the page's files grouped into the
// project's releases, so that a warm run need not read a version out of
// every filename, nor copy the files into releases.
func simplePageCodec(pageURL *url.URL, name string) docCodec[*simplePage] {
	return docCodec[*simplePage]{
		decode:     func(body []byte) (*simplePage, error) { return parseSimplePage(body, pageURL) },
		form:       "simple-page/1",
		encode:     func(p *simplePage) ([]byte, []byte) { return encodeSimplePage(p, name), nil },
		decodeForm: func(form string, _ func() (string, error)) (*simplePage, error) { return decodeSimplePage(form) },
	}
}

// encodeSimplePage writes a page's form: its header fields, then its
// files grouped into the releases of project name (without release keys
// from elsewhere, see simpleProject), each release's files as the Release
// holds them, followed by the rest of what the page says of them (their
// page positions and core metadata), which few runs read.
func encodeSimplePage(p *simplePage, name string) []byte {
	w := formWriter{buf: make([]byte, 0, 64+len(p.files)*160)}
	w.str(p.apiVersion)
	w.strs(p.versions)
	w.str(p.status)
	w.str(p.reason)
	g := p.group(name, nil)
	w.str(g.name)
	w.int(len(g.releases))
	for _, r := range g.releases {
		w.str(r.text)
		w.str(r.key)
		writePageFiles(&w, r)
	}
	writePageFiles(&w, g.skipped)
	return w.buf
}

// writePageFiles writes a release's files and their extras.
func writePageFiles(w *formWriter, r pageRelease) {
	w.int(len(r.files))
	for _, f := range r.files {
		writeFile(w, f)
	}
	var extras formWriter
	for _, x := range r.extrasOf() {
		extras.int(x.at)
		extras.bool(x.metadata.present)
		extras.str(x.metadata.algo)
		extras.str(x.metadata.digest)
	}
	w.str(string(extras.buf))
}

// decodeSimplePage reads the form encodeSimplePage wrote. The extras stay
// in form until asked for.
func decodeSimplePage(form string) (*simplePage, error) {
	r := formReader{src: form}
	p := &simplePage{apiVersion: r.str(), versions: r.strs(), status: r.str(), reason: r.str()}
	g := &grouping{name: r.str()}
	g.releases = make([]pageRelease, r.count())
	for i := range g.releases {
		g.releases[i] = pageRelease{text: r.str(), key: r.str()}
		readPageFiles(&r, &g.releases[i])
	}
	readPageFiles(&r, &g.skipped)
	if err := r.done(); err != nil {
		return nil, err
	}
	p.grouping = g
	return p, nil
}

// readPageFiles reads what writePageFiles wrote.
func readPageFiles(r *formReader, into *pageRelease) {
	into.files = make([]File, r.count())
	for i := range into.files {
		into.files[i] = readFile(r)
	}
	into.form = r.str()
}

// decodeExtras reads the extras of n files.
func decodeExtras(form string, n int) ([]fileExtra, error) {
	r := formReader{src: form}
	extras := make([]fileExtra, n)
	for i := range extras {
		extras[i] = fileExtra{at: int(r.uint()), metadata: metadataFlag{present: r.bool(), algo: r.str(), digest: r.str()}}
	}
	return extras, r.done()
}

// projectDocCodec reads JSON API project documents. The form holds the
// latest release's metadata and the release keys; its lazy part the
// release list, which is read only when there is no Simple API page.
var projectDocCodec = docCodec[*projectDoc]{
	decode:     decodeProjectDoc,
	form:       "project-doc/1",
	encode:     encodeProjectDoc,
	decodeForm: decodeProjectDocForm,
}

// encodeProjectDoc writes a project document's form and lazy part.
func encodeProjectDoc(d *projectDoc) ([]byte, []byte) {
	var w formWriter
	w.str(d.name)
	writeMetadata(&w, d.latest)
	w.bool(d.listed)
	w.strs(d.releaseKeys())
	if !d.listed {
		return w.buf, nil
	}
	var lazy formWriter
	releases, err := d.releases()
	lazy.bool(err == nil)
	if err != nil {
		lazy.str(err.Error())
		return w.buf, lazy.buf
	}
	keys := slices.Sorted(maps.Keys(releases))
	lazy.int(len(keys))
	for _, key := range keys {
		lazy.str(key)
		lazy.int(len(releases[key]))
		for _, f := range releases[key] {
			writeFile(&lazy, f)
		}
	}
	return w.buf, lazy.buf
}

// decodeProjectDocForm reads the form encodeProjectDoc wrote; the release
// list is read from the lazy part when first asked for.
func decodeProjectDocForm(form string, lazy func() (string, error)) (*projectDoc, error) {
	r := formReader{src: form}
	d := &projectDoc{name: r.str()}
	d.latest = readMetadata(&r)
	d.listed = r.bool()
	keys := r.strs()
	if err := r.done(); err != nil {
		return nil, err
	}
	if d.latest != nil {
		v, err := pep440.Parse(d.latest.Version)
		if err != nil {
			return nil, errBadForm
		}
		d.latestVersion = v
	}
	d.keys = func() []string { return keys }
	d.releases = func() (map[string][]File, error) { return nil, nil }
	if d.listed {
		d.releases = sync.OnceValues(func() (map[string][]File, error) {
			text, err := lazy()
			if err != nil {
				return nil, err
			}
			return decodeReleasesForm(text)
		})
	}
	return d, nil
}

// decodeReleasesForm reads the lazy part encodeProjectDoc wrote: the
// release list, or why it did not decode.
func decodeReleasesForm(text string) (map[string][]File, error) {
	r := formReader{src: text}
	if !r.bool() {
		msg := r.str()
		if err := r.done(); err != nil {
			return nil, err
		}
		return nil, errorString(msg)
	}
	n := r.count()
	releases := make(map[string][]File, n)
	for range n {
		key := r.str()
		files := make([]File, r.count())
		for i := range files {
			files[i] = readFile(&r)
		}
		releases[key] = files
	}
	if err := r.done(); err != nil {
		return nil, err
	}
	return releases, nil
}

// errorString is an error kept in a form.
type errorString string

func (e errorString) Error() string { return string(e) }

// versionInfo is what a version document says: the release's metadata,
// and whether requires_dist was given (not null).
type versionInfo struct {
	meta  *Metadata
	known bool
}

// versionDocCodec reads JSON API version documents.
var versionDocCodec = docCodec[versionInfo]{
	decode: func(body []byte) (versionInfo, error) {
		m, known, err := parseVersionDoc(body)
		return versionInfo{m, known}, err
	},
	form: "version-doc/1",
	encode: func(v versionInfo) ([]byte, []byte) {
		var w formWriter
		writeMetadata(&w, v.meta)
		w.bool(v.known)
		return w.buf, nil
	},
	decodeForm: func(form string, _ func() (string, error)) (versionInfo, error) {
		r := formReader{src: form}
		v := versionInfo{meta: readMetadata(&r), known: r.bool()}
		if err := r.done(); err != nil || v.meta == nil {
			return versionInfo{}, errBadForm
		}
		return v, nil
	},
}

// writeMetadata writes m, or that there is none.
func writeMetadata(w *formWriter, m *Metadata) {
	w.bool(m != nil)
	if m == nil {
		return
	}
	w.str(m.Name)
	w.str(m.Version)
	w.strs(m.RequiresDist)
	w.str(m.RequiresPython)
	w.strs(m.ProvidesExtra)
	w.str(string(m.Source))
	w.bool(m.Assumed)
}

// readMetadata reads what writeMetadata wrote.
func readMetadata(r *formReader) *Metadata {
	if !r.bool() {
		return nil
	}
	return &Metadata{Name: r.str(), Version: r.str(), RequiresDist: r.strs(), RequiresPython: r.str(),
		ProvidesExtra: r.strs(), Source: MetadataSource(r.str()), Assumed: r.bool()}
}

// writeFile writes a release file.
func writeFile(w *formWriter, f File) {
	w.str(f.Filename)
	w.str(f.URL)
	w.str(f.SHA256)
	w.str(f.RequiresPython)
	w.bool(f.Yanked)
	w.str(f.YankedReason)
	w.str(f.PackageType)
	w.time(f.UploadTime)
}

// readFile reads what writeFile wrote.
func readFile(r *formReader) File {
	return File{Filename: r.str(), URL: r.str(), SHA256: r.str(), RequiresPython: r.str(),
		Yanked: r.bool(), YankedReason: r.str(), PackageType: r.str(), UploadTime: r.time()}
}
