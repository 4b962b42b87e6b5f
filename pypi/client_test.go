package pypi

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/req2nix/req2nix/pypi/pypitest"
)

func TestProject(t *testing.T) {
	s := pypitest.NewServer(t, sampleReleases()...)
	c := testClient(t, s, Options{})
	tests := []struct {
		asked    string
		wantName string
		wantKeys []string
	}{
		// Releases ascend in PEP 440 order; the pre-release sorts before 2.0.0.
		{"flask", "flask", []string{"0.12", "1.0", "1.1.2", "2.0.0rc1"}},
		// Any spelling is normalised; the legacy key 2004d and the release
		// without files (0.9) are skipped.
		{"WERKZEUG", "werkzeug", []string{"1.0.1"}},
		{"Click", "click", []string{"7.1.2"}},
	}
	for _, tt := range tests {
		p := mustProject(t, c, tt.asked)
		if p.Name != tt.wantName || p.Index != s.IndexURL() {
			t.Errorf("Project(%q) = name %q index %q, want %q %q", tt.asked, p.Name, p.Index, tt.wantName, s.IndexURL())
		}
		if got := keys(p); !reflect.DeepEqual(got, tt.wantKeys) {
			t.Errorf("Project(%q) releases = %v, want %v", tt.asked, got, tt.wantKeys)
		}
		for _, r := range p.Releases {
			if r.Name != tt.wantName || r.Index != s.IndexURL() || r.Version.String() != r.Key {
				t.Errorf("release %+v: wrong name, index or version", r)
			}
		}
	}
}

func TestProjectFiles(t *testing.T) {
	s := pypitest.NewServer(t, sampleReleases()...)
	c := testClient(t, s, Options{})
	p := mustProject(t, c, "flask")
	old := release(t, p, "0.12")
	if !old.Yanked() || old.Files[0].YankedReason != "broken" {
		t.Errorf("0.12 should be yanked for %q: %+v", "broken", old.Files)
	}
	r := release(t, p, "1.0")
	if r.Yanked() {
		t.Error("1.0 is not yanked")
	}
	wantNames := s.Filenames("flask", "1.0")
	slices.Sort(wantNames) // files come in filename order, whatever the index's
	if len(r.Files) != len(wantNames) {
		t.Fatalf("1.0 files = %+v, want %v", r.Files, wantNames)
	}
	for i, f := range r.Files {
		want := File{Filename: wantNames[i], URL: s.FileURL(wantNames[i]), SHA256: s.FileSHA256(wantNames[i]), RequiresPython: ">=2.7", PackageType: f.PackageType}
		if f != want || (f.PackageType != "sdist" && f.PackageType != "bdist_wheel") {
			t.Errorf("file %d = %+v, want %+v", i, f, want)
		}
	}
}

// TestMetadata: core metadata where the page offers it, else the version
// document (requires_dist null there meaning no dependencies, assumed),
// each costing one request after the project's page and document.
func TestMetadata(t *testing.T) {
	s := pypitest.NewServer(t, sampleReleases()...)
	c := testClient(t, s, Options{})
	tests := []struct {
		name, key string
		want      Metadata
		path      string // the one request Metadata makes, "" for none
	}{
		// The wheel's .metadata, whatever the version document says.
		{"flask", "1.1.2", Metadata{Name: "flask", Version: "1.1.2", RequiresDist: []string{"Werkzeug>=0.15", "click>=5.1", `python-dotenv; extra == "dotenv"`}, ProvidesExtra: []string{"dotenv"}, Source: SourceCoreMetadata}, "/files/flask-1.1.2-py3-none-any.whl.metadata"},
		// The latest release (added last): from the project document.
		{"flask", "0.12", Metadata{Name: "flask", Version: "0.12", RequiresDist: []string{}, Source: SourceJSON}, ""},
		{"werkzeug", "1.0.1", Metadata{Name: "werkzeug", Version: "1.0.1", RequiresDist: []string{`watchdog; extra == "watchdog"`}, ProvidesExtra: []string{"watchdog"}, Source: SourceCoreMetadata}, "/files/werkzeug-1.0.1-py3-none-any.whl.metadata"},
		// Only an sdist (no core metadata) and requires_dist null: no
		// dependencies, from the JSON API.
		{"click", "7.1.2", Metadata{Name: "click", Version: "7.1.2", Source: SourceJSON, Assumed: true}, "/pypi/click/7.1.2/json"},
	}
	for _, tt := range tests {
		r := release(t, mustProject(t, c, tt.name), tt.key)
		before := s.Requests()
		m, err := c.Metadata(context.Background(), tt.name, r)
		if err != nil {
			t.Fatalf("Metadata(%s %s): %v", tt.name, tt.key, err)
		}
		if !reflect.DeepEqual(*m, tt.want) {
			t.Errorf("Metadata(%s %s) =\n%#v, want\n%#v", tt.name, tt.key, *m, tt.want)
		}
		if got, want := s.Requests()-before, min(len(tt.path), 1); got != want || tt.path != "" && s.Count(tt.path) != 1 {
			t.Errorf("Metadata(%s %s): %d requests, %d to %q; want %d", tt.name, tt.key, got, s.Count(tt.path), tt.path, want)
		}
	}
}

func TestMetadataCoreMetadataBadHash(t *testing.T) {
	s := pypitest.NewServer(t, sampleReleases()...)
	c := testClient(t, s, Options{})
	r := release(t, mustProject(t, c, "werkzeug"), "1.0.1")
	wheel := s.Filenames("werkzeug", "1.0.1")[1]
	s.Inject("/files/"+wheel+".metadata", pypitest.Fault{Body: []byte("Metadata-Version: 2.1\nName: werkzeug\nVersion: 1.0.1\nRequires-Dist: evil\n")})
	_, err := c.Metadata(context.Background(), "werkzeug", r)
	errorContains(t, err, "sha256 mismatch", wheel+".metadata")
	// The bad body was not cached: the next try fetches again and succeeds.
	c2 := testClient(t, s, Options{CacheDir: c.cache.dir})
	m, err := c2.Metadata(context.Background(), "werkzeug", r)
	if err != nil || m.Source != SourceCoreMetadata {
		t.Fatalf("after the fault: %+v, %v", m, err)
	}
}

func TestNotFound(t *testing.T) {
	s := pypitest.NewServer(t, sampleReleases()...)
	c := testClient(t, s, Options{})
	mustProject(t, c, "flask") // a name seen this run
	_, err := c.Project(context.Background(), "flsk")
	if !isNotFound(err) {
		t.Fatalf("got %v, want a NotFoundError", err)
	}
	want := `package "flsk" not found on ` + s.IndexURL() + ` (did you mean "flask"?)`
	if err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
	// A fresh client knows names from the cache.
	c2 := testClient(t, s, Options{CacheDir: c.cache.dir})
	_, err = c2.Project(context.Background(), "Falsk")
	errorContains(t, err, `package "Falsk" not found`, `did you mean "flask"?`)
	// Nothing close: no suggestion.
	_, err = c2.Project(context.Background(), "numpy")
	if err == nil || strings.Contains(err.Error(), "did you mean") {
		t.Errorf("numpy: got %v, want not found without suggestions", err)
	}
}

func TestInvalidName(t *testing.T) {
	s := pypitest.NewServer(t)
	c := testClient(t, s, Options{})
	for _, name := range []string{"", "../etc", "a/b", "-x"} {
		_, err := c.Project(context.Background(), name)
		errorContains(t, err, "invalid project name")
	}
	if s.Requests() != 0 {
		t.Errorf("invalid names reached the server: %d requests", s.Requests())
	}
}
