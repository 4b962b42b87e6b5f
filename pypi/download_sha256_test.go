package pypi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/req2nix/req2nix/pypi/pypitest"
)

// TestArtifactSHA256: the digest of what was downloaded (direct references
// given without one), checked against an expected one, memoised, for
// file:// URLs read in place, and offline only with the digest known.
func TestArtifactSHA256(t *testing.T) {
	s := pypitest.NewServer(t, sampleReleases()...)
	c := testClient(t, s, Options{})
	ctx := context.Background()
	name := s.Filenames("flask", "1.0")[0]
	url, sum := s.FileURL(name), s.FileSHA256(name)

	c.ArtifactMetadata(ctx, url, "") // downloads it (the sample file need not be a real archive)
	got, err := c.ArtifactSHA256(ctx, url, "")
	if err != nil || got != sum {
		t.Fatalf("ArtifactSHA256 = %q, %v; want %s", got, err, sum)
	}
	if got, err := c.ArtifactSHA256(ctx, url, ""); err != nil || got != sum || s.Count("/files/"+name) != 1 {
		t.Errorf("second call: %q, %v, %d requests; want memoised", got, err, s.Count("/files/"+name))
	}
	if got, err := c.ArtifactSHA256(ctx, url, strings.ToUpper(sum)); err != nil || got != sum {
		t.Errorf("with the expected digest: %q, %v", got, err)
	}
	_, err = c.ArtifactSHA256(ctx, url, strings.Repeat("0", 64))
	if !errors.Is(err, ErrHashMismatch) {
		t.Errorf("wrong digest: %v, want ErrHashMismatch", err)
	}

	local := filepath.Join(t.TempDir(), "x-1.0.tar.gz")
	if err := os.WriteFile(local, []byte("local archive"), 0o644); err != nil {
		t.Fatal(err)
	}
	localSum := sha256.Sum256([]byte("local archive"))
	if got, err := c.ArtifactSHA256(ctx, "file://"+filepath.ToSlash(local), ""); err != nil || got != hex.EncodeToString(localSum[:]) {
		t.Errorf("file:// URL: %q, %v", got, err)
	}

	off := testClient(t, s, Options{CacheDir: c.cache.dir, Offline: true})
	if got, err := off.ArtifactSHA256(ctx, url, sum); err != nil || got != sum {
		t.Errorf("offline with the digest: %q, %v", got, err)
	}
	_, err = off.ArtifactSHA256(ctx, url, "")
	errorContains(t, err, "offline: no cached copy of "+url)
}
