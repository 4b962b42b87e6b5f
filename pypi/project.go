package pypi

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"net/url"
	"os"
	"path/filepath"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/req2nix/req2nix/pypi/pep440"
	"github.com/req2nix/req2nix/pypi/pep508"
	"github.com/req2nix/req2nix/pypi/tags"
)

// Project returns what the configured indexes know of the project name (any
// spelling; it is PEP 503-normalised). Releases of all indexes are merged,
// an earlier index winning for equal versions. A project no index has is a
// *NotFoundError. Results are memoised for the Client's lifetime and shared
// between callers: treat them as read-only.
func (c *Client) Project(ctx context.Context, name string) (*Project, error) {
	done, err := c.enter()
	if err != nil {
		return nil, err
	}
	defer done()
	norm, err := normalize(name)
	if err != nil {
		return nil, err
	}
	v, err := c.onceCached(ctx, "project "+norm, func(ctx context.Context) (any, error) {
		return c.fetchProject(ctx, name, norm)
	})
	if err != nil {
		return nil, err
	}
	return v.(*Project), nil
}

// normalize validates and normalises a project name (it becomes a URL path
// segment and a cache directory).
func normalize(name string) (string, error) {
	if !pep508.ValidName(name) {
		return "", fmt.Errorf("invalid project name %q: PEP 508 names are letters, digits, and ., -, _ inside", name)
	}
	return pep508.NormalizeName(name), nil
}

// fetchProject asks every index at once (one after the other in a
// cache-only attempt) and merges the answers.
func (c *Client) fetchProject(ctx context.Context, asked, norm string) (*Project, error) {
	found := make([]*Project, len(c.indexes))
	g, gctx := errgroup.WithContext(ctx)
	for i, ix := range c.indexes {
		ask := func() error {
			p, err := c.indexProject(gctx, ix, norm)
			if errors.Is(err, errNotFound) {
				return nil
			}
			found[i] = p
			return err
		}
		if cacheOnly(ctx) {
			if err := ask(); err != nil {
				return nil, err
			}
			continue
		}
		g.Go(ask)
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	merged, quarantined := mergeProjects(found)
	if quarantined != nil && merged == nil {
		return nil, &QuarantinedError{Name: asked, Index: quarantined.Index, Reason: quarantined.StatusReason}
	}
	if merged == nil {
		return nil, &NotFoundError{Name: asked, Index: c.indexNames(), Suggestions: suggest(norm, c.knownNames())}
	}
	c.seen.Store(norm, struct{}{})
	return merged, nil
}

// jsonAnswer is what the JSON API project document of one index says.
type jsonAnswer struct {
	doc       *projectDoc
	latestKey string    // latestMetaKey of the latest release, "" when its info is unusable
	latest    *Metadata // that release's metadata
}

// indexProject gets what index ix knows of project norm, or errNotFound.
// Versions, files and status come from the Simple API; the JSON API's
// project document, fetched alongside where the index has one, gives the
// latest release's metadata (saving the caller a round trip), and its
// deprecated "releases" list stands in only where the Simple API has no
// page for the project (an old mirror) or failed.
func (c *Client) indexProject(ctx context.Context, ix *index, norm string) (*Project, error) {
	if ix.flat {
		return c.flatProject(ix, norm)
	}
	var (
		wg                 sync.WaitGroup
		ans                jsonAnswer
		page               *simplePage
		jsonErr, simpleErr = errNotFound, errNotFound
	)
	start := wg.Go
	if cacheOnly(ctx) {
		start = func(f func()) { f() }
	}
	if ix.hasJSON() {
		start(func() { ans, jsonErr = c.jsonProject(ctx, ix, norm) })
	}
	if ix.hasSimple() {
		start(func() { page, _, simpleErr = c.simplePage(ctx, ix, norm) })
	}
	wg.Wait()
	if errors.Is(jsonErr, errNotCached) || errors.Is(simpleErr, errNotCached) {
		return nil, errNotCached // answer with both documents or not at all
	}
	if ans.latest != nil {
		c.latest.Store(ans.latestKey, ans.latest)
	}
	switch {
	case simpleErr == nil:
		return c.simpleProject(ix, norm, page, ans, jsonErr), nil
	case ans.doc != nil && ans.doc.hasReleases():
		if !errors.Is(simpleErr, errNotFound) {
			c.log.Debug("the Simple API failed; using the JSON API's release list", "project", norm, "index", ix.display, "error", simpleErr)
		}
		p, err := ans.doc.project(norm, ix.display, c.log)
		if err != nil {
			return nil, fmt.Errorf("GET %s: malformed document: %v", Redact(ix.projectURL(norm)), err)
		}
		return p, nil
	case !errors.Is(simpleErr, errNotFound):
		return nil, simpleErr
	case ans.doc != nil:
		c.log.Debug("the JSON API has the project but no release list, and there is no Simple API page: no files", "project", norm, "index", ix.display)
		return &Project{Name: norm, Index: ix.display}, nil
	}
	return nil, jsonErr
}

// simpleProject builds the project from its Simple API page, with the
// index's spelling of its versions (for version documents): PEP 700's
// list, else the JSON API's release keys.
func (c *Client) simpleProject(ix *index, norm string, page *simplePage, ans jsonAnswer, jsonErr error) *Project {
	var keys []string
	if ans.doc != nil && page.versions == nil { // PEP 700 versions spell them already
		keys = ans.doc.releaseKeys()
	}
	if jsonErr != nil && !errors.Is(jsonErr, errNotFound) {
		c.log.Debug("the JSON API failed; the Simple API suffices", "project", norm, "index", ix.display, "error", jsonErr)
	}
	return page.project(norm, ix.display, keys, c.log)
}

// jsonProject gets and decodes the JSON API project document of one index.
func (c *Client) jsonProject(ctx context.Context, ix *index, norm string) (jsonAnswer, error) {
	u, err := url.Parse(ix.projectURL(norm))
	if err != nil {
		return jsonAnswer{}, err
	}
	d := docReq{url: u, project: norm, mutable: true}
	doc, err := getDoc(ctx, c, d, projectDocCodec)
	if err != nil {
		return jsonAnswer{}, err
	}
	a := jsonAnswer{doc: doc}
	if v, m, ok := doc.latestMetadata(); ok {
		a.latestKey, a.latest = latestMetaKey(ix, norm, v), m
	}
	return a, nil
}

// latestMetaKey names the metadata a project document gave for its latest
// release.
func latestMetaKey(ix *index, norm string, v pep440.Version) string {
	return ix.display + " " + norm + " " + v.String()
}

// mergeProjects merges per-index answers (nil = not there), earlier indexes
// first; nil when no index offers the project. A quarantined answer (PEP
// 792: the index flagged the project as unsafe) adds nothing; it is
// returned when it is the only kind there is. The status is that of the
// first index that offers the project.
func mergeProjects(found []*Project) (merged, quarantined *Project) {
	for _, p := range found {
		switch {
		case p == nil:
		case p.Status == StatusQuarantined:
			if quarantined == nil {
				quarantined = p
			}
		case merged == nil:
			cp := *p
			cp.Releases = append([]Release(nil), p.Releases...)
			merged = &cp
		default:
			merged.Releases = sortReleases(append(merged.Releases, p.Releases...))
		}
	}
	return merged, quarantined
}

// knownNames are project names known to exist, for suggestions: found this
// run, cached from each index, listed in each file:// mirror.
func (c *Client) knownNames() []string {
	var names []string
	c.seen.Range(func(k, _ any) bool {
		names = append(names, k.(string))
		return true
	})
	for _, ix := range c.indexes {
		switch {
		case ix.local && ix.flat:
			names = append(names, flatProjectNames(localPath(ix.base))...)
		case ix.local:
			if ix.json != nil {
				names = append(names, listDir(filepath.Join(localPath(ix.json), "pypi"))...)
			}
			if ix.simple != nil {
				names = append(names, listDir(localPath(ix.simple))...)
			}
		default:
			names = append(names, c.cache.projectNames(ix.base.Host)...)
		}
	}
	return names
}

// listDir returns the names in dir (nil when unreadable).
func listDir(dir string) []string {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	names := make([]string, len(ents))
	for i, e := range ents {
		names[i] = e.Name()
	}
	return names
}

// Metadata returns the dependency metadata of release r of project name,
// from the index r came from, fetched only now that it is asked for: the
// PEP 658/714 core metadata of one of r's files (checked against its
// published hash) when the index offers it, else the JSON API's version
// document, else the distribution file itself (as pip reads it). The
// latest release's metadata usually came with the project document (no
// request). A version document with requires_dist null and no core
// metadata means no dependencies (Assumed). The result is shared:
// read-only.
func (c *Client) Metadata(ctx context.Context, name string, r Release) (*Metadata, error) {
	done, err := c.enter()
	if err != nil {
		return nil, err
	}
	defer done()
	norm, err := normalize(name)
	if err != nil {
		return nil, err
	}
	key := r.Key
	if key == "" {
		key = r.Version.String()
	}
	if !safeKey(key) {
		return nil, fmt.Errorf("%s: unusable release key %q", norm, key)
	}
	ix := c.indexFor(r.Index)
	if m, ok := c.latest.Load(latestMetaKey(ix, norm, r.Version)); ok {
		return finishMetadata(m.(*Metadata), norm, r), nil // no round trip for the latest release
	}
	v, err := c.onceCached(ctx, "metadata "+ix.display+" "+norm+" "+key, func(ctx context.Context) (any, error) {
		return c.fetchMetadata(ctx, ix, norm, key, r)
	})
	if err != nil {
		return nil, err
	}
	return v.(*Metadata), nil
}

// fetchMetadata implements Metadata for one index.
func (c *Client) fetchMetadata(ctx context.Context, ix *index, norm, key string, r Release) (*Metadata, error) {
	core, err := c.coreMetadata(ctx, ix, norm, r)
	if err != nil && !errors.Is(err, errNotFound) { // a .metadata file the page lists but the index lacks: try the others
		return nil, err
	}
	if core != nil {
		return finishMetadata(core, norm, r), nil
	}
	if ix.hasJSON() {
		m, known, err := c.versionDoc(ctx, ix, norm, key)
		switch {
		case err == nil && known:
			return finishMetadata(m, norm, r), nil
		case err == nil:
			c.log.Debug("requires_dist is null and no core metadata is offered; assuming no dependencies", "project", norm, "version", key, "index", ix.display)
			m = finishMetadata(m, norm, r)
			m.Assumed = true
			return m, nil
		case !errors.Is(err, errNotFound):
			return nil, err
		}
	}
	return c.distributionMetadata(ctx, ix, norm, r)
}

// versionDoc gets the JSON API version document: the metadata, and
// whether requires_dist was given (not null).
func (c *Client) versionDoc(ctx context.Context, ix *index, norm, key string) (*Metadata, bool, error) {
	u, err := url.Parse(ix.versionURL(norm, key))
	if err != nil {
		return nil, false, err
	}
	info, err := getDoc(ctx, c, docReq{url: u, project: norm}, versionDocCodec)
	return info.meta, info.known, err
}

// distributionMetadata reads the metadata from one of r's files, as pip
// does when an index publishes no metadata: a pure-Python wheel, else the
// sdist, else another wheel (downloaded and hash-checked like any other).
func (c *Client) distributionMetadata(ctx context.Context, ix *index, norm string, r Release) (*Metadata, error) {
	if cacheOnly(ctx) {
		return nil, errNotCached // an artifact to read, perhaps to download
	}
	f, ok := metadataSourceFile(r.Files)
	if !ok {
		return nil, fmt.Errorf("%s %s: no metadata on %s (no version document, no PEP 658 core metadata, no wheel or sdist to read it from)", norm, r.Version, ix.display)
	}
	c.log.Debug("the index publishes no metadata; reading it from a distribution file", "project", norm, "version", r.Version.String(), "file", f.Filename, "index", ix.display)
	m, err := c.ArtifactMetadata(ctx, f.URL, f.SHA256)
	if err != nil {
		return nil, fmt.Errorf("%s %s: the index %s publishes no metadata, and reading it from %s failed: %w", norm, r.Version, ix.display, f.Filename, err)
	}
	return finishMetadata(m, norm, r), nil
}

// metadataSourceFile picks the file whose metadata to read: a pure-Python
// wheel (smallest, and its METADATA is authoritative), else an sdist, else
// any wheel.
func metadataSourceFile(files []File) (File, bool) {
	rank := func(f File) int {
		switch w, err := tags.ParseWheel(f.Filename); {
		case err == nil && w.Pure():
			return 0
		case err == nil:
			return 2
		case f.PackageType == "sdist":
			return 1
		}
		return 3
	}
	best, found := File{}, false
	for _, f := range files {
		if rank(f) < 3 && (!found || rank(f) < rank(best)) {
			best, found = f, true
		}
	}
	return best, found
}

// finishMetadata normalises the name and version fields to the release's.
func finishMetadata(m *Metadata, norm string, r Release) *Metadata {
	out := *m
	out.Name = norm
	if r.Version != (Release{}).Version {
		out.Version = r.Version.String()
	} else {
		out.Version = normalizeVersion(out.Version)
	}
	return &out
}

// coreMetadata reads PEP 658/714 core metadata for r from the index's
// Simple API: nil (no error) when the index offers none for r's files.
func (c *Client) coreMetadata(ctx context.Context, ix *index, norm string, r Release) (*Metadata, error) {
	if !ix.hasSimple() {
		return nil, nil
	}
	page, pageURL, err := c.simplePage(ctx, ix, norm)
	if errors.Is(err, errNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	files := map[string]bool{}
	for _, f := range r.Files {
		files[f.Filename] = true
	}
	f, ok := page.coreMetadataFile(files)
	if !ok {
		return nil, nil
	}
	fileURL, err := url.Parse(f.url)
	if err != nil {
		return nil, fmt.Errorf("%s: bad file URL %q: %v", Redact(pageURL.String()), Redact(f.url), unwrapURLError(err))
	}
	metaURL := *fileURL
	metaURL.Path += ".metadata"
	metaURL.RawPath, metaURL.RawQuery, metaURL.Fragment = "", "", ""
	stripped, _ := stripUserinfo(&metaURL)
	verify := f.metadata
	return getDoc(ctx, c, docReq{url: stripped, project: norm}, bodyOnly(func(body []byte) (*Metadata, error) {
		if err := checkDigest(body, verify); err != nil {
			return nil, err
		}
		return parseCoreMetadata(body, SourceCoreMetadata)
	}))
}

// simplePage gets the project's Simple API page on ix (memoised: the
// project and every version's core metadata read the same page), or
// errNotFound.
func (c *Client) simplePage(ctx context.Context, ix *index, norm string) (*simplePage, *url.URL, error) {
	u, err := url.Parse(ix.simpleURL(norm))
	if err != nil {
		return nil, nil, err
	}
	v, err := c.onceCached(ctx, "simple "+u.String(), func(ctx context.Context) (any, error) {
		d := docReq{url: u, accept: simpleAccept, project: norm, mutable: true}
		page, err := getDoc(ctx, c, d, simplePageCodec(u, norm))
		if errors.Is(err, errNotFound) {
			return (*simplePage)(nil), nil // no page: remembered for the run
		}
		return page, err
	})
	if err != nil {
		return nil, u, err
	}
	if v.(*simplePage) == nil {
		return nil, u, fmt.Errorf("%s: %w", Redact(u.String()), errNotFound)
	}
	return v.(*simplePage), u, nil
}

// digestAlgorithms are the hashes we can check, strongest first.
var digestAlgorithms = []struct {
	name string
	new  func() hash.Hash
}{{"sha512", sha512.New}, {"sha384", sha512.New384}, {"sha256", sha256.New}}

// digestRank is algo's place in digestAlgorithms, -1 when we cannot check
// it.
func digestRank(algo string) int {
	for i, a := range digestAlgorithms {
		if a.name == algo {
			return i
		}
	}
	return -1
}

// checkDigest verifies body against a PEP 658 metadata hash (the
// strongest the page gave that we can check). None means nothing to
// check.
func checkDigest(body []byte, want metadataFlag) error {
	rank := digestRank(want.algo)
	if rank < 0 {
		return nil
	}
	h := digestAlgorithms[rank].new()
	h.Write(body)
	if got := hex.EncodeToString(h.Sum(nil)); got != want.digest {
		return fmt.Errorf("%s mismatch: the index promised %s, got %s", want.algo, want.digest, got)
	}
	return nil
}
