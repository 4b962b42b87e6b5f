package pypi

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
)

// index is one configured package index.
type index struct {
	display string        // base URL for messages and Release.Index, credentials redacted
	base    *url.URL      // JSON API base without credentials or trailing slash
	user    *url.Userinfo // credentials from the URL, if any
	local   bool          // a file:// mirror: base.Path is a directory

	noSimple atomic.Bool // a file:// mirror known to have no simple/ directory
}

// checkMirrorDir fails for a file:// index whose directory does not exist:
// otherwise every project would be "not found" on it, a misleading answer
// to a mistyped path.
func (ix *index) checkMirrorDir() error {
	if !ix.local {
		return nil
	}
	st, err := os.Stat(filepath.FromSlash(ix.base.Path))
	if err != nil || !st.IsDir() {
		return fmt.Errorf("index %s: no such directory; a file:// index is a directory holding pypi/<name>/json (check the path)", ix.display)
	}
	return nil
}

// parseIndex reads an index URL: http(s) with optional userinfo, or
// file:///abs/dir. A trailing "/simple" or "/simple/" (pip's --index-url
// form) is stripped to find the JSON API base.
func parseIndex(raw string) (*index, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("index URL %q: %v", Redact(raw), unwrapURLError(err))
	}
	switch u.Scheme {
	case "http", "https":
		if u.Host == "" {
			return nil, fmt.Errorf("index URL %q has no host", Redact(raw))
		}
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return nil, fmt.Errorf("index URL %q: a file URL needs an absolute path, e.g. file:///srv/mirror (three slashes)", raw)
		}
		u.Host = ""
	default:
		return nil, fmt.Errorf("index URL %q: want https://, http:// or file:// (a local path is written file:///abs/path)", Redact(raw))
	}
	base, user := stripUserinfo(u)
	base.RawQuery, base.Fragment = "", ""
	base.Path = strings.TrimSuffix(strings.TrimSuffix(base.Path, "/"), "/simple")
	base.Path = strings.TrimSuffix(base.Path, "/")
	base.RawPath = ""
	ix := &index{base: base, user: user, local: u.Scheme == "file"}
	ix.display = Redact(ix.withUser().String())
	return ix, nil
}

// withUser is the base URL with its credentials, for display (redacted).
func (ix *index) withUser() *url.URL {
	u := *ix.base
	u.User = ix.user
	return &u
}

// join appends path segments to the base URL, each escaped as one segment.
// Segments come from validated names and checked release keys (safeKey).
func (ix *index) join(segments ...string) string {
	u := *ix.base
	u.RawPath = ix.base.EscapedPath()
	for _, s := range segments {
		u.Path += "/" + s
		u.RawPath += "/" + url.PathEscape(s)
	}
	return u.String()
}

// safeKey reports whether a release key from an index can be used as a URL
// path segment and directory name: not empty, no separators, not a dot
// segment.
func safeKey(key string) bool {
	return key != "" && key != "." && key != ".." && !strings.ContainsAny(key, "/\\\x00")
}

// projectURL is the JSON API project document: {base}/pypi/{name}/json.
func (ix *index) projectURL(name string) string { return ix.join("pypi", name, "json") }

// versionURL is the JSON API version document: {base}/pypi/{name}/{key}/json.
func (ix *index) versionURL(name, key string) string {
	return ix.join("pypi", name, key, "json")
}

// simpleURL is the PEP 691 project page: {base}/simple/{name}/, or for a
// file:// mirror bandersnatch's {dir}/simple/{name}/index.v1_json.
func (ix *index) simpleURL(name string) string {
	if ix.local {
		return ix.join("simple", name, "index.v1_json")
	}
	return ix.join("simple", name) + "/"
}

// localPath converts a file:// URL to a local path.
func localPath(u *url.URL) string {
	return filepath.FromSlash(u.Path)
}
