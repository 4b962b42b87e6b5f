package resolver

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/req2nix/req2nix/pypi"
	"github.com/req2nix/req2nix/pypi/pypitest"
)

// day is midnight UTC of a day of 2020 (January 1 is day 1).
func day(n int) time.Time { return time.Date(2020, 1, n, 0, 0, 0, 0, time.UTC) }

// indexReleases is a small index exercising what an index tells a
// resolution: extras, a yanked release, requires-python, platform wheels,
// dependencies only in PEP 658 metadata, a legacy version, a project
// without wheels, upload times.
func indexReleases() []pypitest.Release {
	cp312 := []string{"cp312-cp312-manylinux_2_17_x86_64", "cp312-cp312-macosx_11_0_arm64"}
	return []pypitest.Release{
		{Name: "Web.App", Version: "1.0", RequiresDist: []string{"core>=1", `extra-dep; extra == "fast"`}, ProvidesExtra: []string{"fast"}, UploadTime: day(1)},
		{Name: "Web.App", Version: "2.0", RequiresDist: []string{"core>=2", "native", `extra-dep; extra == "fast"`}, ProvidesExtra: []string{"fast"}, RequiresPython: ">=3.10", UploadTime: day(20)},
		{Name: "Web.App", Version: "2.1", RequiresDist: []string{"core>=3"}, Yanked: true, YankedReason: "broken", UploadTime: day(25)},
		{Name: "core", Version: "1.0", UploadTime: day(1)},
		{Name: "core", Version: "2.0", CoreMetadataOnly: true, RequiresDist: []string{"leaf; python_version >= '3.11'"}, UploadTime: day(10)},
		{Name: "core", Version: "3.0", RequiresPython: ">=3.13", UploadTime: day(30)},
		{Name: "native", Version: "0.5", Wheels: cp312, NoSdist: true, UploadTime: day(15)},
		{Name: "leaf", Version: "2004d", UploadTime: day(2)},
		{Name: "leaf", Version: "1.0", Wheels: []string{}, UploadTime: day(3)},
		{Name: "extra-dep", Version: "0.1", UploadTime: day(4)},
	}
}

// modeClient is a pypi.Client on a fresh pypitest server in mode.
func modeClient(t testing.TB, mode pypitest.Mode, releases []pypitest.Release) (*pypi.Client, *pypitest.Server) {
	t.Helper()
	s := pypitest.NewServer(t, releases...)
	s.SetMode(mode)
	c, err := pypi.New(pypi.Options{IndexURL: s.IndexURL(), CacheDir: cacheDir(t), Netrc: "/nonexistent"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, s
}

// comparableResolution is a resolution without where each package's metadata came
// from (the one thing that differs between index shapes), with the files'
// server written as URL.
func comparableResolution(res *Resolution, server string) string {
	cp := *res
	cp.Packages = nil
	for _, p := range res.Packages {
		p.MetadataSource = ""
		for i := range p.Files {
			p.Files[i].URL = strings.Replace(p.Files[i].URL, server, "URL", 1)
		}
		cp.Packages = append(cp.Packages, p)
	}
	return fmt.Sprintf("%+v", cp)
}

// TestIndexModesResolveAlike: the same data resolves to the same versions,
// files, hashes and warnings whichever APIs the index offers, with and
// without faults (each document of a project failing once: a 500, a 429,
// a reset, a truncated body).
func TestIndexModesResolveAlike(t *testing.T) {
	reqs := "web-app[fast]==2.0\nleaf"
	resolve := func(t *testing.T, c *pypi.Client, s *pypitest.Server) string {
		res, err := Resolve(context.Background(), c, rootFile(t, reqs, ""), Options{Python: "3.12"})
		if err != nil {
			t.Fatal(err)
		}
		if got := summary(res); got != "core==2.0 extra-dep==0.1 leaf==1.0 native==0.5 web-app==2.0[fast]" {
			t.Fatalf("got %s", got)
		}
		return comparableResolution(res, s.URL)
	}
	c, s := modeClient(t, pypitest.ModeJSON, indexReleases())
	want := resolve(t, c, s)
	faults := []pypitest.Fault{{Status: 500}, {Status: 429, RetryAfter: "0"}, {Reset: true}, {Truncate: true}}
	for _, mode := range []pypitest.Mode{pypitest.ModeJSON, pypitest.ModeJSONNoReleases, pypitest.ModeSimple, pypitest.ModeSimpleHTML} {
		for i, fault := range append([]*pypitest.Fault{nil}, ptrs(faults)...) {
			t.Run(fmt.Sprintf("%s/%d", mode, i), func(t *testing.T) {
				t.Parallel()
				c, s := modeClient(t, mode, indexReleases())
				if fault != nil {
					for _, path := range []string{"/simple/core/", "/pypi/core/json", "/files/core-2.0-py3-none-any.whl.metadata", "/files/native-0.5-cp312-cp312-manylinux_2_17_x86_64.whl.metadata"} {
						s.Inject(path, *fault)
					}
				}
				if got := resolve(t, c, s); got != want {
					t.Errorf("resolution differs from the JSON API's:\n%s\nwant\n%s", got, want)
				}
				if fault != nil && s.Count("/simple/core/") != 2 {
					t.Errorf("the fault was not met: %d requests for core's page", s.Count("/simple/core/"))
				}
			})
		}
	}
}

func ptrs(fs []pypitest.Fault) []*pypitest.Fault {
	out := make([]*pypitest.Fault, len(fs))
	for i := range fs {
		out[i] = &fs[i]
	}
	return out
}

// TestExcludeNewer: files uploaded at or after the cutoff do not exist for
// the resolution, so an older release is chosen; when nothing of a
// project is old enough, the failure says so and when its first upload
// was. Indexes without upload times (PEP 503 HTML) admit nothing.
func TestExcludeNewer(t *testing.T) {
	tests := []struct {
		name    string
		mode    pypitest.Mode
		reqs    string
		cutoff  time.Time
		want    string   // resolution, "" for a failure
		wantErr []string // parts of the failure
	}{
		{"newest", pypitest.ModeSimple, "web-app", time.Time{}, "core==2.0 leaf==1.0 native==0.5 web-app==2.0", nil},
		{"as of day 18 (PEP 700)", pypitest.ModeSimple, "web-app", day(18), "core==2.0 leaf==1.0 web-app==1.0", nil},
		{"a dependency's newer release is left out (JSON API times)", pypitest.ModeJSONOnly, "web-app", day(9), "core==1.0 web-app==1.0", nil},
		{"the cutoff itself is excluded", pypitest.ModeSimple, "web-app", day(20).Add(time.Second), "core==2.0 leaf==1.0 native==0.5 web-app==2.0", nil},
		{"nothing old enough", pypitest.ModeSimple, "core", day(1), "",
			[]string{"Because every version of core was uploaded after 2019-12-31 (--exclude-newer)", "hint: nothing of core was uploaded before the --exclude-newer cutoff (after 2019-12-31): its first file was uploaded on 2020-01-01T00:00:00Z; choose a later date"}},
		{"a pinned version too new", pypitest.ModeJSON, "web-app==2.0", day(19), "",
			[]string{"web-app==2.0 was uploaded after 2020-01-18 (--exclude-newer)"}},
		{"no upload times", pypitest.ModeSimpleHTML, "core", day(30), "",
			[]string{"core", "has no upload time on its index, which --exclude-newer needs"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := modeClient(t, tt.mode, indexReleases())
			res, err := Resolve(context.Background(), c, rootFile(t, tt.reqs, ""), Options{Python: "3.12", ExcludeNewer: tt.cutoff})
			if tt.want != "" {
				if err != nil {
					t.Fatal(err)
				}
				if got := summary(res); got != tt.want {
					t.Errorf("got %s, want %s", got, tt.want)
				}
				return
			}
			var ns *NoSolutionError
			if !errors.As(err, &ns) {
				t.Fatalf("got %v, want a NoSolutionError", err)
			}
			for _, part := range tt.wantErr {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error lacks %q:\n%v", part, err)
				}
			}
		})
	}
}

// TestProjectStatusInResolution: an archived or deprecated project
// resolves with a warning naming its status and reason; a quarantined one
// is refused when required directly, and avoided (as a missing one is)
// when a dependency needs it.
func TestProjectStatusInResolution(t *testing.T) {
	rels := []pypitest.Release{
		{Name: "app", Version: "1.0", RequiresDist: []string{"old", "gone"}},
		{Name: "app", Version: "2.0", RequiresDist: []string{"old", "gone", "evil"}},
		{Name: "old", Version: "1.0"}, {Name: "gone", Version: "1.0"}, {Name: "evil", Version: "1.0"},
	}
	for _, mode := range []pypitest.Mode{pypitest.ModeJSON, pypitest.ModeSimple, pypitest.ModeSimpleHTML} {
		t.Run(mode.String(), func(t *testing.T) {
			c, s := modeClient(t, mode, rels)
			s.SetStatus("old", pypitest.Status{Status: "archived", Reason: "feature complete"})
			s.SetStatus("gone", pypitest.Status{Status: "deprecated"})
			s.SetStatus("evil", pypitest.Status{Status: "quarantined", Reason: "malware"})
			res, err := Resolve(context.Background(), c, rootFile(t, "app", ""), Options{})
			if err != nil {
				t.Fatal(err)
			}
			index := s.IndexURL()
			want := []string{
				"evil is quarantined on " + index + " (reason: malware); releases that need it were passed over: app 2.0",
				"gone is deprecated on " + index + ": it is considered obsolete and may have been superseded by another project",
				"old is archived on " + index + ": its maintainers expect no further updates (reason: feature complete)",
			}
			if summary(res) != "app==1.0 gone==1.0 old==1.0" || !reflect.DeepEqual(res.Warnings, want) {
				t.Errorf("got %s, warnings %q; want app 1.0 (2.0 needs the quarantined evil) and %q", summary(res), res.Warnings, want)
			}
			_, err = Resolve(context.Background(), c, rootFile(t, "old\nevil", ""), Options{})
			var q *pypi.QuarantinedError
			if !errors.As(err, &q) || !strings.HasPrefix(err.Error(), "requirements.txt:2: package \"evil\" is quarantined on "+index+" (reason: malware)") {
				t.Errorf("a quarantined root requirement: %v", err)
			}
			_, err = Resolve(context.Background(), c, rootFile(t, "app==2.0", ""), Options{})
			if err == nil || !strings.Contains(err.Error(), "evil is quarantined on "+index+" (reason: malware)") {
				t.Errorf("a pinned version needing a quarantined project: %v", err)
			}
		})
	}
}
