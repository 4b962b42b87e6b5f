package pypitest

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func get(t *testing.T, url string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	// A fresh connection each time: Go retries a GET by itself when a reused
	// connection dies, which would consume the next fault.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err.Error()
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp, "read error: " + err.Error()
	}
	return resp, string(body)
}

func TestRoutes(t *testing.T) {
	s := NewServer(t,
		Release{Name: "Foo.Bar", Version: "1.0", RequiresDist: []string{"baz>=1"}},
		Release{Name: "Foo.Bar", Version: "2.0", CoreMetadataOnly: true, RequiresDist: []string{"qux"}, Wheels: []string{"cp312-cp312-manylinux_2_17_x86_64"}},
	)
	tests := []struct {
		path, accept string
		status       int
		contentType  string
		contains     []string
	}{
		{"/pypi/foo-bar/json", "", 200, "application/json", []string{`"name": "Foo.Bar"`, `"1.0": [`, `"2.0": [`, `"foo_bar-1.0.tar.gz"`, s.URL + "/files/foo_bar-1.0-py3-none-any.whl"}},
		{"/pypi/Foo_Bar/json", "", 200, "application/json", []string{`"name": "Foo.Bar"`}},
		{"/pypi/foo-bar/1.0/json", "", 200, "application/json", []string{`"requires_dist": [`, `"baz>=1"`}},
		{"/pypi/foo-bar/2.0/json", "", 200, "application/json", []string{`"requires_dist": null`, "foo_bar-2.0-cp312-cp312-manylinux_2_17_x86_64.whl"}},
		{"/pypi/foo-bar/3.0/json", "", 404, "", nil},
		{"/pypi/nope/json", "", 404, "", nil},
		{"/simple/foo-bar/", "application/vnd.pypi.simple.v1+json", 200, "application/vnd.pypi.simple.v1+json", []string{`"core-metadata":{"sha256":`, `"url":"../../files/foo_bar-2.0.tar.gz"`, `"core-metadata":false`}},
		{"/simple/foo-bar/", "text/html", 200, "text/html", []string{`<a href="../../files/foo_bar-1.0.tar.gz#sha256=`, `data-core-metadata="sha256=`}},
		{"/files/foo_bar-2.0-cp312-cp312-manylinux_2_17_x86_64.whl.metadata", "", 200, "text/plain", []string{"Name: Foo.Bar\nVersion: 2.0\nRequires-Dist: qux\n"}},
		{"/files/foo_bar-1.0.tar.gz.metadata", "", 404, "", nil},
		{"/elsewhere", "", 404, "", nil},
	}
	for _, tt := range tests {
		resp, body := get(t, s.URL+tt.path, map[string]string{"Accept": tt.accept})
		if resp == nil || resp.StatusCode != tt.status {
			t.Errorf("GET %s: %v %s, want %d", tt.path, resp, body, tt.status)
			continue
		}
		if ct := resp.Header.Get("Content-Type"); tt.status == 200 && ct != tt.contentType {
			t.Errorf("GET %s: Content-Type %q, want %q", tt.path, ct, tt.contentType)
		}
		for _, c := range tt.contains {
			if !strings.Contains(body, c) {
				t.Errorf("GET %s: body lacks %q:\n%s", tt.path, c, body)
			}
		}
	}
	if got := s.Count("/pypi/foo-bar/json"); got != 1 {
		t.Errorf("Count = %d, want 1", got)
	}
	if got := s.Requests(); got != len(tests) {
		t.Errorf("Requests = %d, want %d", got, len(tests))
	}
}

func TestFaultsInOrder(t *testing.T) {
	s := NewServer(t, Release{Name: "a", Version: "1"})
	const path = "/pypi/a/json"
	s.Inject(path, Fault{Status: 503, RetryAfter: "3"}, Fault{Reset: true}, Fault{Truncate: true}, Fault{Body: []byte("{")}, Fault{Delay: 30 * time.Millisecond})
	checks := []func(*http.Response, string) bool{
		func(r *http.Response, _ string) bool {
			return r != nil && r.StatusCode == 503 && r.Header.Get("Retry-After") == "3"
		},
		func(r *http.Response, body string) bool {
			return r == nil && strings.Contains(body, "EOF") || strings.Contains(body, "reset")
		},
		func(r *http.Response, body string) bool { return strings.HasPrefix(body, "read error") },
		func(r *http.Response, body string) bool { return r != nil && r.StatusCode == 200 && body == "{" },
		func(r *http.Response, body string) bool {
			return r != nil && r.StatusCode == 200 && strings.Contains(body, `"releases"`)
		},
	}
	for i, ok := range checks {
		resp, body := get(t, s.URL+path, nil)
		if !ok(resp, body) {
			t.Errorf("request %d: %v %.80q", i+1, resp, body)
		}
	}
}

func TestETagAndAuth(t *testing.T) {
	s := NewServer(t, Release{Name: "a", Version: "1"})
	resp, _ := get(t, s.URL+"/pypi/a/json", nil)
	etag := resp.Header.Get("ETag")
	sent := s.BodyBytes()
	resp, body := get(t, s.URL+"/pypi/a/json", map[string]string{"If-None-Match": etag})
	if resp.StatusCode != 304 || body != "" || s.NotModified() != 1 || s.BodyBytes() != sent {
		t.Errorf("conditional GET: %d %q, %d 304s, %d bytes", resp.StatusCode, body, s.NotModified(), s.BodyBytes()-sent)
	}
	s.RequireAuth("u", "p")
	if resp, _ := get(t, s.URL+"/pypi/a/json", nil); resp.StatusCode != 401 {
		t.Errorf("no credentials: %d", resp.StatusCode)
	}
	if resp, _ := get(t, strings.Replace(s.URL, "http://", "http://u:p@", 1)+"/pypi/a/json", nil); resp.StatusCode != 200 {
		t.Errorf("credentials: %d", resp.StatusCode)
	}
}

func TestWriteMirror(t *testing.T) {
	tests := []struct {
		mode          Mode
		present, gone []string
	}{
		{ModeJSON, []string{"pypi/foo/json", "pypi/foo/1.0/json", "simple/foo/index.json", "simple/foo/index.html"}, nil},
		{ModeSimple, []string{"simple/foo/index.json", "simple/foo/index.html"}, []string{"pypi"}},
		{ModeSimpleHTML, []string{"simple/foo/index.html"}, []string{"pypi", "simple/foo/index.json"}},
		{ModeJSONOnly, []string{"pypi/foo/json", "pypi/foo/1.0/json"}, []string{"simple"}},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String(), func(t *testing.T) {
			s := NewServer(t, Release{Name: "Foo", Version: "1.0", RequiresDist: []string{"bar"}})
			s.SetMode(tt.mode)
			dir := t.TempDir()
			if err := s.WriteMirror(dir); err != nil {
				t.Fatal(err)
			}
			files := []string{"files/foo-1.0.tar.gz", "files/foo-1.0-py3-none-any.whl", "files/foo-1.0-py3-none-any.whl.metadata"}
			for _, f := range append(files, tt.present...) {
				if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
					t.Error(err)
				}
			}
			for _, f := range tt.gone {
				if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
					t.Errorf("%s written in mode %s", f, tt.mode)
				}
			}
		})
	}
	s := NewServer(t, Release{Name: "Foo", Version: "1.0"})
	dir := t.TempDir()
	if err := s.WriteMirror(dir); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		URLs []struct{ URL string } `json:"urls"`
	}
	data, _ := os.ReadFile(filepath.Join(dir, "pypi/foo/json"))
	json.Unmarshal(data, &doc)
	if len(doc.URLs) != 2 || doc.URLs[0].URL != "file://"+filepath.ToSlash(dir)+"/files/foo-1.0.tar.gz" {
		t.Errorf("mirror URLs = %+v", doc.URLs)
	}
}

// TestModes: each mode offers its APIs and no others.
func TestModes(t *testing.T) {
	paths := []struct{ path, accept string }{
		{"/pypi/foo/json", ""}, {"/pypi/foo/1.0/json", ""}, {"/simple/foo/", simpleJSON}, {"/simple/foo/", "text/html"},
	}
	tests := []struct {
		mode     Mode
		statuses []int    // per path
		types    []string // Content-Type per path when 200
		releases bool     // the project document has "releases"
	}{
		{ModeJSON, []int{200, 200, 200, 200}, []string{"application/json", "application/json", simpleJSON, "text/html"}, true},
		{ModeJSONNoReleases, []int{200, 200, 200, 200}, []string{"application/json", "application/json", simpleJSON, "text/html"}, false},
		{ModeSimple, []int{404, 404, 200, 200}, []string{"", "", simpleJSON, "text/html"}, false},
		{ModeSimpleHTML, []int{404, 404, 200, 200}, []string{"", "", "text/html", "text/html"}, false},
		{ModeJSONOnly, []int{200, 200, 404, 404}, []string{"application/json", "application/json", "", ""}, true},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String(), func(t *testing.T) {
			s := NewServer(t, Release{Name: "foo", Version: "1.0"})
			s.SetMode(tt.mode)
			for i, p := range paths {
				resp, body := get(t, s.URL+p.path, map[string]string{"Accept": p.accept})
				if resp == nil || resp.StatusCode != tt.statuses[i] {
					t.Errorf("GET %s (%s): %v, want %d", p.path, p.accept, resp, tt.statuses[i])
					continue
				}
				if ct := resp.Header.Get("Content-Type"); resp.StatusCode == 200 && ct != tt.types[i] {
					t.Errorf("GET %s (%s): Content-Type %q, want %q", p.path, p.accept, ct, tt.types[i])
				}
				if i == 0 && resp.StatusCode == 200 && strings.Contains(body, `"releases"`) != tt.releases {
					t.Errorf("project document has releases: %v, want %v", !tt.releases, tt.releases)
				}
			}
		})
	}
}

// TestStatusAndUploadTime: PEP 792 status in both Simple API forms, a
// quarantined project hidden from the JSON API with its files, and PEP 700
// fields next to the JSON API's upload times.
func TestStatusAndUploadTime(t *testing.T) {
	when := time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)
	s := NewServer(t, Release{Name: "old", Version: "1.0", UploadTime: when, RequiresPython: ">=3.8"}, Release{Name: "bad", Version: "1.0"})
	s.SetStatus("old", Status{Status: "archived", Reason: `moved to "new" & co`})
	s.SetStatus("bad", Status{Status: "quarantined"})
	tests := []struct {
		path, accept string
		status       int
		contains     []string
	}{
		{"/simple/old/", simpleJSON, 200, []string{`"project-status":{"reason":"moved to \"new\" & co","status":"archived"}`, `"upload-time":"2021-03-04T05:06:07.000000Z"`, `"size":`, `"api-version":"1.4"`}},
		{"/simple/old/", "text/html", 200, []string{`<meta name="pypi:project-status" content="archived">`, `content="moved to &#34;new&#34; &amp; co"`, `data-requires-python="&gt;=3.8"`}},
		{"/pypi/old/json", "", 200, []string{`"upload_time_iso_8601": "2021-03-04T05:06:07.000000Z"`, `"upload_time": "2021-03-04T05:06:07"`}},
		{"/simple/bad/", simpleJSON, 200, []string{`"files":[]`, `"project-status":{"status":"quarantined"}`}},
		{"/pypi/bad/json", "", 404, nil},
		{"/pypi/bad/1.0/json", "", 404, nil},
		{"/files/bad-1.0.tar.gz", "", 404, nil},
	}
	for _, tt := range tests {
		resp, body := get(t, s.URL+tt.path, map[string]string{"Accept": tt.accept})
		if resp == nil || resp.StatusCode != tt.status {
			t.Errorf("GET %s: %v, want %d", tt.path, resp, tt.status)
			continue
		}
		for _, c := range tt.contains {
			if !strings.Contains(body, c) {
				t.Errorf("GET %s (%s): body lacks %s:\n%s", tt.path, tt.accept, c, body)
			}
		}
	}
}

// TestGzipAndSimpleRoot: documents are compressed for clients that ask
// (and counted compressed), files are not; the Simple API can live under
// another root, with file links still resolving to /files/.
func TestGzipAndSimpleRoot(t *testing.T) {
	s := NewServer(t, Release{Name: "foo", Version: "1.0", Description: strings.Repeat("a long README ", 500)})
	s.ServeSimpleAt("/whl/cpu")
	if got := s.IndexURL(); got != s.URL+"/whl/cpu" {
		t.Errorf("IndexURL = %s", got)
	}
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}} // see the wire
	for _, tt := range []struct {
		path, encoding string
	}{{"/pypi/foo/json", "gzip"}, {"/whl/cpu/foo/", "gzip"}, {"/files/foo-1.0.tar.gz", ""}} {
		req, _ := http.NewRequest("GET", s.URL+tt.path, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		before := s.BodyBytes()
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		wire, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if got := resp.Header.Get("Content-Encoding"); got != tt.encoding || resp.StatusCode != 200 {
			t.Errorf("GET %s: %d, Content-Encoding %q, want %q", tt.path, resp.StatusCode, got, tt.encoding)
		}
		if sent := s.BodyBytes() - before; sent != int64(len(wire)) {
			t.Errorf("GET %s: BodyBytes counted %d, the wire carried %d", tt.path, sent, len(wire))
		}
	}
	resp, body := get(t, s.URL+"/whl/cpu/foo/", map[string]string{"Accept": "text/html"})
	if resp == nil || !strings.Contains(body, `href="../../../files/foo-1.0.tar.gz#sha256=`) {
		t.Errorf("page under /whl/cpu: %v\n%s", resp, body)
	}
	if resp, _ := get(t, s.URL+"/simple/foo/", nil); resp == nil || resp.StatusCode != 404 {
		t.Errorf("the default root still answers: %v", resp)
	}
}

// TestAddAfterServing: documents are rendered once, but a release added
// later shows in every document it changes, with a new ETag.
func TestAddAfterServing(t *testing.T) {
	s := NewServer(t, Release{Name: "foo", Version: "1.0"})
	paths := []struct{ path, accept, added string }{
		{"/pypi/foo/json", "", `"2.0": [`},
		{"/simple/foo/", simpleJSON, `"foo-2.0.tar.gz"`},
		{"/simple/foo/", "text/html", `foo-2.0.tar.gz#sha256=`},
		{"/pypi/foo/2.0/json", "", `"version": "2.0"`},
	}
	etags := map[string]string{}
	for _, p := range paths {
		resp, body := get(t, s.URL+p.path, map[string]string{"Accept": p.accept})
		if resp != nil && resp.StatusCode == 200 && strings.Contains(body, p.added) {
			t.Fatalf("%s (%s) has the release before it is added", p.path, p.accept)
		}
		if resp != nil {
			etags[p.path+p.accept] = resp.Header.Get("ETag")
		}
	}
	if err := s.Add(Release{Name: "foo", Version: "2.0"}); err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		resp, body := get(t, s.URL+p.path, map[string]string{"Accept": p.accept})
		if resp == nil || resp.StatusCode != 200 || !strings.Contains(body, p.added) {
			t.Errorf("%s (%s) after Add: %q, want it to contain %q", p.path, p.accept, body, p.added)
			continue
		}
		if etag := resp.Header.Get("ETag"); etag == etags[p.path+p.accept] {
			t.Errorf("%s (%s) kept its ETag %s after Add", p.path, p.accept, etag)
		}
	}
}
