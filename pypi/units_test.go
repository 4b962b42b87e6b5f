package pypi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/req2nix/req2nix/pypi/pep440"
)

// TestParseIndex: an index URL is the root of a Simple API, as pip takes
// it; the JSON API is looked for beside a root named "simple" (and a bare
// host means PyPI's layout), nowhere else.
func TestParseIndex(t *testing.T) {
	tests := []struct {
		raw                           string
		display, simple, project, ver string // project and ver "" when the index has no JSON API
		err                           string
	}{
		{raw: "https://pypi.org/simple", display: "https://pypi.org/simple", simple: "https://pypi.org/simple/flask/", project: "https://pypi.org/pypi/flask/json", ver: "https://pypi.org/pypi/flask/1.0/json"},
		{raw: "https://pypi.org/simple/", display: "https://pypi.org/simple", simple: "https://pypi.org/simple/flask/", project: "https://pypi.org/pypi/flask/json"},
		{raw: "https://pypi.org", display: "https://pypi.org", simple: "https://pypi.org/simple/flask/", project: "https://pypi.org/pypi/flask/json"},
		{raw: "https://pypi.org/", display: "https://pypi.org", simple: "https://pypi.org/simple/flask/", project: "https://pypi.org/pypi/flask/json"},
		{raw: "https://download.pytorch.org/whl/cpu", display: "https://download.pytorch.org/whl/cpu", simple: "https://download.pytorch.org/whl/cpu/torch/"},
		{raw: "https://u:secret@nexus.example:8443/repository/pypi/simple", display: "https://u:****@nexus.example:8443/repository/pypi/simple", simple: "https://nexus.example:8443/repository/pypi/simple/flask/", project: "https://nexus.example:8443/repository/pypi/pypi/flask/json"},
		{raw: "https://token@devpi.example/root/pypi/+simple/", display: "https://****@devpi.example/root/pypi/+simple", simple: "https://devpi.example/root/pypi/+simple/flask/"},
		{raw: "https://gitlab.example/api/v4/projects/7/packages/pypi/simple?x=1", display: "https://gitlab.example/api/v4/projects/7/packages/pypi/simple", simple: "https://gitlab.example/api/v4/projects/7/packages/pypi/simple/flask/", project: "https://gitlab.example/api/v4/projects/7/packages/pypi/pypi/flask/json"},
		{raw: "file://srv/mirror", err: "three slashes"},
		{raw: "/srv/mirror", err: "want https://, http:// or file://"},
		{raw: "ftp://example.org", err: "want https://"},
		{raw: "https://", err: "has no host"},
		{raw: "https://u:pw@exa mple.org", err: "invalid character"},
		{raw: "file:///nonexistent/mirror", err: "no such directory"},
	}
	for _, tt := range tests {
		ix, err := parseIndex(tt.raw)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) || strings.Contains(err.Error(), "pw@") {
				t.Errorf("parseIndex(%q) error = %v, want %q (and no password)", tt.raw, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseIndex(%q): %v", tt.raw, err)
			continue
		}
		name := "flask"
		if strings.Contains(tt.raw, "pytorch") {
			name = "torch"
		}
		got := []string{ix.display, ix.simpleURL(name), "", ""}
		if ix.hasJSON() {
			got[2], got[3] = ix.projectURL(name), ix.versionURL(name, "1.0")
		}
		want := []string{tt.display, tt.simple, tt.project, tt.ver}
		if tt.ver == "" && got[3] != "" && tt.project != "" {
			want[3] = got[3]
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("parseIndex(%q) = %q, want %q", tt.raw, got, want)
		}
	}
}

// TestMirrorLayouts: a file:// index is a JSON API tree, a Simple API tree
// (the mirror's simple/ directory, or the tree itself), both, or a flat
// directory of distribution files.
func TestMirrorLayouts(t *testing.T) {
	tests := []struct {
		name  string
		files []string // under the mirror directory
		at    string   // the index URL's path under it
		json  bool
		page  string // the project page of "foo", under the mirror directory ("" = no Simple API)
		flat  bool
	}{
		{"JSON API tree", []string{"pypi/foo/json"}, "", true, "", false},
		{"both, bandersnatch", []string{"pypi/foo/json", "simple/foo/index.v1_json", "simple/foo/index.html"}, "", true, "simple/foo/index.v1_json", false},
		{"Simple API tree", []string{"simple/foo/index.json", "simple/foo/index.html"}, "", false, "simple/foo/index.json", false},
		{"HTML tree", []string{"simple/foo/index.html"}, "", false, "simple/foo/index.html", false},
		{"the simple directory itself", []string{"simple/foo/index.html"}, "/simple", false, "simple/foo/index.html", false},
		{"the simple directory of a full mirror", []string{"pypi/foo/json", "simple/foo/index.json"}, "/simple", true, "simple/foo/index.json", false},
		{"pip download", []string{"foo-1.0-py3-none-any.whl", "foo-1.0.tar.gz"}, "", false, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tt.files {
				p := filepath.Join(dir, filepath.FromSlash(f))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, nil, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			ix, err := parseIndex("file://" + filepath.ToSlash(dir) + tt.at)
			if err != nil {
				t.Fatal(err)
			}
			page := ""
			if ix.hasSimple() {
				page = strings.TrimPrefix(ix.simpleURL("foo"), "file://"+filepath.ToSlash(dir)+"/")
			}
			if got, want := []any{ix.hasJSON(), page, ix.flat}, []any{tt.json, tt.page, tt.flat}; !reflect.DeepEqual(got, want) {
				t.Errorf("(JSON API, page, flat) = %v, want %v", got, want)
			}
			if ix.hasJSON() && ix.projectURL("foo") != "file://"+filepath.ToSlash(dir)+"/pypi/foo/json" {
				t.Errorf("JSON API document at %s", ix.projectURL("foo"))
			}
		})
	}
}

func TestVersionURLEscapes(t *testing.T) {
	ix, _ := parseIndex("https://pypi.org/simple")
	tests := []struct{ key, want string }{
		{"1.0", "https://pypi.org/pypi/x/1.0/json"},
		{"1.0+local.1", "https://pypi.org/pypi/x/1.0+local.1/json"},
		{"1.0 beta", "https://pypi.org/pypi/x/1.0%20beta/json"},
		{"1.0?x#y", "https://pypi.org/pypi/x/1.0%3Fx%23y/json"},
	}
	for _, tt := range tests {
		if got := ix.versionURL("x", tt.key); got != tt.want {
			t.Errorf("versionURL(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
	for _, key := range []string{"", ".", "..", "a/b", `a\b`} {
		if safeKey(key) {
			t.Errorf("safeKey(%q) = true", key)
		}
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://pypi.org/simple", "https://pypi.org/simple"},
		{"https://user:secret@host.example/simple", "https://user:****@host.example/simple"},
		{"https://user:@host.example/simple", "https://user:****@host.example/simple"},
		{"https://token@host.example/simple", "https://****@host.example/simple"},
		{"https://us%40er:p%3Ass@host.example:8080/x?y=1", "https://us%40er:****@host.example:8080/x?y=1"},
		{"http://u:p@h/a b", "http://u:****@h/a b"}, // the rest is kept as written
		// Unparseable: userinfo masked textually.
		{"https://u:secret@exa mple.org/x", "https://****@exa mple.org/x"},
		{"not a url", "not a url"},
	}
	for _, tt := range tests {
		if got := Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSRI(t *testing.T) {
	tests := []struct{ hex, want, err string }{
		{"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", ""},
		{"E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", ""},
		{"", "", `invalid sha256 ""`},
		{"e3b0", "", "want 64 hex digits"},
		{strings.Repeat("z", 64), "", "want 64 hex digits"},
	}
	for _, tt := range tests {
		got, err := SRI(tt.hex)
		if got != tt.want || (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("SRI(%q) = %q, %v; want %q, %q", tt.hex, got, err, tt.want, tt.err)
		}
	}
}

func TestMatchHashes(t *testing.T) {
	a, b := strings.Repeat("a", 64), strings.Repeat("b", 64)
	r := Release{Name: "requests", Key: "2.31.0", Version: pep440.MustParse("2.31.0"), Files: []File{
		{Filename: "requests-2.31.0.tar.gz", SHA256: a},
		{Filename: "requests-2.31.0-py3-none-any.whl", SHA256: b},
	}}
	tests := []struct {
		hashes []string
		err    []string // substrings; nil = match
	}{
		{nil, nil},
		{[]string{"sha256:" + a}, nil},
		{[]string{"sha256:" + strings.ToUpper(b)}, nil},
		{[]string{"sha256:" + strings.Repeat("c", 64), "sha256:" + b}, nil},
		{[]string{"sha256:" + strings.Repeat("c", 64)}, []string{"requests 2.31.0: no file matches", "sha256:cccc", "requests-2.31.0.tar.gz sha256:" + a, "requests-2.31.0-py3-none-any.whl sha256:" + b}},
		{[]string{"md5:abc"}, []string{"requests 2.31.0", "cannot check --hash md5:abc", "sha256 digests only"}},
		{[]string{a}, []string{"invalid --hash", "algorithm:hexdigest"}},
	}
	for _, tt := range tests {
		err := MatchHashes(r, tt.hashes)
		if tt.err == nil {
			if err != nil {
				t.Errorf("MatchHashes(%v): %v", tt.hashes, err)
			}
			continue
		}
		errorContains(t, err, tt.err...)
	}
}

func TestParseNetrc(t *testing.T) {
	text := `# credentials
machine pypi.example.org login alice password s3cret
machine Other.Example
  login bob
  password "not-quoted"
macdef init
  machine evil.example login mallory password x

machine pypi.example.org login second password ignored
default login anon password anon@
`
	n := parseNetrc(text)
	tests := []struct {
		host string
		want netrcEntry
	}{
		{"pypi.example.org", netrcEntry{"alice", "s3cret"}},
		{"other.example", netrcEntry{"bob", `"not-quoted"`}},
		{"evil.example", netrcEntry{"anon", "anon@"}}, // inside a macro: not a machine
		{"unknown.example", netrcEntry{"anon", "anon@"}},
	}
	for _, tt := range tests {
		if got, ok := n.lookup(tt.host); !ok || got != tt.want {
			t.Errorf("lookup(%q) = %+v, %v; want %+v", tt.host, got, ok, tt.want)
		}
	}
	if _, ok := parseNetrc("machine a login b password c").lookup("z"); ok {
		t.Error("no default entry, yet z found")
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"7", 7 * time.Second, true},
		{" 7 ", 7 * time.Second, true},
		{"-1", 0, false},
		{"99999999", 0, false},
		{"Thu, 01 Jan 2026 12:00:30 GMT", 30 * time.Second, true},
		{"Thursday, 01-Jan-26 12:00:30 GMT", 30 * time.Second, true},
		{"Thu Jan  1 12:00:30 2026", 30 * time.Second, true},
		{"Thu, 01 Jan 2026 11:00:00 GMT", 0, true}, // in the past: retry now
		{"soon", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestFullJitterBackoff(t *testing.T) {
	minWait, maxWait := 100*time.Millisecond, time.Second
	for attempt, ceiling := range []time.Duration{100, 200, 400, 800, 1000, 1000} {
		ceiling *= time.Millisecond
		var top time.Duration
		for range 200 {
			d := fullJitterBackoff(minWait, maxWait, attempt, nil)
			if d < 0 || d > ceiling {
				t.Fatalf("attempt %d: wait %v outside [0, %v]", attempt, d, ceiling)
			}
			top = max(top, d)
		}
		if top < ceiling/2 {
			t.Errorf("attempt %d: 200 waits all below %v: not jittered over the full range", attempt, ceiling/2)
		}
	}
	if d := fullJitterBackoff(minWait, maxWait, 70, nil); d > maxWait {
		t.Errorf("attempt 70: %v > max", d)
	}
}

func TestEditDistanceAndSuggest(t *testing.T) {
	dists := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"a", "", 1}, {"requests", "reqests", 1}, {"requests", "reqeusts", 1},
		{"flask", "falsk", 1}, {"numpy", "scipy", 3}, {"django", "djnago", 1},
	}
	for _, tt := range dists {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
	known := []string{"requests", "request", "requests-oauthlib", "flask", "six", "sax"}
	sugg := []struct {
		name string
		want []string
	}{
		{"reqests", []string{"requests", "request"}},
		{"requests", []string{"request"}},
		{"six", nil}, // exact names are not suggestions; "sax" is 1 edit but short names allow 1
		{"sx", []string{"sax", "six"}},
		{"zzzzzz", nil},
	}
	for _, tt := range sugg {
		got := suggest(tt.name, known)
		if tt.name == "six" {
			tt.want = []string{"sax"}
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("suggest(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
	e := &NotFoundError{Name: "reqests", Index: "https://pypi.org", Suggestions: []string{"requests", "request", "reqest"}}
	if want := `package "reqests" not found on https://pypi.org (did you mean "requests", "request" or "reqest"?)`; e.Error() != want {
		t.Errorf("got %q, want %q", e.Error(), want)
	}
}

func TestParseCoreMetadata(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Metadata
		err  string
	}{
		{"basic", "Metadata-Version: 2.1\nName: Foo\nVersion: 1.0\nRequires-Python: >=3.8\nRequires-Dist: bar>=1\nRequires-Dist: baz; extra == \"x\"\nProvides-Extra: x\n\nBody\nRequires-Dist: not-a-header\n",
			Metadata{Name: "Foo", Version: "1.0", RequiresPython: ">=3.8", RequiresDist: []string{"bar>=1", `baz; extra == "x"`}, ProvidesExtra: []string{"x"}}, ""},
		{"CRLF and case-insensitive names", "metadata-version: 2.1\r\nNAME: Foo\r\nversion: 1.0.0.0\r\nrequires-dist: bar\r\n\r\n",
			Metadata{Name: "Foo", Version: "1.0.0.0", RequiresDist: []string{"bar"}}, ""},
		{"folded value", "Name: Foo\nVersion: 01.0\nRequires-Dist: bar\n  ; python_version < \"3.8\"\nSummary: a\n\tlong summary\n",
			Metadata{Name: "Foo", Version: "1.0", RequiresDist: []string{`bar ; python_version < "3.8"`}}, ""},
		{"legacy version kept as written", "Name: pytz\nVersion: 2004d\n",
			Metadata{Name: "pytz", Version: "2004d"}, ""},
		{"header section ends at a non-header line", "Name: Foo\nVersion: 1\nthis is body text\nRequires-Dist: x\n",
			Metadata{Name: "Foo", Version: "1"}, ""},
		{"no name", "Metadata-Version: 2.1\nVersion: 1.0\n", Metadata{}, "no Name header"},
		{"no version", "Name: x\n", Metadata{}, "no Version header"},
		{"empty", "", Metadata{}, "no Name header"},
	}
	for _, tt := range tests {
		m, err := parseCoreMetadata([]byte(tt.in), SourceWheel)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: error %v, want %q", tt.name, err, tt.err)
			}
			continue
		}
		tt.want.Source = SourceWheel
		if err != nil || !reflect.DeepEqual(*m, tt.want) {
			t.Errorf("%s: got %#v, %v; want %#v", tt.name, m, err, tt.want)
		}
	}
}

func TestParseProjectShapes(t *testing.T) {
	doc := `{"info": {"name": "X"}, "releases": {
	  "2.0": [{"filename": "x-2.0.tar.gz", "url": "u", "digests": {"sha256": "AB"}, "requires_python": null, "packagetype": "sdist"}],
	  "1.0": [{"filename": "x-1.0.tar.gz", "url": "u", "digests": {"sha256": "cd"}, "requires_python": " >=3 ", "yanked": true, "yanked_reason": "bad", "packagetype": "sdist"}],
	  "1.0.0": [{"filename": "x-1.0.0.tar.gz", "url": "u", "digests": {"sha256": "ef"}, "yanked": "reason as string"}],
	  "1.1": [{"filename": "x-1.1.tar.gz", "url": "u", "digests": {"sha256": "01"}, "yanked": false, "yanked_reason": "ignored when not yanked"}],
	  "1.2": [],
	  "2004d": [{"filename": "x-2004d.tar.gz", "url": "u", "digests": {"sha256": "02"}}],
	  "3.0.dev1": [{"filename": "x-3.0.dev1.tar.gz", "url": "u", "digests": {"sha256": "03"}, "yanked": null}]
	}}`
	p, err := parseProject([]byte(doc), "x", "https://i", discard())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := keys(p), []string{"1.0", "1.1", "2.0", "3.0.dev1"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("keys = %v, want %v", got, want)
	}
	files := []File{p.Releases[0].Files[0], p.Releases[1].Files[0], p.Releases[2].Files[0], p.Releases[3].Files[0]}
	want := []File{
		{Filename: "x-1.0.tar.gz", URL: "u", SHA256: "cd", RequiresPython: ">=3", Yanked: true, YankedReason: "bad", PackageType: "sdist"},
		{Filename: "x-1.1.tar.gz", URL: "u", SHA256: "01"},
		{Filename: "x-2.0.tar.gz", URL: "u", SHA256: "ab", PackageType: "sdist"},
		{Filename: "x-3.0.dev1.tar.gz", URL: "u", SHA256: "03"},
	}
	if !reflect.DeepEqual(files, want) {
		t.Errorf("files =\n%+v\nwant\n%+v", files, want)
	}
	bad := []struct{ doc, err string }{
		{`{"info": {}}`, `no "releases"`},
		{`{"releases": {"1.0": [{"yanked": 3}]}}`, "yanked: want bool or string"},
		{`[]`, "cannot unmarshal array"},
	}
	for _, tt := range bad {
		if _, err := parseProject([]byte(tt.doc), "x", "i", discard()); err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("parseProject(%s) error %v, want %q", tt.doc, err, tt.err)
		}
	}
}

// TestLatestMetadata: the latest release's metadata read off the project
// document's info; odd info values are no metadata and no error.
func TestLatestMetadata(t *testing.T) {
	tests := []struct {
		info string
		want string // "version deps", "" for none
	}{
		{`{"name": "x", "version": "2.0", "requires_dist": ["y>=1", " z "], "requires_python": " >=3.8"}`, "2.0 [y>=1 z] >=3.8"},
		{`{"name": "x", "version": "2.0", "requires_dist": []}`, "2.0 [] "},
		{`{"name": "x", "version": "2.0", "requires_dist": null}`, ""},
		{`{"name": "x", "version": "2.0"}`, ""},
		{`{"name": "x", "version": "2.0", "requires_dist": "y"}`, ""},
		{`{"name": "x", "requires_dist": []}`, ""},
		{`{"name": "x", "version": "2004d", "requires_dist": []}`, ""},
		{`{"name": "x", "version": 2.0, "requires_dist": []}`, ""},
	}
	for _, tt := range tests {
		doc, err := decodeProjectDoc([]byte(`{"info": ` + tt.info + `}`))
		if err != nil {
			t.Errorf("info %s: %v", tt.info, err)
			continue
		}
		got := ""
		if v, m, ok := doc.latestMetadata(); ok {
			got = fmt.Sprintf("%s %v %s", v, m.RequiresDist, m.RequiresPython)
		}
		if got != tt.want {
			t.Errorf("info %s: latestMetadata() = %q, want %q", tt.info, got, tt.want)
		}
	}
}

func TestOptionsDefaults(t *testing.T) {
	t.Setenv("PIP_INDEX_URL", "https://u:pw@private.example/simple")
	mirror := filepath.ToSlash(t.TempDir()) // a file:// index must exist
	t.Setenv("PIP_EXTRA_INDEX_URL", "https://a.example/simple  file://"+mirror)
	t.Setenv("XDG_CACHE_HOME", "/tmp/xdg")
	t.Setenv("NETRC", "/tmp/my-netrc")
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := []any{c.indexNames(), c.cache.dir, c.netrcPath, cap(c.sem), c.maxAge, c.timeout}
	want := []any{"https://u:****@private.example/simple, https://a.example/simple, file://" + mirror, "/tmp/xdg/req2nix", "/tmp/my-netrc", DefaultJobs, DefaultMaxAge, DefaultTimeout}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("defaults from the environment = %v, want %v", got, want)
	}
	// An explicit index ignores the pip environment.
	c, err = New(Options{IndexURL: "https://pypi.org/simple", Jobs: 3})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.indexNames(); got != "https://pypi.org/simple" || cap(c.sem) != 3 {
		t.Errorf("explicit index: %s, jobs %d", got, cap(c.sem))
	}
	t.Setenv("PIP_INDEX_URL", "")
	t.Setenv("XDG_CACHE_HOME", "")
	t.Setenv("HOME", "/home/someone")
	c, _ = New(Options{ExtraIndexURLs: []string{}})
	if c.indexNames() != "https://pypi.org/simple" || c.cache.dir != "/home/someone/.cache/req2nix" {
		t.Errorf("plain defaults: %s, cache %s", c.indexNames(), c.cache.dir)
	}
	if _, err := New(Options{ExtraIndexURLs: []string{"nope"}}); err == nil || !strings.Contains(err.Error(), `index URL "nope"`) {
		t.Errorf("bad extra index: %v", err)
	}
}

func TestCheckRetryClassifiesErrors(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		resp  *http.Response
		err   error
		retry bool
	}{
		{"unknown host", nil, &url.Error{Op: "Get", URL: "https://nowhere.invalid/", Err: &net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", Name: "nowhere.invalid", IsNotFound: true}}}, false},
		{"DNS timeout", nil, &url.Error{Op: "Get", URL: "https://slow.example/", Err: &net.DNSError{Err: "i/o timeout", Name: "slow.example", IsTimeout: true}}, true},
		{"connection refused", nil, &url.Error{Op: "Get", URL: "https://down.example/", Err: &net.OpError{Op: "dial", Err: errors.New("connection refused")}}, true},
		{"500", &http.Response{StatusCode: 500, Header: http.Header{}}, nil, true},
		{"404", &http.Response{StatusCode: 404, Header: http.Header{}}, nil, false},
		{"permanent", nil, &permanentError{errors.New("hash mismatch")}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			retry, _ := checkRetry(ctx, tt.resp, tt.err)
			if retry != tt.retry {
				t.Errorf("checkRetry = %v, want %v", retry, tt.retry)
			}
		})
	}
}
