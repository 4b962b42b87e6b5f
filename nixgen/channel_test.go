package nixgen

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/hex"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// narTree writes a directory exercising every part of the NAR format:
// nested and empty directories, empty and executable files, a symbolic
// link, and names whose NAR order (byte order) differs from git's tree
// order ("foo" before "foo.nix", which git sorts after "foo/").
func narTree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"default.nix":          "{ }: { }\n",
		"foo.nix":              "1",
		"foo/bar":              strings.Repeat("eight b\n", 3), // a multiple of 8: no padding
		"foo/empty":            "",
		"lib/minver.nix":       "\"2.18\"\n",
		"pkgs/top-level/x.nix": "# x\n",
	}
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dir, "run.sh"), []byte("#!/bin/sh\n"), 0o755)
	os.Mkdir(filepath.Join(dir, "empty-dir"), 0o755)
	if err := os.Symlink("foo/bar", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// nixHashHex is Nix's own NAR hash of dir (nix-hash, offline), in hex.
func nixHashHex(t *testing.T, dir string) string {
	t.Helper()
	requireNix(t)
	out, err := exec.Command("nix-hash", "--type", "sha256", dir).Output()
	if err != nil {
		t.Fatalf("nix-hash: %v", err)
	}
	return strings.TrimSpace(string(out))
}

func sriToHex(t *testing.T, sri string) string {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(sri, "sha256-"))
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(raw)
}

func hashDir(t *testing.T, dir string) string {
	t.Helper()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	sri, err := narHash(root)
	if err != nil {
		t.Fatal(err)
	}
	return sri
}

// TestNarHashMatchesNix compares narHash with nix-hash on a tree with
// every kind of entry, and on the walk stub.
func TestNarHashMatchesNix(t *testing.T) {
	for _, dir := range []string{narTree(t), walkStubDir(t)} {
		if got, want := sriToHex(t, hashDir(t, dir)), nixHashHex(t, dir); got != want {
			t.Errorf("narHash(%s) = %s, nix-hash says %s", dir, got, want)
		}
	}
}

// TestNarHashKnown checks a NAR hash without Nix: a directory holding one
// file "a" with contents "b" (the reference digest was computed with
// nix-hash --type sha256).
func TestNarHashKnown(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a"), []byte("b"), 0o644)
	const want = "sha256-EBswNU9earkJWqUCyZjDFV4ek3eePOcnPPDpEINoCvA=" // nix-hash: 101b3035…0af0
	if got := hashDir(t, dir); got != want {
		t.Errorf("narHash = %s, want %s", got, want)
	}
}

// tarballOf packs dir as GitHub does: every entry under prefix/, with a
// pax global header first. extra entries are appended as given.
func tarballOf(t testing.TB, dir, prefix string, extra ...*tar.Header) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	tw.WriteHeader(&tar.Header{Typeflag: tar.TypeXGlobalHeader, Name: "pax_global_header", PAXRecords: map[string]string{"comment": "abc"}})
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		name := path.Join(prefix, filepath.ToSlash(rel))
		info, _ := d.Info()
		hdr, err := tar.FileInfoHeader(info, "")
		if err != nil {
			return err
		}
		if d.Type()&fs.ModeSymlink != 0 {
			hdr.Linkname, _ = os.Readlink(p)
		}
		hdr.Name = name
		if d.IsDir() {
			hdr.Name += "/"
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if d.Type().IsRegular() {
			data, _ := os.ReadFile(p)
			tw.Write(data)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range extra {
		tw.WriteHeader(h)
		tw.Write(make([]byte, h.Size))
	}
	tw.Close()
	zw.Close()
	return buf.Bytes()
}

// TestUnpackTarball: the unpacked tree hashes as Nix hashes the original
// (fetchTarball's single top-level directory stripped).
func TestUnpackTarball(t *testing.T) {
	src := narTree(t)
	out := t.TempDir()
	got, err := unpackTarball(bytes.NewReader(tarballOf(t, src, "nixpkgs-abc")), out)
	if err != nil {
		t.Fatal(err)
	}
	if got != filepath.Join(out, "nixpkgs-abc") {
		t.Errorf("source = %s, want the single top-level directory", got)
	}
	if hashDir(t, got) != hashDir(t, src) {
		t.Error("the unpacked tree hashes differently from the original")
	}
}

// TestUnpackTarballHostile: names and links that point outside the
// directory are refused, never written.
func TestUnpackTarballHostile(t *testing.T) {
	src := t.TempDir()
	os.WriteFile(filepath.Join(src, "default.nix"), []byte("{ }"), 0o644)
	tests := []struct {
		name    string
		entries []*tar.Header
		wantErr string
	}{
		{"escape through a symlink", []*tar.Header{
			{Typeflag: tar.TypeSymlink, Name: "p/out", Linkname: "/tmp", Mode: 0o777},
			{Typeflag: tar.TypeReg, Name: "p/out/pwned", Size: 1, Mode: 0o644},
		}, "pwned"},
		{"a device", []*tar.Header{{Typeflag: tar.TypeChar, Name: "p/dev", Mode: 0o644}}, "unsupported entry type"},
	}
	for _, tt := range tests {
		out := t.TempDir()
		_, err := unpackTarball(bytes.NewReader(tarballOf(t, src, "p", tt.entries...)), out)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.wantErr)
		}
	}
	// "../" is cleaned to stay inside: the file lands in the directory.
	out := t.TempDir()
	dotdot := []*tar.Header{{Typeflag: tar.TypeReg, Name: "../../outside", Size: 1, Mode: 0o644}}
	if _, err := unpackTarball(bytes.NewReader(tarballOf(t, src, "p", dotdot...)), out); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, "outside")); err != nil {
		t.Errorf("../../outside was not kept inside: %v", err)
	}
	if _, err := unpackTarball(strings.NewReader("not gzip"), t.TempDir()); err == nil || !strings.Contains(err.Error(), "not a gzip-compressed tarball") {
		t.Errorf("garbage: %v", err)
	}
}

// channelServer serves a channel's git-revision and the GitHub tarball of
// dir at that revision, counting requests.
type channelServer struct {
	*httptest.Server
	rev       atomic.Value
	revisions atomic.Int64
	tarballs  atomic.Int64
}

func newChannelServer(t *testing.T, dir, rev string) *channelServer {
	t.Helper()
	s := &channelServer{}
	s.rev.Store(rev)
	tarballs := map[string][]byte{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rev := s.rev.Load().(string)
		switch {
		case r.URL.Path == "/nixos-26.05/git-revision":
			s.revisions.Add(1)
			w.Write([]byte(rev + "\n"))
		case r.URL.Path == "/NixOS/nixpkgs/archive/"+rev+".tar.gz":
			s.tarballs.Add(1)
			if tarballs[rev] == nil {
				tarballs[rev] = tarballOf(t, dir, "nixpkgs-"+rev)
			}
			w.Write(tarballs[rev])
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func TestResolveChannel(t *testing.T) {
	dir := walkStubDir(t)
	rev1, rev2 := strings.Repeat("1", 40), strings.Repeat("2", 40)
	srv := newChannelServer(t, dir, rev1)
	now := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	var progress []string
	o := ChannelOptions{CacheDir: t.TempDir(), ChannelsURL: srv.URL, ArchiveURL: srv.URL,
		Now: func() time.Time { return now }, Progress: func(m string) { progress = append(progress, m) }}
	r, err := ResolveChannel(context.Background(), "nixos-26.05", o)
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(r.Dir)
	want := Pin{Rev: rev1, SHA256: hashDir(t, dir), URL: tarballURL(rev1), Name: "nixos-26.05"}
	if r.Pin != want || !r.At.Equal(now) {
		t.Errorf("ResolveChannel = %+v, want %+v", r, want)
	}
	if r.Source == "" || hashDir(t, r.Source) != want.SHA256 || len(progress) != 1 {
		t.Errorf("the unpacked source %q should be left for evaluation; progress %q", r.Source, progress)
	}
	// Within the TTL the last resolution is reused without a request.
	now = now.Add(ChannelTTL - time.Minute)
	if again, err := ResolveChannel(context.Background(), "nixos-26.05", o); err != nil || again.Pin != want || again.Source != "" || srv.revisions.Load() != 1 {
		t.Errorf("within the TTL: %+v, %v, %d requests", again, err, srv.revisions.Load())
	}
	// After it, the channel is asked again; an unmoved channel is not
	// downloaded again.
	now = now.Add(2 * time.Minute)
	if again, err := ResolveChannel(context.Background(), "nixos-26.05", o); err != nil || again.Pin != want || srv.revisions.Load() != 2 || srv.tarballs.Load() != 1 {
		t.Errorf("after the TTL: %+v, %v, %d revision and %d tarball requests", again, err, srv.revisions.Load(), srv.tarballs.Load())
	}
	// A moved channel is downloaded and hashed again.
	srv.rev.Store(rev2)
	o.Refresh = true
	moved, err := ResolveChannel(context.Background(), "nixos-26.05", o)
	if err != nil || moved.Pin.Rev != rev2 || srv.tarballs.Load() != 2 {
		t.Errorf("moved: %+v, %v", moved, err)
	}
	os.RemoveAll(moved.Dir)
	// Offline: the last resolution, however old; none is an error.
	o.Refresh, o.Offline = false, true
	now = now.Add(100 * time.Hour)
	srv.Close()
	if off, err := ResolveChannel(context.Background(), "nixos-26.05", o); err != nil || off.Pin.Rev != rev2 {
		t.Errorf("offline: %+v, %v", off, err)
	}
	o.CacheDir = t.TempDir()
	if _, err := ResolveChannel(context.Background(), "nixos-26.05", o); err == nil || !strings.Contains(err.Error(), "--offline: channel nixos-26.05 was never resolved") {
		t.Errorf("offline, never resolved: %v", err)
	}
}

func TestResolveChannelErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/nixos-26.05/git-revision":
			w.Write([]byte("<html>maintenance</html>"))
		case "/nixos-unstable/git-revision":
			w.Write([]byte(strings.Repeat("3", 40)))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	o := ChannelOptions{ChannelsURL: srv.URL, ArchiveURL: srv.URL}
	tests := []struct{ channel, wantErr string }{
		{"nixos-26.05", `answered "<html>maintenance</html>", not a 40-hex commit`},
		{"nixos-unstable", "downloading nixpkgs " + strings.Repeat("3", 40) + ": GET " + srv.URL + "/NixOS/nixpkgs/archive/" + strings.Repeat("3", 40) + ".tar.gz: 404 Not Found"},
		{"nixos-25.11", "resolving channel nixos-25.11: GET " + srv.URL + "/nixos-25.11/git-revision: 404 Not Found"},
		{"master", `"master" is not a nixpkgs channel name`},
	}
	for _, tt := range tests {
		if _, err := ResolveChannel(context.Background(), tt.channel, o); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: err = %v, want %q", tt.channel, err, tt.wantErr)
		}
	}
}

func TestIsChannel(t *testing.T) {
	for s, want := range map[string]bool{"nixos-26.05": true, "nixos-unstable": true, "nixpkgs-unstable": true, "nixos-26.05-small": true,
		"nixpkgs-26.05-darwin": true, "nixos-unstable-small": true, "master": false, "26.05": false, "nixos-26.05; rm": false, "./nixos-26.05": false} {
		if IsChannel(s) != want {
			t.Errorf("IsChannel(%q) = %v", s, !want)
		}
	}
}

// TestEvalIndexUnpackedSource evaluates a resolved channel's unpacked
// tarball, caching it under the pin, not the temporary directory.
func TestEvalIndexUnpackedSource(t *testing.T) {
	requireNix(t)
	srv := newChannelServer(t, walkStubDir(t), strings.Repeat("4", 40))
	r, err := ResolveChannel(context.Background(), "nixos-26.05", ChannelOptions{ChannelsURL: srv.URL, ArchiveURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	ix, err := EvalIndex(context.Background(), r.Pin, "python313", EvalOptions{CacheDir: cache, Source: r.Source})
	os.RemoveAll(r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if e, ok := ix.Lookup("flask"); !ok || e.Version != "3.0.3" {
		t.Errorf("flask: %+v", e)
	}
	t.Setenv("PATH", t.TempDir())
	if _, err := EvalIndex(context.Background(), r.Pin, "python313", EvalOptions{CacheDir: cache, Offline: true}); err != nil {
		t.Errorf("the pin's index must be cached under the pin: %v", err)
	}
}
