package pypi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// Download fetches the artifact at rawURL into the cache and returns its
// path: <CacheDir>/artifacts/<sha256>/<file name>. The body is streamed to
// a temporary file, its sha256 checked against sha256hex (when given) and
// the file renamed into place, so a cancelled or failed download leaves
// nothing behind. Without sha256hex, a "#sha256=<hex>" URL fragment is
// checked instead. A cached artifact is re-hashed before reuse. A file://
// URL is checked in place and its own path returned. Offline, only cached
// artifacts are available.
func (c *Client) Download(ctx context.Context, rawURL, sha256hex string) (string, error) {
	want := strings.ToLower(sha256hex)
	if want != "" {
		if _, err := decodeSHA256(want); err != nil {
			return "", fmt.Errorf("download %s: %v", Redact(rawURL), err)
		}
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("download %s: %v", Redact(rawURL), unwrapURLError(err))
	}
	if want == "" {
		want = fragmentSHA256(u)
	}
	switch u.Scheme {
	case "file":
		p := localPath(u)
		return p, verifyFile(p, want, u.String())
	case "http", "https":
	default:
		return "", fmt.Errorf("download %s: only http, https and file URLs can be downloaded", Redact(rawURL))
	}
	clean, _ := stripUserinfo(u)
	v, err := c.flights.do(ctx, "download "+clean.String()+" "+want, func(ctx context.Context) (any, error) {
		return c.download(ctx, u, want)
	})
	if err != nil {
		return "", err
	}
	return v.(string), nil
}

// fragmentSHA256 is the digest of a "#sha256=<hex>" URL fragment (the form
// indexes and pip use), or "".
func fragmentSHA256(u *url.URL) string {
	if h, ok := strings.CutPrefix(u.Fragment, "sha256="); ok {
		if _, err := decodeSHA256(h); err == nil {
			return strings.ToLower(h)
		}
	}
	return ""
}

// artifactName is the file name to store an artifact under: the last path
// segment of its URL, made safe.
func artifactName(u *url.URL) string {
	name := path.Base(u.Path)
	if name == "/" || name == "." || name == ".." || name == "" {
		return "artifact"
	}
	return strings.Map(func(r rune) rune {
		if r == os.PathSeparator || r == 0 {
			return '_'
		}
		return r
	}, name)
}

// download implements Download for network URLs.
func (c *Client) download(ctx context.Context, u *url.URL, want string) (string, error) {
	root := filepath.Join(c.cache.dir, "artifacts")
	name := artifactName(u)
	if want != "" {
		dest := filepath.Join(root, want, name)
		if err := verifyFile(dest, want, u.String()); err == nil {
			c.stats.cacheHits.Add(1)
			return dest, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			c.log.Debug("cached artifact is damaged; downloading again", "path", dest, "error", err)
		}
	}
	if c.offline {
		return "", offlineMiss(Redact(u.String()))
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", err
	}
	c.sweepOnce.Do(func() { sweepStaleTemps(root, c.log) })
	tmp, err := os.CreateTemp(root, ".tmp-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	defer tmp.Close()
	got, err := c.streamTo(ctx, u, tmp)
	if err != nil {
		return "", err
	}
	if want != "" && got != want {
		return "", fmt.Errorf("download %s: %w: want %s, got %s", Redact(u.String()), ErrHashMismatch, want, got)
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	dest := filepath.Join(root, got, name)
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return "", err
	}
	return dest, os.Rename(tmp.Name(), dest)
}

// staleTempAge is when a temporary download file is surely abandoned (its
// process was killed before it could remove it).
const staleTempAge = 24 * time.Hour

// sweepStaleTemps removes abandoned temporary downloads from dir; partial
// wheels can be large.
func sweepStaleTemps(dir string, log *slog.Logger) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		info, err := e.Info()
		if err != nil || !strings.HasPrefix(e.Name(), ".tmp-") || time.Since(info.ModTime()) < staleTempAge {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err == nil {
			log.Debug("removed an abandoned partial download", "path", filepath.Join(dir, e.Name()))
		}
	}
}

// streamTo GETs u into f (rewinding it on each retry) and returns the
// body's sha256.
func (c *Client) streamTo(ctx context.Context, u *url.URL, f *os.File) (string, error) {
	var h hash.Hash
	resp, err := c.httpGet(ctx, u, nil, 10*c.timeout, func(r io.Reader) error {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return &permanentError{err}
		}
		if err := f.Truncate(0); err != nil {
			return &permanentError{err}
		}
		h = sha256.New()
		_, err := io.Copy(io.MultiWriter(fileWriter{f}, h), r)
		var we *writeError
		if errors.As(err, &we) {
			return &permanentError{err}
		}
		return err
	})
	if err != nil {
		return "", err
	}
	if resp.status != http.StatusOK {
		return "", fmt.Errorf("GET %s: unexpected HTTP %d", Redact(u.String()), resp.status)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// writeError marks a local write failure while streaming (not retryable).
type writeError struct{ error }

// fileWriter tags write errors of f as writeErrors.
type fileWriter struct{ f *os.File }

func (w fileWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	if err != nil {
		err = &writeError{err}
	}
	return n, err
}

// verifyFile checks that the file at p exists and, when want is set, has
// that sha256.
func verifyFile(p, want, what string) error {
	if want == "" {
		_, err := os.Stat(p)
		return err
	}
	got, err := fileSHA256(p)
	if err != nil {
		return err
	}
	if got != want {
		return fmt.Errorf("%s: %w: want %s, got %s", Redact(what), ErrHashMismatch, want, got)
	}
	return nil
}

// ErrHashMismatch is wrapped by download errors whose file does not have
// the expected sha256: the pin is wrong or the file was replaced, and
// retrying cannot help.
var ErrHashMismatch = errors.New("sha256 mismatch")

// ArtifactSHA256 downloads the artifact at rawURL (see Download: a cached
// copy is reused, a file:// URL read in place) and returns its sha256 in
// lower-case hex. It pins direct references given without a digest: what
// was downloaded is what the output fetches. With sha256hex (or a
// "#sha256=" fragment) the digest is checked and returned. Memoised for the
// Client's lifetime.
func (c *Client) ArtifactSHA256(ctx context.Context, rawURL, sha256hex string) (string, error) {
	v, err := c.once(ctx, "artifact-sha256 "+rawURL+" "+sha256hex, func(ctx context.Context) (any, error) {
		p, err := c.artifactPath(ctx, rawURL, sha256hex)
		if err != nil {
			return nil, err
		}
		return fileSHA256(p)
	})
	if err != nil {
		return "", err
	}
	return v.(string), nil
}

// artifactPath is Download memoised for the Client's lifetime, so that
// ArtifactMetadata and ArtifactSHA256 of an archive given without a digest
// (which the cache cannot find by digest) download it once.
func (c *Client) artifactPath(ctx context.Context, rawURL, sha256hex string) (string, error) {
	v, err := c.once(ctx, "artifact-path "+rawURL+" "+strings.ToLower(sha256hex), func(ctx context.Context) (any, error) {
		return c.Download(ctx, rawURL, sha256hex)
	})
	if err != nil {
		return "", err
	}
	return v.(string), nil
}

// fileSHA256 is the lower-case hex sha256 of the file at p.
func fileSHA256(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("reading %s: %v", p, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
