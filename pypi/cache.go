package pypi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"
)

// cacheMagic starts every cache entry; the tree is named after it
// (cacheTree). Bump both when the entry format changes; entries of the
// previous format are still read (see legacy) and rewritten in the new one.
const (
	cacheMagic = "req2nix-cache-v2\n"
	cacheTree  = "http-v2"
)

// diskCache stores HTTP documents under dir, one file per URL:
//
//	<dir>/http-v2/<host>/<project>/<sha256(accept, url)[:32]>
//	<dir>/http-v2/<host>/_/<sha256(accept, url)[:32]>   (remembered 404s)
//
// An entry is cacheMagic, a text header of "key value" lines, then up to
// three parts: the document's form (the decoded document in a compact
// binary shape, see form.go: what a warm run reads instead of parsing the
// document again), an optional lazy part of the form (read only when asked
// for: a project document's release list, which PyPI's Simple API pages
// make unnecessary), and the document's body as the index sent it (read
// only to revalidate it, or to decode it when the form was written by
// another version of req2nix):
//
//	req2nix-cache-v2
//	url https://pypi.org/simple/flask/
//	etag "abc"                            (when the index sent one)
//	fetched 2026-05-01T10:00:00.123Z
//	missing                               (a remembered 404: no parts)
//	form simple-page/1 <size>             (when there is a form)
//	lazy <size> <crc32c>                  (when the form has a lazy part)
//	body <size> <sha256>
//	check <crc32c of the lines above and the form>
//	<form><lazy part><body>
//
// The checksums detect a truncated or damaged file, which then reads as
// absent. Files are written to a temporary file in the same directory and
// renamed into place: readers (this process or another) see the old entry
// or the new one, never a mix, without locks. Entries are not shared with
// older req2nix versions, which keep theirs in http-v1 (read here when
// http-v2 has none, so an upgrade starts warm, offline too).
type diskCache struct {
	dir    string
	legacy func() bool // whether the legacy tree exists (looked at once; nil: assume so)
}

func newDiskCache(dir string) diskCache {
	return diskCache{dir: dir, legacy: sync.OnceValue(func() bool {
		_, err := os.Stat(filepath.Join(dir, legacyTree))
		return err == nil
	})}
}

// hasLegacy reports whether entries of the previous format may exist.
func (c *diskCache) hasLegacy() bool { return c.legacy == nil || c.legacy() }

// cacheEntry is one cached document. Of a loaded entry, the header and
// Form are read at once; the lazy part and the body when asked for
// (lazyPart, body).
type cacheEntry struct {
	URL      string
	ETag     string
	Fetched  time.Time
	Missing  bool   // the index answered 404 (remembered like a document)
	FormKind string // names the form's layout ("" when there is none)
	Form     []byte
	Lazy     []byte // the lazy part of the form (nil until read)
	Body     []byte // the document as the index sent it (nil until read)

	at     *entryFile // where a loaded entry's unread parts are; nil for a new one
	legacy bool       // read from the previous format's tree
}

// entryFile locates the parts of a loaded entry that were not read with
// its header.
type entryFile struct {
	path   string
	tail   []byte // the bytes read past the form (all of them for a small file)
	tailAt int64  // their offset
	header entryHeader
	formAt int64
}

// entryHeader is what an entry's header lines say.
type entryHeader struct {
	url, etag  string
	fetched    time.Time
	missing    bool
	formKind   string
	formSize   int
	lazySize   int
	lazyCRC    uint32
	bodySize   int
	bodySHA256 string
	check      uint32
	size       int // of the header itself, magic included
}

// errCorrupt marks a cache entry that failed validation.
var errCorrupt = errors.New("corrupt cache entry")

// castagnoli is the CRC-32C table (computed in hardware on amd64 and arm64).
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// entryPath is where the document key (accept + url) of project name on
// host lives. Remembered 404s live under the project "" (directory "_"),
// so that the project directories list only names that exist.
func (c *diskCache) entryPath(host, name, key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(c.dir, cacheTree, safeSegment(host), safeSegment(name), hex.EncodeToString(sum[:16]))
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

// probeSize is how much of an entry the first read takes: the header and
// the form of most documents, and all of a small entry.
const probeSize = 16 << 10

// load reads the header and form of the entry at path for url. It returns
// fs.ErrNotExist when there is none and an error wrapping errCorrupt when
// the file is not an intact entry for url. An entry of the previous format
// at the same place in the legacy tree is read in full instead.
func (c *diskCache) load(path, url string) (*cacheEntry, error) {
	e, err := readEntry(path)
	if errors.Is(err, fs.ErrNotExist) && c.hasLegacy() {
		e, err = c.loadLegacy(path)
	}
	if err != nil {
		return nil, err
	}
	if e.URL != url {
		return nil, fmt.Errorf("%w %s: holds %s, not %s", errCorrupt, path, Redact(e.URL), Redact(url))
	}
	return e, nil
}

// readEntry reads the header and form of the entry at path: one read for
// most entries (all of a small one), two when the form is large.
func readEntry(path string) (*cacheEntry, error) {
	f, err := openEntry(path)
	if err != nil {
		return nil, err
	}
	defer f.close()
	probe := probes.Get().(*[]byte)
	defer probes.Put(probe)
	n, err := f.readAt(*probe, 0)
	if err != nil {
		return nil, err
	}
	buf := (*probe)[:n]
	complete := n < len(*probe)
	h, err := parseHeader(buf, complete)
	if errors.Is(err, errShortProbe) { // a header longer than the probe
		if buf, err = os.ReadFile(path); err != nil {
			return nil, err
		}
		complete = true
		h, err = parseHeader(buf, complete)
	}
	if err != nil {
		return nil, fmt.Errorf("%w %s: %v", errCorrupt, path, err)
	}
	// Keep what the entry needs in memory of its own (the probe is
	// reused): up to the form's end, and of a small file its lazy part, and
	// its body when it has no form (the body is otherwise read only to
	// revalidate it).
	formEnd := h.size + h.formSize
	keep := formEnd
	switch {
	case complete && h.formKind == "":
		keep = len(buf)
	case complete:
		keep = formEnd + h.lazySize
	}
	data := make([]byte, keep)
	copied := copy(data, buf)
	if copied < keep {
		if n, err := f.readAt(data[copied:], int64(copied)); err != nil || n < keep-copied {
			return nil, fmt.Errorf("%w %s: truncated form", errCorrupt, path)
		}
	}
	e, err := h.entry(data[:formEnd])
	if err != nil {
		return nil, fmt.Errorf("%w %s: %v", errCorrupt, path, err)
	}
	e.at = &entryFile{path: path, tail: data[formEnd:], tailAt: int64(formEnd), header: h, formAt: int64(h.size)}
	return e, nil
}

// probes are the buffers of readEntry's first read.
var probes = sync.Pool{New: func() any { b := make([]byte, probeSize); return &b }}

// errShortProbe is a header that does not end within the bytes read.
var errShortProbe = errors.New("header longer than the first read")

// parseHeader reads the header of an entry from the start of data (all of
// the file when complete).
func parseHeader(data []byte, complete bool) (entryHeader, error) {
	rest, ok := bytes.CutPrefix(data, []byte(cacheMagic))
	if !ok {
		return entryHeader{}, errors.New("bad magic")
	}
	h := entryHeader{size: len(cacheMagic)}
	seen := map[string]bool{}
	for !seen["check"] {
		line, after, ok := bytes.Cut(rest, []byte("\n"))
		if !ok && complete {
			return entryHeader{}, errors.New("truncated header")
		}
		if !ok {
			return entryHeader{}, errShortProbe
		}
		key, value, _ := strings.Cut(string(line), " ")
		if seen[key] {
			return entryHeader{}, fmt.Errorf("header %q twice", key)
		}
		seen[key] = true
		if err := h.set(key, value); err != nil {
			return entryHeader{}, fmt.Errorf("header %s: %v", key, err)
		}
		h.size += len(line) + 1
		rest = after
	}
	switch {
	case h.url == "" || h.fetched.IsZero():
		return entryHeader{}, errors.New("no url or fetch time")
	case h.missing && (h.formKind != "" || h.lazySize > 0 || h.bodySHA256 != ""):
		return entryHeader{}, errors.New("a remembered 404 with a document")
	case !h.missing && h.bodySHA256 == "":
		return entryHeader{}, errors.New("no body")
	case h.formKind == "" && h.lazySize > 0:
		return entryHeader{}, errors.New("a lazy part without a form")
	case complete && len(data) != h.size+h.formSize+h.lazySize+h.bodySize:
		return entryHeader{}, fmt.Errorf("%d bytes, header says %d", len(data), h.size+h.formSize+h.lazySize+h.bodySize)
	}
	return h, nil
}

// set reads one header line into h.
func (h *entryHeader) set(key, value string) error {
	var err error
	switch key {
	case "url":
		h.url = value
	case "etag":
		h.etag = value
	case "fetched":
		h.fetched, err = time.Parse(time.RFC3339Nano, value)
	case "missing":
		h.missing = value == ""
		if !h.missing {
			err = errors.New("takes no value")
		}
	case "form":
		kind, size, _ := strings.Cut(value, " ")
		h.formKind, h.formSize = kind, sizeValue(size, &err)
		if kind == "" {
			err = errors.Join(err, errors.New("no form kind"))
		}
	case "lazy":
		size, sum, _ := strings.Cut(value, " ")
		h.lazySize = sizeValue(size, &err)
		h.lazyCRC = crcValue(sum, &err)
	case "body":
		size, sum, _ := strings.Cut(value, " ")
		h.bodySize = sizeValue(size, &err)
		if len(sum) != 64 || strings.ToLower(sum) != sum {
			err = errors.New("bad sha256")
		} else if _, herr := hex.DecodeString(sum); herr != nil {
			err = herr
		}
		h.bodySHA256 = sum
	case "check":
		h.check = crcValue(value, &err)
	default:
		err = errors.New("unknown")
	}
	return err
}

// sizeValue reads a part's size, recording a bad one in *err.
func sizeValue(s string, err *error) int {
	n, perr := strconv.Atoi(s)
	if perr != nil || n < 0 || n > maxDocBytes {
		*err = errors.Join(*err, fmt.Errorf("bad size %q", s))
		return 0
	}
	return n
}

// crcValue reads a CRC-32C in hex, recording a bad one in *err.
func crcValue(s string, err *error) uint32 {
	n, perr := strconv.ParseUint(s, 16, 32)
	if perr != nil || len(s) != 8 {
		*err = errors.Join(*err, fmt.Errorf("bad checksum %q", s))
	}
	return uint32(n)
}

// entry checks the header and form (data: the file up to the form's end)
// against the check value and builds the entry.
func (h entryHeader) entry(data []byte) (*cacheEntry, error) {
	checkLine := strings.LastIndex(string(data[:h.size-1]), "\n") + 1 // "check ..." is the last header line
	sum := crc32.Update(crc32.Checksum(data[:checkLine], castagnoli), castagnoli, data[h.size:])
	if sum != h.check {
		return nil, errors.New("header or form damaged (checksum)")
	}
	e := &cacheEntry{URL: h.url, ETag: h.etag, Fetched: h.fetched, Missing: h.missing, FormKind: h.formKind}
	if h.formKind != "" {
		e.Form = data[h.size:len(data):len(data)]
	}
	return e, nil
}

// part returns n bytes of the entry's file at offset at, from what was
// read with the header when it covers them, else read now.
func (f *entryFile) part(at int64, n int) ([]byte, error) {
	if at >= f.tailAt && at+int64(n) <= f.tailAt+int64(len(f.tail)) {
		return f.tail[at-f.tailAt : at-f.tailAt+int64(n)], nil
	}
	file, err := openEntry(f.path)
	if err != nil {
		return nil, err
	}
	defer file.close()
	buf := make([]byte, n)
	if got, err := file.readAt(buf, at); err != nil || got < n {
		return nil, fmt.Errorf("%s: short read", f.path)
	}
	return buf, nil
}

// formText is the entry's form as a string, sharing its bytes: a loaded
// entry's parts are never written to, and a form's strings (substrings of
// it) then cost no copy.
func (e *cacheEntry) formText() string { return unsafeString(e.Form) }

// unsafeString is b as a string, without a copy; b must never change
// afterwards.
func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// errReplaced is an entry whose file another writer replaced since its
// header was read.
var errReplaced = errors.New("cache entry replaced while in use")

// lazyPart returns the lazy part of the entry's form, reading it now if
// need be. It fails with errReplaced when the file no longer holds it.
func (e *cacheEntry) lazyPart() ([]byte, error) {
	if e.Lazy != nil || e.at == nil {
		return e.Lazy, nil
	}
	h := e.at.header
	b, err := e.at.part(e.at.formAt+int64(h.formSize), h.lazySize)
	if err != nil || crc32.Checksum(b, castagnoli) != h.lazyCRC {
		return nil, fmt.Errorf("%w: %s", errReplaced, e.at.path)
	}
	e.Lazy = b
	return b, nil
}

// body returns the document, reading it now if need be. It fails with
// errReplaced when the file no longer holds it.
func (e *cacheEntry) body() ([]byte, error) {
	if e.Body != nil || e.at == nil || e.Missing {
		return e.Body, nil
	}
	h := e.at.header
	b, err := e.at.part(e.at.formAt+int64(h.formSize+h.lazySize), h.bodySize)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", errReplaced, e.at.path)
	}
	if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != h.bodySHA256 {
		return nil, fmt.Errorf("%w: %s", errReplaced, e.at.path)
	}
	e.Body = b
	return b, nil
}

// decodeEntry parses and validates a whole entry, every part read.
func decodeEntry(data []byte) (*cacheEntry, error) {
	h, err := parseHeader(data, true)
	if err != nil {
		return nil, err
	}
	formEnd := h.size + h.formSize
	e, err := h.entry(data[:formEnd])
	if err != nil {
		return nil, err
	}
	e.at = &entryFile{tail: data[formEnd:], tailAt: int64(formEnd), header: h, formAt: int64(h.size)}
	if !loadParts(e) {
		return nil, errors.New("lazy part or body damaged (checksum)")
	}
	return e, nil
}

// encodeEntry serialises e. Its body, and its lazy part when it has a
// form, must be loaded.
func encodeEntry(e *cacheEntry) ([]byte, error) {
	if strings.ContainsAny(e.URL, "\r\n") || e.URL == "" {
		return nil, fmt.Errorf("cannot cache %q", e.URL)
	}
	var b bytes.Buffer
	b.WriteString(cacheMagic)
	fmt.Fprintf(&b, "url %s\n", e.URL)
	if e.ETag != "" && !strings.ContainsAny(e.ETag, "\r\n") { // a header cannot hold a newline; without an ETag the next fetch is unconditional
		fmt.Fprintf(&b, "etag %s\n", e.ETag)
	}
	fmt.Fprintf(&b, "fetched %s\n", e.Fetched.UTC().Format(time.RFC3339Nano))
	var lazy []byte
	switch {
	case e.Missing:
		b.WriteString("missing\n")
	case e.FormKind != "":
		fmt.Fprintf(&b, "form %s %d\n", e.FormKind, len(e.Form))
		if lazy = e.Lazy; len(lazy) > 0 {
			fmt.Fprintf(&b, "lazy %d %08x\n", len(lazy), crc32.Checksum(lazy, castagnoli))
		}
	}
	if !e.Missing {
		sum := sha256.Sum256(e.Body)
		fmt.Fprintf(&b, "body %d %s\n", len(e.Body), hex.EncodeToString(sum[:]))
	}
	form := []byte(nil)
	if e.FormKind != "" && !e.Missing {
		form = e.Form
	}
	check := crc32.Update(crc32.Checksum(b.Bytes(), castagnoli), castagnoli, form)
	fmt.Fprintf(&b, "check %08x\n", check)
	b.Write(form)
	b.Write(lazy)
	if !e.Missing {
		b.Write(e.Body)
	}
	return b.Bytes(), nil
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

// projectNames lists the project directories cached for host (in either
// tree): names that existed on that index, for "did you mean" suggestions.
func (c *diskCache) projectNames(host string) []string {
	var names []string
	for _, tree := range []string{cacheTree, legacyTree} {
		ents, err := os.ReadDir(filepath.Join(c.dir, tree, safeSegment(host)))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		for _, e := range ents {
			if e.IsDir() && e.Name() != "_" {
				names = append(names, e.Name())
			}
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// The previous entry format (req2nix before the forms): the magic line, a
// one-line JSON header, the body.
const (
	legacyMagic = "req2nix-cache-v1\n"
	legacyTree  = "http-v1"
)

// loadLegacy reads the previous format's entry at the place of path in
// the legacy tree, as an entry without a form.
func (c *diskCache) loadLegacy(path string) (*cacheEntry, error) {
	rel, err := filepath.Rel(filepath.Join(c.dir, cacheTree), path)
	if err != nil || strings.HasPrefix(rel, "..") {
		return nil, fs.ErrNotExist
	}
	legacy := filepath.Join(c.dir, legacyTree, rel)
	data, err := os.ReadFile(legacy)
	if err != nil {
		return nil, err
	}
	e, err := decodeLegacyEntry(data)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %v", errCorrupt, legacy, err)
	}
	return e, nil
}

// decodeLegacyEntry parses and validates the bytes of a previous-format
// entry.
func decodeLegacyEntry(data []byte) (*cacheEntry, error) {
	rest, ok := bytes.CutPrefix(data, []byte(legacyMagic))
	if !ok {
		return nil, errors.New("bad magic")
	}
	line, body, ok := bytes.Cut(rest, []byte("\n"))
	if !ok {
		return nil, errors.New("no header line")
	}
	var h struct {
		URL     string    `json:"url"`
		ETag    string    `json:"etag"`
		Fetched time.Time `json:"fetched"`
		Size    int       `json:"size"`
		SHA256  string    `json:"sha256"`
		Missing bool      `json:"missing"`
	}
	if err := json.Unmarshal(line, &h); err != nil {
		return nil, fmt.Errorf("header: %v", err)
	}
	if len(body) != h.Size {
		return nil, fmt.Errorf("body is %d bytes, header says %d", len(body), h.Size)
	}
	if sum := sha256.Sum256(body); hex.EncodeToString(sum[:]) != h.SHA256 {
		return nil, errors.New("body sha256 does not match header")
	}
	if h.Missing {
		body = nil
	}
	return &cacheEntry{URL: h.URL, ETag: h.ETag, Fetched: h.Fetched, Missing: h.Missing, Body: body, legacy: true}, nil
}
