package pypi

import (
	"context"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
)

// ArchiveFiles are files read from the source tree in an archive.
type ArchiveFiles struct {
	SHA256 string            // the archive's sha256, lower-case hex
	Files  map[string][]byte // by the names asked for; a missing file is absent
}

// ArtifactFiles downloads the archive at rawURL (see Download) and reads
// the named files of the project directory in it: the archive's single
// top-level directory (as in sdists and repository snapshots such as
// GitHub's .../archive/master.zip) joined with subdir, or the archive's
// root when it has no such directory. It serves direct references whose
// archive has no core metadata, and is memoised like ArtifactMetadata.
func (c *Client) ArtifactFiles(ctx context.Context, rawURL, sha256hex, subdir string, names []string) (*ArchiveFiles, error) {
	key := "artifact-files " + rawURL + " " + sha256hex + " " + subdir + " " + strings.Join(names, ",")
	v, err := c.once(ctx, key, func(ctx context.Context) (any, error) {
		p, err := c.artifactPath(ctx, rawURL, sha256hex)
		if err != nil {
			return nil, err
		}
		sum, err := fileSHA256(p)
		if err != nil {
			return nil, err
		}
		files, err := readTreeFiles(p, fileNameOf(rawURL), subdir, names)
		if err != nil {
			return nil, err
		}
		return &ArchiveFiles{SHA256: sum, Files: files}, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*ArchiveFiles), nil
}

// readTreeFiles reads <top>/<subdir>/<name> for each name from the archive
// at p (its kind from its file name archive), or <subdir>/<name> when the
// archive has no top directory holding them.
func readTreeFiles(p, archive, subdir string, names []string) (map[string][]byte, error) {
	want := map[string]bool{}
	for _, n := range names {
		want[path.Join(subdir, n)] = true
	}
	found, err := readSdist(p, archive, func(member string) bool {
		_, rest, ok := strings.Cut(member, "/")
		return ok && want[rest] || want[member]
	})
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	members := slices.Sorted(maps.Keys(found))
	for _, n := range names {
		rel := path.Join(subdir, n)
		for _, member := range members {
			if _, rest, ok := strings.Cut(member, "/"); ok && rest == rel {
				out[n] = found[member] // the first top directory's, in order
				break
			}
		}
		if _, ok := out[n]; !ok && found[rel] != nil {
			out[n] = found[rel]
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s has no %s: not a Python project's source", archive, strings.Join(names, ", "))
	}
	return out, nil
}

// ParsePKGInfo reads a PKG-INFO (an unpacked sdist's core metadata); it
// fails when the file marks Requires-Dist dynamic (PEP 643): the
// dependencies are then only known after a build.
func ParsePKGInfo(body []byte) (*Metadata, error) {
	m, err := parseCoreMetadata(body, SourcePKGInfo)
	if err != nil {
		return nil, err
	}
	if dynamicFields(body)["requires-dist"] {
		return nil, fmt.Errorf("PKG-INFO marks Requires-Dist as dynamic")
	}
	return m, nil
}

// WriteFileAtomic writes data to a temporary file beside path and renames
// it over path (creating its directory), so that readers see the old file
// or the whole new one: for other caches under the same directory
// (pypi/vcs).
func WriteFileAtomic(path string, data []byte) error { return writeFileAtomic(path, data) }
