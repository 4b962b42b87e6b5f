package resolver

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/req2nix/req2nix/pypi"
	"github.com/req2nix/req2nix/pypi/lockfile"
)

// lockDirectURL maps a lock's source other than an index onto the form a
// direct reference has (Package.DirectURL, which ParseDirectURL reads and
// nixgen emits exactly as for a requirement "name @ url"):
//
//	git        git+<repository>@<commit>[#subdirectory=...]
//	directory  file:///<absolute directory>[#subdirectory=...]
//	path       file:///<absolute archive>[#sha256=<hex>]
//	url        <archive URL>#sha256=<hex>[&subdirectory=...]
//
// Relative paths start from lockDir. Locks always name a git source's
// full commit, so its form here needs no network. sha256 is the archive's
// digest from the lock ("" when it has none).
func lockDirectURL(lockDir string, src lockfile.Source, sha256 string) string {
	var base string
	var fragment []string
	switch src.Kind {
	case lockfile.FromGit:
		vcs := src.VCS
		if vcs == "" {
			vcs = "git"
		}
		repo := strings.TrimPrefix(src.URL, vcs+"+")
		if !strings.Contains(repo, "://") {
			repo = fileURL(lockDir, repo) // a local repository (pylock.toml vcs.path)
		}
		base = vcs + "+" + repo + "@" + src.Commit
	case lockfile.FromDirectory, lockfile.FromPath:
		base = fileURL(lockDir, src.Path)
	case lockfile.FromURL:
		base = src.URL
	}
	if sha256 != "" && (src.Kind == lockfile.FromURL || src.Kind == lockfile.FromPath) {
		fragment = append(fragment, "sha256="+sha256)
	}
	if src.Subdirectory != "" {
		fragment = append(fragment, "subdirectory="+src.Subdirectory)
	}
	if len(fragment) > 0 {
		base += "#" + strings.Join(fragment, "&")
	}
	return base
}

// fileURL is the file: URL of a path in the lock (relative to lockDir).
func fileURL(lockDir, p string) string {
	p = filepath.FromSlash(strings.ReplaceAll(p, `\`, "/"))
	if !filepath.IsAbs(p) {
		p = filepath.Join(lockDir, p)
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(filepath.Clean(p))}).String()
}

// directSource makes a package from git, a local directory, an archive
// URL or a local archive a direct reference, checking what can be checked
// without the network: the form of the source, that local files exist
// (and have the lock's sha256), that an archive URL has a sha256.
func (r *lockRun) directSource(ctx context.Context, l *locked) error {
	p := l.pkg
	file := archiveFile(p)
	digest := ""
	if file != nil {
		digest = file.SHA256()
	}
	l.direct = lockDirectURL(r.lockDir(), p.Source, digest)
	src, err := ParseDirectURL(l.direct)
	if err == nil && src.Kind == DirectGit && src.Rev == "" {
		err = fmt.Errorf("%q is not a full commit, which a lock must record; %s", src.Ref, r.refreshHint())
	}
	if err != nil {
		return r.lockError(p.Line, "%s from %s: %v", p, pypi.Redact(l.direct), err)
	}
	switch src.Kind {
	case DirectGit:
		r.hashGit(ctx, l, src)
	case DirectArchive:
		if digest == "" {
			return r.lockError(p.Line, "%s: the lock gives no sha256 for %s, so it cannot be pinned; %s", p, pypi.Redact(src.URL), r.refreshHint())
		}
		l.files = []File{archiveEntry(src.URL, digest)}
	case DirectLocalArchive:
		return r.checkLocalFile(p, src.Path, digest)
	case DirectDirectory:
		if err := r.checkDirectory(p, src); err != nil {
			return err
		}
		if p.Version == "" {
			l.localVersion = staticVersion(src)
		}
	}
	return nil
}

// hashGit records the NAR hash of a git source's checkout (fetched once
// into the git cache) and keeps its project for its dependencies; when
// the commit cannot be had, the previous run's pin of it gives the hash;
// without either the source stays pinned by its commit (builtins.fetchGit),
// and a warning says why.
func (r *lockRun) hashGit(ctx context.Context, l *locked, src DirectSource) {
	why := "no git reader was given"
	if r.opts.Git != nil {
		co, err := r.opts.Git.Checkout(ctx, src.URL, src.Rev)
		if err == nil {
			src.TreeHash, src.Submodules = co.NARHash, co.Submodules
			tree := checkoutTree(co, src)
			l.source, l.tree = &src, &tree
			return
		}
		why = err.Error()
	}
	if pin, ok := r.opts.DirectPins[DirectPinKey(l.direct)]; ok && pin.Rev == src.Rev && pin.TreeHash != "" {
		src.TreeHash = pin.TreeHash
		l.source = &src
		return
	}
	r.warn("%s from %s is pinned by its commit only, not by the hash of its checkout (%s)", l.pkg.Name, pypi.Redact(l.direct), why)
}

// staticVersion is the version a local project declares statically, or "".
func staticVersion(src DirectSource) string {
	lp, err := readProjectTree(dirTree(filepath.FromSlash(path.Join(src.Path, src.Subdirectory))))
	if err != nil {
		return ""
	}
	return normalVersion(lp.version)
}

// archiveFile is the lock's file of an archive source: the one at the
// source's URL or path, else the only one.
func archiveFile(p *lockfile.Package) *lockfile.File {
	for i, f := range p.Files {
		if (f.URL != "" && f.URL == p.Source.URL) || (f.Path != "" && f.Path == p.Source.Path) {
			return &p.Files[i]
		}
	}
	if len(p.Files) == 1 {
		return &p.Files[0]
	}
	return nil
}

// archiveEntry is the File of an archive URL.
func archiveEntry(u, sha256 string) File {
	name := path.Base(urlPath(u))
	kind := "sdist"
	if strings.HasSuffix(name, ".whl") {
		kind = "wheel"
	}
	return File{Kind: kind, Filename: name, URL: u, SHA256: sha256}
}

// localArchive makes a package whose chosen file is a local one (no URL)
// a direct reference to that file.
func (r *lockRun) localArchive(l *locked, f lockfile.File) error {
	l.direct = lockDirectURL(r.lockDir(), lockfile.Source{Kind: lockfile.FromPath, Path: f.Path}, f.SHA256())
	l.files = nil
	src, err := ParseDirectURL(l.direct)
	if err != nil {
		return r.lockError(l.pkg.Line, "%s: %s: %v", l.pkg, f.Path, err)
	}
	return r.checkLocalFile(l.pkg, src.Path, f.SHA256())
}

// checkLocalFile checks that a local archive exists and, when the lock
// gives one, has its sha256.
func (r *lockRun) checkLocalFile(p *lockfile.Package, file, want string) error {
	f, err := os.Open(filepath.FromSlash(file))
	if err != nil {
		return r.lockError(p.Line, "%s: the lock's file %s cannot be read (%v)", p, file, pathCause(err))
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return r.lockError(p.Line, "%s: reading %s: %v", p, file, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); want != "" && got != want {
		return r.lockError(p.Line, "%s: %s has sha256 %s, not the lock's %s: the file changed after locking; %s", p, file, got, want, r.refreshHint())
	}
	return nil
}

// checkDirectory checks that a local project directory exists, and says
// that an editable install becomes a copy.
func (r *lockRun) checkDirectory(p *lockfile.Package, src DirectSource) error {
	dir := filepath.FromSlash(path.Join(src.Path, src.Subdirectory))
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return r.lockError(p.Line, "%s: the lock's project directory %s does not exist; check the path, or %s", p, dir, r.refreshHint())
	}
	if p.Source.Editable {
		r.warn("%s: %s is editable in the lock: Nix builds a copy of %s, not an editable install; regenerate or rebuild after changing it", r.lock.Path, p.Name, dir)
	}
	return nil
}

func pathCause(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
