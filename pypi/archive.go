package pypi

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"compress/bzip2"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// maxMemberBytes bounds a member read from an archive (METADATA, PKG-INFO,
// pyproject.toml): archives from an index are untrusted.
const maxMemberBytes = 8 << 20

// ArtifactMetadata downloads the artifact at rawURL (see Download) and
// reads its core metadata: METADATA from a wheel's .dist-info directory, or
// PKG-INFO from the top directory of an sdist (.tar.gz, .tgz, .tar.bz2,
// .tar, .zip). It serves direct references ("name @ https://...").
// The result is memoised for the Client's lifetime (read-only).
func (c *Client) ArtifactMetadata(ctx context.Context, rawURL, sha256hex string) (*Metadata, error) {
	v, err := c.once(ctx, "artifact-metadata "+rawURL+" "+sha256hex, func(ctx context.Context) (any, error) {
		p, err := c.artifactPath(ctx, rawURL, sha256hex)
		if err != nil {
			return nil, err
		}
		return readArtifactMetadata(p, fileNameOf(rawURL))
	})
	if err != nil {
		return nil, err
	}
	return v.(*Metadata), nil
}

// BuildRequires downloads the sdist f and returns the [build-system]
// requires list of its pyproject.toml: nil when the sdist has no
// pyproject.toml or it declares no build-system requirements (PEP 518: the
// caller then assumes setuptools). Wheels need no build: nil.
func (c *Client) BuildRequires(ctx context.Context, f File) ([]string, error) {
	if strings.HasSuffix(f.name(), ".whl") {
		return nil, nil
	}
	return c.readFile(ctx, f, readBuildRequires)
}

// readBuildRequires reads the [build-system] requires of the sdist at p.
func readBuildRequires(p, name string) ([]string, error) {
	body, err := readSdistMember(p, name, "pyproject.toml")
	if errors.Is(err, errNoMember) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return parseBuildRequires(body, name)
}

// parseBuildRequires reads build-system.requires from pyproject.toml text.
func parseBuildRequires(body []byte, where string) ([]string, error) {
	var doc struct {
		BuildSystem struct {
			Requires []string `toml:"requires"`
		} `toml:"build-system"`
	}
	if err := toml.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("%s: pyproject.toml: %v", where, err)
	}
	return doc.BuildSystem.Requires, nil
}

// fileNameOf is the last path segment of a URL (for the archive kind).
func fileNameOf(rawURL string) string {
	rawURL, _, _ = strings.Cut(rawURL, "#")
	rawURL, _, _ = strings.Cut(rawURL, "?")
	return path.Base(rawURL)
}

// readArtifactMetadata reads the core metadata of the artifact at p, whose
// kind comes from its original file name.
func readArtifactMetadata(p, name string) (*Metadata, error) {
	var body []byte
	var err error
	source := SourcePKGInfo
	if strings.HasSuffix(strings.ToLower(name), ".whl") {
		source = SourceWheel
		body, err = readWheelMetadata(p, name)
	} else {
		return readSdistMetadata(p, name)
	}
	if err != nil {
		return nil, err
	}
	m, err := parseCoreMetadata(body, source)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	return m, nil
}

// errNoMember marks an archive without the wanted member.
var errNoMember = errors.New("no such member")

// readWheelMetadata reads <name>-<version>.dist-info/METADATA from a wheel.
// With several .dist-info directories, the one matching the wheel's file
// name wins.
func readWheelMetadata(p, name string) ([]byte, error) {
	zr, err := zip.OpenReader(p)
	if err != nil {
		return nil, fmt.Errorf("%s: not a zip file: %v", name, err)
	}
	defer zr.Close()
	parts := strings.SplitN(strings.TrimSuffix(name, ".whl"), "-", 3)
	prefix := ""
	if len(parts) >= 2 {
		prefix = strings.ToLower(parts[0] + "-" + parts[1] + ".dist-info/")
	}
	var found *zip.File
	for _, f := range zr.File {
		dir, file, ok := strings.Cut(f.Name, "/")
		if !ok || file != "METADATA" || !strings.HasSuffix(dir, ".dist-info") {
			continue
		}
		if found == nil || strings.ToLower(f.Name) == prefix+"metadata" {
			found = f
		}
	}
	if found == nil {
		return nil, fmt.Errorf("%s: no .dist-info/METADATA in the wheel", name)
	}
	return readZipFile(found, name)
}

// readSdistMember reads <top>/<member> from an sdist archive (a member in
// the single top-level directory, as sdists are laid out).
func readSdistMember(p, name, member string) ([]byte, error) {
	found, err := readSdist(p, name, func(path string) bool { return isTopMember(path, member) })
	if err != nil {
		return nil, err
	}
	for _, body := range found {
		return body, nil
	}
	return nil, fmt.Errorf("%s: %w %s", name, errNoMember, member)
}

// readSdist reads, in one pass, the regular members of an sdist archive
// (.tar.gz, .tgz, .tar.bz2, .tbz, .tar, .zip) whose path want accepts; the
// first member of each path wins.
func readSdist(p, name string, want func(string) bool) (map[string][]byte, error) {
	lower := strings.ToLower(name)
	if strings.HasSuffix(lower, ".zip") {
		return readZipMembers(p, name, want)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = bufio.NewReader(f)
	switch {
	case strings.HasSuffix(lower, ".tar.gz"), strings.HasSuffix(lower, ".tgz"):
		gz, err := gzip.NewReader(r)
		if err != nil {
			return nil, fmt.Errorf("%s: not gzip: %v", name, err)
		}
		r = gz
	case strings.HasSuffix(lower, ".tar.bz2"), strings.HasSuffix(lower, ".tbz"):
		r = bzip2.NewReader(r)
	case strings.HasSuffix(lower, ".tar"):
	default:
		return nil, fmt.Errorf("%s: unsupported archive type (want .whl, .tar.gz, .tgz, .tar.bz2, .tar or .zip)", name)
	}
	return readTarMembers(tar.NewReader(r), name, want)
}

// memberPath is an archive path without a leading "./".
func memberPath(p string) string { return strings.TrimPrefix(p, "./") }

// isTopMember reports whether an archive path is <one directory>/member.
func isTopMember(p, member string) bool {
	dir, rest, ok := strings.Cut(memberPath(p), "/")
	return ok && dir != "" && rest == member
}

// readTarMembers scans a tar stream for the members want accepts.
func readTarMembers(tr *tar.Reader, name string, want func(string) bool) (map[string][]byte, error) {
	found := map[string][]byte{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return found, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: damaged archive: %v", name, err)
		}
		path := memberPath(h.Name)
		if _, dup := found[path]; dup || h.Typeflag != tar.TypeReg || !want(path) {
			continue
		}
		if found[path], err = readLimited(tr, fmt.Sprintf("%s: %q", name, h.Name)); err != nil {
			return nil, err
		}
	}
}

// readZipMembers reads the members of a zip sdist that want accepts.
func readZipMembers(p, name string, want func(string) bool) (map[string][]byte, error) {
	zr, err := zip.OpenReader(p)
	if err != nil {
		return nil, fmt.Errorf("%s: not a zip file: %v", name, err)
	}
	defer zr.Close()
	found := map[string][]byte{}
	for _, f := range zr.File {
		path := memberPath(f.Name)
		if _, dup := found[path]; dup || f.FileInfo().IsDir() || !want(path) {
			continue
		}
		if found[path], err = readZipFile(f, name); err != nil {
			return nil, err
		}
	}
	return found, nil
}

// readZipFile reads one zip member.
func readZipFile(f *zip.File, name string) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %q: %v", name, f.Name, err)
	}
	defer rc.Close()
	return readLimited(rc, fmt.Sprintf("%s: %q", name, f.Name))
}

// readLimited reads r, refusing more than maxMemberBytes.
func readLimited(r io.Reader, what string) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r, maxMemberBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", what, err)
	}
	if len(body) > maxMemberBytes {
		return nil, fmt.Errorf("%s: larger than %d bytes", what, maxMemberBytes)
	}
	return body, nil
}
