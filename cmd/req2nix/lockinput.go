package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/req2nix/req2nix/pypi"
	"github.com/req2nix/req2nix/pypi/lockfile"
	"github.com/req2nix/req2nix/pypi/reqfile"
	"github.com/req2nix/req2nix/resolver"
)

// lockInput is a lock file read instead of requirements.
type lockInput struct {
	lock *lockfile.Lock
	note string // for the summary: which file was read, and why
}

// findLock returns the lock file the inputs mean, or "": one input that is
// a lock file, or a directory holding one (a lock wins over the
// requirements it was made from). A lock is read alone.
func findLock(inputs []string) (path, note string, err error) {
	var found []string
	for _, in := range inputs {
		p, n, err := lockOf(in)
		if err != nil {
			return "", "", err
		}
		if p != "" {
			path, note = p, n
			found = append(found, in)
		}
	}
	if len(found) > 0 && len(inputs) > 1 {
		return "", "", fmt.Errorf("%s is a lock file (or holds one), which is read alone, and %d inputs were given; name the lock alone, or the files to resolve (pyproject.toml, requirements.txt)",
			found[0], len(inputs))
	}
	return path, note, nil
}

// lockOf is the lock file an input means, and what the summary says.
func lockOf(in string) (path, note string, err error) {
	if _, ok := lockfile.FormatOf(in); ok && !isDir(in) {
		return in, "read the lock file " + in + " (nothing was resolved)", nil
	}
	if !isDir(in) {
		return "", "", nil
	}
	path, others, err := lockfile.InDir(in)
	if err != nil || path == "" {
		return "", "", err
	}
	var beside []string
	for _, name := range []string{"pyproject.toml", "requirements.txt", "Pipfile"} {
		if isFile(filepath.Join(in, name)) {
			beside = append(beside, name)
		}
	}
	note = "read the lock file " + path + " (nothing was resolved)"
	if len(beside) > 0 {
		note += "; a lock wins over the " + strings.Join(beside, " and ") + " beside it (name one of them to resolve it instead)"
	}
	for _, o := range others {
		note += "; " + filepath.Base(o) + " is also there and was not read"
	}
	return path, note, nil
}

// readLock reads the lock, and a reqfile.File standing for it in the rest
// of the pipeline (its requires-python chooses the interpreter).
func readLock(o *options, path, note string) (*lockInput, *reqfile.File, error) {
	if o.upgrade || len(o.upgradePkgs) > 0 {
		return nil, nil, fmt.Errorf("--upgrade and -P do not apply to %s: a lock fixes the versions; upgrade with the tool that wrote it and run req2nix again", path)
	}
	lock, err := lockfile.Load(path, reqfile.Selection{Extras: o.extras, Groups: o.groups, AllExtras: o.allExtras})
	if err != nil {
		return nil, nil, err
	}
	if err := checkOutputNotLock(o.output, lock); err != nil {
		return nil, nil, err
	}
	in := &reqfile.File{RequiresPythonSource: reqfile.Source{File: path}}
	if len(lock.RequiresPython) == 1 {
		in.RequiresPython = lock.RequiresPython.String()
	}
	if p := lock.Project; in.RequiresPython == "" && p != nil && p.RequiresPython != "" {
		in.RequiresPython, in.RequiresPythonSource = p.RequiresPython, p.RequiresPythonSource
	}
	if o.pre {
		in.Warnings = append(in.Warnings, "--pre does not apply to a lock file: its versions stand")
	}
	return &lockInput{lock: lock, note: note}, in, nil
}

// resolveLock is generate's lock branch: the lock's packages for each
// target system, in place of a resolution.
func resolveLock(ctx context.Context, client *pypi.Client, r resolveInput, o *options, env func(string) string) (*resolver.MultiResolution, error) {
	systems, li := systemsOf(o), r.lock
	m, err := resolver.FromLockSystems(ctx, client, li.lock, resolver.LockOptions{
		Python: r.python, Extras: o.extras, Groups: o.groups, AllExtras: o.allExtras, NixpkgsVersion: r.ix.Version,
		Git: r.git, DirectPins: r.directPins,
	}, systems, nixpkgsBySystem(r.ix, systems))
	var rfErr *reqfile.Error
	if errors.As(err, &rfErr) {
		return nil, &inputError{err}
	}
	if err != nil {
		return nil, err
	}
	if w := otherIndexWarning(li.lock, o, env); w != "" {
		for _, res := range m.BySystem {
			res.Warnings = append(res.Warnings, w)
		}
	}
	return m, nil
}

// otherIndexWarning says when the lock names an index other than PyPI and
// req2nix was not pointed at one: files the lock does not locate are looked
// up on PyPI.
func otherIndexWarning(lock *lockfile.Lock, o *options, env func(string) string) string {
	if o.indexURL != "" || env("PIP_INDEX_URL") != "" || (lock.Format != lockfile.Poetry && lock.Format != lockfile.Pipenv) {
		return "" // pylock.toml and uv.lock locate their files themselves
	}
	for _, ix := range lock.Indexes {
		if u, err := url.Parse(ix); err == nil && u.Host != "pypi.org" && u.Host != "pypi.python.org" && u.Host != "files.pythonhosted.org" {
			return fmt.Sprintf("%s names the index %s; what the lock does not locate was looked up on PyPI: add -i %s to use that index", lock.Path, pypi.Redact(ix), pypi.Redact(ix))
		}
	}
	return ""
}

// checkOutputNotLock refuses an -o that is the lock or its project file.
func checkOutputNotLock(output string, lock *lockfile.Lock) error {
	paths := []string{lock.Path}
	if lock.Project != nil {
		paths = append(paths, lock.Project.File)
	}
	out, err := os.Stat(output)
	if output == "" || err != nil {
		return nil
	}
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil && os.SameFile(st, out) {
			return fmt.Errorf("-o %s is also an input (%s); writing it would replace it with Nix: choose another output file, such as shell.nix", output, p)
		}
	}
	return nil
}
