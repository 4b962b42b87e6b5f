package pypitest

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/req2nix/req2nix/pypi/pep508"
)

// Release is one release the fake index serves. Its files are real
// archives built on the fly: an sdist (.tar.gz with PKG-INFO, and a
// pyproject.toml when BuildRequires is set) and wheels (zip with
// .dist-info/METADATA, and the Modules), so downloads, hashes and metadata
// extraction can be tested end to end.
type Release struct {
	Name           string   // project name as displayed (any spelling)
	Version        string   // release key exactly as the index spells it (may be a legacy version)
	RequiresDist   []string // the version document's requires_dist; nil is served as null
	RequiresPython string   // "" for none
	ProvidesExtra  []string
	// CoreMetadataOnly serves requires_dist as null in the version
	// document: the dependencies are only in the wheels' PEP 658 .metadata
	// (what PyPI does for releases whose metadata it never backfilled).
	CoreMetadataOnly bool
	// BuildRequires is the [build-system] requires of the sdist's
	// pyproject.toml; nil means the sdist has no pyproject.toml.
	BuildRequires []string
	Yanked        bool
	YankedReason  string
	// Wheels are the wheel tags, such as "py3-none-any" or
	// "cp312-cp312-manylinux_2_17_x86_64"; nil means one py3-none-any
	// wheel, an empty non-nil slice no wheel.
	Wheels  []string
	NoSdist bool // serve no sdist
	// UploadTime is when every file of the release was uploaded (PEP 700
	// upload-time, the JSON API's upload_time_iso_8601); zero serves none,
	// as mirrors that do not record it.
	UploadTime time.Time
	// Description is the project description of the release's "info" in
	// the JSON API (PyPI sends the whole README there): it makes project
	// documents as large as real ones.
	Description string
	// Modules are the top-level packages its wheels ship (<m>/__init__.py)
	// and list in .dist-info/top_level.txt; nil ships none.
	Modules []string
}

// file is one built distribution file.
type file struct {
	project  string // normalised name of its project
	name     string
	kind     string // "sdist" or "bdist_wheel"
	content  []byte
	sha256   string
	metadata []byte // core metadata served as <file>.metadata (wheels only)
}

// normalize is the PEP 503 name.
func normalize(name string) string { return pep508.NormalizeName(name) }

// fileStem is the name as it appears in file names (PEP 427/625: normalised
// with "_").
func fileStem(name string) string { return strings.ReplaceAll(normalize(name), "-", "_") }

// CoreMetadata renders the release's core metadata (METADATA, PKG-INFO,
// PEP 658 .metadata) as served: Metadata-Version 2.1, Name, Version,
// Requires-Python, Requires-Dist and Provides-Extra headers, then a body.
func (r Release) CoreMetadata() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "Metadata-Version: 2.1\nName: %s\nVersion: %s\n", r.Name, r.Version)
	if r.RequiresPython != "" {
		fmt.Fprintf(&b, "Requires-Python: %s\n", r.RequiresPython)
	}
	for _, d := range r.RequiresDist {
		fmt.Fprintf(&b, "Requires-Dist: %s\n", d)
	}
	for _, e := range r.ProvidesExtra {
		fmt.Fprintf(&b, "Provides-Extra: %s\n", e)
	}
	b.WriteString("\nA release served by pypitest.\n")
	return b.Bytes()
}

// wheelTags returns the wheel tags to build.
func (r Release) wheelTags() []string {
	if r.Wheels == nil {
		return []string{"py3-none-any"}
	}
	return r.Wheels
}

// buildFiles builds the release's distribution files.
func (r Release) buildFiles() ([]file, error) {
	var files []file
	stem := fileStem(r.Name) + "-" + r.Version
	meta := r.CoreMetadata()
	if !r.NoSdist {
		members := map[string][]byte{stem + "/PKG-INFO": meta}
		if r.BuildRequires != nil {
			members[stem+"/pyproject.toml"] = pyprojectTOML(r.BuildRequires)
		}
		content, err := Archive(stem+".tar.gz", members)
		if err != nil {
			return nil, err
		}
		files = append(files, newFile(stem+".tar.gz", "sdist", content, nil))
	}
	for _, tag := range r.wheelTags() {
		members := map[string][]byte{
			stem + ".dist-info/METADATA": meta,
			stem + ".dist-info/WHEEL":    []byte("Wheel-Version: 1.0\nGenerator: pypitest\nRoot-Is-Purelib: true\nTag: " + tag + "\n"),
		}
		if r.Modules != nil {
			members[stem+".dist-info/top_level.txt"] = []byte(strings.Join(r.Modules, "\n") + "\n")
		}
		for _, m := range r.Modules {
			members[m+"/__init__.py"] = nil
		}
		content, err := Archive(stem+".whl", members)
		if err != nil {
			return nil, err
		}
		files = append(files, newFile(stem+"-"+tag+".whl", "bdist_wheel", content, meta))
	}
	return files, nil
}

func newFile(name, kind string, content, metadata []byte) file {
	return file{name: name, kind: kind, content: content, sha256: sha256hex(content), metadata: metadata}
}

// pyprojectTOML renders a pyproject.toml with a build-system table.
func pyprojectTOML(requires []string) []byte {
	quoted := make([]string, len(requires))
	for i, r := range requires {
		quoted[i] = fmt.Sprintf("%q", r)
	}
	return []byte("[build-system]\nrequires = [" + strings.Join(quoted, ", ") + "]\nbuild-backend = \"setuptools.build_meta\"\n")
}

// Archive builds a reproducible archive of members (path -> content) in
// the format filename names: zip for .whl and .zip, gzipped tar for .tar.gz
// and .tgz, plain tar for .tar.
func Archive(filename string, members map[string][]byte) ([]byte, error) {
	switch {
	case strings.HasSuffix(filename, ".whl"), strings.HasSuffix(filename, ".zip"):
		return zipFile(members)
	case strings.HasSuffix(filename, ".tar.gz"), strings.HasSuffix(filename, ".tgz"):
		return tarGz(members, true)
	case strings.HasSuffix(filename, ".tar"):
		return tarGz(members, false)
	}
	return nil, fmt.Errorf("pypitest: cannot build %s: want .whl, .zip, .tar.gz, .tgz or .tar", filename)
}

// archiveTime is the fixed modification time of archive members, for
// reproducible archives.
var archiveTime = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// tarGz builds a reproducible tar of members (sorted by name), gzipped
// when compress is set.
func tarGz(members map[string][]byte, compress bool) ([]byte, error) {
	var buf bytes.Buffer
	var out io.WriteCloser = nopCloser{&buf}
	if compress {
		out = gzip.NewWriter(&buf)
	}
	tw := tar.NewWriter(out)
	for _, name := range slices.Sorted(maps.Keys(members)) {
		body := members[name]
		h := &tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), ModTime: archiveTime, Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(body); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := out.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// nopCloser is a WriteCloser whose Close does nothing.
type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// zipFile builds a reproducible zip of members (sorted by name).
func zipFile(members map[string][]byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range slices.Sorted(maps.Keys(members)) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: archiveTime})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(members[name]); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// sha256hex is the hex sha256 of b.
func sha256hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
