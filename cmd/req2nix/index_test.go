package main

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/req2nix/req2nix/fixtures"
	"github.com/req2nix/req2nix/pypi/pypitest"
)

// day is midnight UTC of a day of January 2020.
func day(n int) time.Time { return time.Date(2020, 1, n, 0, 0, 0, 0, time.UTC) }

// shapeReleases are served in every index shape: a dependency chain, an
// extra, a project with wheels only, one with a platform wheel only, upload
// times for --exclude-newer tests. (Dependencies only in .metadata files,
// which a JSON-API-only mirror cannot know, are tested in pypi and
// resolver.)
func shapeReleases() []pypitest.Release {
	return []pypitest.Release{
		{Name: "Web.App", Version: "1.0", RequiresDist: []string{"corelib>=1", `fastjson; extra == "fast"`}, ProvidesExtra: []string{"fast"}, UploadTime: day(2)},
		{Name: "Web.App", Version: "2.0", RequiresDist: []string{"corelib>=2", `fastjson; extra == "fast"`}, ProvidesExtra: []string{"fast"}, UploadTime: day(20)},
		{Name: "corelib", Version: "1.5", UploadTime: day(1)},
		{Name: "corelib", Version: "2.0", RequiresDist: []string{"tinyleaf"}, UploadTime: day(15)},
		{Name: "tinyleaf", Version: "0.3", NoSdist: true, UploadTime: day(3)},
		{Name: "fastjson", Version: "4.0", Wheels: []string{"cp312-cp312-manylinux_2_17_x86_64"}, UploadTime: day(4)},
	}
}

// shapeArgs runs against index with the fixture nixpkgs index.
func shapeArgs(index string, extra ...string) []string {
	return append([]string{"-i", index, "--nixpkgs-index", filepath.Join(fixtures.Dir(), "nixpkgs-index.json")}, extra...)
}

// TestIndexShapesSameOutput: the binary writes the same file for the same
// data whichever APIs the index offers (PyPI today, PyPI without
// "releases", a Simple API only, PEP 503 HTML at PyTorch's kind of root,
// and file:// mirrors of the JSON API and of the Simple API), also when
// every document of a project fails once on the way.
func TestIndexShapesSameOutput(t *testing.T) {
	shapes := []struct {
		mode   pypitest.Mode
		root   string // Simple API root, "" for /simple
		mirror bool   // read a file:// mirror of it instead
	}{
		{mode: pypitest.ModeJSON}, {mode: pypitest.ModeJSONNoReleases}, {mode: pypitest.ModeSimple},
		{mode: pypitest.ModeSimpleHTML, root: "/whl/cpu"},
		{mode: pypitest.ModeJSONOnly, mirror: true}, {mode: pypitest.ModeSimple, mirror: true},
	}
	faults := []pypitest.Fault{{Status: 500}, {Status: 429, RetryAfter: "0"}, {Reset: true}, {Truncate: true}}
	want := ""
	for i, shape := range shapes {
		name := fmt.Sprintf("%s root=%q mirror=%v", shape.mode, shape.root, shape.mirror)
		t.Run(name, func(t *testing.T) {
			s := newSession(t)
			s.write("requirements.txt", "web-app[fast]\n")
			srv := pypitest.NewServer(t, shapeReleases()...)
			srv.SetMode(shape.mode)
			if shape.root != "" {
				srv.ServeSimpleAt(shape.root)
			}
			index, files := srv.IndexURL(), srv.URL+"/files/"
			if shape.mirror {
				dir := t.TempDir()
				if err := srv.WriteMirror(dir); err != nil {
					t.Fatal(err)
				}
				index = (&url.URL{Scheme: "file", Path: filepath.ToSlash(dir)}).String()
				files = index + "/files/"
			} else {
				fault := faults[i%len(faults)]
				for _, path := range []string{"/simple/corelib/", "/whl/cpu/corelib/", "/pypi/corelib/json", "/files/corelib-2.0-py3-none-any.whl.metadata"} {
					srv.Inject(path, fault)
				}
			}
			r := s.mustRun(0, shapeArgs(index, "requirements.txt")...)
			got := strings.NewReplacer(files, "FILES/", index, "INDEX").Replace(r.stdout)
			for _, pin := range []string{"web-app==2.0", "corelib==2.0", "tinyleaf==0.3", "fastjson==4.0"} {
				if !strings.Contains(got, "# req2nix-lock: "+pin+"\n") {
					t.Errorf("the output lacks %s:\n%s", pin, got)
				}
			}
			if want == "" {
				want = got
			} else if got != want {
				t.Errorf("output differs from the JSON API's:\n%s", unifiedDiff("json", name, want, got))
			}
		})
	}
}

// TestExcludeNewerCLI: --exclude-newer resolves as of a date, is recorded
// in the header and kept by re-runs (even with --upgrade), dropped with
// "none"; a date before anything was uploaded fails with the reason and
// leaves the file alone; a value that is not a date is a usage error.
func TestExcludeNewerCLI(t *testing.T) {
	srv := pypitest.NewServer(t, shapeReleases()...)
	srv.SetMode(pypitest.ModeSimple)
	s := newSession(t)
	s.write("requirements.txt", "web-app\n")
	run := func(code int, extra ...string) runResult {
		return s.mustRun(code, shapeArgs(srv.IndexURL(), append(extra, "-o", "shell.nix", "requirements.txt")...)...)
	}
	pins := func() string {
		var out []string
		for _, line := range strings.Split(s.read("shell.nix"), "\n") {
			if p, ok := strings.CutPrefix(line, "# req2nix-lock: "); ok {
				out = append(out, p)
			}
		}
		return strings.Join(out, " ")
	}
	run(0, "--exclude-newer", "2020-01-10")
	header := s.read("shell.nix")
	if pins() != "corelib==1.5 web-app==1.0" || !strings.Contains(header, "\n# Exclude newer: 2020-01-10\n") || !strings.Contains(header, "--exclude-newer 2020-01-10") {
		t.Fatalf("as of 2020-01-10: %s\n%s", pins(), header)
	}
	run(0, "--upgrade")
	if pins() != "corelib==1.5 web-app==1.0" || s.read("shell.nix") != header {
		t.Errorf("a re-run did not keep the date: %s", pins())
	}
	run(0, "--exclude-newer", "2020-01-19T23:00:00+01:00", "--upgrade")
	if got := s.read("shell.nix"); pins() != "corelib==2.0 tinyleaf==0.3 web-app==1.0" || !strings.Contains(got, "# Exclude newer: 2020-01-19T22:00:00Z\n") {
		t.Errorf("as of a time: %s\n%s", pins(), got)
	}
	run(0, "--exclude-newer", "none", "--upgrade")
	if got := s.read("shell.nix"); pins() != "corelib==2.0 tinyleaf==0.3 web-app==2.0" || strings.Contains(got, "Exclude newer") {
		t.Errorf("with the date dropped: %s\n%s", pins(), got)
	}
	before := s.read("shell.nix")
	r := run(1, "--exclude-newer", "2019-12-31")
	for _, part := range []string{"every version of web-app was uploaded after 2019-12-31 (--exclude-newer)", "its first file was uploaded on 2020-01-02T00:00:00Z"} {
		if !strings.Contains(r.stderr, part) {
			t.Errorf("the failure lacks %q:\n%s", part, r.stderr)
		}
	}
	if s.read("shell.nix") != before {
		t.Error("a failed run changed shell.nix")
	}
	r = run(2, "--exclude-newer", "last tuesday")
	if !strings.Contains(r.stderr, `--exclude-newer "last tuesday" is not a date: give one such as 2023-01-31`) {
		t.Errorf("a bad date:\n%s", r.stderr)
	}
}

// TestProjectStatusCLI: an archived dependency is used with a warning in
// the summary and the header; a quarantined requirement is refused.
func TestProjectStatusCLI(t *testing.T) {
	srv := pypitest.NewServer(t, shapeReleases()...)
	srv.SetStatus("corelib", pypitest.Status{Status: "archived", Reason: "use newlib"})
	srv.SetStatus("tinyleaf", pypitest.Status{Status: "quarantined"})
	s := newSession(t)
	s.write("requirements.txt", "web-app\n")
	r := s.mustRun(0, shapeArgs(srv.IndexURL(), "requirements.txt")...)
	warning := "corelib is archived on " + srv.IndexURL() + ": its maintainers expect no further updates (reason: use newlib)"
	if !strings.Contains(r.stderr, warning) || !strings.Contains(r.stdout, "# Warning: "+warning) {
		t.Errorf("no archival warning:\n%s\n%s", r.stderr, r.stdout)
	}
	if !strings.Contains(r.stdout, "# req2nix-lock: corelib==1.5\n") {
		t.Errorf("corelib 2.0 needs the quarantined tinyleaf, so 1.5 should be chosen:\n%s", r.stdout)
	}
	s.write("requirements.txt", "tinyleaf\n")
	r = s.mustRun(1, shapeArgs(srv.IndexURL(), "requirements.txt")...)
	if !strings.Contains(r.stderr, `requirements.txt:1: package "tinyleaf" is quarantined on `+srv.IndexURL()) {
		t.Errorf("a quarantined requirement:\n%s", r.stderr)
	}
}
