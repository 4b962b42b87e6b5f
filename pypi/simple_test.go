package pypi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/req2nix/req2nix/pypi/pypitest"
)

// pageSummary renders a page's files and status for comparison.
func pageSummary(p *simplePage) []string {
	out := []string{"status " + p.status + " " + p.reason}
	for _, f := range p.files {
		line := fmt.Sprintf("%s %s sha256=%s py=%q", f.filename, f.url, f.sha256, f.requiresPython)
		if f.yanked.yanked {
			line += fmt.Sprintf(" yanked=%q", f.yanked.reason)
		}
		if f.metadata.present {
			line += fmt.Sprintf(" meta=%s:%s", f.metadata.algo, f.metadata.digest)
		}
		if f.size != 0 || !f.uploadTime.IsZero() {
			line += fmt.Sprintf(" size=%d at=%s", f.size, f.uploadTime.Format(time.RFC3339Nano))
		}
		out = append(out, line)
	}
	return out
}

func TestParseSimpleHTML(t *testing.T) {
	h := strings.Repeat("ab", 32)
	tests := []struct {
		name, html string
		want       []string
	}{
		{"PEP 503 with every attribute",
			`<!DOCTYPE html><html><head><meta name="pypi:repository-version" content="1.4"><meta name="pypi:project-status" content="Archived"><meta name="pypi:project-status-reason" content="use &quot;new&quot;"></head><body>
<a href="../../files/x-1.0.tar.gz#SHA256=` + strings.ToUpper(h) + `" data-requires-python="&gt;=3.8">x-1.0.tar.gz</a><br/>
<a href="/abs/x-1.0-py3-none-any.whl#sha256=` + h + `" data-yanked="" data-core-metadata="sha256=` + h + `">x-1.0-py3-none-any.whl</a>
<a href="https://other.example/x-2.0.zip" data-yanked="broken build" data-dist-info-metadata="true">x-2.0.zip</a>
</body></html>`,
			[]string{`status archived use "new"`,
				"x-1.0.tar.gz https://i.example/files/x-1.0.tar.gz sha256=" + h + ` py=">=3.8"`,
				"x-1.0-py3-none-any.whl https://i.example/abs/x-1.0-py3-none-any.whl sha256=" + h + ` py="" yanked="" meta=sha256:` + h,
				`x-2.0.zip https://other.example/x-2.0.zip sha256= py="" yanked="broken build" meta=:`}},
		{"HTML as written by hand: case, quotes, comments, a base, nested text",
			`<HTML><BASE HREF="https://cdn.example/pkgs/"><!-- <a href="nope">x-0.1.tar.gz</a> -->
<A HREF='x-1.0.tar.gz#md5=00' DATA-REQUIRES-PYTHON='<4'><span>x-1.0</span>.tar.gz</A>
<a href=x-1.1.tar.gz data-core-metadata=false>x-1.1.tar.gz</a>
<a name="anchor">not a file</a><a href="">empty</a>
<a href="x-1.2.tar.gz"></a></HTML>`,
			[]string{"status  ",
				`x-1.0.tar.gz https://cdn.example/pkgs/x-1.0.tar.gz sha256= py="<4"`,
				`x-1.1.tar.gz https://cdn.example/pkgs/x-1.1.tar.gz sha256= py=""`,
				`x-1.2.tar.gz https://cdn.example/pkgs/x-1.2.tar.gz sha256= py=""`}},
		{"truncated in a tag", `<html><a href="x-1.0.tar.gz">x-1.0.tar.gz</a><a href="x-2`,
			[]string{"status  ", `x-1.0.tar.gz https://i.example/simple/x/x-1.0.tar.gz sha256= py=""`, `x-2 https://i.example/simple/x/x-2 sha256= py=""`}},
	}
	pageURL, _ := url.Parse("https://i.example/simple/x/")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := parseSimplePage([]byte(tt.html), pageURL)
			if err != nil {
				t.Fatal(err)
			}
			if got := pageSummary(p); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
	if _, err := parseSimplePage([]byte("<html><body>Please log in</body></html>"), pageURL); !errors.Is(err, errNotProjectPage) {
		t.Errorf("a login page: %v, want errNotProjectPage", err)
	}
	if p, err := parseSimplePage([]byte(`<html><head><meta name="pypi:repository-version" content="1.0"></head></html>`), pageURL); err != nil || len(p.files) != 0 {
		t.Errorf("a project without files: %v, %v", p, err)
	}
}

func TestParseSimpleJSON(t *testing.T) {
	h := strings.Repeat("cd", 32)
	page := `{"meta": {"api-version": "1.4"}, "name": "x", "versions": ["1.0", "2.0"], "project-status": {"status": "Deprecated", "reason": " see y "},
	  "files": [
	    {"filename": "x-1.0.tar.gz", "url": "../../f/x-1.0.tar.gz", "hashes": {"SHA256": "` + strings.ToUpper(h) + `"}, "requires-python": " >=3.8 ", "size": 1234, "upload-time": "2021-02-03T04:05:06.789012Z", "yanked": ""},
	    {"filename": "x-2.0-py3-none-any.whl", "url": "https://f.example/x-2.0-py3-none-any.whl", "hashes": {}, "yanked": "bad", "core-metadata": {"sha256": "AA"}, "size": "big", "upload-time": "yesterday"},
	    {"filename": "x-2.0.tar.gz", "url": "x-2.0.tar.gz", "hashes": {}, "yanked": true, "dist-info-metadata": true, "upload-time": "2021-02-03T04:05:06+02:00"}
	  ]}`
	pageURL, _ := url.Parse("https://i.example/simple/x/")
	p, err := parseSimplePage([]byte(page), pageURL)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"status deprecated see y",
		"x-1.0.tar.gz https://i.example/f/x-1.0.tar.gz sha256=" + h + ` py=">=3.8" size=1234 at=2021-02-03T04:05:06.789012Z`,
		`x-2.0-py3-none-any.whl https://f.example/x-2.0-py3-none-any.whl sha256= py="" yanked="bad" meta=sha256:aa`,
		`x-2.0.tar.gz https://i.example/simple/x/x-2.0.tar.gz sha256= py="" yanked="" meta=: size=0 at=2021-02-03T02:05:06Z`}
	if got := pageSummary(p); !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, bad := range []string{`{}`, `{"files": [{"yanked": 3}]}`, `{"files": [{"core-metadata": "yes"}]}`, `[`} {
		if _, err := parseSimplePage([]byte(bad), pageURL); err == nil {
			t.Errorf("parseSimplePage(%s) accepted", bad)
		}
	}
}

// TestSimpleProject: files are grouped into releases by the version their
// name gives, keyed as the index spells the version, legacy versions and
// unreadable names skipped.
func TestSimpleProject(t *testing.T) {
	names := []string{
		"Foo.Bar-1.0.tar.gz", "foo_bar-1.0-py3-none-any.whl", "foo_bar-1.0-cp312-cp312-manylinux_2_17_x86_64.whl",
		"foo-bar-1.0.post1.zip", "foo_bar-1.0.post1-1-py3-none-any.whl", // build tag
		"foo.bar-2.0rc1.tar.gz", "foo_bar-2.0.0-py2.7.egg", "foo-bar-2.0.0.win32-py2.7.exe",
		"foo-bar-2004d.tar.gz", "something-else.txt", "foo_bar-3.0-py3-none-any.whl.metadata",
	}
	page := &simplePage{versions: []string{"1.0", "1.0-1", "2.0rc1", "2.0.0", "2004d"}}
	for _, n := range names {
		page.files = append(page.files, simpleFile{filename: n, url: "https://f/" + n})
	}
	p := page.project("foo-bar", "https://i", nil, discard())
	var got []string
	for _, r := range p.Releases {
		var files []string
		for _, f := range r.Files {
			files = append(files, f.Filename+"("+f.PackageType+")")
		}
		got = append(got, r.Key+"="+r.Version.String()+": "+strings.Join(files, " "))
	}
	want := []string{
		"1.0=1.0: Foo.Bar-1.0.tar.gz(sdist) foo_bar-1.0-cp312-cp312-manylinux_2_17_x86_64.whl(bdist_wheel) foo_bar-1.0-py3-none-any.whl(bdist_wheel)",
		"1.0-1=1.0.post1: foo-bar-1.0.post1.zip(sdist) foo_bar-1.0.post1-1-py3-none-any.whl(bdist_wheel)",
		"2.0rc1=2.0rc1: foo.bar-2.0rc1.tar.gz(sdist)",
		"2.0.0=2.0.0: foo-bar-2.0.0.win32-py2.7.exe(bdist_wininst) foo_bar-2.0.0-py2.7.egg(bdist_egg)",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("releases:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestProjectStatus: PEP 792 in every mode that has the Simple API: an
// archived or deprecated project comes with its status; a quarantined one
// is refused, unless another index offers it.
func TestProjectStatus(t *testing.T) {
	for _, mode := range []pypitest.Mode{pypitest.ModeJSON, pypitest.ModeJSONNoReleases, pypitest.ModeSimple, pypitest.ModeSimpleHTML} {
		t.Run(mode.String(), func(t *testing.T) {
			s := pypitest.NewServer(t,
				pypitest.Release{Name: "old", Version: "1.0"}, pypitest.Release{Name: "gone", Version: "1.0"},
				pypitest.Release{Name: "evil", Version: "6.6.6"})
			s.SetMode(mode)
			s.SetStatus("old", pypitest.Status{Status: "archived", Reason: "no longer maintained"})
			s.SetStatus("gone", pypitest.Status{Status: "deprecated"})
			s.SetStatus("evil", pypitest.Status{Status: "quarantined", Reason: "malware"})
			c := testClient(t, s, Options{IndexURL: s.IndexURL()})
			for _, tt := range []struct{ name, status, reason string }{{"old", "archived", "no longer maintained"}, {"gone", "deprecated", ""}} {
				p := mustProject(t, c, tt.name)
				if p.Status != tt.status || p.StatusReason != tt.reason || len(p.Releases) != 1 {
					t.Errorf("%s: status %q (%q), %d releases; want %q (%q), 1", tt.name, p.Status, p.StatusReason, len(p.Releases), tt.status, tt.reason)
				}
			}
			_, err := c.Project(context.Background(), "evil")
			var q *QuarantinedError
			if !errors.As(err, &q) || q.Index != s.IndexURL() || q.Reason != "malware" {
				t.Fatalf("quarantined project: %v", err)
			}
			errorContains(t, err, `package "evil" is quarantined on `+s.IndexURL()+" (reason: malware)", "flagged it as unsafe")
			// Another index offering the project is used instead.
			other := pypitest.NewServer(t, pypitest.Release{Name: "evil", Version: "1.0"})
			c2 := testClient(t, s, Options{IndexURL: s.IndexURL(), ExtraIndexURLs: []string{other.IndexURL()}})
			if p := mustProject(t, c2, "evil"); p.Index != other.IndexURL() || keys(p)[0] != "1.0" {
				t.Errorf("evil from the other index: %+v", p)
			}
		})
	}
}

// TestMetadataFromDistribution: an index with neither the JSON API nor core
// metadata for a release has it read from the distribution itself.
func TestMetadataFromDistribution(t *testing.T) {
	s := pypitest.NewServer(t, pypitest.Release{Name: "src", Version: "1.0", Wheels: []string{}, RequiresDist: []string{"dep>=2"}, RequiresPython: ">=3.9"})
	s.SetMode(pypitest.ModeSimple)
	c := testClient(t, s, Options{IndexURL: s.IndexURL()})
	r := mustProject(t, c, "src").Releases[0]
	m, err := c.Metadata(context.Background(), "src", r)
	if err != nil {
		t.Fatal(err)
	}
	if m.Source != SourcePKGInfo || !reflect.DeepEqual(m.RequiresDist, []string{"dep>=2"}) || m.RequiresPython != ">=3.9" || m.Version != "1.0" {
		t.Errorf("metadata %+v", m)
	}
	if s.Count("/files/src-1.0.tar.gz") != 1 {
		t.Errorf("the sdist was downloaded %d times", s.Count("/files/src-1.0.tar.gz"))
	}
}

// TestFlatMirror: a directory of distribution files (pip download) is an
// index: projects by file name, hashes computed, metadata read from the
// files.
func TestFlatMirror(t *testing.T) {
	dir := t.TempDir()
	s := pypitest.NewServer(t,
		pypitest.Release{Name: "Foo.Bar", Version: "1.0", RequiresDist: []string{"baz"}},
		pypitest.Release{Name: "Foo.Bar", Version: "2.0", Wheels: []string{}, RequiresDist: []string{"baz>=2"}},
		pypitest.Release{Name: "baz", Version: "3.0", NoSdist: true})
	for _, rel := range [][2]string{{"Foo.Bar", "1.0"}, {"Foo.Bar", "2.0"}, {"baz", "3.0"}} {
		for _, name := range s.Filenames(rel[0], rel[1]) {
			if name == "foo_bar-1.0.tar.gz" {
				continue // a wheel alone
			}
			copyFile(t, s, name, dir)
		}
	}
	c := testClient(t, s, Options{IndexURL: "file://" + dir})
	p := mustProject(t, c, "foo-bar")
	if got := keys(p); !reflect.DeepEqual(got, []string{"1.0", "2.0"}) {
		t.Fatalf("releases %v", got)
	}
	for _, r := range p.Releases {
		f := r.Files[0]
		if f.SHA256 != s.FileSHA256(f.Filename) || f.URL != "file://"+filepath.ToSlash(filepath.Join(dir, f.Filename)) {
			t.Errorf("%s: %+v", r.Key, f)
		}
		m, err := c.Metadata(context.Background(), "foo-bar", r)
		if err != nil {
			t.Fatal(err)
		}
		if want := map[string]string{"1.0": "baz", "2.0": "baz>=2"}[r.Key]; strings.Join(m.RequiresDist, ",") != want {
			t.Errorf("%s: requires %v, want %s", r.Key, m.RequiresDist, want)
		}
	}
	_, err := c.Project(context.Background(), "fooo-bar")
	errorContains(t, err, `not found on file://`+dir, `did you mean "foo-bar"?`)
	if st := c.Stats(); st.Requests != 0 {
		t.Errorf("%d HTTP requests", st.Requests)
	}
}

// copyFile downloads a file of s into dir.
func copyFile(t *testing.T, s *pypitest.Server, name, dir string) {
	t.Helper()
	resp, err := http.Get(s.FileURL(name))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, name), data, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
}
