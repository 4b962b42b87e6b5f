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
		{"/simple/foo-bar/", "text/html", 200, "text/html", []string{`<a href="../../files/foo_bar-1.0.tar.gz#sha256=`}},
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
	s := NewServer(t, Release{Name: "Foo", Version: "1.0", RequiresDist: []string{"bar"}})
	dir := t.TempDir()
	if err := s.WriteMirror(dir); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"pypi/foo/json", "pypi/foo/1.0/json", "simple/foo/index.v1_json", "files/foo-1.0.tar.gz", "files/foo-1.0-py3-none-any.whl", "files/foo-1.0-py3-none-any.whl.metadata"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
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
