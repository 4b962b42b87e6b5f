package resolver

import (
	"context"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/req2nix/req2nix/pypi"
	"github.com/req2nix/req2nix/pypi/pep508"
	"github.com/req2nix/req2nix/pypi/reqfile"
)

// ArtifactDigester is implemented by providers that can download a direct
// reference's archive and return its sha256 in lower-case hex (sha256 is the
// expected digest or ""). *pypi.Client implements it. An archive URL given
// without "#sha256=" or --hash is pinned to what was downloaded.
type ArtifactDigester interface {
	ArtifactSHA256(ctx context.Context, url, sha256 string) (string, error)
}

// checkDirectRefs fails, before anything is fetched, on root direct
// references the output cannot hold (a git branch, an hg+ URL, ...).
func (w *world) checkDirectRefs() error {
	names := make([]string, 0, len(w.direct))
	for n := range w.direct {
		names = append(names, n)
	}
	sort.Strings(names)
	var errs []error
	for _, n := range names {
		r := w.direct[n]
		if _, err := ParseDirectURL(r.URL); err != nil {
			errs = append(errs, directError(r, err))
		}
	}
	return errors.Join(errs...)
}

// directError names the requirement (file:line, name and URL) a problem is
// about.
func directError(r reqfile.Requirement, err error) error {
	return directRefError{fmt.Errorf("%s: %s @ %s: %w", r.Source, r.Name, pypi.Redact(r.URL), err)}
}

// directRef reads what can be known of a direct reference: an archive's
// metadata and sha256, a local project's static metadata; a git commit's
// dependencies are not read (a warning says so).
func (w *world) directRef(ctx context.Context, r reqfile.Requirement) (*directRef, error) {
	src, err := ParseDirectURL(r.URL)
	if err != nil { // checkDirectRefs has reported it for root requirements
		return nil, directError(r, err)
	}
	name := pep508.NormalizeName(r.Name)
	ref := &directRef{req: r, src: src, version: versionFromURL(r.URL, name)}
	switch src.Kind {
	case DirectArchive, DirectLocalArchive:
		err = w.readArchive(ctx, ref)
	case DirectDirectory:
		if err = w.readDirectory(ref); err != nil {
			err = directRefError{err}
		}
	case DirectGit:
		w.warn("dependencies of %s (%s) are not resolved: they are not read from a git repository; list them in the requirements", name, pypi.Redact(r.URL))
	}
	if err == nil {
		err = w.checkDirectTarget(ref)
	}
	if err != nil { // the solver names the package and its source
		return nil, fmt.Errorf("%s: %w", pypi.Redact(r.URL), err)
	}
	return ref, nil
}

// readArchive reads an archive's metadata and pins its sha256: the URL's
// "#sha256=", else the requirement's single --hash, else the digest of
// what the provider downloaded. Unreadable metadata leaves the
// dependencies unresolved (a warning); an unpinnable remote archive fails.
func (w *world) readArchive(ctx context.Context, ref *directRef) error {
	name := pep508.NormalizeName(ref.req.Name)
	ref.sha256 = w.expectedSHA256(ref.req)
	var metaErr error = errNoArchiveReader
	if c := w.fetch.artifact(ref.req.URL, ref.sha256); c != nil {
		var rm *releaseMeta
		if rm, metaErr = c.wait(ctx); errors.Is(metaErr, pypi.ErrHashMismatch) {
			return metaErr
		} else if metaErr == nil {
			if err := consistentMetadata(name, ref.version, rm.meta); err != nil {
				return err
			}
			ref.meta = rm
			if v := normalVersion(rm.meta.Version); v != "" {
				ref.version = v
			}
		}
	}
	if ref.sha256 == "" && ref.src.Kind == DirectArchive {
		got, err := w.digest(ctx, ref.req.URL)
		if err != nil {
			return fmt.Errorf("the archive cannot be pinned without its sha256 (%v); add #sha256=<hex> to the URL or --hash=sha256:<hex> to the line", err)
		}
		ref.sha256 = got
	}
	if h := w.target.hashes[name]; ref.sha256 != "" && len(h.sha256) > 0 && !h.sha256[ref.sha256] {
		return fmt.Errorf("the archive's sha256 %s matches none of the --hash values at %s", ref.sha256, h.origin)
	}
	if metaErr != nil {
		w.warn("dependencies of %s (%s) are not resolved: %v", name, pypi.Redact(ref.req.URL), metaErr)
	}
	return nil
}

// checkDirectTarget fails, as pip does, when a direct reference cannot be
// installed on the target: a wheel whose tags do not match, or a
// Requires-Python excluding the target interpreter.
func (w *world) checkDirectTarget(ref *directRef) error {
	file := path.Base(urlPath(ref.req.URL))
	if strings.HasSuffix(file, ".whl") {
		if _, kind := w.target.fileKind(pypi.File{Filename: file}); kind == "" {
			return fmt.Errorf("%s is not a wheel for %s; use a wheel built for it or the sdist", file, w.target.describe())
		}
	}
	if ref.meta != nil && !w.target.pythonMatches(ref.meta.meta.RequiresPython) {
		return fmt.Errorf("it requires Python %s, which excludes the target Python %s; choose a target it allows (--python)", ref.meta.meta.RequiresPython, w.target.python)
	}
	return nil
}

var (
	errNoArchiveReader = errors.New("the provider cannot read archives")
	sha256Hex          = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// consistentMetadata fails, as pip does, when an archive's metadata names
// another project, or another version than its file name.
func consistentMetadata(name, fileVersion string, meta *pypi.Metadata) error {
	if meta.Name != "" && pep508.NormalizeName(meta.Name) != name {
		return fmt.Errorf("the archive's metadata names the project %q, not %q; fix the name in the requirement", meta.Name, name)
	}
	if v := normalVersion(meta.Version); fileVersion != "" && v != "" && v != fileVersion {
		return fmt.Errorf("the archive's metadata has version %s but its file name %s", v, fileVersion)
	}
	return nil
}

// expectedSHA256 is the digest a direct archive must have before it is
// downloaded: the URL's fragment, else the requirement's only --hash.
func (w *world) expectedSHA256(r reqfile.Requirement) string {
	if h := urlSHA256(r.URL); h != "" {
		return h
	}
	h := w.target.hashes[pep508.NormalizeName(r.Name)]
	if len(h.sha256) == 1 {
		for hex := range h.sha256 {
			return hex
		}
	}
	return ""
}

// digest downloads a remote archive to learn its sha256.
func (w *world) digest(ctx context.Context, url string) (string, error) {
	d, ok := w.fetch.provider.(ArtifactDigester)
	if !ok {
		return "", errors.New("the provider cannot download archives")
	}
	got, err := d.ArtifactSHA256(ctx, withoutFragment(url), "")
	if err == nil && !sha256Hex.MatchString(strings.ToLower(got)) {
		err = fmt.Errorf("the provider returned an invalid sha256 %q", got)
	}
	return strings.ToLower(got), err
}

// readDirectory reads a local project's static metadata; what its build
// backend computes is unknown and a warning says so.
func (w *world) readDirectory(ref *directRef) error {
	dir := filepath.FromSlash(path.Join(ref.src.Path, ref.src.Subdirectory))
	lp, err := readLocalProject(dir)
	if err != nil {
		return err
	}
	name := pep508.NormalizeName(ref.req.Name)
	if lp.name != "" && pep508.NormalizeName(lp.name) != name {
		return fmt.Errorf("the project in %s is named %q, not %q; fix the name in the requirement", dir, lp.name, ref.req.Name)
	}
	if lp.version != "" {
		if ref.version = normalVersion(lp.version); ref.version == "" {
			return fmt.Errorf("%s: version %q is not a valid PEP 440 version", lp.file, lp.version)
		}
	}
	if ref.req.Editable {
		w.warn("%s: -e %s: Nix builds a copy of the directory, not an editable install; regenerate or rebuild after changing it", ref.req.Source, dir)
	}
	if len(lp.unknown) > 0 {
		w.warn("%s: %s in %s does not declare its %s statically (its build backend computes it); the version is written as %s and undeclared dependencies are not resolved: list them in the requirements",
			ref.req.Source, name, lp.file, strings.Join(lp.unknown, ", "), placeholderVersion(ref.src))
	}
	if !slices.Contains(lp.unknown, "dependencies") {
		ref.meta = parseMeta(&pypi.Metadata{Name: name, Version: ref.version, RequiresDist: lp.requiresDist,
			RequiresPython: lp.requiresPython, ProvidesExtra: lp.extras, Source: "local"})
	}
	return nil
}

// describe fills in a resolved package's direct-reference fields: the URL,
// the placeholder version when it is unknown, and an archive's file.
func (ref *directRef) describe(out *Package) {
	out.DirectURL = ref.req.URL
	out.MetadataSource = "direct"
	if out.Version == "" {
		out.Version = placeholderVersion(ref.src)
	}
	if ref.meta != nil {
		out.RequiresPython = ref.meta.meta.RequiresPython
	}
	if ref.src.Kind != DirectArchive && ref.src.Kind != DirectLocalArchive {
		return
	}
	kind := "sdist"
	if strings.HasSuffix(urlPath(ref.req.URL), ".whl") {
		kind = "wheel"
	}
	out.Files = []File{{Kind: kind, Filename: path.Base(urlPath(ref.req.URL)), URL: withoutFragment(ref.req.URL), SHA256: ref.sha256}}
}
