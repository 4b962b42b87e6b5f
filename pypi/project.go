package pypi

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/req2nix/req2nix/pypi/pep440"
	"hash"
	"net/url"
	"os"
	"path/filepath"

	"golang.org/x/sync/errgroup"

	"github.com/req2nix/req2nix/pypi/pep508"
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
	v, err := c.once(ctx, "project "+norm, func(ctx context.Context) (any, error) {
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

// fetchProject asks every index at once and merges the answers.
func (c *Client) fetchProject(ctx context.Context, asked, norm string) (*Project, error) {
	found := make([]*Project, len(c.indexes))
	g, gctx := errgroup.WithContext(ctx)
	for i, ix := range c.indexes {
		g.Go(func() error {
			p, err := c.indexProject(gctx, ix, norm)
			if errors.Is(err, errNotFound) {
				return nil
			}
			found[i] = p
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	merged := mergeProjects(found)
	if merged == nil {
		return nil, &NotFoundError{Name: asked, Index: c.indexNames(), Suggestions: suggest(norm, c.knownNames())}
	}
	c.seen.Store(norm, struct{}{})
	return merged, nil
}

// indexProject gets and parses the project document of one index. When
// the document gives no requires_dist for the latest release, the
// project's Simple API page is prefetched (see prefetchSimple).
func (c *Client) indexProject(ctx context.Context, ix *index, norm string) (*Project, error) {
	u, err := url.Parse(ix.projectURL(norm))
	if err != nil {
		return nil, err
	}
	type answer struct {
		project     *Project
		depsUnknown bool
		latestKey   string    // latestMetaKey of the latest release, "" when its info is unusable
		latest      *Metadata // that release's metadata
	}
	d := docReq{url: u, project: norm, mutable: true}
	a, err := getDoc(ctx, c, d, func(body []byte) (answer, error) {
		doc, err := decodeProjectDoc(body)
		if err != nil {
			return answer{}, err
		}
		a := answer{project: doc.project(norm, ix.display, c.log), depsUnknown: doc.latestDepsUnknown()}
		if v, m, ok := doc.latestMetadata(); ok {
			a.latestKey, a.latest = latestMetaKey(ix, norm, v), m
		}
		return a, nil
	})
	if err != nil {
		return nil, err
	}
	if a.latest != nil {
		c.latest.Store(a.latestKey, a.latest)
	}
	if a.depsUnknown && !ix.local && !c.offline {
		c.prefetchSimple(ix, norm)
	}
	return a.project, nil
}

// latestMetaKey names the metadata a project document gave for its latest
// release.
func latestMetaKey(ix *index, norm string, v pep440.Version) string {
	return ix.display + " " + norm + " " + v.String()
}

// prefetchSimple starts getting the project's Simple API page in the
// background. A release without requires_dist needs that page, then its
// .metadata file, after its version document; with the page fetched
// alongside the version document, the fallback costs the caller only the
// .metadata round trip. The hint costs at most one request per project
// (the page is memoised), and a failure here is only logged: the fallback
// asks again.
func (c *Client) prefetchSimple(ix *index, norm string) {
	_ = c.life.goTracked(func() { // fails only once closed: nothing to prefetch for
		if _, _, err := c.simplePage(c.life.ctx, ix, norm); err != nil {
			c.log.Debug("prefetching the Simple API page failed", "project", norm, "index", ix.display, "error", err)
		}
	})
}

// mergeProjects merges per-index answers (nil = not there), earlier indexes
// first; nil when no index has the project.
func mergeProjects(found []*Project) *Project {
	var out *Project
	for _, p := range found {
		if p == nil {
			continue
		}
		if out == nil {
			cp := *p
			cp.Releases = append([]Release(nil), p.Releases...)
			out = &cp
			continue
		}
		out.Releases = sortReleases(append(out.Releases, p.Releases...))
	}
	return out
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
		if ix.local {
			names = append(names, listDir(localPath(ix.base)+"/pypi")...)
		} else {
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
// from the index r came from: the version document's requires_dist, or
// when that is null the PEP 658 core metadata of one of r's files (checked
// against its published hash), or, when the index offers neither, no
// dependencies (Source json-api). The result is shared: read-only.
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
	v, err := c.once(ctx, "metadata "+ix.display+" "+norm+" "+key, func(ctx context.Context) (any, error) {
		return c.fetchMetadata(ctx, ix, norm, key, r)
	})
	if err != nil {
		return nil, err
	}
	return v.(*Metadata), nil
}

// fetchMetadata implements Metadata for one index.
func (c *Client) fetchMetadata(ctx context.Context, ix *index, norm, key string, r Release) (*Metadata, error) {
	u, err := url.Parse(ix.versionURL(norm, key))
	if err != nil {
		return nil, err
	}
	type versionInfo struct {
		meta  *Metadata
		known bool
	}
	info, err := getDoc(ctx, c, docReq{url: u, project: norm}, func(body []byte) (versionInfo, error) {
		m, known, err := parseVersionDoc(body)
		return versionInfo{m, known}, err
	})
	missing := errors.Is(err, errNotFound)
	if err != nil && !missing {
		return nil, err
	}
	if !missing && info.known {
		return finishMetadata(info.meta, norm, r), nil
	}
	core, err := c.coreMetadata(ctx, ix, norm, r)
	switch {
	case err != nil:
		return nil, err
	case core != nil:
		return finishMetadata(core, norm, r), nil
	case missing:
		return nil, fmt.Errorf("%s %s: no metadata on %s (no version document at %s, no PEP 658 core metadata)", norm, key, ix.display, Redact(u.String()))
	}
	c.log.Debug("requires_dist is null and no core metadata is offered; assuming no dependencies", "project", norm, "version", key, "index", ix.display)
	m := finishMetadata(info.meta, norm, r)
	m.Assumed = true
	return m, nil
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
	page, pageURL, err := c.simplePage(ctx, ix, norm)
	if err != nil || page == nil {
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
	fileURL, err := pageURL.Parse(f.URL)
	if err != nil {
		return nil, fmt.Errorf("%s: bad file URL %q: %v", Redact(pageURL.String()), Redact(f.URL), unwrapURLError(err))
	}
	metaURL := *fileURL
	metaURL.Path += ".metadata"
	metaURL.RawPath, metaURL.RawQuery, metaURL.Fragment = "", "", ""
	stripped, _ := stripUserinfo(&metaURL)
	verify := f.metadata().hashes
	return getDoc(ctx, c, docReq{url: stripped, project: norm}, func(body []byte) (*Metadata, error) {
		if err := checkDigests(body, verify); err != nil {
			return nil, err
		}
		return parseCoreMetadata(body, SourceCoreMetadata)
	})
}

// simplePage gets the PEP 691 page of the project on ix, nil when the index
// has none (memoised: every version's fallback reads the same page).
func (c *Client) simplePage(ctx context.Context, ix *index, norm string) (*simplePage, *url.URL, error) {
	u, err := url.Parse(ix.simpleURL(norm))
	if err != nil {
		return nil, nil, err
	}
	if ix.noSimple.Load() {
		return nil, u, nil
	}
	v, err := c.once(ctx, "simple "+u.String(), func(ctx context.Context) (any, error) {
		d := docReq{url: u, accept: simpleJSONAPI, project: norm, mutable: true}
		page, err := getDoc(ctx, c, d, parseSimplePage)
		if errors.Is(err, errNotFound) {
			c.checkSimpleAPI(ix)
			return (*simplePage)(nil), nil // no page: remembered for the run
		}
		return page, err
	})
	if err != nil {
		return nil, u, err
	}
	return v.(*simplePage), u, nil
}

// checkSimpleAPI is called when a project has no Simple API page on ix: a
// file:// mirror without a simple/ directory at all (a JSON-only mirror)
// is then remembered to have none, so that other projects do not look for
// theirs.
func (c *Client) checkSimpleAPI(ix *index) {
	if !ix.local {
		return
	}
	dir := filepath.Join(localPath(ix.base), "simple")
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		ix.noSimple.Store(true)
		c.log.Debug("the mirror has no Simple API pages: no core metadata fallback", "index", ix.display, "missing", dir)
	}
}

// digestAlgorithms are the hashes we can check, strongest first.
var digestAlgorithms = []struct {
	name string
	new  func() hash.Hash
}{{"sha512", sha512.New}, {"sha384", sha512.New384}, {"sha256", sha256.New}}

// checkDigests verifies body against the strongest known hash in want (a
// PEP 691 hash dictionary). No known hash means nothing to check.
func checkDigests(body []byte, want map[string]string) error {
	for _, algo := range digestAlgorithms {
		expected, ok := want[algo.name]
		if !ok {
			continue
		}
		h := algo.new()
		h.Write(body)
		if got := hex.EncodeToString(h.Sum(nil)); got != expected {
			return fmt.Errorf("%s mismatch: the index promised %s, got %s", algo.name, expected, got)
		}
		return nil
	}
	return nil
}
