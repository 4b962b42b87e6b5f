package pypi

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"time"
)

// docReq describes one index document to get.
type docReq struct {
	url     *url.URL // without credentials
	accept  string   // Accept header ("" for the default)
	project string   // normalised project name: the cache directory
	mutable bool     // revalidated after MaxAge; otherwise cached for good
}

// cacheKey identifies the document in the cache and in flight.
func (d docReq) cacheKey() string { return d.accept + " " + d.url.String() }

// getDoc returns the decoded document d: read from a file:// mirror, or
// from the disk cache when usable, or fetched (conditionally when a cached
// copy exists), decoded and cached. A body that does not decode is an error
// naming the URL and is never cached. Concurrent calls for one document
// share one fetch.
func getDoc[T any](ctx context.Context, c *Client, d docReq, decode func([]byte) (T, error)) (T, error) {
	var zero T
	if d.url.Scheme == "file" {
		return readLocalDoc(d.url, decode)
	}
	v, err := c.flights.do(ctx, "doc "+d.cacheKey(), func(ctx context.Context) (any, error) {
		return fetchCached(ctx, c, d, decode)
	})
	if err != nil {
		return zero, err
	}
	t, _ := v.(T)
	return t, nil
}

// readLocalDoc reads and decodes a document of a file:// mirror.
func readLocalDoc[T any](u *url.URL, decode func([]byte) (T, error)) (T, error) {
	var zero T
	body, err := os.ReadFile(localPath(u))
	if errors.Is(err, fs.ErrNotExist) {
		return zero, fmt.Errorf("%s: %w", u, errNotFound)
	}
	if err != nil {
		return zero, err
	}
	v, err := decode(body)
	if err != nil {
		return zero, malformedDoc(u.String(), body, err)
	}
	return v, nil
}

// malformedDoc words a document that does not decode. An HTML page (a login
// or proxy page, or a Simple API address where the JSON API is expected) is
// named as such rather than by the JSON decoder's first complaint.
func malformedDoc(where string, body []byte, err error) error {
	if bytes.HasPrefix(bytes.TrimSpace(body), []byte("<")) && !errors.Is(err, errNotProjectPage) {
		return fmt.Errorf("%s: malformed document: an HTML page, not JSON; check that the index address serves the PyPI JSON API (a login or proxy page answers like this)", where)
	}
	return fmt.Errorf("%s: malformed document: %v", where, err)
}

// fetchCached implements getDoc for network documents.
func fetchCached[T any](ctx context.Context, c *Client, d docReq, decode func([]byte) (T, error)) (T, error) {
	var zero T
	key, where := d.cacheKey(), d.url.String()
	path := c.cache.entryPath(d.url.Host, d.project, key)
	missingPath := c.cache.entryPath(d.url.Host, "", key)
	cached := c.loadEntry(path, where)
	if cached == nil && d.mutable {
		cached = c.loadEntry(missingPath, where)
	}
	if cached != nil && c.usable(d, key, cached) {
		if cached.Missing {
			c.stats.cacheHits.Add(1)
			return zero, fmt.Errorf("GET %s: %w (remembered from %s)", where, errNotFound, cached.Fetched.Local().Format(time.DateTime))
		}
		v, err := decode(cached.Body)
		if err == nil {
			c.stats.cacheHits.Add(1)
			return v, nil
		}
		c.log.Debug("cached document does not parse; refetching", "path", path, "url", where, "error", err)
		cached = nil
	}
	if c.offline {
		return zero, offlineMiss(where)
	}
	body, etag, err := c.fetchBody(ctx, d, cached)
	if errors.Is(err, errNotFound) && d.mutable {
		c.rememberMissing(path, missingPath, where)
		c.validated.Store(key, struct{}{})
	}
	if err != nil {
		return zero, err
	}
	v, err := decode(body)
	if err != nil {
		return zero, malformedDoc("GET "+where, body, err)
	}
	entry := &cacheEntry{URL: where, ETag: etag, Fetched: time.Now().UTC(), Body: body}
	if err := c.cache.store(path, entry); err != nil {
		c.log.Debug("cannot write cache entry", "path", path, "error", err)
	}
	c.validated.Store(key, struct{}{})
	return v, nil
}

// rememberMissing caches a 404 of a mutable document (a project an extra
// index lacks, an index without the Simple API) for MaxAge, so that warm
// and offline runs need not ask again; a stale positive entry is dropped.
func (c *Client) rememberMissing(path, missingPath, url string) {
	os.Remove(path)
	if err := c.cache.store(missingPath, &cacheEntry{URL: url, Fetched: time.Now().UTC(), Missing: true}); err != nil {
		c.log.Debug("cannot write cache entry", "path", missingPath, "error", err)
	}
}

// fetchBody GETs the document, conditionally on the cached copy's ETag; a
// 304 answers with the cached body.
func (c *Client) fetchBody(ctx context.Context, d docReq, cached *cacheEntry) (body []byte, etag string, err error) {
	// Asking for gzip ourselves (rather than leaving it to net/http) lets
	// the counters see the compressed bytes actually transferred.
	hdr := http.Header{"Accept-Encoding": {"gzip"}}
	if d.accept != "" {
		hdr.Set("Accept", d.accept)
	}
	if cached != nil && cached.ETag != "" && !cached.Missing {
		hdr.Set("If-None-Match", cached.ETag)
	}
	var buf bytes.Buffer
	resp, err := c.httpGet(ctx, d.url, hdr, c.timeout, func(r io.Reader) error {
		buf.Reset()
		n, err := buf.ReadFrom(io.LimitReader(r, maxDocBytes+1))
		if n > maxDocBytes {
			return &permanentError{fmt.Errorf("GET %s: document larger than %d MiB", Redact(d.url.String()), maxDocBytes>>20)}
		}
		return err
	})
	if err != nil {
		return nil, "", err
	}
	if resp.status == http.StatusNotModified {
		if cached == nil || cached.Missing {
			return nil, "", fmt.Errorf("GET %s: HTTP 304 to an unconditional request", Redact(d.url.String()))
		}
		return cached.Body, cmp.Or(resp.etag, cached.ETag), nil
	}
	return buf.Bytes(), resp.etag, nil
}

// loadEntry reads a cache entry, logging (and ignoring) a corrupt one.
func (c *Client) loadEntry(path, url string) *cacheEntry {
	e, err := c.cache.load(path, url)
	if errors.Is(err, errCorrupt) {
		c.log.Debug("ignoring corrupt cache entry", "error", err)
	}
	if err != nil {
		return nil
	}
	return e
}

// usable reports whether a cached entry may answer without a request:
// always offline; never before its first revalidation in a Refresh run;
// immutable documents forever; project documents within MaxAge.
func (c *Client) usable(d docReq, key string, e *cacheEntry) bool {
	if c.offline {
		return true
	}
	if _, done := c.validated.Load(key); done {
		return true
	}
	if c.refresh {
		return false
	}
	age := time.Since(e.Fetched)
	return !d.mutable || (age >= 0 && age < c.maxAge)
}
