package resolver

import (
	"path"
	"reflect"
	"strings"
	"testing"

	"github.com/req2nix/req2nix/pypi/vcs"
)

// TestParseDirectURL follows pip's link forms: archives over https, local
// files and directories, git at a commit, then what is refused.
func TestParseDirectURL(t *testing.T) {
	const commit = "0123456789abcdef0123456789abcdef01234567"
	tests := []struct {
		url     string
		want    DirectSource
		wantErr string // substring; "" = success
	}{
		{url: "https://example.com/p/foo-1.0-py3-none-any.whl", want: DirectSource{Kind: DirectArchive, URL: "https://example.com/p/foo-1.0-py3-none-any.whl"}},
		{url: "https://example.com/foo-1.0.tar.gz#sha256=" + strings.ToUpper(hashA), want: DirectSource{Kind: DirectArchive, URL: "https://example.com/foo-1.0.tar.gz", SHA256: hashA}},
		{url: "http://example.com/foo-1.0.zip?x=1#md5=00&sha256=" + hashB, want: DirectSource{Kind: DirectArchive, URL: "http://example.com/foo-1.0.zip?x=1", SHA256: hashB}},
		{url: "https://example.com/foo-1.0.tar.gz#subdirectory=a/../b", want: DirectSource{Kind: DirectArchive, URL: "https://example.com/foo-1.0.tar.gz", Subdirectory: "b"}},
		{url: "file:///home/u/dist/foo-1.0.tar.gz", want: DirectSource{Kind: DirectLocalArchive, Path: "/home/u/dist/foo-1.0.tar.gz"}},
		{url: "file://localhost/home/u/proj/", want: DirectSource{Kind: DirectDirectory, Path: "/home/u/proj"}},
		{url: "file:///home/u/my%20proj#egg=x&subdirectory=sub", want: DirectSource{Kind: DirectDirectory, Path: "/home/u/my proj", Subdirectory: "sub"}},
		{url: "git+https://github.com/o/r.git@" + commit, want: DirectSource{Kind: DirectGit, URL: "https://github.com/o/r.git", Rev: commit}},
		{url: "git+ssh://git@github.com/o/r@" + strings.ToUpper(commit) + "#egg=r&subdirectory=py", want: DirectSource{Kind: DirectGit, URL: "ssh://git@github.com/o/r", Rev: commit, Subdirectory: "py"}},
		{url: "git+file:///srv/r@" + commit, want: DirectSource{Kind: DirectGit, URL: "file:///srv/r", Rev: commit}},

		{url: "git+https://github.com/o/r.git@v1.0", want: DirectSource{Kind: DirectGit, URL: "https://github.com/o/r.git", Ref: "v1.0"}},
		{url: "git+https://github.com/o/r.git@0123456", want: DirectSource{Kind: DirectGit, URL: "https://github.com/o/r.git", Ref: "0123456"}},
		{url: "git+https://github.com/o/r.git@feature/x#subdirectory=py", want: DirectSource{Kind: DirectGit, URL: "https://github.com/o/r.git", Ref: "feature/x", Subdirectory: "py"}},
		{url: "git+https://github.com/o/r.git", want: DirectSource{Kind: DirectGit, URL: "https://github.com/o/r.git"}},
		{url: "git+https://user@github.com/o/r.git", want: DirectSource{Kind: DirectGit, URL: "https://user@github.com/o/r.git"}},

		{url: "git+ftp://h/r@" + commit, wantErr: `git URL scheme "ftp" is not supported`},
		{url: "git+https://h/r@-uupload-pack=x", wantErr: `"-uupload-pack=x" is not a valid git ref name`},
		{url: "git+ssh://-oProxyCommand=x/r@main", wantErr: "host or user name starting with '-'"},
		{url: "git+file://otherhost/r", wantErr: `names the host "otherhost"`},
		{url: "hg+https://h/r@abc", wantErr: "Mercurial repositories are not supported; use a git mirror"},
		{url: "svn+https://h/r", wantErr: "Subversion repositories are not supported"},
		{url: "bzr+lp:r", wantErr: "Bazaar repositories are not supported"},
		{url: "https://example.com/foo/", wantErr: "does not name a wheel"},
		{url: "ftp://example.com/foo-1.0.tar.gz", wantErr: `URL scheme "ftp" is not supported`},
		{url: "file://otherhost/x", wantErr: `on host "otherhost"`},
		{url: "file:relative/dir", wantErr: "is not absolute"},
		{url: "https://example.com/foo-1.0.tar.gz#subdirectory=../x", wantErr: `subdirectory "../x" leaves the project`},
		{url: "https://example.com/foo-1.0.tar.gz#sha256=abcd", wantErr: "#sha256=abcd is not 64 hex digits"},
		{url: "file:///d/foo-1.0.tar.gz#sha256=xyz", wantErr: "#sha256=xyz is not 64 hex digits"},
		{url: "foo-1.0.tar.gz", wantErr: "is not a URL"},
	}
	for _, tt := range tests {
		got, err := ParseDirectURL(tt.url)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseDirectURL(%q) = %+v, %v; want error containing %q", tt.url, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseDirectURL(%q) = %+v, %v; want %+v", tt.url, got, err, tt.want)
		}
	}
}

// FuzzParseDirectURL: no panics, and what parses is what the output can
// hold: a known kind, a git commit of 40 hex digits or a ref git accepts
// (of a URL git may be given), a subdirectory inside
// the project, an absolute clean local path, a 64-hex or empty digest.
func FuzzParseDirectURL(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw string) {
		s, err := ParseDirectURL(raw)
		if err != nil {
			return
		}
		if s.Subdirectory != "" && (path.IsAbs(s.Subdirectory) || s.Subdirectory == ".." || strings.HasPrefix(s.Subdirectory, "../") || path.Clean(s.Subdirectory) != s.Subdirectory) {
			t.Errorf("%q: subdirectory %q leaves the project", raw, s.Subdirectory)
		}
		switch s.Kind {
		case DirectGit:
			pinned := gitCommit.R().MatchString(s.Rev) && s.Rev == strings.ToLower(s.Rev) && s.Ref == ""
			if !pinned && (s.Rev != "" || vcs.CheckRef(s.Ref) != nil && s.Ref != "") || vcs.CheckURL(s.URL) != nil || !isPlaceholderVersion(placeholderVersion(s)) {
				t.Errorf("%q: git source %+v", raw, s)
			}
		case DirectArchive:
			if s.URL == "" || strings.Contains(s.URL, "#") || (s.SHA256 != "" && !sha256Hex.R().MatchString(s.SHA256)) {
				t.Errorf("%q: archive source %+v", raw, s)
			}
		case DirectLocalArchive, DirectDirectory:
			if !path.IsAbs(s.Path) || path.Clean(s.Path) != s.Path {
				t.Errorf("%q: local source %+v", raw, s)
			}
		default:
			t.Errorf("%q: kind %q", raw, s.Kind)
		}
	})
}
