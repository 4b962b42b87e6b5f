package resolver

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/req2nix/req2nix/pypi"
	"github.com/req2nix/req2nix/pypi/lockfile"
	"github.com/req2nix/req2nix/pypi/pep440"
)

// lockJobs bounds the index lookups in flight (the client bounds its own
// requests; this bounds the goroutines).
const lockJobs = 16

// chooseFiles gives every installed package its files (the sdist and the
// best wheel for the target) or its direct source, asking the index,
// concurrently, for what the lock lacks.
func (r *lockRun) chooseFiles(ctx context.Context, chosen []*locked) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(lockJobs)
	for _, l := range chosen {
		if l.pkg.Self || l.pkg.Source.Virtual {
			continue
		}
		g.Go(func() error { return r.filesOf(gctx, l) })
	}
	return g.Wait()
}

// filesOf fills in one package's files or direct source.
func (r *lockRun) filesOf(ctx context.Context, l *locked) error {
	if l.pkg.Source.Kind != lockfile.FromIndex {
		return r.directSource(ctx, l)
	}
	files := lockedFiles(l.pkg)
	if needsIndex(l.pkg) {
		rel, err := r.lookupRelease(ctx, l.pkg)
		if err != nil {
			return err
		}
		l.release = rel
		if files, err = r.matchIndexFiles(l.pkg, rel); err != nil {
			return err
		}
	}
	usable, why := r.target.usableFiles(l.pkg.Name, pypi.Release{Files: files})
	if len(usable) == 0 {
		return r.lockError(l.pkg.Line, "%s %s; the lock has no file to install there (%d in the lock)", l.pkg, why, len(l.pkg.Files))
	}
	l.files = chosenFiles(usable)
	if local := localFile(l.pkg, l.files); local != nil {
		return r.localArchive(l, *local)
	}
	return nil
}

// lockedFiles are the lock's files in the index client's terms.
func lockedFiles(p *lockfile.Package) []pypi.File {
	var out []pypi.File
	for _, f := range p.Files {
		kind := "sdist"
		if f.IsWheel() {
			kind = "bdist_wheel"
		}
		out = append(out, pypi.File{Filename: f.Name, URL: f.URL, SHA256: f.SHA256(), PackageType: kind})
	}
	return out
}

// needsIndex reports whether the lock lacks what the output needs: a file
// without a URL or a local path, or without a sha256 (poetry.lock has
// names and hashes, Pipfile.lock hashes only), or a name listed with
// different hashes (which of them is the file's only the index can tell).
func needsIndex(p *lockfile.Package) bool {
	if len(p.Files) == 0 {
		return true
	}
	seen := map[string]string{}
	for _, f := range p.Files {
		if f.Name == "" || (f.URL == "" && f.Path == "") || f.SHA256() == "" {
			return true
		}
		if h, dup := seen[f.Name]; dup && h != f.SHA256() {
			return true
		}
		seen[f.Name] = f.SHA256()
	}
	return false
}

// lookupRelease finds the locked version on the index.
func (r *lockRun) lookupRelease(ctx context.Context, p *lockfile.Package) (*pypi.Release, error) {
	proj, err := r.provider.Project(ctx, p.Name)
	if err != nil {
		return nil, fmt.Errorf("%s (locked in %s): %w", p, r.lock.Path, err)
	}
	want, err := pep440.Parse(p.Version)
	if err != nil {
		return nil, r.lockError(p.Line, "%s: version %q is not a PEP 440 version", p.Name, p.Version)
	}
	for i := range proj.Releases {
		rel := &proj.Releases[i]
		if rel.Version.Compare(want) != 0 {
			continue
		}
		if rel.Yanked() {
			r.warn("%s is yanked on %s; it is used because %s locks it", p, proj.Index, r.lock.Path)
		}
		return rel, nil
	}
	return nil, r.lockError(p.Line, "the index %s has no %s, which the lock names: the lock is stale, or its index is another one (-i URL); %s",
		proj.Index, p, r.refreshHint())
}

// matchIndexFiles finds the lock's files among the release's: by name
// when the lock names them, else by hash. Every sha256 in the lock must be
// one of a file the index serves, and a named file's sha256 must be one
// the lock lists for that name: otherwise the lock is stale or was
// tampered with, and nothing is installed from it.
func (r *lockRun) matchIndexFiles(p *lockfile.Package, rel *pypi.Release) ([]pypi.File, error) {
	byName, byHash := map[string]pypi.File{}, map[string]pypi.File{}
	for _, f := range rel.Files {
		byName[f.Filename] = f
		byHash[strings.ToLower(f.SHA256)] = f
	}
	hashesOf := map[string]map[string]bool{} // lock file name -> its sha256s
	var names []string                       // in the lock's order
	var out []pypi.File
	for _, f := range p.Files {
		h := f.SHA256()
		if h == "" && f.Name == "" {
			return nil, r.lockError(p.Line, "%s: the lock gives no sha256 for one of its files (only %s), so it cannot be found on the index", p, hashNames(f))
		}
		if h != "" {
			if _, ok := byHash[h]; !ok {
				return nil, r.hashError(p, rel, f.Name, h)
			}
		}
		if f.Name == "" {
			out = append(out, byHash[h])
			continue
		}
		if hashesOf[f.Name] == nil {
			hashesOf[f.Name] = map[string]bool{}
			names = append(names, f.Name)
		}
		if h != "" {
			hashesOf[f.Name][h] = true
		}
	}
	for _, name := range names {
		f, ok := byName[name]
		if !ok {
			return nil, r.lockError(p.Line, "%s: the index %s serves no file %s, which the lock lists: the lock is stale or was tampered with; %s",
				p, rel.Index, name, r.refreshHint())
		}
		if hs := hashesOf[name]; len(hs) > 0 && !hs[strings.ToLower(f.SHA256)] {
			return nil, r.hashError(p, rel, name, slices.Sorted(maps.Keys(hs))[0])
		}
		out = append(out, f)
	}
	return uniqueFiles(out), nil
}

// hashError refuses a lock hash the index does not serve.
func (r *lockRun) hashError(p *lockfile.Package, rel *pypi.Release, filename, hash string) error {
	what := "a file"
	if filename != "" {
		what = filename
	}
	return r.lockError(p.Line, "%s: the lock's hash sha256:%s for %s matches no file the index %s serves for %s: the lock is stale or was tampered with, so nothing is installed from it; check where it came from, then %s",
		p, hash, what, rel.Index, p, r.refreshHint())
}

func hashNames(f lockfile.File) string {
	var names []string
	for algo := range f.Hashes {
		names = append(names, algo)
	}
	sort.Strings(names)
	if len(names) == 0 {
		return "no hash"
	}
	return strings.Join(names, ", ")
}

// uniqueFiles drops repeated file names, keeping the first.
func uniqueFiles(files []pypi.File) []pypi.File {
	seen := map[string]bool{}
	var out []pypi.File
	for _, f := range files {
		if !seen[f.Filename] {
			seen[f.Filename] = true
			out = append(out, f)
		}
	}
	return out
}

// localFile returns the lock's file behind a chosen file that has a local
// path and no URL (a find-links directory, a wheelhouse), or nil.
func localFile(p *lockfile.Package, chosen []File) *lockfile.File {
	for _, c := range chosen {
		if c.URL != "" {
			continue
		}
		for i := range p.Files {
			if p.Files[i].Name == c.Filename && p.Files[i].Path != "" {
				return &p.Files[i]
			}
		}
	}
	return nil
}
