package tags

import (
	"fmt"
	"strings"

	"github.com/req2nix/req2nix/pypi/pep508"
)

// Sdist is a parsed source distribution filename.
type Sdist struct {
	Name      string // the filename's name part as written (e.g. "Jinja2", "scikit_learn")
	Version   string // as written
	Extension string // "tar.gz", "zip", "tar.bz2", "tgz", "tar.xz", "tar"
}

// sdistExtensions are the archive formats pip accepts for sdists, longest
// first so that ".tar" does not shadow ".tar.gz".
var sdistExtensions = []string{"tar.gz", "tar.bz2", "tar.xz", "tgz", "zip", "tar"}

// ParseSdist parses an sdist filename given its project's normalised name
// (needed because legacy names and versions may both contain "-"). As pip
// does, the name ends at the first "-" before which the filename's prefix
// normalises (PEP 503) to the project's name; the rest up to the extension
// is the version, which may be a legacy (non-PEP 440) one. With project ""
// the name ends at the last "-" (packaging's parse_sdist_filename).
func ParseSdist(filename, project string) (Sdist, error) {
	stem, ext, ok := cutSdistExtension(filename)
	if !ok {
		return Sdist{}, fmt.Errorf("invalid sdist filename %q: the extension is not one of .%s", filename, strings.Join(sdistExtensions, ", ."))
	}
	sep := nameVersionSeparator(stem, project)
	if sep < 0 {
		if project == "" {
			return Sdist{}, fmt.Errorf("invalid sdist filename %q: no \"-\" between name and version", filename)
		}
		return Sdist{}, fmt.Errorf("invalid sdist filename %q: it does not start with project %q followed by \"-\" and a version", filename, project)
	}
	sd := Sdist{Name: stem[:sep], Version: stem[sep+1:], Extension: ext}
	if sd.Name == "" || sd.Version == "" {
		return Sdist{}, fmt.Errorf("invalid sdist filename %q: empty name or version", filename)
	}
	return sd, nil
}

func cutSdistExtension(filename string) (stem, ext string, ok bool) {
	for _, ext := range sdistExtensions {
		if stem, ok := strings.CutSuffix(filename, "."+ext); ok {
			return stem, ext, true
		}
	}
	return "", "", false
}

// nameVersionSeparator returns the index of the "-" ending the name, or -1.
func nameVersionSeparator(stem, project string) int {
	if project == "" {
		return strings.LastIndexByte(stem, '-')
	}
	want := pep508.NormalizeName(project)
	for i := 0; i < len(stem); i++ {
		if stem[i] == '-' && pep508.NormalizeName(stem[:i]) == want {
			return i
		}
	}
	return -1
}
