package pypi

import (
	"fmt"
	"net/url"
	"path/filepath"

	"github.com/req2nix/req2nix/pypi/pep508"
	"github.com/req2nix/req2nix/pypi/tags"
)

// flatProject reads a project from a file:// directory of distribution
// files, what `pip download -d DIR` and `pip wheel -w DIR` write (pip's
// --find-links): the project's wheels and sdists, grouped by version, with
// their sha256 computed (the directory publishes none) and no upload times.
// Their metadata is read from the files themselves (see Metadata).
func (c *Client) flatProject(ix *index, norm string) (*Project, error) {
	dir := localPath(ix.base)
	page := &simplePage{}
	for _, name := range listDir(dir) {
		if flatProjectName(name) != norm {
			continue
		}
		p := filepath.Join(dir, name)
		sum, err := fileSHA256(p)
		if err != nil {
			return nil, fmt.Errorf("index %s: %w", ix.display, err)
		}
		u := url.URL{Scheme: "file", Path: filepath.ToSlash(p)}
		page.files = append(page.files, simpleFile{filename: name, url: u.String(), sha256: sum})
	}
	if len(page.files) == 0 {
		return nil, fmt.Errorf("%s: %w", ix.display, errNotFound)
	}
	return page.project(norm, ix.display, nil, c.log), nil
}

// flatProjectName is the normalised project name of a wheel or sdist
// filename, "" for other files.
func flatProjectName(filename string) string {
	if w, err := tags.ParseWheel(filename); err == nil {
		return pep508.NormalizeName(w.Distribution)
	}
	if sd, err := tags.ParseSdist(filename, ""); err == nil {
		return pep508.NormalizeName(sd.Name)
	}
	return ""
}

// flatProjectNames lists the projects of a flat directory, for
// suggestions.
func flatProjectNames(dir string) []string {
	var names []string
	for _, f := range listDir(dir) {
		if n := flatProjectName(f); n != "" {
			names = append(names, n)
		}
	}
	return names
}
