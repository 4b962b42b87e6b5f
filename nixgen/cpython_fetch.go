package nixgen

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// CPythonFetchOptions controls FetchCPythonRelease.
type CPythonFetchOptions struct {
	CacheDir string // remembers the hash of each release downloaded; "" remembers nothing
	Offline  bool   // never download: only a remembered hash will do
	// BaseURL serves <BaseURL>/<M.m.p>/Python-<version>.tar.xz (default
	// https://www.python.org/ftp/python, what nixpkgs' cpython expression
	// fetches); tests point it at a local server. The release's URL is
	// always python.org's.
	BaseURL  string
	Client   *http.Client     // nil: a client with a 10-minute timeout
	Progress func(msg string) // told before the download
}

// cpythonFTP is where CPython's source releases are published.
const cpythonFTP = "https://www.python.org/ftp/python"

// FetchCPythonRelease returns a release the embedded table lacks (a
// release newer than the table): its tarball is downloaded once and
// hashed, and the hash remembered in the cache directory, so that re-runs
// (and --offline ones) need no network. The hash is then only as
// trustworthy as that download: the caller says so.
func FetchCPythonRelease(ctx context.Context, version string, o CPythonFetchOptions) (CPythonRelease, error) {
	r, err := exactRelease(version)
	if err != nil {
		return CPythonRelease{}, err
	}
	rel := CPythonRelease{Version: version, URL: cpythonTarballURL(cpythonFTP, version)}
	memo := ""
	if o.CacheDir != "" {
		memo = filepath.Join(o.CacheDir, "cpython", "Python-"+version+".tar.xz.json")
		if remembered, ok := rememberedRelease(memo, rel); ok {
			return remembered, nil
		}
	}
	unknown := &UnknownReleaseError{Version: version, Known: knownReleasesOf(r.MinorVersion())}
	if o.Offline {
		return CPythonRelease{}, fmt.Errorf("%w; --offline: its tarball was never downloaded on this machine to hash it, so run once without --offline", unknown)
	}
	base := o.BaseURL
	if base == "" {
		base = cpythonFTP
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 10 * time.Minute}
	}
	url := cpythonTarballURL(base, version)
	if o.Progress != nil {
		o.Progress(fmt.Sprintf("downloading Python-%s.tar.xz to compute its hash (it is not in req2nix's table of releases), once", version))
	}
	sum, err := hashDownload(ctx, o.Client, url)
	var notFound *httpStatusError
	switch {
	case errors.As(err, &notFound) && notFound.code == http.StatusNotFound:
		unknown.Missing = url
		return CPythonRelease{}, fmt.Errorf("%w (%s has no such file: is %s a CPython release?)", unknown, url, version)
	case err != nil:
		return CPythonRelease{}, fmt.Errorf("%w; downloading it to hash it failed: %v", unknown, err)
	}
	rel.SHA256 = hex.EncodeToString(sum)
	rel.Hash = "sha256-" + base64.StdEncoding.EncodeToString(sum)
	if memo != "" {
		data, _ := json.Marshal(rel)
		_ = writeFileAtomic(memo, data) // best effort: the next run downloads again
	}
	return rel, nil
}

// CPythonReleaseWithHash is a release the table lacks, with the hash the
// user gave for its tarball (SRI).
func CPythonReleaseWithHash(version, sri string) (CPythonRelease, error) {
	if _, err := exactRelease(version); err != nil {
		return CPythonRelease{}, err
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(sri, "sha256-"))
	if !isSRI(sri) || err != nil || len(raw) != sha256.Size {
		return CPythonRelease{}, fmt.Errorf("the hash of Python-%s.tar.xz, %q, is not an SRI sha256 (sha256-…=)", version, sri)
	}
	return CPythonRelease{Version: version, URL: cpythonTarballURL(cpythonFTP, version), SHA256: hex.EncodeToString(raw), Hash: sri}, nil
}

// exactRelease parses an exact release's version, in canonical form.
func exactRelease(version string) (PythonRequest, error) {
	r, err := ParsePythonRequest(version)
	if err != nil || !r.Exact() || r.FreeThreaded || r.Version() != version {
		return r, fmt.Errorf("CPython %q is not an exact release such as 3.11.11", version)
	}
	return r, nil
}

// cpythonTarballURL is the URL nixpkgs' cpython expression fetches for a
// release: the directory is the version without its pre-release suffix.
func cpythonTarballURL(base, version string) string {
	dir := version
	if i := strings.IndexAny(version, "abr"); i > 0 {
		dir = version[:i]
	}
	return strings.TrimSuffix(base, "/") + "/" + dir + "/Python-" + version + ".tar.xz"
}

// rememberedRelease reads a remembered hash of the same release.
func rememberedRelease(path string, want CPythonRelease) (CPythonRelease, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return CPythonRelease{}, false
	}
	var r CPythonRelease
	if json.Unmarshal(data, &r) != nil || r.Version != want.Version || r.URL != want.URL || !hexSHA256RE.R().MatchString(r.SHA256) || !isSRI(r.Hash) {
		return CPythonRelease{}, false
	}
	return r, true
}

type httpStatusError struct {
	url  string
	code int
	text string
}

func (e *httpStatusError) Error() string { return "GET " + e.url + ": " + e.text }

// hashDownload streams url into sha256.
func hashDownload(ctx context.Context, client *http.Client, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &httpStatusError{url: url, code: resp.StatusCode, text: resp.Status}
	}
	h := sha256.New()
	if _, err := io.Copy(h, resp.Body); err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	return h.Sum(nil), nil
}
