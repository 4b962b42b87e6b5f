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

// docCodec decodes one kind of document, and says how it is kept in the
// cache: as the body alone, or also in a compact form (see form.go) that
// a warm run reads instead of parsing the body again.
type docCodec[T any] struct {
	decode func(body []byte) (T, error)
	// form names the layout encode writes and decodeForm reads, with a
	// version ("simple-page/1"); "" keeps the body only.
	form string
	// encode writes the form of a decoded document, and its lazy part:
	// what decodeForm reads only when the document's user asks for it.
	encode func(T) (form, lazy []byte)
	// decodeForm reads a form; lazy returns the lazy part (reading it
	// from the cache entry then).
	decodeForm func(form string, lazy func() (string, error)) (T, error)
}

// bodyOnly is the codec of documents kept as they are (small ones).
func bodyOnly[T any](decode func([]byte) (T, error)) docCodec[T] {
	return docCodec[T]{decode: decode}
}

// getDoc returns the decoded document d: read from a file:// mirror, or
// from the disk cache when usable, or fetched (conditionally when a cached
// copy exists), decoded and cached. A body that does not decode is an error
// naming the URL and is never cached. Concurrent calls for one document
// share one fetch.
func getDoc[T any](ctx context.Context, c *Client, d docReq, codec docCodec[T]) (T, error) {
	var zero T
	if d.url.Scheme == "file" {
		return readLocalDoc(d.url, codec.decode)
	}
	if v, ok := fromCache(c, d, codec); ok { // a warm run's usual answer, without a shared fetch to set up
		return v, nil
	}
	if cacheOnly(ctx) {
		return fetchCached(ctx, c, d, codec) // a remembered 404, an offline miss, or errNotCached
	}
	v, err := c.flights.do(ctx, "doc "+d.cacheKey(), func(ctx context.Context) (any, error) {
		return fetchCached(ctx, c, d, codec)
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

// fromCache answers d from a usable cache entry, when there is one.
func fromCache[T any](c *Client, d docReq, codec docCodec[T]) (T, bool) {
	key, where := d.cacheKey(), d.url.String()
	path := c.cache.entryPath(d.url.Host, d.project, key)
	cached := c.loadEntry(path, where)
	if cached == nil || cached.Missing || !c.usable(d, key, cached) {
		return *new(T), false // a remembered 404 is answered by fetchCached, with its message
	}
	v, err := fromEntry(c, path, cached, codec)
	if err != nil {
		return v, false
	}
	c.stats.cacheHits.Add(1)
	return v, true
}

// fetchCached implements getDoc for network documents.
func fetchCached[T any](ctx context.Context, c *Client, d docReq, codec docCodec[T]) (T, error) {
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
			if cached.legacy {
				c.storeEntry(missingPath, cached)
			}
			c.stats.cacheHits.Add(1)
			return zero, fmt.Errorf("GET %s: %w (remembered from %s)", where, errNotFound, cached.Fetched.Local().Format(time.DateTime))
		}
		v, err := fromEntry(c, path, cached, codec)
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
	if cacheOnly(ctx) {
		return zero, errNotCached
	}
	if cached != nil && !cached.Missing && !loadParts(cached) {
		cached = nil // replaced meanwhile: ask without a condition
	}
	body, etag, notModified, err := c.fetchBody(ctx, d, cached)
	if errors.Is(err, errNotFound) && d.mutable {
		c.rememberMissing(path, missingPath, where)
		c.validated.Store(key, struct{}{})
	}
	if err != nil {
		return zero, err
	}
	entry := &cacheEntry{URL: where, ETag: etag, Fetched: time.Now().UTC(), Body: body}
	var v T
	if notModified { // the cached copy is current
		v, err = fromEntry(c, "", cached, codec)
		if cached.FormKind == codec.form {
			entry.FormKind, entry.Form, entry.Lazy = cached.FormKind, cached.Form, cached.Lazy
		}
	} else {
		v, err = codec.decode(body)
	}
	if err != nil {
		return zero, malformedDoc("GET "+where, body, err)
	}
	if entry.FormKind != codec.form {
		entry.FormKind, entry.Form, entry.Lazy = codec.formOf(v)
	}
	c.storeEntry(path, entry)
	c.validated.Store(key, struct{}{})
	return v, nil
}

// fromEntry decodes a cached document: from its form when it has this
// codec's, else from its body. A document decoded from its body is
// rewritten at path (unless "") with the form, so that the next run reads
// that: an entry of the previous cache format (rewritten in the current
// one even without a form), or one written by a req2nix with another
// form.
func fromEntry[T any](c *Client, path string, e *cacheEntry, codec docCodec[T]) (T, error) {
	if codec.form != "" && e.FormKind == codec.form {
		v, err := codec.decodeForm(e.formText(), func() (string, error) { return c.lazyPart(e, codec.form) })
		if err == nil {
			return v, nil
		}
		c.log.Debug("cached form does not read; decoding the document", "url", e.URL, "error", err)
	}
	body, err := e.body()
	if err != nil {
		return *new(T), err
	}
	v, err := codec.decode(body)
	if err != nil || codec.form == "" && !e.legacy || path == "" {
		return v, err
	}
	up := &cacheEntry{URL: e.URL, ETag: e.ETag, Fetched: e.Fetched, Body: body}
	up.FormKind, up.Form, up.Lazy = codec.formOf(v)
	c.storeEntry(path, up)
	return v, nil
}

// lazyPart reads the lazy part of a cached form. When another process
// has replaced the entry since its header was read, the lazy part of the
// entry now in place is taken if it has the same form: a copy of the same
// document fetched at another time.
func (c *Client) lazyPart(e *cacheEntry, form string) (string, error) {
	b, err := e.lazyPart()
	if errors.Is(err, errReplaced) {
		fresh, lerr := c.cache.load(e.at.path, e.URL)
		if lerr != nil || fresh.FormKind != form {
			return "", err
		}
		b, err = fresh.lazyPart()
	}
	return unsafeString(b), err
}

// formOf is the form of v, with its kind ("" when the codec has none).
func (codec docCodec[T]) formOf(v T) (kind string, form, lazy []byte) {
	if codec.form == "" {
		return "", nil, nil
	}
	form, lazy = codec.encode(v)
	return codec.form, form, lazy
}

// loadParts reads the parts of a loaded entry not read yet, which
// revalidating it needs (a 304 answers with them); false when the file no
// longer holds them.
func loadParts(e *cacheEntry) bool {
	if _, err := e.body(); err != nil {
		return false
	}
	if e.FormKind != "" {
		if _, err := e.lazyPart(); err != nil {
			return false
		}
	}
	return true
}

// rememberMissing caches a 404 of a mutable document (a project an extra
// index lacks, an index without the Simple API) for MaxAge, so that warm
// and offline runs need not ask again; a stale positive entry is dropped.
func (c *Client) rememberMissing(path, missingPath, url string) {
	os.Remove(path)
	c.storeEntry(missingPath, &cacheEntry{URL: url, Fetched: time.Now().UTC(), Missing: true})
}

// storeEntry writes a cache entry; a failure (a full disk, a read-only
// cache) only costs the next run a fetch.
func (c *Client) storeEntry(path string, e *cacheEntry) {
	if err := c.cache.store(path, e); err != nil {
		c.log.Debug("cannot write cache entry", "path", path, "error", err)
	}
}

// fetchBody GETs the document, conditionally on the cached copy's ETag; a
// 304 answers with the cached body (notModified).
func (c *Client) fetchBody(ctx context.Context, d docReq, cached *cacheEntry) (body []byte, etag string, notModified bool, err error) {
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
		return nil, "", false, err
	}
	if resp.status == http.StatusNotModified {
		if cached == nil || cached.Missing {
			return nil, "", false, fmt.Errorf("GET %s: HTTP 304 to an unconditional request", Redact(d.url.String()))
		}
		return cached.Body, cmp.Or(resp.etag, cached.ETag), true, nil
	}
	return buf.Bytes(), resp.etag, false, nil
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
