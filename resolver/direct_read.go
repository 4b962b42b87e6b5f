package resolver

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/req2nix/req2nix/internal/lazyre"
	"github.com/req2nix/req2nix/pypi"
	"github.com/req2nix/req2nix/pypi/pep508"
	"github.com/req2nix/req2nix/pypi/reqfile"
	"github.com/req2nix/req2nix/pypi/vcs"
)

// ArtifactDigester is implemented by providers that can download a direct
// reference's archive and return its sha256 in lower-case hex (sha256 is the
// expected digest or ""). *pypi.Client implements it. An archive URL given
// without "#sha256=" or --hash is pinned to what was downloaded.
type ArtifactDigester interface {
	ArtifactSHA256(ctx context.Context, url, sha256 string) (string, error)
}

// checkDirectRefs fails, before anything is fetched, on root direct
// references that cannot be fetched reproducibly (an hg+ URL, a git URL
// git must not be given, a git ref when git repositories cannot be read).
func (w *world) checkDirectRefs(reqs []reqfile.Requirement) error {
	var errs []error
	seen := map[string]bool{}
	env := w.envWith("")
	for _, r := range reqs {
		if r.URL == "" || seen[r.URL] || !r.Marker.Evaluate(env) {
			continue
		}
		seen[r.URL] = true
		src, err := ParseDirectURL(r.URL)
		if err == nil && src.Kind == DirectGit && src.Rev == "" && w.opts.Git == nil {
			err = unpinnedGitError(src.URL, src.Ref)
		}
		if err != nil {
			errs = append(errs, directError(r, err))
		}
	}
	return errors.Join(errs...)
}

// directError names the requirement (file:line, name and URL) a problem is
// about.
func directError(r reqfile.Requirement, err error) error {
	if r.Name == "" {
		return directRefError{fmt.Errorf("%s: %s: %w", r.Source, pypi.Redact(r.URL), err)}
	}
	return directRefError{fmt.Errorf("%s: %s @ %s: %w", r.Source, r.Name, pypi.Redact(r.URL), err)}
}

// preparedRef is a root direct reference read before solving.
type preparedRef struct {
	ref *directRef
	err error
}

// nameDirectRefs reads the root direct references that have no name (a
// git or archive URL without #egg=) and names them from their metadata,
// as pip does; they are read at once, concurrently. It returns the
// requirements with names.
func (w *world) nameDirectRefs(ctx context.Context, reqs []reqfile.Requirement) ([]reqfile.Requirement, error) {
	var unnamed []reqfile.Requirement
	env := w.envWith("")
	for _, r := range reqs {
		if r.URL != "" && r.Name == "" && r.Marker.Evaluate(env) {
			unnamed = append(unnamed, r)
		}
	}
	w.prepare(ctx, unnamed)
	out := slices.Clone(reqs)
	var errs []error
	for i, r := range out {
		p := w.prepared[r.URL]
		if r.URL == "" || r.Name != "" || p == nil {
			continue
		}
		if p.err == nil && p.ref.name == "" {
			why := "its metadata does not name the project"
			if p.ref.nameNote != "" {
				why = "setup.py was read, but its " + p.ref.nameNote
			}
			p.err = fmt.Errorf("%s: %s; write <name> @ <url>", pypi.Redact(r.URL), why)
		}
		if p.err != nil {
			errs = append(errs, directRefError{fmt.Errorf("%s: %w", r.Source, p.err)})
			continue
		}
		out[i].Name = p.ref.name
		p.ref.req.Name = p.ref.name
	}
	return out, errors.Join(errs...)
}

// prepare reads root direct references concurrently (each is certainly
// needed: fetching a git commit or an archive takes a while), keeping each
// result, or error, for directRef.
func (w *world) prepare(ctx context.Context, reqs []reqfile.Requirement) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, r := range reqs {
		mu.Lock()
		_, done := w.prepared[r.URL]
		if !done {
			w.prepared[r.URL] = nil // claimed
		}
		mu.Unlock()
		if done {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			ref, err := w.readDirectRef(ctx, r)
			mu.Lock()
			w.prepared[r.URL] = &preparedRef{ref, err}
			mu.Unlock()
		}()
	}
	wg.Wait()
}

// directRef is the read direct reference r (see readDirectRef), prepared
// before solving when it is a root requirement.
func (w *world) directRef(ctx context.Context, r reqfile.Requirement) (*directRef, error) {
	if p := w.prepared[r.URL]; p != nil {
		return p.ref, p.err
	}
	return w.readDirectRef(ctx, r)
}

// readDirectRef reads what can be known of a direct reference: an
// archive's metadata and sha256, a local project's static metadata, a git
// commit's (its ref resolved) with its content hash. r.Name may be "": the
// reference's own name (directRef.name) then names it. It is safe for
// concurrent use.
func (w *world) readDirectRef(ctx context.Context, r reqfile.Requirement) (*directRef, error) {
	src, err := ParseDirectURL(r.URL)
	if err != nil { // checkDirectRefs has reported it for root requirements
		return nil, directError(r, err)
	}
	ref := &directRef{req: r, src: src, version: versionFromURL(r.URL, pep508.NormalizeName(r.Name))}
	switch src.Kind {
	case DirectArchive, DirectLocalArchive:
		err = w.readArchive(ctx, ref)
	case DirectDirectory:
		if err = w.readDirectory(ref); err != nil {
			err = directRefError{err}
		}
	case DirectGit:
		err = w.readGit(ctx, ref)
	}
	if err == nil {
		err = w.checkDirectTarget(ref)
	}
	if err != nil { // the solver names the package and its source
		return nil, fmt.Errorf("%s: %w", pypi.Redact(r.URL), err)
	}
	return ref, nil
}

// displayName is the requirement's name for messages, or its URL.
func (ref *directRef) displayName() string {
	if ref.req.Name != "" {
		return pep508.NormalizeName(ref.req.Name)
	}
	return pypi.Redact(ref.req.URL)
}

// pin is what a previous run pinned of r, unless the user asked to
// upgrade it (--upgrade, or -P with its name).
func (w *world) pin(r reqfile.Requirement) (DirectPin, bool) {
	pin, ok := w.opts.DirectPins[DirectPinKey(r.URL)]
	name := r.Name
	if name == "" {
		name = pin.Name
	}
	if !ok || w.opts.Upgrade || w.upgrade[pep508.NormalizeName(name)] {
		return DirectPin{}, false
	}
	return pin, true
}

// readGit resolves a git reference's ref to its commit (the previous run's
// pin, else the repository's answer), fetches the commit and reads its
// project. Without Options.Git only a full commit is accepted and its
// dependencies are not read.
func (w *world) readGit(ctx context.Context, ref *directRef) error {
	git := w.opts.Git
	if git == nil {
		w.warn("dependencies of %s (%s) are not resolved: they are not read from a git repository; list them in the requirements", ref.displayName(), pypi.Redact(ref.req.URL))
		return nil
	}
	if ref.src.Rev == "" {
		if pin, ok := w.pin(ref.req); ok && gitCommit.R().MatchString(pin.Rev) {
			ref.src.Rev = pin.Rev
		} else {
			commit, err := git.Resolve(ctx, ref.src.URL, ref.src.Ref)
			if err != nil {
				return err
			}
			ref.src.Rev = commit
		}
	}
	co, err := git.Checkout(ctx, ref.src.URL, ref.src.Rev)
	if err != nil {
		return err
	}
	ref.src.TreeHash, ref.src.Submodules = co.NARHash, co.Submodules
	return w.readProject(ref, checkoutTree(co, ref.src))
}

// checkoutTree is the project of a git source in its commit's checkout:
// at the source's subdirectory, named by repository, commit and
// subdirectory in messages.
func checkoutTree(co *vcs.Checkout, src DirectSource) projectTree {
	where := pypi.Redact(src.URL) + "@" + src.Rev[:12]
	dir := "."
	if src.Subdirectory != "" {
		dir, where = src.Subdirectory, where+"/"+src.Subdirectory
	}
	return fsTree(co.Files, dir, where)
}

// readArchive reads an archive's metadata and pins its sha256: the URL's
// "#sha256=", else the requirement's single --hash, else the previous
// run's pin, else the digest of what the provider downloaded. An archive
// without core metadata (a repository snapshot such as .../master.zip) is
// read as a source tree. Unreadable metadata leaves the dependencies
// unresolved (a warning); an unpinnable remote archive fails.
func (w *world) readArchive(ctx context.Context, ref *directRef) error {
	var pinned bool
	ref.sha256, pinned = w.archiveSHA256(ref.req)
	metaErr, err := w.readArchiveMeta(ctx, ref)
	if errors.Is(err, pypi.ErrHashMismatch) && pinned {
		return fmt.Errorf("%w; the archive changed since the previous run pinned it: pass -P %s to take the new one", err, ref.displayName())
	}
	if err != nil {
		return err
	}
	if metaErr != nil && ref.name == "" && ref.req.Name == "" {
		return fmt.Errorf("cannot read its name: %v; write <name> @ <url>", metaErr)
	}
	if ref.sha256 == "" && ref.src.Kind == DirectArchive {
		got, err := w.digest(ctx, ref.req.URL)
		if err != nil {
			return fmt.Errorf("the archive cannot be pinned without its sha256 (%v); add #sha256=<hex> to the URL or --hash=sha256:<hex> to the line", err)
		}
		ref.sha256 = got
	}
	if h := w.hashesOf(ref.req); ref.sha256 != "" && len(h.sha256) > 0 && !h.sha256[ref.sha256] {
		return fmt.Errorf("the archive's sha256 %s matches none of the --hash values at %s", ref.sha256, h.origin)
	}
	if metaErr != nil {
		w.warn("dependencies of %s (%s) are not resolved: %v", ref.displayName(), pypi.Redact(ref.req.URL), metaErr)
	}
	return nil
}

// readArchiveMeta reads an archive's core metadata (a wheel's METADATA, an
// sdist's PKG-INFO) or, failing that, the static metadata of its source
// tree. unreadable says why neither could be read (the dependencies are
// then not resolved); err is a problem the reference cannot be used with
// (a digest mismatch, metadata naming another project).
func (w *world) readArchiveMeta(ctx context.Context, ref *directRef) (unreadable, err error) {
	unreadable = errNoArchiveReader
	wheel := strings.HasSuffix(urlPath(ref.req.URL), ".whl")
	if c := w.fetch.artifact(ref.req.URL, ref.sha256); c != nil && ref.src.Subdirectory == "" {
		rm, err := c.wait(ctx)
		switch {
		case errors.Is(err, pypi.ErrHashMismatch):
			return nil, err
		case err == nil:
			return nil, w.useArchiveMeta(ref, rm)
		case wheel:
			return err, nil
		}
		unreadable = err
	}
	afp, ok := w.fetch.provider.(ArtifactFilesProvider)
	if !ok || wheel {
		return unreadable, nil
	}
	files, err := afp.ArtifactFiles(ctx, withoutFragment(ref.req.URL), ref.sha256, ref.src.Subdirectory, projectFiles)
	if errors.Is(err, pypi.ErrHashMismatch) {
		return nil, err
	}
	if err != nil {
		return err, nil
	}
	if ref.sha256 == "" {
		ref.sha256 = files.SHA256
	}
	where := path.Join(path.Base(urlPath(ref.req.URL)), ref.src.Subdirectory)
	return nil, w.readProject(ref, mapTree(files.Files, where))
}

// projectFiles are the files an archive's source tree is read for.
var projectFiles = []string{"PKG-INFO", "pyproject.toml", "setup.cfg", "setup.py"}

// useArchiveMeta takes an archive's core metadata, checking it against the
// requirement.
func (w *world) useArchiveMeta(ref *directRef, rm *releaseMeta) error {
	if err := consistentMetadata(pep508.NormalizeName(ref.req.Name), ref.version, rm.meta); err != nil {
		return err
	}
	ref.meta, ref.name = rm, rm.meta.Name
	if v := normalVersion(rm.meta.Version); v != "" {
		ref.version = v
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
	sha256Hex          = lazyre.New(`^[0-9a-f]{64}$`)
)

// consistentMetadata fails, as pip does, when an archive's metadata names
// another project, or another version than its file name.
func consistentMetadata(name, fileVersion string, meta *pypi.Metadata) error {
	if name != "" && meta.Name != "" && pep508.NormalizeName(meta.Name) != name {
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
	h := w.hashesOf(r)
	if len(h.sha256) == 1 {
		for hex := range h.sha256 {
			return hex
		}
	}
	return ""
}

// archiveSHA256 is the digest a direct archive is fetched with: the
// expected one, else (pinned) the previous run's for a remote archive.
func (w *world) archiveSHA256(r reqfile.Requirement) (sha256 string, pinned bool) {
	if h := w.expectedSHA256(r); h != "" || !strings.Contains(r.URL, "://") || strings.HasPrefix(r.URL, "file:") {
		return h, false
	}
	if pin, ok := w.pin(r); ok && sha256Hex.R().MatchString(pin.SHA256) {
		return pin.SHA256, true
	}
	return "", false
}

// hashesOf is the --hash values a requirement's archive must match: those
// of every root line naming the project, or an unnamed line's own.
func (w *world) hashesOf(r reqfile.Requirement) rootHashes {
	if r.Name != "" {
		return w.target.hashes[pep508.NormalizeName(r.Name)]
	}
	h := rootHashes{sha256: map[string]bool{}, origin: r.Source.String()}
	for _, s := range r.Hashes {
		if hex, ok := strings.CutPrefix(s, "sha256:"); ok {
			h.sha256[strings.ToLower(hex)] = true
		}
	}
	return h
}

// digest downloads a remote archive to learn its sha256.
func (w *world) digest(ctx context.Context, url string) (string, error) {
	d, ok := w.fetch.provider.(ArtifactDigester)
	if !ok {
		return "", errors.New("the provider cannot download archives")
	}
	got, err := d.ArtifactSHA256(ctx, withoutFragment(url), "")
	if err == nil && !sha256Hex.R().MatchString(strings.ToLower(got)) {
		err = fmt.Errorf("the provider returned an invalid sha256 %q", got)
	}
	return strings.ToLower(got), err
}

// readDirectory reads a local project's static metadata.
func (w *world) readDirectory(ref *directRef) error {
	dir := filepath.FromSlash(path.Join(ref.src.Path, ref.src.Subdirectory))
	if fi, err := os.Stat(dir); err != nil {
		return fmt.Errorf("%s does not exist; check the path", dir)
	} else if !fi.IsDir() {
		return fmt.Errorf("%s is a file, neither a project directory nor an archive (.whl, .tar.gz, .zip)", dir)
	}
	if ref.req.Editable {
		w.warn("%s: -e %s: Nix builds a copy of the directory, not an editable install; regenerate or rebuild after changing it", ref.req.Source, dir)
	}
	return w.readProject(ref, dirTree(dir))
}

// readProject reads the static metadata of a source tree (a local
// directory, a git commit, an archive without core metadata), checks its
// name and version against the requirement and warns about what its build
// backend computes.
func (w *world) readProject(ref *directRef, t projectTree) error {
	if body, err := t.read("PKG-INFO"); err == nil && body != nil { // an unpacked sdist
		if meta, err := pypi.ParsePKGInfo(body); err == nil && meta.Name != "" {
			return w.useArchiveMeta(ref, parseMeta(meta))
		}
	}
	lp, err := readProjectTree(t)
	if err != nil {
		return err
	}
	name := pep508.NormalizeName(ref.req.Name)
	if lp.name != "" && name != "" && pep508.NormalizeName(lp.name) != name {
		return fmt.Errorf("the project in %s is named %q, not %q; fix the name in the requirement", t.where, lp.name, ref.req.Name)
	}
	ref.name, ref.nameNote, ref.buildRequires = lp.name, lp.nameNote, lp.buildRequires
	if name == "" {
		name = pep508.NormalizeName(lp.name)
	}
	if lp.version != "" {
		if ref.version = normalVersion(lp.version); ref.version == "" {
			return fmt.Errorf("%s: version %q is not a valid PEP 440 version", lp.file, lp.version)
		}
	}
	if len(lp.unknown) > 0 {
		w.warn("%s", unknownFieldsWarning(ref, lp, name))
	}
	ref.meta = parseMeta(&pypi.Metadata{Name: name, Version: ref.version, RequiresDist: lp.requiresDist,
		RequiresPython: lp.requiresPython, ProvidesExtra: lp.extras, Source: "local"})
	return nil
}

// unknownFieldsWarning says which fields of a source tree's metadata the
// build backend computes, what is assumed instead and, when setup.py was
// read, what in it could not be understood.
func unknownFieldsWarning(ref *directRef, lp *localProject, name string) string {
	msg := fmt.Sprintf("%s in %s does not declare its %s statically (its build backend computes it); the version is written as %s and undeclared dependencies are not resolved: list them in the requirements",
		name, lp.file, strings.Join(lp.unknown, ", "), placeholderVersion(ref.src))
	if len(lp.notes) > 0 {
		msg += "; setup.py was read, and " + strings.Join(lp.notes, "; ")
	}
	if ref.req.Source.File != "" {
		msg = ref.req.Source.String() + ": " + msg
	}
	return msg
}

// describe fills in a resolved package's direct-reference fields: the URL,
// the pinned source, the placeholder version when it is unknown, and an
// archive's file.
func (ref *directRef) describe(out *Package) {
	out.DirectURL = ref.req.URL
	out.MetadataSource = "direct"
	src := ref.src
	src.Submodules = slices.Clone(src.Submodules)
	if ref.sha256 != "" {
		src.SHA256 = ref.sha256
	}
	out.Source = &src
	out.BuildRequires = slices.Clone(ref.buildRequires)
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
