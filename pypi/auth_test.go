package pypi

import (
	"bytes"
	"context"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/req2nix/req2nix/pypi/pypitest"
)

func TestCredentials(t *testing.T) {
	s := pypitest.NewServer(t, sampleReleases()...)
	s.RequireAuth("alice", "s3cret-pw")
	host := strings.TrimPrefix(s.URL, "http://")
	hostname, _, _ := strings.Cut(host, ":")
	netrcWith := func(login, pass string) string {
		p := filepath.Join(t.TempDir(), "netrc")
		os.WriteFile(p, []byte("machine "+hostname+" login "+login+" password "+pass+"\n"), 0o600)
		return p
	}
	tests := []struct {
		name    string
		index   string
		netrc   string
		wantErr string
	}{
		{"userinfo", "http://alice:s3cret-pw@" + host + "/simple", "", ""},
		{"netrc", s.URL + "/simple", netrcWith("alice", "s3cret-pw"), ""},
		{"userinfo beats netrc", "http://alice:s3cret-pw@" + host, netrcWith("alice", "wrong"), ""},
		{"wrong password", "http://alice:wrong-pw@" + host + "/simple", "", "refused the credentials"},
		{"wrong password in netrc", s.URL, netrcWith("alice", "wrong-pw"), "refused the credentials"},
		{"none", s.URL, "", "the index wants credentials: give them in the index URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			c := testClient(t, s, Options{IndexURL: tt.index, Netrc: tt.netrc, Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
			p, err := c.Project(context.Background(), "flask")
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				// Downloads from the index host use the same credentials.
				f := release(t, p, "1.0").Files[0]
				if _, err := c.Download(context.Background(), f.URL, f.SHA256); err != nil {
					t.Errorf("download: %v", err)
				}
				return
			}
			errorContains(t, err, "HTTP 401", tt.wantErr, "/simple/flask/")
			for _, secret := range []string{"wrong-pw", "s3cret-pw"} {
				if strings.Contains(err.Error(), secret) || strings.Contains(logs.String(), secret) {
					t.Errorf("secret %q leaked: %v\nlogs: %s", secret, err, logs.String())
				}
			}
		})
	}
}

func TestNoSecretsInMessages(t *testing.T) {
	s := pypitest.NewServer(t, sampleReleases()...)
	host := strings.TrimPrefix(s.URL, "http://")
	var logs bytes.Buffer
	c := testClient(t, s, Options{IndexURL: "http://bob:hunter2@" + host + "/simple", Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	s.Inject("/pypi/flask/json", pypitest.Fault{Status: 500}, pypitest.Fault{Reset: true})
	s.Inject("/pypi/nope/json", pypitest.Fault{Status: 500})
	p := mustProject(t, c, "flask")
	_, err := c.Project(context.Background(), "nope")
	var msgs []string
	msgs = append(msgs, err.Error(), p.Index, p.Releases[0].Index, c.String(), logs.String())
	for _, m := range msgs {
		if strings.Contains(m, "hunter2") {
			t.Errorf("password in %q", m)
		}
	}
	if want := "http://bob:****@" + host + "/simple"; p.Index != want {
		t.Errorf("Project.Index = %q, want %q", p.Index, want)
	}
	// The redacted index still routes Metadata to the right index.
	if _, err := c.Metadata(context.Background(), "flask", p.Releases[1]); err != nil {
		t.Error(err)
	}
	for _, f := range cacheFiles(t, c.cache.dir) {
		data, _ := os.ReadFile(f)
		if bytes.Contains(data, []byte("hunter2")) {
			t.Errorf("password in cache file %s", f)
		}
	}
}

func TestExtraIndexes(t *testing.T) {
	primary := pypitest.NewServer(t,
		pypitest.Release{Name: "shared", Version: "1.0", RequiresDist: []string{"from-primary"}},
		pypitest.Release{Name: "shared", Version: "2.0", RequiresDist: []string{}},
	)
	extra := pypitest.NewServer(t,
		pypitest.Release{Name: "shared", Version: "1.0.0", RequiresDist: []string{"from-extra"}}, // equal to 1.0
		pypitest.Release{Name: "shared", Version: "1.5", RequiresDist: []string{"from-extra"}},
		pypitest.Release{Name: "private", Version: "0.1", RequiresDist: []string{}},
	)
	c := testClient(t, primary, Options{ExtraIndexURLs: []string{extra.URL + "/simple"}})
	p := mustProject(t, c, "shared")
	type rel struct{ key, index, dep string }
	var got []rel
	for _, r := range p.Releases {
		m, err := c.Metadata(context.Background(), "shared", r)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, rel{r.Key, r.Index, strings.Join(m.RequiresDist, ",")})
	}
	want := []rel{{"1.0", primary.IndexURL(), "from-primary"}, {"1.5", extra.IndexURL(), "from-extra"}, {"2.0", primary.IndexURL(), ""}}
	if len(got) != len(want) {
		t.Fatalf("releases %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("release %d = %v, want %v", i, got[i], want[i])
		}
	}
	// A project only the extra index has.
	if p := mustProject(t, c, "private"); p.Index != extra.IndexURL() || len(p.Releases) != 1 {
		t.Errorf("private: %+v", p)
	}
	_, err := c.Project(context.Background(), "nowhere")
	errorContains(t, err, `"nowhere" not found on `+primary.IndexURL()+", "+extra.IndexURL())
}

// TestFileMirror reads an index written as a file:// mirror: same answers
// as over HTTP, PEP 658 metadata via the mirror's simple/<name>/index.json,
// and suggestions from the directory listing.
func TestFileMirror(t *testing.T) {
	s := pypitest.NewServer(t, sampleReleases()...)
	dir := t.TempDir()
	if err := s.WriteMirror(dir); err != nil {
		t.Fatal(err)
	}
	overHTTP := testClient(t, s, Options{})
	mirrorURL := (&url.URL{Scheme: "file", Path: filepath.ToSlash(dir)}).String()
	cacheDir := t.TempDir()
	local := testClient(t, s, Options{IndexURL: mirrorURL, CacheDir: cacheDir})
	for _, name := range []string{"flask", "werkzeug", "click"} {
		want := mustProject(t, overHTTP, name)
		got := mustProject(t, local, name)
		if !equalKeys(keys(got), keys(want)) || got.Index != mirrorURL {
			t.Errorf("%s: mirror %v from %s, HTTP %v", name, keys(got), got.Index, keys(want))
		}
		for _, r := range got.Releases {
			m, err := local.Metadata(context.Background(), name, r)
			if err != nil {
				t.Fatal(err)
			}
			wm, _ := overHTTP.Metadata(context.Background(), name, release(t, want, r.Key))
			if m.Source != wm.Source || strings.Join(m.RequiresDist, "|") != strings.Join(wm.RequiresDist, "|") {
				t.Errorf("%s %s: mirror %+v, HTTP %+v", name, r.Key, m, wm)
			}
			if _, err := local.Download(context.Background(), r.Files[0].URL, r.Files[0].SHA256); err != nil {
				t.Errorf("download from mirror: %v", err)
			}
		}
	}
	if st := local.Stats(); st.Requests != 0 {
		t.Errorf("the mirror client made %d HTTP requests", st.Requests)
	}
	if files := cacheFiles(t, cacheDir); len(files) != 0 {
		t.Errorf("a file:// mirror is not cached, but found %v", files)
	}
	_, err := local.Project(context.Background(), "werkzeg")
	errorContains(t, err, `package "werkzeg" not found on `+mirrorURL, `did you mean "werkzeug"?`)

	_, err = New(Options{IndexURL: mirrorURL + "/nope", CacheDir: cacheDir})
	errorContains(t, err, "index "+mirrorURL+"/nope: no such directory; a file:// index is a mirror directory holding pypi/<name>/json, simple/<name>/index.json or distribution files")
}

func equalKeys(a, b []string) bool { return strings.Join(a, " ") == strings.Join(b, " ") }

// TestRememberedMissing: a 404 from an extra index is remembered for
// MaxAge, so warm and offline runs do not need that index again.
func TestRememberedMissing(t *testing.T) {
	primary := pypitest.NewServer(t, sampleReleases()...)
	extra := pypitest.NewServer(t, pypitest.Release{Name: "private", Version: "0.1", RequiresDist: []string{}})
	dir := t.TempDir()
	opts := Options{CacheDir: dir, ExtraIndexURLs: []string{extra.URL}}
	mustProject(t, testClient(t, primary, opts), "flask")
	if got := extra.Count("/pypi/flask/json"); got != 1 {
		t.Fatalf("extra index asked %d times", got)
	}
	tests := []struct {
		name      string
		opts      Options
		wantAsked int // further requests to the extra index
	}{
		{"warm", Options{}, 0},
		{"offline", Options{Offline: true}, 0},
		{"stale", Options{MaxAge: time.Nanosecond}, 1},
		{"refresh", Options{Refresh: true}, 1},
	}
	for _, tt := range tests {
		before := extra.Count("/pypi/flask/json")
		o := tt.opts
		o.CacheDir, o.ExtraIndexURLs = dir, opts.ExtraIndexURLs
		if p := mustProject(t, testClient(t, primary, o), "flask"); len(p.Releases) != 4 {
			t.Errorf("%s: %d releases", tt.name, len(p.Releases))
		}
		if got := extra.Count("/pypi/flask/json") - before; got != tt.wantAsked {
			t.Errorf("%s: extra index asked %d times, want %d", tt.name, got, tt.wantAsked)
		}
	}
	// A remembered 404 does not make its name a suggestion.
	if names := (&diskCache{dir: dir}).projectNames(strings.TrimPrefix(extra.URL, "http://")); len(names) != 0 {
		t.Errorf("names cached for the extra index: %v", names)
	}
}

func TestCredentialsChoice(t *testing.T) {
	netrc := filepath.Join(t.TempDir(), "netrc")
	os.WriteFile(netrc, []byte("machine files.example login nina password n\nmachine other.example login olga password o\n"), 0o600)
	c, err := New(Options{
		IndexURL:       "https://alice:a@repo.example/team-a/simple",
		ExtraIndexURLs: []string{"https://bob:b@repo.example/team-b/simple", "https://files.example/simple"},
		Netrc:          netrc, CacheDir: t.TempDir(),
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ url, user string }{
		{"https://carol:c@repo.example/team-a/x.whl", "carol"}, // the URL's own userinfo first
		{"https://repo.example/team-a/pypi/x/json", "alice"},
		{"https://repo.example/team-b/pypi/x/json", "bob"},
		{"https://repo.example/packages/x-1.0.tar.gz", "alice"}, // same host: the first index's login
		{"https://files.example/pypi/x/json", "nina"},           // no userinfo: netrc
		{"https://other.example/x.whl", "olga"},
		{"https://nobody.example/x.whl", ""},
	}
	for _, tt := range tests {
		u, _ := url.Parse(tt.url)
		if user, _, _ := c.credentials(u); user != tt.user {
			t.Errorf("credentials(%s) = %q, want %q", tt.url, user, tt.user)
		}
	}
}
