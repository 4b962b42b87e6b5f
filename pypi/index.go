package pypi

import (
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// index is one configured package index. Its URL means what it means to
// pip: the root of a Simple API, a project's page being {root}/{name}/
// (PEP 503). Where the index is laid out like PyPI (the root ends in
// /simple, or a file:// mirror has a pypi/ directory), the JSON API beside
// it is used too, as an accelerator that is never required.
type index struct {
	display string        // the index URL as given, credentials redacted: messages, Project.Index, Release.Index
	base    *url.URL      // the index URL without credentials, query or trailing slash (credential scope)
	simple  *url.URL      // Simple API root; nil when the index has none
	json    *url.URL      // JSON API base: {json}/pypi/{name}/json; nil when not laid out for it
	user    *url.Userinfo // credentials from the URL, if any
	local   bool          // a file:// mirror
	flat    bool          // a file:// directory of distribution files (pip download), no API
}

// scope is the path under which URLs belong to the index (for its
// credentials): the JSON API base when it has one (the parent of .../simple),
// else the index URL's path.
func (ix *index) scope() string {
	if ix.json != nil {
		return ix.json.Path
	}
	return ix.base.Path
}

// hasJSON and hasSimple report whether the index may have the API. Both
// are asked for every project (at once): an index whose root ends in
// /simple may lack the JSON API, and a mirror may lack either for some
// projects; a 404 costs no round trip and is cached like a document.
func (ix *index) hasJSON() bool   { return ix.json != nil }
func (ix *index) hasSimple() bool { return ix.simple != nil }

// parseIndex reads an index URL: http(s) with optional userinfo, or
// file:///abs/dir (a mirror, laid out as below).
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
	base.RawQuery, base.Fragment, base.RawPath = "", "", ""
	base.Path = strings.TrimRight(base.Path, "/")
	ix := &index{base: base, user: user, local: u.Scheme == "file"}
	withUser := *base
	withUser.User = user
	ix.display = Redact(withUser.String())
	if ix.local {
		return ix, ix.readMirrorLayout()
	}
	ix.simple, ix.json = remoteLayout(base)
	return ix, nil
}

// remoteLayout finds the APIs of an http(s) index: its URL is the Simple
// API root; when that root is .../simple (PyPI, and mirrors laid out like
// it), the JSON API is looked for beside it. A bare host means PyPI's
// layout: {host}/simple and {host}/pypi.
func remoteLayout(base *url.URL) (simple, json *url.URL) {
	switch {
	case base.Path == "":
		return withPath(base, "/simple"), withPath(base, "")
	case path.Base(base.Path) == "simple":
		return base, withPath(base, path.Dir(base.Path))
	}
	return base, nil
}

// withPath is u with another path ("/" counts as none).
func withPath(u *url.URL, p string) *url.URL {
	out := *u
	out.Path = strings.TrimRight(p, "/")
	return &out
}

// readMirrorLayout finds what a file:// mirror directory holds: a JSON
// API tree (pypi/<name>/json), a Simple API tree (simple/<name>/index.json
// and the like, or the directory itself being such a tree), or else a flat
// directory of distribution files (what pip download writes). A missing
// directory is an error: otherwise every project would be "not found" on
// it, a misleading answer to a mistyped path.
func (ix *index) readMirrorLayout() error {
	dir := localPath(ix.base)
	if !isDir(dir) {
		return fmt.Errorf("index %s: no such directory; a file:// index is a mirror directory holding pypi/<name>/json, simple/<name>/index.json or distribution files (check the path)", ix.display)
	}
	switch {
	case isDir(filepath.Join(dir, "pypi")) || isDir(filepath.Join(dir, "simple")):
		if isDir(filepath.Join(dir, "pypi")) {
			ix.json = ix.base
		}
		if isDir(filepath.Join(dir, "simple")) {
			ix.simple = withPath(ix.base, ix.base.Path+"/simple")
		}
	case path.Base(ix.base.Path) == "simple" && isDir(filepath.Join(filepath.Dir(dir), "pypi")):
		ix.simple, ix.json = ix.base, withPath(ix.base, path.Dir(ix.base.Path))
	case hasSubdirectories(dir):
		ix.simple = ix.base
	default:
		ix.flat = true
	}
	return nil
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// hasSubdirectories reports whether dir holds a directory (a project page
// of a Simple API tree).
func hasSubdirectories(dir string) bool {
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if e.IsDir() {
			return true
		}
	}
	return false
}

// join appends path segments to u, each escaped as one segment. Segments
// come from validated names and checked release keys (safeKey).
func join(base *url.URL, segments ...string) string {
	u := *base
	u.RawPath = base.EscapedPath()
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

// projectURL is the JSON API project document: {json}/pypi/{name}/json.
func (ix *index) projectURL(name string) string { return join(ix.json, "pypi", name, "json") }

// versionURL is the JSON API version document: {json}/pypi/{name}/{key}/json.
func (ix *index) versionURL(name, key string) string {
	return join(ix.json, "pypi", name, key, "json")
}

// simplePageFiles are the names a file:// mirror may give a project page,
// in order of preference: bandersnatch's PEP 691 file, the plain JSON one,
// PEP 503 HTML.
var simplePageFiles = []string{"index.v1_json", "index.json", "index.html"}

// simpleURL is the project's Simple API page: {simple}/{name}/, or for a
// file:// mirror the first of simplePageFiles in {simple}/{name}/ that
// exists (the JSON one when none does).
func (ix *index) simpleURL(name string) string {
	if !ix.local {
		return join(ix.simple, name) + "/"
	}
	for _, f := range simplePageFiles {
		if u := join(ix.simple, name, f); fileExists(localPath(mustParse(u))) {
			return u
		}
	}
	return join(ix.simple, name, simplePageFiles[1])
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// mustParse parses a URL built by join.
func mustParse(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// localPath converts a file:// URL to a local path.
func localPath(u *url.URL) string {
	return filepath.FromSlash(u.Path)
}
