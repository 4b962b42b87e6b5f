package pypi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// cacheMagic starts every cache entry; bump the version when the format
// changes (old entries then read as corrupt and are refetched).
const cacheMagic = "req2nix-cache-v1\n"

// diskCache stores HTTP documents under dir, one file per URL:
//
//	<dir>/http-v1/<host>/<project>/<sha256(accept, url)[:32]>
//	<dir>/http-v1/<host>/_/<sha256(accept, url)[:32]>   (remembered 404s)
//
// Each file is cacheMagic, a one-line JSON header (URL, ETag, fetch time,
// body size and sha256) and the body, so a truncated or corrupt file is
// detected on read. Files are written to a temporary file in the same
// directory and renamed into place: readers (this process or another) see
// the old entry or the new one, never a mix, without locks.
type diskCache struct {
	dir string
}

// cacheEntry is one cached document.
type cacheEntry struct {
	URL     string    `json:"url"`
	ETag    string    `json:"etag,omitempty"`
	Fetched time.Time `json:"fetched"`
	Size    int       `json:"size"`
	SHA256  string    `json:"sha256"`
	Missing bool      `json:"missing,omitempty"` // the index answered 404 (remembered like a document)
	Body    []byte    `json:"-"`
}

// errCorrupt marks a cache entry that failed validation.
var errCorrupt = errors.New("corrupt cache entry")

// entryPath is where the document key (accept + url) of project name on
// host lives. Remembered 404s live under the project "" (directory "_"),
// so that the project directories list only names that exist.
func (c *diskCache) entryPath(host, name, key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(c.dir, "http-v1", safeSegment(host), safeSegment(name), hex.EncodeToString(sum[:16]))
}

// safeSegment makes s usable as one path segment: only [a-z0-9.-] survive,
// and "", ".", ".." become "_".
func safeSegment(s string) string {
	b := []byte(strings.ToLower(s))
	for i, ch := range b {
		if !(ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '.' || ch == '-') {
			b[i] = '_'
		}
	}
	if out := string(b); out != "" && out != "." && out != ".." {
		return out
	}
	return "_"
}

// load reads and validates the entry at path for url. It returns
// fs.ErrNotExist when there is none and an error wrapping errCorrupt when
// the file is not a complete, intact entry for url.
func (c *diskCache) load(path, url string) (*cacheEntry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	e, err := decodeEntry(data)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %v", errCorrupt, path, err)
	}
	if e.URL != url {
		return nil, fmt.Errorf("%w %s: holds %s, not %s", errCorrupt, path, Redact(e.URL), Redact(url))
	}
	return e, nil
}

// decodeEntry parses and validates the bytes of one entry.
func decodeEntry(data []byte) (*cacheEntry, error) {
	rest, ok := bytes.CutPrefix(data, []byte(cacheMagic))
	if !ok {
		return nil, errors.New("bad magic")
	}
	header, body, ok := bytes.Cut(rest, []byte("\n"))
	if !ok {
		return nil, errors.New("no header line")
	}
	var e cacheEntry
	if err := json.Unmarshal(header, &e); err != nil {
		return nil, fmt.Errorf("header: %v", err)
	}
	if len(body) != e.Size {
		return nil, fmt.Errorf("body is %d bytes, header says %d", len(body), e.Size)
	}
	if sum := sha256.Sum256(body); hex.EncodeToString(sum[:]) != e.SHA256 {
		return nil, errors.New("body sha256 does not match header")
	}
	e.Body = body
	return &e, nil
}

// encodeEntry serialises e (filling in Size and SHA256).
func encodeEntry(e *cacheEntry) ([]byte, error) {
	sum := sha256.Sum256(e.Body)
	e.Size, e.SHA256 = len(e.Body), hex.EncodeToString(sum[:])
	header, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(cacheMagic)+len(header)+1+len(e.Body))
	out = append(out, cacheMagic...)
	out = append(out, header...)
	out = append(out, '\n')
	return append(out, e.Body...), nil
}

// store writes e to path atomically.
func (c *diskCache) store(path string, e *cacheEntry) error {
	data, err := encodeEntry(e)
	if err != nil {
		return err
	}
	return writeFileAtomic(path, data)
}

// writeFileAtomic writes data to a temporary file beside path and renames it
// over path, so path is either absent, the old file or the complete new one.
func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// projectNames lists the project directories cached for host: names that
// existed on that index, for "did you mean" suggestions.
func (c *diskCache) projectNames(host string) []string {
	ents, err := os.ReadDir(filepath.Join(c.dir, "http-v1", safeSegment(host)))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	var names []string
	for _, e := range ents {
		if e.IsDir() && e.Name() != "_" {
			names = append(names, e.Name())
		}
	}
	return names
}
